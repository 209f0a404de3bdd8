"""Data for the digest and open-data benchmarks, generated in PostgreSQL with generate_series.

`generate(week=..., week_reports=7500, other_reports=492500)` fills an empty, migrated database
with organisations and members, reports published across the two years before `week` and a
busy `week` (its reports spread over the seven days), topics, co-signatures, status changes
and official responses. Usable from a benchmark (inside the test database) or by hand:

    DEBUG=1 DATABASE_URL=postgres://.../portal_digestscale_large \
        .venv/bin/python -m tests.benchmarks.digest_data 2026-W47 7500 492500
"""

import sys
import time

from django.apps import apps as django_apps
from django.db import connection

from dialogues.digests.weeks import iso_week_bounds
from dialogues.models import Theme
from dialogues.themes import create_themes

ORGANISATIONS = 2000
# Reports are numbered in a year of their own, so they never meet the portal's own numbering.
REFERENCE_YEAR = "1990"
SECTORS = [
    "agri_food",
    "textiles",
    "crafts",
    "cosmetics",
    "manufacturing",
    "software",
    "creative",
    "professional",
    "tourism",
    "logistics",
    "retail",
    "finance",
    "other",
]
# Weighted: mostly published, some resolved, a few hidden from digests (rejected, submitted).
STATUSES = ["published"] * 14 + ["resolved_in_part", "resolved_in_full", "rejected", "submitted"]
VISIBILITIES = ["public"] * 7 + ["anonymised"] * 2 + ["officials_only"]
LANGUAGES = ["en"] * 6 + ["fr"] * 2 + ["es"] * 2


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{value}'" for value in values) + "]"


def _say(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


def generate(
    *,
    week: str,
    week_reports: int,
    other_reports: int,
    prefix: str = "bx",
    reference_year: str = REFERENCE_YEAR,
) -> None:
    """`prefix` names the generated organisations and members; reports are numbered
    TB-<reference_year>-NNNNNNN (one year per call: each call's rows are its own)."""
    start, end = iso_week_bounds(week)
    references = f"TB-{reference_year}-%"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ref AS (
              SELECT (SELECT array_agg(code ORDER BY code) FROM portal_country) AS countries,
                     (SELECT array_agg(code ORDER BY code) FROM portal_organisationtype
                       WHERE category = 'business') AS types
            )
            INSERT INTO portal_organisation
              (name, slug, sector, website, created_at, country_id, org_type_id)
            SELECT 'Bench firm {prefix.lower()} ' || g, 'bench-firm-{prefix.lower()}-' || g,
                   ({_array(SECTORS)})[1 + g %% {len(SECTORS)}], '', %s,
                   countries[1 + g %% array_length(countries, 1)],
                   types[1 + g %% array_length(types, 1)]
            FROM generate_series(1, {ORGANISATIONS}) g, ref
            """,  # noqa: S608 - only this module's constants are formatted in
            [start],
        )
        cursor.execute(
            f"""
            INSERT INTO portal_user (password, is_superuser, email, full_name, job_title,
              language, membership_status, is_organisation_admin, official_status, is_staff,
              is_active, date_joined, organisation_id)
            SELECT '!', false, 'bench-' || o.id || '@{prefix.lower()}.example.org',
                   'Bench member ' || o.id, '', 'en', 'active', true, 'none', false, true,
                   %s, o.id
            FROM portal_organisation o WHERE o.slug LIKE 'bench-firm-{prefix.lower()}-%%'
            """,  # noqa: S608 - only this module's constants are formatted in
            [start],
        )
        _say(f"{ORGANISATIONS} organisations and members", started)
        # Other reports over the two years before the week; the week's own reports after.
        for label, count, first, span, offset in (
            ("other reports", other_reports, start.timestamp() - 2 * 365 * 86400, 2 * 365, 0),
            ("reports in the week", week_reports, start.timestamp(), 7, other_reports),
        ):
            cursor.execute(
                f"""
                WITH members AS (
                  SELECT array_agg(u.id ORDER BY u.id) AS users,
                         array_agg(u.organisation_id ORDER BY u.id) AS orgs
                  FROM portal_user u WHERE u.email LIKE 'bench-%%@{prefix.lower()}.example.org'
                ), ref AS (
                  SELECT (SELECT array_agg(code ORDER BY code) FROM portal_country) AS countries
                ), rows AS (
                  SELECT g, to_timestamp(%s + (g - 1) * ({span} * 86400.0 / %s)) AS at
                  FROM generate_series(1, %s) g
                )
                INSERT INTO submissions_barrierreport (reference, public_id, title, summary,
                  description, trade_direction, delivery_mode, sector, cost_band, steps_taken,
                  visibility, language, status, cosignature_count, created_at, updated_at,
                  submitted_at, published_at, status_changed_at, market_id, organisation_id,
                  reporter_id)
                SELECT 'TB-{reference_year}-' || lpad((g + {offset})::text, 7, '0'),
                  gen_random_uuid(),
                  'Payment gateway refuses foreign sellers, case ' || (g + {offset}),
                  'Small online sellers cannot get paid: the gateway asks for a local company '
                    || 'and a local bank account before it accepts a merchant.',
                  'The description of barrier ' || g || ' in some detail.', 'exporting',
                  'goods', ({_array(SECTORS)})[1 + g %% {len(SECTORS)}], 'unknown', '',
                  ({_array(VISIBILITIES)})[1 + g %% {len(VISIBILITIES)}],
                  ({_array(LANGUAGES)})[1 + (g / 3) %% {len(LANGUAGES)}],
                  ({_array(STATUSES)})[1 + (g / 7) %% {len(STATUSES)}], 0,
                  at, at, at, at, at,
                  countries[1 + (g * 7) %% array_length(countries, 1)],
                  orgs[1 + g %% array_length(orgs, 1)], users[1 + g %% array_length(users, 1)]
                FROM rows, members, ref
                """,  # noqa: S608 - only this module's constants are formatted in
                [first, max(count, 1), count],
            )
            _say(f"{count} {label}", started)
        cursor.execute(
            "UPDATE submissions_barrierreport SET published_at = NULL "
            "WHERE status = 'submitted' AND reference LIKE %s",
            [references],
        )
        cursor.execute(
            """
            WITH topics AS (
              SELECT array_agg(code ORDER BY position, code) AS codes FROM portal_topic
              WHERE reportable
            )
            INSERT INTO submissions_barrierreport_topics (barrierreport_id, topic_id)
            SELECT r.id, codes[1 + (r.id * n) %% array_length(codes, 1)]
            FROM submissions_barrierreport r, topics, generate_series(1, 2) n
            WHERE r.reference LIKE %s AND (n = 1 OR r.id %% 3 = 0)
            ON CONFLICT DO NOTHING
            """,
            [references],
        )
        _say("topics", started)
        cursor.execute(
            """
            INSERT INTO submissions_statuschange
              (from_status, to_status, note, created_at, actor_id, report_id)
            SELECT 'submitted', 'published', '', r.published_at, NULL, r.id
            FROM submissions_barrierreport r
            WHERE r.reference LIKE %s AND r.published_at IS NOT NULL
            """,
            [references],
        )
        # Resolutions during the week, on older reports.
        cursor.execute(
            """
            INSERT INTO submissions_statuschange
              (from_status, to_status, note, created_at, actor_id, report_id)
            SELECT 'published', r.status, '', %s + (r.id %% 600000) * interval '1 second', NULL,
                   r.id
            FROM submissions_barrierreport r
            WHERE r.reference LIKE %s AND r.status LIKE 'resolved%%' AND r.published_at < %s
              AND r.id %% 50 = 0
            """,
            [start, references, start],
        )
        _say("status changes", started)
        # Co-signatures in the week: each of the week's reports by up to four organisations.
        cursor.execute(
            """
            WITH members AS (
              SELECT array_agg(u.id ORDER BY u.id) AS users,
                     array_agg(u.organisation_id ORDER BY u.id) AS orgs
              FROM portal_user u WHERE u.email LIKE %s
            )
            INSERT INTO submissions_cosignature
              (impact, comment, created_at, organisation_id, report_id, signed_by_id)
            SELECT 'high', '', r.published_at + interval '1 hour',
                   orgs[1 + (r.id + n * 37) %% array_length(orgs, 1)], r.id,
                   users[1 + (r.id + n * 37) %% array_length(users, 1)]
            FROM submissions_barrierreport r, members, generate_series(1, 4) n
            WHERE r.reference LIKE %s AND r.published_at >= %s AND r.published_at < %s
              AND n <= r.id %% 5
            ON CONFLICT DO NOTHING
            """,
            [f"bench-%@{prefix.lower()}.example.org", references, start, end],
        )
        cursor.execute(
            """
            UPDATE submissions_barrierreport r SET cosignature_count = c.total
            FROM (SELECT report_id, count(*) AS total FROM submissions_cosignature
                  GROUP BY report_id) c
            WHERE c.report_id = r.id
            """
        )
        _say("co-signatures", started)
    generate_dialogues(week=week, posts=2 * (week_reports + other_reports), prefix=prefix)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _say("analysed", started)


def generate_dialogues(*, week: str, posts: int, prefix: str = "bx") -> None:
    """Threads (one for 50 posts) and `posts` published posts over the two years before the
    end of `week`; one post in 200 an official response."""
    end = iso_week_bounds(week)[1]
    threads = max(posts // 50, 1)
    if not Theme.objects.exists():  # a flushed test database: the themes migrations seed
        create_themes(django_apps)
    first = end.timestamp() - 2 * 365 * 86400
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH members AS (
              SELECT array_agg(u.id ORDER BY u.id) AS users FROM portal_user u
              WHERE u.email LIKE %s
            ), themes AS (SELECT array_agg(id ORDER BY id) AS ids FROM dialogues_theme)
            INSERT INTO dialogues_thread (title, status, is_locked, is_pinned, is_premoderated,
              slow_mode_seconds, post_count, last_number, last_post_at, created_at, author_id,
              theme_id)
            SELECT 'Bench thread ' || %s || ' ' || g || ' about payments for small sellers',
                   'open', false,
                   false, false, 0, 0, 0, to_timestamp(%s), to_timestamp(%s),
                   users[1 + g %% array_length(users, 1)], ids[1 + g %% array_length(ids, 1)]
            FROM generate_series(1, %s) g, members, themes
            """,
            [f"bench-%@{prefix.lower()}.example.org", prefix.lower(), first, first, threads],
        )
        cursor.execute(
            """
            WITH members AS (
              SELECT array_agg(u.id ORDER BY u.id) AS users,
                     array_agg(u.organisation_id ORDER BY u.id) AS orgs
              FROM portal_user u WHERE u.email LIKE %s
            ), threads AS (
              SELECT array_agg(id ORDER BY id) AS ids FROM dialogues_thread
              WHERE title LIKE %s
            ), rows AS (
              SELECT g, to_timestamp(%s + (g - 1) * (2 * 365 * 86400.0 / %s)) AS at
              FROM generate_series(1, %s) g
            )
            INSERT INTO dialogues_post (author_was_official, author_was_moderator, is_opening,
              body, body_html, status, status_reason, is_official_response, number, flag_count,
              created_at, published_at, author_id, organisation_id, thread_id)
            SELECT g %% 200 = 0, false, false,
                   'Post ' || g || ': the gateway asked us for a local bank account again.',
                   '<p>Post ' || g || ': the gateway asked us for a local bank account again.</p>',
                   'published', '', g %% 200 = 0, 1 + g / array_length(ids, 1), 0, at, at,
                   users[1 + g %% array_length(users, 1)], orgs[1 + g %% array_length(orgs, 1)],
                   ids[1 + g %% array_length(ids, 1)]
            FROM rows, members, threads
            """,
            [
                f"bench-%@{prefix.lower()}.example.org",
                f"Bench thread {prefix.lower()} %",
                first,
                max(posts, 1),
                posts,
            ],
        )
        _say(f"{threads} threads, {posts} posts", started)
        cursor.execute(
            """
            UPDATE dialogues_thread t SET post_count = p.total, last_number = p.last,
              last_post_at = p.latest, created_at = p.earliest
            FROM (SELECT thread_id, count(*) AS total, max(number) AS last,
                         max(published_at) AS latest, min(published_at) AS earliest
                  FROM dialogues_post GROUP BY thread_id) p
            WHERE p.thread_id = t.id AND t.title LIKE %s
            """,
            [f"Bench thread {prefix.lower()} %"],
        )
        _say("thread counters", started)


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "dialogues":  # posts only, for a database made before they were added
        generate_dialogues(week=sys.argv[2], posts=int(sys.argv[3]))
    else:
        week_arg, in_week, others = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        generate(week=week_arg, week_reports=in_week, other_reports=others)
