"""The weekly digest as a publication: counts that count each report once in every format, a
tagged PDF/UA with a cover, numbered tables and a method note, tables whose words stay whole,
one date style per language, a workbook people can work with, and charts readable on a phone.
"""

import copy
import csv
import datetime as dt
import io
import re
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from dialogues.digests import charts as digest_charts
from dialogues.digests import services
from dialogues.digests.models import Digest
from dialogues.digests.render import render_file
from dialogues.digests.render.html import render_html
from dialogues.digests.render.labels import STATUS_LABELS
from dialogues.digests.render.tabular import SECTIONS
from dialogues.digests.snapshot import EditionSpec
from dialogues.digests.weeks import iso_week_bounds, iso_weeks_ending
from portal.models import Country
from submissions.models import StatusChange
from tests.dialogues.test_digest_render import make_snapshot
from tests.submissions.factories import BarrierReportFactory

LANGUAGES = ("en", "fr", "es")
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def render(snapshot: dict, fmt: str, language: str) -> bytes:
    target = io.BytesIO()
    render_file(snapshot, target, fmt=fmt, language=language)
    return target.getvalue()


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    path = tmp_path / "digest.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def one_line(text: str) -> str:
    return " ".join(text.split())


def csv_rows(snapshot: dict, language: str = "en") -> list[dict[str, str]]:
    data = render(snapshot, "csv", language).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data, newline="")))


def workbook_of(snapshot: dict, language: str = "en"):
    return load_workbook(io.BytesIO(render(snapshot, "xlsx", language)))


def sheet_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- Every figure counts each report once ----------------------------------------------------

WEEK = "2025-W48"
START, END = iso_week_bounds(WEEK)
IN_WEEK = START + dt.timedelta(days=2, hours=9)


@pytest.fixture
def multi_topic_week(db) -> dict:
    """Four reports published in the week, two of them with two topics (six topic entries),
    and an older report resolved in part, then in full, in the same week."""
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    BarrierReportFactory(published_at=IN_WEEK, market=kenya, topics=["SME-01", "ECOM-10"])
    BarrierReportFactory(published_at=IN_WEEK, market=peru, topics=["SME-01", "ECOM-10"])
    BarrierReportFactory(published_at=IN_WEEK, market=kenya, topics=["SME-01"])
    BarrierReportFactory(published_at=IN_WEEK, market=peru, topics=["ECOM-10"])
    resolved = BarrierReportFactory(
        published_at=START - dt.timedelta(days=20), status="resolved_in_full"
    )
    StatusChange.objects.create(
        report=resolved, from_status="published", to_status="resolved_in_part", created_at=IN_WEEK
    )
    StatusChange.objects.create(
        report=resolved,
        from_status="resolved_in_part",
        to_status="resolved_in_full",
        created_at=IN_WEEK + dt.timedelta(hours=2),
    )
    spec = EditionSpec(Digest.Edition.PUBLIC)
    return services.digest_compile_edition(week=WEEK, spec=spec).digest.snapshot


def test_every_figure_counts_a_report_with_two_topics_once_in_every_format(
    multi_topic_week, tmp_path, needs_pdftotext
):
    snapshot = multi_topic_week
    figures = {figure["key"]: figure["value"] for figure in snapshot["figures"]}
    assert figures["new_reports"] == 4
    assert figures["status_changes"] == 2
    assert figures["resolved_reports"] == 1  # one barrier, resolved in two steps
    assert sorted(row["count"] for row in snapshot["by_topic"]) == [3, 3]

    # The web page: the figures table and the charts' summaries.
    html = one_line(render_html(snapshot, language="en"))
    assert re.search(r"New reports published</th><td class=\"number\">4<", html)
    assert re.search(r"Barriers resolved</th><td class=\"number\">1<", html)
    assert "4 new reports across 2 topics." in html
    assert "the topics add up to more than 4." in html
    assert "4 new reports across 2 markets." in html
    assert "6 new reports" not in html

    # The PDF, as pdftotext reads it.
    text = one_line(pdf_text(render(snapshot, "pdf", "en"), tmp_path, layout=True))
    assert re.search(r"New reports published 4 ", text)
    assert re.search(r"Barriers resolved 1 ", text)
    assert "4 new reports across 2 topics." in text
    assert "6 new reports" not in text

    # The CSV: figures, counts, and each report once in the list by market.
    rows = csv_rows(snapshot)
    csv_figures = {row["code"]: row["count"] for row in rows if row["section"] == "figures"}
    assert (csv_figures["new_reports"], csv_figures["resolved_reports"]) == ("4", "1")
    assert sum(int(row["count"]) for row in rows if row["section"] == "by_market") == 4
    listed = [row["reference"] for row in rows if row["section"] == "reports_by_market"]
    assert len(listed) == len(set(listed)) == 4

    # The workbook.
    workbook = workbook_of(snapshot)
    xlsx_figures = {row["Figure code"]: row["This week"] for row in sheet_rows(workbook["Figures"])}
    assert (xlsx_figures["new_reports"], xlsx_figures["resolved_reports"]) == (4, 1)
    counts = sheet_rows(workbook["Counts by market"])
    assert sum(row["New reports"] for row in counts) == 4


# --- Tagged PDF/UA ------------------------------------------------------------------------------


def pdf_catalogue(pdf: bytes) -> bytes:
    """The PDF's objects, decompressed (WeasyPrint puts the catalogue in an object stream)."""
    found = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(found)


@pytest.fixture(scope="module")
def french_officials_pdf() -> bytes:
    return render(make_snapshot(kind="officials"), "pdf", "fr")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def test_pdf_is_tagged_pdf_ua_with_language_title_and_bookmarks(
    french_officials_pdf, tmp_path, needs_pdftotext
):
    path = tmp_path / "digest.pdf"
    path.write_bytes(french_officials_pdf)
    info = run("pdfinfo", str(path))
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    title = re.search(r"^Title:\s+(.+)$", info, re.MULTILINE).group(1)
    assert title == (
        "Trade Dialogues Portal : Synthèse hebdomadaire, 23–29 novembre 2026 "
        "(Édition pour les représentants officiels)"
    )
    structure = run("pdfinfo", "-struct", str(path))
    for element in ("Document", "H1", "H2", "Table", "TR", "TH", "TD", "L", "LI", "Figure"):
        assert re.search(rf"^\s*{element}\b", structure, re.MULTILINE), element
    objects = pdf_catalogue(french_officials_pdf)
    assert b"/Lang (fr)" in objects
    assert b"/DisplayDocTitle true" in objects
    assert b'pdfuaid:part="1"' in objects
    assert objects.count(b"/Alt ") == 3  # each chart has alternative text (its SVG title)
    outline = run("pdftohtml", "-xml", "-i", "-stdout", str(path))
    bookmarks = re.findall(r"<item page=\"\d+\">([^<]+)</item>", outline)
    assert bookmarks[0] == "23–29 novembre 2026"
    assert "La semaine en chiffres" in bookmarks
    assert "À propos de cette synthèse" in bookmarks


def test_pdf_cover_names_the_portal_the_week_as_dates_and_the_edition(
    french_officials_pdf, tmp_path, needs_pdftotext
):
    pages = pdf_text(french_officials_pdf, tmp_path).split("\f")
    cover = one_line(pages[0])
    assert cover.startswith("Trade Dialogues Portal")
    assert "23–29 novembre 2026" in cover
    assert "Semaine 48 de 2026 (2026-W48)" in cover
    assert "TDP/WD/2026-W48/OFF" in cover
    assert "Édition pour les représentants officiels" in cover
    # The running header, in French, from the second page on; never on the cover.
    header = "Trade Dialogues Portal · Synthèse hebdomadaire, 23–29 novembre 2026"
    assert header not in cover
    assert all(page.lstrip().startswith(header) for page in pages[1:-1])


def test_pdf_has_numbered_tables_and_figures_with_sources_method_citation_and_licence(
    tmp_path, needs_pdftotext
):
    text = one_line(pdf_text(render(make_snapshot(), "pdf", "en"), tmp_path))
    for caption in (
        "Table 1. Figures for this week compared with the week before",
        "Figure 1. New reports by topic",
        "Table 2. New reports by topic: the numbers",
        "Figure 2. New reports by market",
        "Figure 3. Reports published per week, last 12 weeks",
        "Table 5. Published reports with the most co-signatures",
        "Table 6. Reports whose status changed this week",
        "Table 7. Trade Dialogue threads with the most posts this week",
    ):
        assert caption in text
    # Under each table and figure (a chart's table shares the chart's source line).
    assert text.count("Source: Trade Dialogues Portal") == 7
    assert "self-declared by the firms" in text
    assert "not a verified finding" in text
    assert "each report is counted once" in text
    assert (
        "Trade Dialogues Portal (2026). Weekly digest of e-commerce barrier reports, "
        "23–29 November 2026. Public edition, TDP/WD/2026-W48/PUB." in text
    )
    assert "Creative Commons Attribution 4.0 International licence (CC BY 4.0)" in text


def test_officials_edition_is_not_offered_under_an_open_licence(
    french_officials_pdf, tmp_path, needs_pdftotext
):
    text = one_line(pdf_text(french_officials_pdf, tmp_path))
    assert "CC BY" not in text
    assert "ne peut être ni publiée ni partagée" in text


# --- Tables that read -------------------------------------------------------------------------


def _long_status_table(kind: str = "officials") -> dict:
    """A status-change table whose long titles squeeze the status columns."""
    snapshot = make_snapshot(kind=kind)
    long_title = (
        "Marketplace seller registration requires a locally incorporated company, a local "
        "bank account and a tax representative before the first sale can be made"
    )
    for number, (before, after) in enumerate(
        [("submitted", "published"), ("published", "archived"), ("archived", "published")],
        start=20,
    ):
        snapshot["status_changes"].append(
            {
                "reference": f"TB-2026-{number:05d}",
                "title": long_title,
                "market": None,
                "visibility": "public",
                "from_status": before,
                "to_status": after,
                "changed_at": "2026-11-27T16:30:00+00:00",
                "url": f"/reports/TB-2026-{number:05d}/",
            }
        )
    return snapshot


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_word_is_broken_inside_a_table_cell_at_a4(language, tmp_path, needs_pdftotext):
    text = pdf_text(render(_long_status_table(), "pdf", language), tmp_path)
    words = set(re.findall(r"\w+", text))
    with translation.override(language):
        labels = [str(STATUS_LABELS[code]) for code in ("submitted", "published", "archived")]
    for status in labels:
        for word in re.findall(r"\w+", status):
            assert word in words, f"{word!r} is not whole in the {language} PDF"
            fragments = {w for w in words if len(w) >= 3 and w != word and word.startswith(w)}
            assert not fragments, f"{word!r} broken into {fragments} in the {language} PDF"


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "27 November 2026"), ("fr", "27 novembre 2026"), ("es", "27 de noviembre de 2026")],
)
def test_one_date_style_per_language_on_the_page_and_in_the_pdf(
    language, date, tmp_path, needs_pdftotext
):
    snapshot = _long_status_table(kind="public")
    html = render_html(snapshot, language=language)
    text = one_line(pdf_text(render(snapshot, "pdf", language), tmp_path))
    for rendering in (html, text):
        assert date in rendering
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", rendering)  # no 11/27/2026
        assert "Nov." not in rendering
        assert "nov." not in rendering


def test_csv_dates_are_iso_and_workbook_dates_are_dates():
    snapshot = make_snapshot()
    dates = [row["date"] for row in csv_rows(snapshot, "fr") if row["date"]]
    assert dates
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for value in dates)
    changes = workbook_of(snapshot, "fr")["Changements de statut"]
    header = [cell.value for cell in changes[1]]
    cell = changes.cell(row=2, column=header.index("Date du changement") + 1)
    assert cell.is_date
    assert cell.value.date() == dt.date(2026, 11, 26)


# --- A workbook people can work with ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_workbook_has_properties_notes_autofilters_and_links(language, settings):
    snapshot = make_snapshot()
    workbook = workbook_of(snapshot, language)

    properties = workbook.properties
    assert "2026" in properties.title
    assert properties.creator == "Trade Dialogues Portal"
    assert properties.subject
    assert properties.language == language
    assert properties.keywords == "TDP/WD/2026-W48/PUB"

    notes = workbook.worksheets[0]
    assert notes.title == ("Notes" if language != "es" else "Notas")
    facts = {row[0]: row[1] for row in notes.iter_rows(values_only=True) if row[0] and row[1]}
    values = " ".join(str(value) for value in facts.values())
    assert "2026-W48" in values
    assert "TDP/WD/2026-W48/PUB" in values
    assert "CC BY 4.0" in values
    assert LICENCE in " ".join(str(row[1]) for row in notes.iter_rows(values_only=True))
    rows = list(notes.iter_rows(values_only=True))
    meanings = [row for row in rows if row[0] and row[1] and row[2]][1:]  # after the header
    assert len(meanings) == sum(len(section.columns) for section in SECTIONS)
    assert all(row[2] for row in meanings)  # every column explained

    for sheet in workbook.worksheets[1:]:
        width = sheet.max_column
        last = chr(ord("A") + width - 1)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title

    by_market = workbook.worksheets[2]
    reference = by_market["C2"]  # market code, market, reference, ...
    assert reference.value == "TB-2026-00001"
    prefix = "" if language == "en" else f"/{language}"
    assert reference.hyperlink.target == f"{settings.SITE_URL}{prefix}/reports/TB-2026-00001/"


def _words(name: str) -> set[str]:
    return set(re.findall(r"\w+", name.lower())) - {"by", "par", "por", "de", "the"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_sheet_names_fit_excel_and_cannot_be_confused(language):
    names = workbook_of(make_snapshot(), language).sheetnames
    assert len(names) == len({name.lower() for name in names})
    for name in names:
        assert len(name) <= 31
        assert not re.search(r"\(\d+\)$", name)  # no "(2)": every name is distinct as written
        for other in names:
            if other != name:
                assert not _words(name) <= _words(other), (name, other)


# --- Charts readable on a phone ------------------------------------------------------------------


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_chart_text_stays_at_least_eleven_pixels_at_320_wide_and_fits(language):
    snapshot = make_snapshot()
    with translation.override(language):
        names = [row["name"].get(language) or row["name"]["en"] for row in snapshot["by_topic"]]
        charts = [
            digest_charts.topic_chart([(name, 3) for name in names] + [("x" * 90, 1)]),
            digest_charts.trend_chart([(week, 4) for week in iso_weeks_ending("2026-W48")]),
        ]
    for chart in charts:
        root = ET.fromstring(chart.svg)  # noqa: S314 - our own markup
        view_width = float(root.get("viewBox").split()[2])
        size = float(root.get("font-size"))
        scale = 320 / view_width
        for text in root.iter(f"{SVG}text"):
            font_size = float(text.get("font-size", size))
            assert font_size * scale >= 11
            # A generous 0.62 em per character: every label fits inside the chart.
            x = float(text.get("x"))
            width = len(text.text) * font_size * 0.62
            anchor = text.get("text-anchor", "start")
            left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            assert left >= 0
            assert left + width <= view_width + 1, text.text


def test_an_empty_week_says_no_reports_this_week_once():
    snapshot = copy.deepcopy(make_snapshot())
    for key in (
        "reports",
        "reports_by_market",
        "reports_by_topic",
        "most_cosigned",
        "by_topic",
        "by_market",
    ):
        snapshot[key] = []
    for point in snapshot["trend"]:
        point["count"] = 0
    html = render_html(snapshot, language="en")
    assert html.count("No reports this week.") == 1
    assert "No data" not in html
    assert "No new reports" not in html
    assert "<svg" not in html
    assert 'href="#digest-charts"' not in html
    assert 'href="#digest-reports_by_topic"' not in html
    assert 'href="#digest-reports_by_market"' in html


def test_chart_summary_names_the_most_reported_only_when_one_leads():
    with translation.override("en"):
        leader = digest_charts.market_chart([("Kenya", 3), ("Peru", 1)])
        tie = digest_charts.market_chart([("Kenya", 1), ("Peru", 1)])
    assert "The most reported market is Kenya with 3 reports." in leader.description
    assert tie.description == "2 new reports across 2 markets."
