"""Benchmark data at the size the portal is built for (`manage.py bench_data --scale large`).

Rows go through the real schema (run `migrate` first) with PostgreSQL's COPY, in batches, with
a progress bar: 500,000 reports and 1,000,000 posts take minutes, not hours. The spread is
what a busy site would hold: markets skewed to the large economies, topics, statuses and
visibilities (officials-only included) in realistic shares, English, French and Spanish text,
dates across two years with the recent weeks busiest (about 7,500 new reports in the last
week at `large`), co-signatures, status histories, official answers, 20,000 threads of which
a few hold thousands of posts and one holds 12,000.

Denormalised columns (co-signature counts, thread counters), sequences and reference
counters are set from the rows themselves at the end (`DERIVED_SQL`), so the data stays
consistent whatever the generator got wrong. A column another part of the portal keeps
filled (a stored search vector, say) gets its UPDATE added to `DERIVED_SQL`; the generator
refuses to finish while a tsvector column is still empty.

The accounts the benchmark signs in with (BENCH_MEMBER_EMAIL, BENCH_OFFICIAL_EMAIL) and a
draft for duplicate hints are created last, through the ORM.
"""

import html
import math
import random
import sys
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from dialogues.bench_vocabulary import (
    CONTENT_WORDS,
    FUNCTION_WORDS,
    SYLLABLES,
    TITLE_ENDINGS,
    TOPIC_PHRASES,
)
from dialogues.models import Post, Theme, Thread
from portal.models import Country, HsChapter, NtmChapter, Organisation, Topic, User
from submissions.models import (
    PUBLISHED_STATUSES,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    StatusChange,
)

BENCH_MEMBER_EMAIL = "bench-member@bench.example"
BENCH_OFFICIAL_EMAIL = "bench-official@trade.bench.example"
BENCH_MODERATOR_EMAIL = "bench-moderator@bench.example"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (benchmark accounts only)
BENCH_DRAFT_TITLE = "Payment gateway refuses foreign merchants"
BIG_THREAD_TITLE = "Payment gateways that refuse foreign merchants: every country, every fix"


@dataclass(frozen=True)
class Scale:
    reports: int
    posts: int
    threads: int
    organisations: int
    big_thread_posts: int  # one thread this long (the "last page of 12,000 posts" case)
    hot_threads: int  # a few more with thousands of posts
    hot_thread_posts: int


SCALES = {
    # For the test suite: seconds, and still every kind of row.
    "tiny": Scale(300, 800, 40, 60, 150, 2, 80),
    "small": Scale(5_000, 25_000, 1_000, 800, 12_000, 3, 1_500),
    "medium": Scale(50_000, 100_000, 5_000, 5_000, 12_000, 5, 3_000),
    "large": Scale(500_000, 1_000_000, 20_000, 30_000, 12_000, 10, 4_000),
}

DAYS_OF_HISTORY = 730
# Share of reports drawn from a linear ramp (the rest uniformly over two years): the last
# weeks then hold 1.9 times an average week; with 82 % of reports published, about 7,500
# newly published reports in the last complete week at `large`.
RAMP_SHARE = 0.9
BATCH = 5_000

# Applied after loading, in order: each makes a stored column agree with the rows it
# summarises. Add the UPDATE of any new denormalised or search column here.
DERIVED_SQL = [
    # Co-signature counts from the co-signatures.
    """
    UPDATE submissions_barrierreport r SET cosignature_count = c.n
    FROM (SELECT report_id, count(*) AS n FROM submissions_cosignature GROUP BY report_id) c
    WHERE r.id = c.report_id AND r.cosignature_count <> c.n
    """,
    # Thread counters from the posts: published posts, the numbering, the last activity.
    """
    UPDATE dialogues_thread t SET post_count = p.published, last_number = p.last_number,
        last_post_at = p.last_post_at
    FROM (
        SELECT thread_id,
            count(*) FILTER (WHERE status = 'published') AS published,
            coalesce(max(number), 0) AS last_number,
            coalesce(max(published_at) FILTER (WHERE status = 'published'), min(created_at))
                AS last_post_at
        FROM dialogues_post GROUP BY thread_id
    ) p
    WHERE t.id = p.thread_id AND (t.post_count, t.last_number, t.last_post_at)
        IS DISTINCT FROM (p.published, p.last_number, p.last_post_at)
    """,
    # The reference counter of each year: the highest number handed out.
    """
    INSERT INTO submissions_referencecounter (year, last_number)
    SELECT split_part(reference, '-', 2)::int, max(split_part(reference, '-', 3)::int)
    FROM submissions_barrierreport WHERE reference IS NOT NULL
    GROUP BY 1
    ON CONFLICT (year) DO UPDATE SET last_number = greatest(
        submissions_referencecounter.last_number, EXCLUDED.last_number)
    """,
]

TABLES_TO_ANALYZE: list[type[models.Model]] = [
    Organisation,
    User,
    BarrierReport,
    BarrierReport.topics.through,
    BarrierReport.hs_chapters.through,
    CoSignature,
    StatusChange,
    OfficialResponse,
    Thread,
    Thread.reports.through,
    Post,
]

# Markets most reports are about, first; every other WTO member follows, rarer.
BUSY_MARKETS = ["US", "EU", "CN", "IN", "BR", "GB", "JP", "ID", "NG", "MX", "ZA", "KE", "TR"]
SME_TYPES = [
    ("micro_enterprise", 35),
    ("small_enterprise", 25),
    ("sole_trader", 12),
    ("medium_enterprise", 10),
    ("service_provider", 4),
    ("business_association", 5),
]
OFFICIAL_TYPES = [
    ("government_ministry", 3),
    ("customs_authority", 2),
    ("regulator", 1),
    ("trade_promotion_org", 1),
    ("international_organization", 1),
]
OTHER_TYPES = [("ngo", 2), ("academia_think_tank", 1), ("consumer_organization", 1)]
STATUSES = [
    ("published", 70),
    ("resolved_in_part", 5),
    ("resolved_in_full", 4),
    ("archived", 3),
    ("submitted", 5),
    ("changes_requested", 2),
    ("rejected", 3),
    ("duplicate", 3),
    ("draft", 5),
]
VISIBILITIES = [("public", 45), ("anonymised", 40), ("officials_only", 15)]
LANGUAGES = [("en", 70), ("fr", 15), ("es", 15)]
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


class Progress:
    """A one-line progress bar on stderr, redrawn at most five times a second."""

    def __init__(self, label: str, total: int, out: IO[str]) -> None:
        self.label, self.total, self.out = label, max(total, 1), out
        self.done, self.started, self.drawn = 0, time.monotonic(), 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.drawn > 0.2 or self.done >= self.total:
            self.drawn = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            self.out.write(
                f"\r  {self.label:<22} [{bar:<30}] {share:4.0%} {self.done:>10,}"
                f" / {self.total:,}  {now - self.started:6.1f} s"
            )
            self.out.flush()

    def close(self) -> None:
        self.add(0)
        self.out.write("\n")
        self.out.flush()


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Callable[[], Any]:
    values = [value for value, _ in pairs]
    cumulative = []
    total = 0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def long_tail_index(rng: random.Random, size: int, head: int = 50) -> int:
    """0..size-1 with P(r) proportional to 1 / (r + head): a few common, a long tail."""
    return min(
        size - 1,
        int(math.exp(math.log(head) + rng.random() * math.log((size + head) / head)) - head),
    )


class Text:
    """Sentences in three languages from a long-tailed vocabulary, plus search phrases."""

    def __init__(self, rng: random.Random, pool: int = 20_000) -> None:
        """`pool`: sentences per language; documents pick a few."""
        self.rng = rng
        invented = sorted(
            {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(24_000)}
        )
        rng.shuffle(invented)
        self.sentences: dict[str, list[str]] = {}
        self.phrases: dict[str, Callable[[], str]] = {}
        for language in ("en", "fr", "es"):
            vocabulary = CONTENT_WORDS[language] + invented[:20_000]
            function = FUNCTION_WORDS[language]
            sentences = []
            for _ in range(pool):
                words = [
                    rng.choice(function)
                    if rng.random() < 0.4
                    else vocabulary[long_tail_index(rng, len(vocabulary))]
                    for _ in range(rng.randint(6, 16))
                ]
                sentences.append(" ".join(words).capitalize() + ".")
            self.sentences[language] = sentences
            self.phrases[language] = _weighted(rng, TOPIC_PHRASES[language])

    def phrase(self, language: str) -> str:
        return self.phrases[language]()

    def sentences_with(self, language: str, count: int, phrases: Sequence[str] = ()) -> list[str]:
        """`count` sentences, the `phrases` slipped into random ones."""
        chosen = self.rng.choices(self.sentences[language], k=count)
        for phrase in phrases:
            at = self.rng.randrange(count)
            words = chosen[at].rstrip(".").split(" ")
            words.insert(self.rng.randrange(1, len(words) + 1), phrase)
            chosen[at] = " ".join(words) + "."
        return chosen

    def title(self, language: str, phrase: str) -> str:
        title = f"{phrase[0].upper()}{phrase[1:]} {self.rng.choice(TITLE_ENDINGS[language])}"
        if self.rng.random() < 0.5:
            title += f" ({self.rng.choice(self.sentences[language]).split(' ')[-1].rstrip('.')})"
        return title[:200]

    def paragraphs(self, language: str, sentences: int, phrases: Sequence[str] = ()) -> str:
        chosen = self.sentences_with(language, sentences, phrases)
        paragraphs, at = [], 0
        while at < len(chosen):
            take = self.rng.randint(1, 3)
            paragraphs.append(" ".join(chosen[at : at + take]))
            at += take
        return "\n\n".join(paragraphs)


def markdown_html(body: str) -> str:
    """What dialogues.rendering makes of plain paragraphs, without parsing a million posts
    (the smoke test checks the two agree)."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in body.split("\n\n"))


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY rows into the model's table. Columns the generator does not know (added by a later
    migration) get their model default, so a new NOT NULL field with a default just works."""
    given = set(columns)
    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given or field.null or isinstance(field, models.AutoField):
            continue
        if isinstance(field, models.GeneratedField):  # PostgreSQL computes it
            continue
        if not field.has_default():
            raise RuntimeError(
                f"{model._meta.label}.{field.name} has no default: teach dialogues/bench_data.py"
                " to fill it."
            )
        extra_columns.append(field.column)
        extra_values.append(field.get_db_prep_save(field.get_default(), connection))
    extra = tuple(extra_values)
    names = ", ".join(f'"{column}"' for column in [*columns, *extra_columns])
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3's cursor: COPY is not part of the DB-API
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
    return count


@contextmanager
def secondary_indexes_deferred(tables: Sequence[str], out: IO[str]) -> Iterator[None]:
    """Drop the tables' plain indexes for the load and build them again after: one sorted
    build is many times faster than a million GIN insertions. Unique and primary-key indexes
    stay (they enforce constraints); the same definitions come back, whoever added them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary",
            [list(tables)],
        )
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        progress = Progress("indexes", len(definitions), out)
        with connection.cursor() as cursor:
            # Inside one transaction (the smoke test) deferred foreign-key checks must run
            # before an index can be built on their table.
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in definitions:
                cursor.execute(definition)
                progress.add(1)
        progress.close()


class Generator:
    def __init__(self, scale: Scale, *, seed: int = 2026, out: IO[str] = sys.stderr) -> None:
        self.scale, self.out = scale, out
        self.rng = random.Random(seed)  # noqa: S311 (repeatable data, not secrets)
        self.language = _weighted(self.rng, LANGUAGES)
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=DAYS_OF_HISTORY)

    # --- helpers -------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.out.write(message + "\n")
        self.out.flush()

    def moment(self, share: float) -> datetime:
        """The time `share` (0..1) of the way through the data, on the ramp: recent busiest."""
        p = RAMP_SHARE
        t = (-(1 - p) + math.sqrt((1 - p) ** 2 + 4 * p * share)) / (2 * p)
        jitter = self.rng.uniform(-3, 3)
        return min(self.start + timedelta(days=t * DAYS_OF_HISTORY, hours=jitter), self.now)

    def load(self, label: str, model: type[models.Model], columns, rows, total: int) -> None:
        progress = Progress(label, total, self.out)

        def counted(batch_rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
            for index, row in enumerate(batch_rows, start=1):
                if index % 1000 == 0:
                    progress.add(1000)
                yield row

        count = copy_rows(model, columns, counted(rows))
        progress.add(count % 1000)
        progress.close()

    # --- the run -----------------------------------------------------------------------------

    def run(self) -> None:
        if BarrierReport.objects.exists() or Post.objects.exists():
            raise RuntimeError("The database already holds reports or posts: use an empty one.")
        started = time.monotonic()
        self.reference_data()
        self.text = Text(self.rng, pool=min(20_000, self.scale.reports * 4))
        with transaction.atomic():
            self.organisations()
            self.users()
        tables = [model._meta.db_table for model in TABLES_TO_ANALYZE]
        with secondary_indexes_deferred(tables, self.out):
            self.reports()
            with transaction.atomic():
                self.threads()
            self.posts()
        with transaction.atomic():
            self.thread_reports()
            self.derive()
            self.accounts()
        self.analyze()
        self.say(f"Done in {time.monotonic() - started:.0f} s.")

    def reference_data(self) -> None:
        codes = list(Country.objects.order_by("code").values_list("code", flat=True))
        busy = [code for code in BUSY_MARKETS if code in codes]
        self.markets = busy + [code for code in codes if code not in busy]
        self.topics = list(
            Topic.objects.filter(reportable=True)
            .order_by("position")
            .values_list("code", flat=True)
        )
        self.themes = dict(Theme.objects.values_list("topic_id", "id"))
        self.theme_ids = list(Theme.objects.order_by("position", "id").values_list("id", flat=True))
        self.hs_chapters = list(
            HsChapter.objects.filter(reserved=False).values_list("code", flat=True)
        )
        self.ntm_chapters = list(NtmChapter.objects.values_list("code", flat=True))
        if not (self.markets and self.topics and self.theme_ids):
            raise RuntimeError("Reference data is missing: run `manage.py migrate` first.")

    def organisations(self) -> None:
        count = self.scale.organisations
        business = _weighted(self.rng, SME_TYPES)
        official = _weighted(self.rng, OFFICIAL_TYPES)
        other = _weighted(self.rng, OTHER_TYPES)
        self.org_base = _next_id(Organisation)
        self.org_official: list[bool] = []
        self.org_country: list[str] = []
        self.reporting_orgs: list[int] = []  # indexes of organisations that file reports
        rows = []
        for index in range(count):
            kind = self.rng.random()
            if index == 0:  # the benchmark member's own: a small enterprise in Kenya
                org_type, country, is_official = "small_enterprise", "KE", False
            elif index == 1 or kind < 0.08:
                org_type, is_official = official(), True
                country = "KE" if index == 1 else self.rng.choice(self.markets)
            elif kind < 0.13:
                org_type, is_official = other(), False
                country = self.rng.choice(self.markets)
            else:
                org_type, is_official = business(), False
                country = self.markets[long_tail_index(self.rng, len(self.markets), head=20)]
            self.org_official.append(is_official)
            self.org_country.append(country)
            if not is_official:
                self.reporting_orgs.append(index)
            name = f"{self.text.title('en', self.text.phrase('en')).split(' (')[0][:60]}"
            name = f"{name} trading {index + 1}"
            rows.append(
                (
                    self.org_base + index,
                    name,
                    f"bench-{index + 1}",
                    org_type,
                    country,
                    self.rng.choice(SECTORS) if not is_official else "public",
                    "",
                    self.start - timedelta(days=self.rng.randint(1, 400)),
                )
            )
        self.load(
            "organisations",
            Organisation,
            ["id", "name", "slug", "org_type_id", "country_id", "sector", "website", "created_at"],
            rows,
            count,
        )

    def users(self) -> None:
        """One administrator per organisation, a second member in a third of them; members
        of government and international bodies are verified officials."""
        unusable = make_password(None)
        self.user_base = _next_id(User)
        self.org_member: list[int] = []
        self.members: list[int] = []
        self.user_official: dict[int, int] = {}  # official user id -> organisation id
        self.user_org: dict[int, int] = {}
        rows: list[tuple[Any, ...]] = []
        user_id = self.user_base
        for index in range(self.scale.organisations):
            org_id = self.org_base + index
            for seat in range(2 if index % 3 == 0 else 1):
                if seat == 0:
                    self.org_member.append(user_id)
                is_official = self.org_official[index]
                email = f"member{user_id}@org{index + 1}.bench.example"
                if index == 0 and seat == 0:
                    email = BENCH_MEMBER_EMAIL
                if index == 1 and seat == 0:
                    email = BENCH_OFFICIAL_EMAIL
                joined = self.start - timedelta(days=self.rng.randint(0, 300))
                rows.append(
                    (
                        user_id,
                        unusable,
                        False,
                        email,
                        f"Member {user_id}",
                        "",
                        self.rng.choice(["en", "en", "fr", "es"]),
                        org_id,
                        "active",
                        seat == 0,
                        "verified" if is_official else "n/a",
                        joined if is_official else None,
                        False,
                        True,
                        joined,
                    )
                )
                self.members.append(user_id)
                self.user_org[user_id] = org_id
                if is_official:
                    self.user_official[user_id] = org_id
                user_id += 1
        self.moderator_id = user_id
        moderator = [user_id, unusable, False, BENCH_MODERATOR_EMAIL, "Bench Moderator", "", "en"]
        moderator += [None, "none", False, "n/a", None, True, True, self.start]
        rows.append(tuple(moderator))
        self.officials = sorted(self.user_official)
        self.load(
            "members",
            User,
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "full_name",
                "job_title",
                "language",
                "organisation_id",
                "membership_status",
                "is_organisation_admin",
                "official_status",
                "official_verified_at",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            rows,
            len(rows),
        )

    def reports(self) -> None:
        total = self.scale.reports
        status = _weighted(self.rng, STATUSES)
        visibility = _weighted(self.rng, VISIBILITIES)
        language = self.language
        impact = ["minor", "moderate", "serious", "severe"]
        self.report_base = _next_id(BarrierReport)
        self.published_public: array[int] = array("q")
        numbers: dict[int, int] = {}
        progress = Progress("reports and history", total, self.out)
        for batch_start in range(0, total, BATCH):
            reports, topics, hs, cosignatures, changes, responses = [], [], [], [], [], []
            for index in range(batch_start, min(batch_start + BATCH, total)):
                report_id = self.report_base + index
                state = "published" if index == 0 else status()
                when = self.moment((index + 0.5) / total)
                if index % 500 == 7:  # the benchmark member's organisation files a few
                    org_index = 0
                else:
                    org_index = self.reporting_orgs[
                        long_tail_index(self.rng, len(self.reporting_orgs), head=30)
                    ]
                org_id, reporter = self.org_base + org_index, self.org_member[org_index]
                lang = language()
                # One subject per report, in its title, summary and description; sometimes
                # a second one, so a word like "payment" stays in a few percent of reports.
                subject = self.text.phrase(lang)
                extra = [self.text.phrase(lang)] if self.rng.random() < 0.2 else []
                seen = visibility()
                published = state in PUBLISHED_STATUSES
                submitted_at = (
                    None
                    if state == "draft"
                    else when - timedelta(hours=self.rng.randint(2, 240))
                    if published
                    else when
                )
                reference = None
                if submitted_at is not None:
                    year = submitted_at.year
                    numbers[year] = numbers.get(year, 0) + 1
                    reference = f"TB-{year}-{numbers[year]:05d}"
                created_at = (submitted_at or when) - timedelta(hours=self.rng.randint(1, 72))
                mode = self.rng.choice(["goods", "goods", "services", "digital"])
                cosigned = 0
                if published:
                    if seen == "public":
                        self.published_public.append(report_id)
                    if self.rng.random() < 0.25:
                        signers = {
                            self.reporting_orgs[self.rng.randrange(len(self.reporting_orgs))]
                            for _ in range(min(40, int(self.rng.paretovariate(1.2))))
                        } - {org_index}
                        cosigned = len(signers)
                        for signer in signers:
                            cosignatures.append(
                                (
                                    report_id,
                                    self.org_base + signer,
                                    self.org_member[signer],
                                    self.rng.choice(impact),
                                    "",
                                    when + timedelta(hours=self.rng.randint(1, 500)),
                                )
                            )
                    if self.officials and self.rng.random() < 0.03:
                        official = self.rng.choice(self.officials)
                        responses.append(
                            (
                                report_id,
                                official,
                                self.user_official[official],
                                " ".join(self.text.sentences_with(lang, 3, [subject])),
                                when + timedelta(days=self.rng.randint(1, 20)),
                            )
                        )
                steps = self._history(state, submitted_at, when, reporter)
                for from_status, to_status, actor, at in steps:
                    changes.append((report_id, from_status, to_status, actor, "", at))
                changed_at = steps[-1][3] if steps else created_at
                for code in {
                    self.topics[long_tail_index(self.rng, len(self.topics), head=4)]
                    for _ in range(self.rng.randint(1, 3))
                }:
                    topics.append((report_id, code))
                if mode == "goods":
                    for code in set(self.rng.sample(self.hs_chapters, self.rng.randint(0, 2))):
                        hs.append((report_id, code))
                reports.append(
                    (
                        report_id,
                        reference,
                        uuid.UUID(int=self.rng.getrandbits(128), version=4),
                        self.text.title(lang, subject),
                        " ".join(self.text.sentences_with(lang, 2, [subject]))[:500],
                        self.text.paragraphs(lang, self.rng.randint(4, 10), [subject, *extra]),
                        org_id,
                        reporter,
                        self.markets[long_tail_index(self.rng, len(self.markets), head=6)],
                        self.rng.choice(["exporting", "exporting", "importing"]),
                        mode,
                        self.rng.choice(self.ntm_chapters) if self.rng.random() < 0.6 else None,
                        self.rng.choice(SECTORS),
                        (created_at - timedelta(days=self.rng.randint(10, 700))).date(),
                        self.rng.random() < 0.8,
                        self.rng.choice(["under_1k", "1k_10k", "10k_50k", "50k_250k", "unknown"]),
                        " ".join(self.text.sentences_with(lang, 1)),
                        seen,
                        lang,
                        state,
                        self._earlier_report(report_id) if state == "duplicate" else None,
                        cosigned,
                        created_at,
                        changed_at,
                        submitted_at,
                        when if published else None,
                        changed_at,
                    )
                )
            with transaction.atomic():
                copy_rows(BarrierReport, REPORT_COLUMNS, reports)
                copy_rows(BarrierReport.topics.through, ["barrierreport_id", "topic_id"], topics)
                copy_rows(
                    BarrierReport.hs_chapters.through, ["barrierreport_id", "hschapter_id"], hs
                )
                copy_rows(
                    CoSignature,
                    COSIGNATURE_COLUMNS,
                    cosignatures,
                )
                copy_rows(
                    StatusChange,
                    ["report_id", "from_status", "to_status", "actor_id", "note", "created_at"],
                    changes,
                )
                copy_rows(
                    OfficialResponse,
                    ["report_id", "author_id", "organisation_id", "body", "created_at"],
                    responses,
                )
            progress.add(len(reports))
        progress.close()

    def _earlier_report(self, report_id: int) -> int:
        return self.report_base + self.rng.randrange(max(report_id - self.report_base, 1))

    def _history(
        self, state: str, submitted_at: datetime | None, when: datetime, reporter: int
    ) -> list[tuple[str, str, int, datetime]]:
        if submitted_at is None:
            return []
        steps = [("draft", "submitted", reporter, submitted_at)]
        moderator = self.moderator_id
        if state in ("changes_requested", "rejected", "duplicate"):
            steps.append(("submitted", state, moderator, when + timedelta(hours=6)))
        elif state in PUBLISHED_STATUSES:
            steps.append(("submitted", "published", moderator, when))
            if state != "published":
                later = min(when + timedelta(days=self.rng.randint(5, 120)), self.now)
                steps.append(("published", state, moderator, later))
        return steps

    def threads(self) -> None:
        count = self.scale.threads
        self.thread_base = _next_id(Thread)
        payments = self.themes.get("ECOM-10", self.theme_ids[0])
        self.thread_status: list[str] = []
        self.thread_created: list[datetime] = []
        rows = []
        for index in range(count):
            state = "open"
            if index > self.scale.hot_threads:
                roll = self.rng.random()
                state = "pending" if roll < 0.02 else "removed" if roll < 0.04 else "open"
            created = self.moment(index / count) if index else self.start + timedelta(days=30)
            lang = "en" if index <= self.scale.hot_threads else self.language()
            theme = (
                payments
                if index == 0
                else self.theme_ids[long_tail_index(self.rng, len(self.theme_ids), head=5)]
            )
            self.thread_status.append(state)
            self.thread_created.append(created)
            rows.append(
                (
                    self.thread_base + index,
                    theme,
                    BIG_THREAD_TITLE
                    if index == 0
                    else self.text.title(lang, self.text.phrase(lang)),
                    self.members[long_tail_index(self.rng, len(self.members), head=40)],
                    state,
                    False,
                    index % 200 == 1,
                    False,
                    0,
                    None,
                    0,
                    0,
                    created,
                    created,
                )
            )
        self.load(
            "threads",
            Thread,
            [
                "id",
                "theme_id",
                "title",
                "author_id",
                "status",
                "is_locked",
                "is_pinned",
                "is_premoderated",
                "slow_mode_seconds",
                "merged_into_id",
                "post_count",
                "last_number",
                "last_post_at",
                "created_at",
            ],
            rows,
            count,
        )

    def _posts_per_thread(self) -> list[int]:
        scale = self.scale
        sizes = [scale.big_thread_posts] + [scale.hot_thread_posts] * scale.hot_threads
        rest = scale.threads - len(sizes)
        left = max(scale.posts - sum(sizes), rest)
        weights = [1 / (rank + 5) for rank in range(rest)]
        self.rng.shuffle(weights)
        total = sum(weights)
        sizes += [max(1, int(left * weight / total)) for weight in weights]
        sizes[len(sizes) - rest] += max(0, scale.posts - sum(sizes))
        for index, state in enumerate(self.thread_status):
            if state == "pending":
                sizes[index] = 1
        return sizes

    def posts(self) -> None:
        sizes = self._posts_per_thread()
        total = sum(sizes)
        post_id = _next_id(Post)
        member_org = self.user_org
        progress = Progress("posts", total, self.out)
        rows: list[tuple] = []
        for thread_index, size in enumerate(sizes):
            thread_id = self.thread_base + thread_index
            thread_state = self.thread_status[thread_index]
            opened = self.thread_created[thread_index]
            span = (self.now - opened).total_seconds()
            offsets = sorted(self.rng.random() ** 0.7 * span for _ in range(size - 1))
            number = 0
            first_id = post_id
            for position in range(size):
                at = opened + timedelta(seconds=offsets[position - 1]) if position else opened
                roll = self.rng.random()
                if thread_state == "pending":
                    state = "pending"
                elif position == 0 or roll < 0.97:
                    state = "published"
                elif roll < 0.98:
                    state = "pending"
                elif roll < 0.99:
                    state = "hidden"
                else:
                    state = "removed"
                author = (
                    self.rng.choice(self.officials)
                    if self.officials and self.rng.random() < 0.04
                    else self.members[long_tail_index(self.rng, len(self.members), head=40)]
                )
                is_official = author in self.user_official
                lang = "en" if thread_index <= self.scale.hot_threads else None
                lang = lang or self.language()
                body = self.text.paragraphs(
                    lang,
                    self.rng.randint(1, 5),
                    [self.text.phrase(lang)] if self.rng.random() < 0.3 else [],
                )
                if state != "pending":
                    number += 1
                rows.append(
                    (
                        post_id,
                        thread_id,
                        author,
                        member_org.get(author),
                        is_official,
                        False,
                        position == 0,
                        body,
                        markdown_html(body),
                        first_id + self.rng.randrange(position)
                        if position and self.rng.random() < 0.05
                        else None,
                        state,
                        "",
                        is_official and state == "published" and self.rng.random() < 0.3,
                        None if state == "pending" else number,
                        0,
                        at,
                        None if state == "pending" else at,
                        None,
                    )
                )
                post_id += 1
            if len(rows) >= BATCH:
                self._copy_posts(rows)
                progress.add(len(rows))
                rows = []
        self._copy_posts(rows)
        progress.add(len(rows))
        progress.close()

    def _copy_posts(self, rows: list[tuple]) -> None:
        with transaction.atomic():
            copy_rows(Post, POST_COLUMNS, rows)

    def thread_reports(self) -> None:
        rows: list[tuple[int, int]] = []
        for index in range(self.scale.threads):
            if self.published_public and self.rng.random() < 0.2:
                picked = {
                    self.published_public[self.rng.randrange(len(self.published_public))]
                    for _ in range(self.rng.randint(1, 2))
                }
                rows.extend((self.thread_base + index, report) for report in picked)
        copy_rows(Thread.reports.through, ["thread_id", "barrierreport_id"], rows)

    def derive(self) -> None:
        """Stored columns from the rows, then every sequence past the highest id."""
        self.say("  counters, reference numbers and sequences")
        with connection.cursor() as cursor:
            for statement in DERIVED_SQL:
                cursor.execute(statement)
            for statement in connection.ops.sequence_reset_sql(no_style(), TABLES_TO_ANALYZE):
                cursor.execute(statement)
            # Any stored tsvector column must be filled by a DERIVED_SQL statement.
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = 'tsvector'"
            )
            for table, column in cursor.fetchall():
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NULL')  # noqa: S608
                empty = cursor.fetchone()[0]
                if empty:
                    raise RuntimeError(
                        f"{table}.{column} is empty in {empty} rows: add its UPDATE to "
                        "DERIVED_SQL in dialogues/bench_data.py."
                    )

    def accounts(self) -> None:
        """The benchmark's signed-in visitors: passwords, verified emails, the moderator's
        group, and a draft whose title has been reported before (duplicate hints)."""
        from allauth.account.models import EmailAddress

        password = make_password(BENCH_PASSWORD)
        people = User.objects.filter(
            email__in=[BENCH_MEMBER_EMAIL, BENCH_OFFICIAL_EMAIL, BENCH_MODERATOR_EMAIL]
        )
        people.update(password=password)
        for person in people:
            EmailAddress.objects.get_or_create(
                user=person, email=person.email, defaults={"verified": True, "primary": True}
            )
        moderator = people.get(email=BENCH_MODERATOR_EMAIL)
        moderator.groups.add(Group.objects.get_or_create(name=settings.MODERATORS_GROUP)[0])
        member = people.get(email=BENCH_MEMBER_EMAIL)
        BarrierReport.objects.create(
            title=BENCH_DRAFT_TITLE,
            summary="Our payment gateway refuses foreign merchants, so we cannot take cards.",
            organisation=Organisation.objects.get(members=member),
            reporter=member,
            language="en",
        )

    def analyze(self) -> None:
        self.say("  VACUUM ANALYZE")
        with connection.cursor() as cursor:
            for model in TABLES_TO_ANALYZE:
                if connection.in_atomic_block:
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
                else:
                    cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


COSIGNATURE_COLUMNS = [
    "report_id",
    "organisation_id",
    "signed_by_id",
    "impact",
    "comment",
    "created_at",
]
REPORT_COLUMNS = [
    "id",
    "reference",
    "public_id",
    "title",
    "summary",
    "description",
    "organisation_id",
    "reporter_id",
    "market_id",
    "trade_direction",
    "delivery_mode",
    "ntm_chapter_id",
    "sector",
    "first_encountered",
    "still_active",
    "cost_band",
    "steps_taken",
    "visibility",
    "language",
    "status",
    "duplicate_of_id",
    "cosignature_count",
    "created_at",
    "updated_at",
    "submitted_at",
    "published_at",
    "status_changed_at",
]
POST_COLUMNS = [
    "id",
    "thread_id",
    "author_id",
    "organisation_id",
    "author_was_official",
    "author_was_moderator",
    "is_opening",
    "body",
    "body_html",
    "quote_id",
    "status",
    "status_reason",
    "is_official_response",
    "number",
    "flag_count",
    "created_at",
    "published_at",
    "edited_at",
]


def generate(scale: str, *, seed: int = 2026, out: IO[str] = sys.stderr) -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError("Benchmark data needs PostgreSQL (COPY); set DATABASE_URL.")
    Generator(SCALES[scale], seed=seed, out=out).run()
