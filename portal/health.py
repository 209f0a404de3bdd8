"""Health of the parts the portal needs: database, broker and cache."""

import uuid
from typing import Any

from django.core.cache import caches
from django.db import connection


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    # The site's cache fails open (portal.cache); its `strict` twin raises, so an outage the
    # pages shrug off still shows here.
    backend = getattr(caches["default"], "strict", caches["default"])
    key = f"healthz:{uuid.uuid4().hex}"
    backend.set(key, "1", timeout=10)
    if backend.get(key) != "1":
        raise RuntimeError("cache did not return the value it was given")
    backend.delete(key)


def _broker() -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        # Opening a channel proves the broker answers, not just that a socket opened.
        conn.default_channel  # noqa: B018


def health_report() -> dict[str, Any]:
    checks = {"database": _database, "broker": _broker, "cache": _cache}
    report: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:
            report[name] = {"status": "error", "error": type(error).__name__}
        else:
            report[name] = {"status": "ok"}
    healthy = all(part["status"] == "ok" for part in report.values())
    report["status"] = "ok" if healthy else "error"
    return report
