"""Every user-visible string is translated into French and Spanish."""

import os
import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "portal" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


@pytest.fixture(params=["fr", "es"])
def catalogue(request) -> polib.POFile:
    return polib.pofile(str(LOCALE / request.param / "LC_MESSAGES" / "django.po"))


def test_catalogue_has_no_untranslated_entries(catalogue):
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_catalogue_has_no_fuzzy_entries(catalogue):
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_translations_keep_every_placeholder(catalogue):
    broken = []
    for entry in catalogue.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for translation in translations:
            found = sorted(PLACEHOLDER.findall(translation))
            if entry.msgid_plural:
                # A plural form may drop the count placeholder ("one report").
                found_set, expected_set = set(found), set(PLACEHOLDER.findall(entry.msgid_plural))
                if not found_set <= expected_set | set(expected):
                    broken.append(entry.msgid)
            elif found != expected:
                broken.append(entry.msgid)
    assert broken == [], f"placeholders differ in: {broken[:5]}"


def test_compiled_catalogues_are_present():
    for language in ("fr", "es"):
        assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists(), (
            "run `make install` (python -m portal.compilemessages)"
        )


def test_every_string_in_the_source_is_in_the_catalogues(tmp_path):
    """Extract the strings again from a copy of the code: a string added without its French
    and Spanish entries shows up as untranslated (or fuzzy, when msgmerge guessed)."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import require

    require(shutil.which("xgettext") is not None, "gettext (xgettext) is not installed")
    root = LOCALE.parents[1]
    for name in ("manage.py", "portal", "submissions", "dialogues", "templates"):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "es", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for language in ("fr", "es"):
        extracted = polib.pofile(
            str(tmp_path / "portal/locale" / language / "LC_MESSAGES/django.po")
        )
        missing = [entry.msgid for entry in extracted.untranslated_entries()]
        missing += [entry.msgid for entry in extracted.fuzzy_entries()]
        assert missing == [], (
            f"{language}: {len(missing)} strings lack a translation: {missing[:5]}"
        )
