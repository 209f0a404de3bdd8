"""`make bench`: the portal served as in production, measured page by page against a bare view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 \
        make bench BENCH_SCALE=small      # small | medium | large

1. Uses its own database, `portal_bench_<scale>` beside DATABASE_URL's: creates it, runs
   `migrate`, and fills it with `manage.py bench_data` unless it already holds the data
   (BENCH_REGENERATE=1 starts again from an empty database).
2. Compiles last week's digest in a child process: seconds and peak memory (ru_maxrss).
3. Starts gunicorn as the README's production section does (DEBUG=0, 2 workers, timeout 60),
   with PORTAL_BENCH=1: a bare baseline view and a Server-Timing header.
4. For each page: sequential requests give the server-side p50/p95 (Server-Timing), the
   query count and the bytes sent to a client that accepts gzip; then `wrk` loads the
   baseline and the page in turn, so each page's requests per second are compared with the
   baseline measured just before it, on the same machine, under the same conditions.
5. Streams the CSV and JSON exports: rows per second, whether they complete, and the web
   workers' peak memory.
6. Writes var/bench/<scale>.json and .md (and latest.json / latest.md), targets marked.
Targets are checked here, never in timed unit tests.
"""

import argparse
import csv
import gzip
import http.client
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUT_DIR = ROOT / "var" / "bench"

# Targets (issue 10), checked at every scale; they are promised at `large`.
P95_MAX_MS = 150
ANONYMOUS_MIN_RATIO = 0.5
SIGNED_IN_MIN_RATIO = 0.2
PAGE_MAX_COMPRESSED_BYTES = 100 * 1024
DIGEST_MAX_SECONDS = 120
DIGEST_MAX_RSS_MB = 300


@dataclass
class Page:
    name: str
    path: str
    visitor: str = "anonymous"  # anonymous | member | official
    min_ratio: float | None = None  # requests per second against the baseline
    is_search: bool = False
    result: dict = field(default_factory=dict)


# --- Setup ------------------------------------------------------------------------------------


def bench_database_url(scale: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/portal_bench_{scale}"))


def server_environment(database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        PORTAL_BENCH="1",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-" + "x" * 50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        STATIC_ROOT=str(OUT_DIR / "staticfiles"),
        VAR_DIR=str(OUT_DIR / "var"),
        MEDIA_ROOT=str(OUT_DIR / "media"),
        EMAIL_URL="locmem://",
        LOG_LEVEL="WARNING",
    )
    env.pop("PYTEST_VERSION", None)
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def ensure_database(database_url: str, *, regenerate: bool) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and regenerate:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def has_data(database_url: str) -> bool:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM submissions_barrierreport").fetchone()
        return bool(row and row[0])


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_cookie(email: str) -> str:
    """A session for one of bench_data's accounts, as a sign-in would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.models import User

    user = User.objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def pages_to_measure(week: str | None, scale: str) -> list[Page]:
    from dialogues import bench_data, conf
    from dialogues.models import Thread
    from submissions.models import BarrierReport

    public = BarrierReport.objects.filter(status="published", visibility="public")
    report = public.order_by("-published_at")[public.count() // 2]
    thread = Thread.objects.get(title=bench_data.BIG_THREAD_TITLE)
    last_page = max(1, math.ceil(thread.last_number / conf.POSTS_PER_PAGE))
    draft = BarrierReport.objects.filter(
        reporter__email=bench_data.BENCH_MEMBER_EMAIL,
        title=bench_data.BENCH_DRAFT_TITLE,
        status=BarrierReport.Status.DRAFT,
    ).latest("id")
    anonymous, signed_in = ANONYMOUS_MIN_RATIO, SIGNED_IN_MIN_RATIO
    pages = [
        Page("home", "/", min_ratio=anonymous),
        Page("reports", "/reports/", min_ratio=anonymous),
        Page("reports, most co-signed", "/reports/?sort=cosigned", min_ratio=anonymous),
        Page("reports, page 500", "/reports/?page=500", min_ratio=anonymous),
        Page("reports, market and topic", "/reports/?market=US&topic=ECOM-10"),
        Page("report detail", report.get_absolute_url(), min_ratio=anonymous),
        Page("report search: payment", "/reports/?q=payment", is_search=True),
        Page(
            'report search: "payment gateway"',
            "/reports/?q=" + quote('"payment gateway"'),
            is_search=True,
        ),
        Page("dialogues", "/dialogues/", min_ratio=anonymous),
        Page("theme", thread.theme.get_absolute_url(), min_ratio=anonymous),
        Page(
            f"thread, last page ({bench_data.SCALES[scale].big_thread_posts:,} posts)",
            f"{thread.get_absolute_url()}?page={last_page}",
            min_ratio=anonymous,
        ),
        Page("dialogue search (public)", "/dialogues/search/?q=payment", is_search=True),
        Page(
            "dialogue search (member)",
            "/dialogues/search/?q=payment",
            visitor="member",
            is_search=True,
        ),
        Page(
            "duplicate hints (member filing)",
            f"/reports/drafts/{draft.public_id}/similar/",
            visitor="member",
            is_search=True,
            min_ratio=signed_in,
        ),
        Page("dashboard (member)", "/dashboard/", visitor="member", min_ratio=signed_in),
        Page("reports (official)", "/reports/", visitor="official", min_ratio=signed_in),
    ]
    if week:
        pages.append(Page("digest page", f"/digests/{week}/"))
    return pages


# --- Measuring --------------------------------------------------------------------------------


# As the Procfile's `web` line, with the README's 2 workers for this 2-core machine.
GUNICORN = [str(BIN / "gunicorn"), "portal.wsgi", "--workers", "2", "--timeout", "60"]
GUNICORN += ["--access-logfile", "-"]


class Server:
    """gunicorn as in production."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.port = port
        self.log = open(OUT_DIR / "gunicorn.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not start: see {self.log.name}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_worker_rss_mb(self) -> float:
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=0.0)

    def get(
        self, path: str, cookie: str = "", timeout: float = 120
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=request_headers(cookie))
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def request_headers(cookie: str = "") -> dict[str, str]:
    # The portal runs behind a TLS proxy in production (HTTPS on when DEBUG=0).
    headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip", "Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def server_timing(headers: dict[str, str]) -> tuple[float, int]:
    value = headers.get("Server-Timing", "")
    duration = re.search(r"app;dur=([\d.]+)", value)
    queries = re.search(r'queries;desc="(\d+)"', value)
    return (
        float(duration.group(1)) if duration else float("nan"),
        int(queries.group(1)) if queries else -1,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def sample(server: Server, page: Page, cookie: str, runs: int, budget_s: float) -> dict:
    """Sequential requests: server-side times, queries, bytes on the wire."""
    server.get(page.path, cookie)  # warm this page's code paths and caches
    timings, statuses, queries = [], set(), -1
    started = time.monotonic()
    body, headers = b"", {}
    while len(timings) < runs and (len(timings) < 3 or time.monotonic() - started < budget_s):
        status, headers, body = server.get(page.path, cookie)
        statuses.add(status)
        duration, queries = server_timing(headers)
        timings.append(duration)
    encoded = headers.get("Content-Encoding", "")
    plain = gzip.decompress(body) if encoded == "gzip" else body
    return {
        "status": sorted(statuses),
        "samples": len(timings),
        "server_p50_ms": round(statistics.median(timings), 1),
        "server_p95_ms": round(percentile(timings, 0.95), 1),
        "queries": queries,
        "bytes_sent": len(body),
        "gzip_by_server": encoded == "gzip",
        "bytes_uncompressed": len(plain),
        "bytes_if_gzipped": len(gzip.compress(plain, compresslevel=6)),
    }


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


def wrk(port: int, path: str, cookie: str, seconds: int) -> dict:
    command = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in request_headers(cookie).items():
        if name != "Host":
            command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {
        percent: float(value) * scale[unit] for percent, value, unit in WRK_LATENCY.findall(output)
    }
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": round(latency.get("50", float("nan")), 1),
        "p99_ms": round(latency.get("99", float("nan")), 1),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def compile_digest(env: dict[str, str], timeout_s: float) -> dict:
    """Last complete week's public and officials editions, in a child process."""
    from django.utils import timezone

    from dialogues.digests.weeks import iso_week_bounds, last_complete_iso_week
    from submissions.models import BarrierReport

    week = last_complete_iso_week(timezone.now())
    start, end = iso_week_bounds(week)
    new_reports = BarrierReport.objects.filter(published_at__gte=start, published_at__lt=end)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "compile_digest", "--week", week, "--force", "--no-personal"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    # wait4 gives the child's own peak memory; polled so that a compile can be given up.
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout_s:
            process.kill()
        time.sleep(0.5)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    return {
        "week": week,
        "new_reports": new_reports.count(),
        "ok": process.returncode == 0,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def export(server: Server, path: str, expected_rows: int) -> dict:
    """Stream an export to the end (or until the server cuts it off), counting records."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    started = time.monotonic()
    rows, complete, status = 0, True, 0
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        status = response.status
        text = io.TextIOWrapper(response, encoding="utf-8", newline="")
        # Counted as they arrive, so a response cut off midway still says how far it got.
        rows = -1  # the CSV's header row; the JSON's header line
        if path.endswith(".csv"):
            for _ in csv.reader(text):
                rows += 1
        else:  # one record a line
            for line in text:
                rows += line.startswith(("{", ",{"))
        rows = max(rows, 0)
    except (OSError, http.client.HTTPException, csv.Error, UnicodeDecodeError):
        complete = False
        rows = max(rows, 0)
    finally:
        connection.close()
    seconds = time.monotonic() - started
    return {
        "status": status,
        "rows": rows,
        "expected_rows": expected_rows,
        "complete": complete and rows >= expected_rows,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds) if seconds else 0,
        "worker_peak_rss_mb": round(server.peak_worker_rss_mb(), 1),
    }


# --- Report -----------------------------------------------------------------------------------


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("pass" if ok else "**FAIL**")


def check_targets(
    pages: list[Page], digest: dict | None, exports: list[dict], small: dict[str, float]
) -> list[dict]:
    targets = []
    for page in pages:
        result = page.result
        if page.name in small:
            result["small_p95_ms"] = small[page.name]
            targets.append(
                {
                    "what": f"{page.name}: p95 <= 2 x p95 at small",
                    "ok": result["server_p95_ms"] <= 2 * small[page.name],
                }
            )
        if result["errors"] or result["timeouts"]:
            targets.append({"what": f"{page.name}: no errors under load", "ok": False})
        targets.append(
            {
                "what": f"{page.name}: server p95 <= {P95_MAX_MS} ms",
                "ok": result["server_p95_ms"] <= P95_MAX_MS and result["status"] == [200],
            }
        )
        targets.append(
            {
                "what": f"{page.name}: <= 100 KB compressed",
                "ok": result["gzip_by_server"]
                and result["bytes_sent"] <= PAGE_MAX_COMPRESSED_BYTES,
            }
        )
        if page.min_ratio is not None:
            targets.append(
                {
                    "what": f"{page.name}: >= {page.min_ratio:.0%} of baseline rps",
                    "ok": result["ratio"] >= page.min_ratio,
                }
            )
    if digest:
        targets.append(
            {
                "what": f"digest compile < {DIGEST_MAX_SECONDS} s, < {DIGEST_MAX_RSS_MB} MB",
                "ok": digest["ok"]
                and digest["seconds"] < DIGEST_MAX_SECONDS
                and digest["peak_rss_mb"] < DIGEST_MAX_RSS_MB,
            }
        )
    for result in exports:
        targets.append(
            {
                "what": f"{result['path']} streams every row up to its limit",
                "ok": result["complete"],
            }
        )
    return targets


def markdown(report: dict) -> str:
    meta = report["meta"]
    lines = [
        f"Scale `{meta['scale']}`: {meta['reports']:,} reports, {meta['threads']:,} threads, "
        f"{meta['posts']:,} posts; {meta['when']}, commit `{meta['commit']}`, "
        f"load average {meta['load_average']} on {meta['cpus']} CPUs. wrk: 1 thread, "
        f"4 connections, {meta['wrk_seconds']} s per run, baseline and page in turn.",
        "",
        "| page | who | server p50 | server p95 | queries | sent | rps | wrk p50 "
        "| wrk p99 | vs baseline | targets |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for page in report["pages"]:
        r = page["result"]
        sent = f"{r['bytes_sent'] / 1024:.1f} KB"
        if not r["gzip_by_server"]:
            sent += f" plain ({r['bytes_if_gzipped'] / 1024:.1f} KB if gzipped)"
        ok = [t["ok"] for t in report["targets"] if t["what"].startswith(page["name"] + ":")]
        status = "" if r["status"] == [200] else f" (HTTP {r['status']})"
        if r["errors"] or r["timeouts"]:
            status += f" ({r['errors']} errors, {r['timeouts']} timeouts under load)"
        rps = f"{r['rps']:.1f}" if r["rps"] else f"0 (none within {meta['wrk_seconds']} s)"
        lines.append(
            f"| {page['name']}{status} | {page['visitor']} | {r['server_p50_ms']:.0f} ms "
            f"| {r['server_p95_ms']:.0f} ms | {r['queries']} | {sent} | {rps} "
            f"| {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['ratio']:.0%} "
            f"| {mark(all(ok))} |"
        )
    lines += ["", f"Baseline (hello world, same middleware): {report['baseline_rps']:.0f} rps."]
    digest = report.get("digest")
    if digest:
        outcome = "compiled in" if digest["ok"] else "**failed or stopped** after"
        digest_ok = (
            digest["ok"]
            and digest["seconds"] < DIGEST_MAX_SECONDS
            and digest["peak_rss_mb"] < DIGEST_MAX_RSS_MB
        )
        lines.append(
            f"Digest {digest['week']} ({digest['new_reports']:,} new reports): {outcome} "
            f"{digest['seconds']} s, peak memory {digest['peak_rss_mb']} MB "
            f"{mark(digest_ok)}."
        )
    for result in report.get("exports", []):
        lines.append(
            f"`{result['path']}`: {result['rows']:,} of {result['expected_rows']:,} rows in "
            f"{result['seconds']} s ({result['rows_per_second']:,} rows/s), "
            f"web worker peak {result['worker_peak_rss_mb']} MB "
            f"{mark(result['complete'])}."
        )
    failed = [t["what"] for t in report["targets"] if not t["ok"]]
    lines += [
        "",
        f"Targets: {len(report['targets']) - len(failed)} of {len(report['targets'])} met.",
    ]
    lines += [f"- missed: {what}" for what in failed]
    return "\n".join(lines) + "\n"


README_MARKER = "<!-- bench-results -->"


def update_readme() -> None:
    """The README's "Latest figures": each scale's table as last measured, targets missed
    counted (the full list is in var/bench/<scale>.md)."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start = text.index(README_MARKER) + len(README_MARKER)
    end = text.index("\n## ", start)
    parts = []
    for scale in ("small", "medium", "large"):
        path = OUT_DIR / f"{scale}.md"
        if path.exists():
            table = [line for line in path.read_text().splitlines() if not line.startswith("- ")]
            parts.append(f"#### {scale}\n\n" + "\n".join(table).strip())
    readme.write_text(text[:start] + "\n\n" + "\n\n".join(parts) + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "small"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "5")))
    parser.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_SAMPLES", "20")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    parser.add_argument(
        "--regenerate", action="store_true", default=bool(os.environ.get("BENCH_REGENERATE"))
    )
    parser.add_argument("--only", default="", help="Measure pages whose name contains this.")
    parser.add_argument(
        "--reuse-digest",
        action="store_true",
        help="Keep the digest the last run compiled, and its figures.",
    )
    parser.add_argument(
        "--readme", action="store_true", help="Only copy var/bench/*.md into the README."
    )
    parser.add_argument(
        "--digest-timeout",
        type=float,
        default=float(os.environ.get("BENCH_DIGEST_TIMEOUT", "900")),
        help="Seconds after which the digest compile is stopped and marked failed.",
    )
    args = parser.parse_args()
    if args.readme:
        update_readme()
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    database_url = bench_database_url(args.scale)
    env = server_environment(database_url, args.port)

    print(f"Database {urlsplit(database_url).path.lstrip('/')}: migrate", flush=True)
    ensure_database(database_url, regenerate=args.regenerate)
    manage(env, "migrate", "--noinput")
    if not has_data(database_url):
        manage(env, "bench_data", "--scale", args.scale, quiet=False)
    manage(env, "collectstatic", "--noinput")
    setup_django(env)

    from dialogues.models import Post, Thread
    from submissions import selectors
    from submissions.models import BarrierReport

    print("Compiling last week's digest…", flush=True)
    saved = OUT_DIR / f"{args.scale}-digest.json"
    if args.reuse_digest and saved.exists():
        digest = json.loads(saved.read_text())
    else:
        digest = compile_digest(env, args.digest_timeout)
        saved.write_text(json.dumps(digest) + "\n")
    print(f"  {digest}", flush=True)
    pages = pages_to_measure(digest["week"] if digest["ok"] else None, args.scale)
    if args.only:
        pages = [page for page in pages if args.only in page.name]
    from dialogues.bench_data import BENCH_MEMBER_EMAIL, BENCH_OFFICIAL_EMAIL

    cookies = {
        "anonymous": "",
        "member": signed_in_cookie(BENCH_MEMBER_EMAIL),
        "official": signed_in_cookie(BENCH_OFFICIAL_EMAIL),
    }
    server = Server(env, args.port)
    baselines = []
    try:
        for page in pages:
            cookie = cookies[page.visitor]
            page.result = sample(server, page, cookie, args.samples, budget_s=30)
            baseline = wrk(args.port, "/bench/baseline", "", args.seconds)
            baselines.append(baseline["rps"])
            page.result.update(wrk(args.port, page.path, cookie, args.seconds))
            page.result["baseline_rps"] = baseline["rps"]
            page.result["ratio"] = page.result["rps"] / baseline["rps"] if baseline["rps"] else 0
            r = page.result
            print(
                f"  {page.name:<40} p50 {r['server_p50_ms']:7.1f} ms  p95 "
                f"{r['server_p95_ms']:7.1f} ms  q {r['queries']:3}  "
                f"{r['bytes_sent'] / 1024:6.1f} KB  {r['rps']:6.1f} rps "
                f"({r['ratio']:.0%} of {baseline['rps']:.0f})  HTTP {r['status']}",
                flush=True,
            )
        # Filtered exports stop at EXPORT_ROW_LIMIT (the complete data is the open-data files).
        from submissions.exports import EXPORT_ROW_LIMIT

        exportable = min(selectors.report_export_queryset().count(), EXPORT_ROW_LIMIT)
        exports = []
        if not args.only:
            for path in ("/reports/export.csv", "/reports/export.json"):
                result = {"path": path, **export(server, path, exportable)}
                print(f"  {result}", flush=True)
                exports.append(result)
    finally:
        server.stop()

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    report = {
        "meta": {
            "scale": args.scale,
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit,
            "reports": BarrierReport.objects.count(),
            "threads": Thread.objects.count(),
            "posts": Post.objects.count(),
            "cpus": os.cpu_count(),
            "load_average": ", ".join(f"{load:.1f}" for load in os.getloadavg()),
            "python": platform.python_version(),
            "wrk_seconds": args.seconds,
        },
        "baseline_rps": statistics.median(baselines) if baselines else 0,
        "pages": [asdict(page) for page in pages],
        "digest": digest,
        "exports": exports,
    }
    small = {}
    if args.scale != "small" and (OUT_DIR / "small.json").exists():
        earlier = json.loads((OUT_DIR / "small.json").read_text())
        small = {page["name"]: page["result"]["server_p95_ms"] for page in earlier["pages"]}
    report["targets"] = check_targets(pages, digest, exports, small)
    text = markdown(report)
    for stem in (args.scale, "latest"):
        (OUT_DIR / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
        (OUT_DIR / f"{stem}.md").write_text(text)
    print("\n" + text)
    print(f"Written to {OUT_DIR / (args.scale + '.json')} and .md")


if __name__ == "__main__":
    main()
