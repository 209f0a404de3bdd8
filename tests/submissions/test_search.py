"""Search and duplicate hints: PostgreSQL full-text and trigram indexes, SQLite fallback."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from submissions import search
from submissions.models import BarrierReport
from submissions.selectors import report_list_for, report_similar_for
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db


def test_keywords_drop_short_and_common_words():
    assert search.keywords("The parcels are held at the border for weeks, avec les douanes") == [
        "parcels",
        "douanes",
        "border",
        "weeks",
        "held",
    ]


def test_search_finds_words_in_any_language_without_stemming_guesses():
    BarrierReportFactory(title="Colis bloqués en douane", language="fr")
    BarrierReportFactory(title="Envíos retenidos en aduana", language="es")
    found = report_list_for(viewer=AnonymousUser(), filters={"q": "douane"})
    assert [report.title for report in found] == ["Colis bloqués en douane"]


def test_duplicate_hints_rank_the_closest_report_first():
    close = BarrierReportFactory(
        title="Coffee parcels need a formal customs entry in the United States"
    )
    BarrierReportFactory(title="Customs formalities for furniture", summary="Slow")
    BarrierReportFactory(title="Cosmetics labelling", summary="Language rules")
    hints = report_similar_for(
        viewer=AnonymousUser(), title="Formal customs entry for coffee parcels"
    )
    assert hints[0] == close
    assert all(report.title != "Cosmetics labelling" for report in hints)


def test_duplicate_hints_skip_unpublished_and_the_draft_itself(world):
    draft = BarrierReportFactory(status="draft", title="Coffee parcels held at customs")
    BarrierReportFactory(status="submitted", title="Coffee parcels held at customs again")
    hints = report_similar_for(
        viewer=world.moderator, title=draft.title, summary=draft.summary, exclude=draft
    )
    assert hints == []


def test_full_text_search_uses_the_gin_index(needs_postgres):
    BarrierReportFactory.create_batch(5)
    queryset = search.search_filter(BarrierReport.objects.all(), "parcels")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "report_search_vector" in plan, plan


def test_trigram_index_and_extension_exist(needs_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'submissions_barrierreport'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {"report_search_vector", "report_title_trgm_gin"} <= names


def test_trigram_similarity_catches_near_spellings(needs_postgres):
    BarrierReportFactory(title="Marketplace seller registration")
    hints = report_similar_for(viewer=AnonymousUser(), title="Marketplaces sellers registrations")
    assert [report.title for report in hints] == ["Marketplace seller registration"]


def test_search_migration_is_a_no_op_outside_postgresql():
    """Migrations 0002 and 0004 add PostgreSQL objects on PostgreSQL and nothing elsewhere."""
    tables = connection.introspection.get_constraints
    with connection.cursor() as cursor:
        names = set(tables(cursor, BarrierReport._meta.db_table))
    expected = connection.vendor == "postgresql"
    assert ("report_search_vector" in names) is expected
    assert ("report_title_trgm_gin" in names) is expected


# --- Accents and excerpts ----------------------------------------------------------------------

ACCENTED_REPORTS = [
    ("fr", "Retards de dédouanement des colis", "dedouanement", "dédouanement"),
    ("es", "Envíos retenidos en la aduana", "envios", "Envíos"),
    ("es", "Etiquetas en español obligatorias", "espanol", "español"),
]


@pytest.mark.parametrize("page_language", ["en", "fr", "es"])
@pytest.mark.parametrize(("language", "title", "typed", "matched"), ACCENTED_REPORTS)
def test_report_search_ignores_accents_and_marks_the_matching_words(
    client, page_language, language, title, typed, matched
):
    """Typed without accents, in any of the three languages of the site, the word finds the
    report and is marked in its excerpt."""
    BarrierReportFactory(
        title=title,
        language=language,
        summary=f"Our parcels wait weeks: {title.lower()}.",
        description="The rest of the story.",
    )
    BarrierReportFactory(title="Payment gateways refuse foreign merchants")
    prefix = "" if page_language == "en" else f"/{page_language}"
    html = client.get(f"{prefix}/reports/", {"q": typed}).content.decode()
    assert title in html
    assert "Payment gateways" not in html
    assert f"<mark>{matched.lower()}</mark>" in html.lower()


def test_report_excerpts_escape_the_reports_text(client):
    BarrierReportFactory(
        title="Script in a summary",
        summary='<script>alert("x")</script> dédouanement <b>bold</b>',
    )
    html = client.get("/reports/", {"q": "dedouanement"}).content.decode()
    assert "Script in a summary" in html
    assert "<script>alert" not in html
    assert "<b>bold" not in html
    assert "<mark>dédouanement</mark>" in html


def test_report_list_without_search_shows_the_summary(client):
    BarrierReportFactory(summary="Plain summary of dédouanement.")
    html = client.get("/reports/").content.decode()
    assert "Plain summary of dédouanement." in html
    assert "<mark>" not in html
