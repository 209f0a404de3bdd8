"""Production settings pass Django's deployment checklist and turn on HTTPS-only behaviour."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # As in production: not under pytest, and with none of the test process's overrides.
        if key
        not in {
            "PYTEST_VERSION",
            "PYTEST_CURRENT_TEST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "HTTPS",
            "SECURE_HSTS_SECONDS",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": "k3Y-" + "x7Qv9#Lm2@Pz8!Rt5$Wn4%" * 3,
            "ALLOWED_HOSTS": "portal.example.org",
            "EMAIL_URL": "smtp://mail.example.org:587?tls=1",
            "SITE_URL": "https://portal.trade-dialogues.org",
            "DEFAULT_FROM_EMAIL": "Trade Dialogues Portal <noreply@trade-dialogues.org>",
            "VAR_DIR": str(tmp_path / "var"),
            "PRIVACY_CONTROLLER": "Example Trade Secretariat",
            "PRIVACY_CONTACT_EMAIL": "privacy@example.org",
        }
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings(production_env):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_while_the_privacy_notice_names_the_development_controller(
    production_env,
):
    del production_env["PRIVACY_CONTROLLER"]
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode != 0
    assert "portal.W003" in result.stdout + result.stderr


def test_production_settings_use_secure_cookies_hsts_and_https_redirect(production_env):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'LANGUAGE_COOKIE_SECURE']}))"
    )
    result = _run(["-c", script], production_env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = _run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "sender",
    [
        "Trade Dialogues Portal <noreply@localhost>",  # the embedded default
        "noreply@portal.example.org",
    ],
)
def test_check_deploy_warns_while_the_sender_is_a_placeholder(production_env, sender):
    production_env["DEFAULT_FROM_EMAIL"] = sender
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "DEFAULT_FROM_EMAIL" in result.stderr


def test_check_deploy_warns_while_site_url_points_at_this_machine(production_env):
    del production_env["SITE_URL"]  # the default, http://127.0.0.1:8000
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode != 0
    assert "portal.W002" in result.stderr
    assert "portal.W001" not in result.stderr
