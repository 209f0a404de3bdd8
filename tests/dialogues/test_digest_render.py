"""Digest snapshot schema, SVG charts and the HTML / PDF / CSV / XLSX renderings.

These tests need no digest models: they build a synthetic snapshot by hand, render it and
open every file with a standard reader (pdftoppm, csv, openpyxl).
"""

import copy
import csv
import datetime as dt
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.utils import translation

from dialogues.digests import charts as digest_charts
from dialogues.digests.render import FORMATS, digest_filename, render_file
from dialogues.digests.render.html import render_html
from dialogues.digests.render.labels import change_text
from dialogues.digests.render.tabular import (
    _sheet_title,
    neutralise_formula,
    render_csv,
)
from dialogues.digests.schema import (
    FIGURE_KEYS,
    SCHEMA_VERSION,
    SnapshotError,
    validate_snapshot,
)
from dialogues.digests.weeks import (
    InvalidWeek,
    iso_week_bounds,
    iso_week_of,
    iso_weeks_ending,
    last_complete_iso_week,
    parse_iso_week,
    shift_iso_week,
)

WEEK = "2026-W48"


def write_file(snapshot: dict, path: Path, *, fmt: str, language: str) -> Path:
    """Render one downloadable format to a local file, as a worker does to its scratch file."""
    with path.open("wb") as handle:
        render_file(snapshot, handle, fmt=fmt, language=language)
    return path


INJECTION_TITLE = '=HYPERLINK("http://evil.example","click")'

KENYA = {"code": "KE", "name": {"en": "Kenya", "fr": "Kenya", "es": "Kenia"}}
PERU = {"code": "PE", "name": {"en": "Peru", "fr": "Pérou", "es": "Perú"}}
PAYMENTS = {
    "code": "SME-03",
    "name": {
        "en": "Payment gateways refusing foreign merchants",
        "fr": "Passerelles de paiement qui refusent les marchands étrangers",
    },
}
DE_MINIMIS = {"code": "ECOM-10", "name": {"en": "De minimis thresholds", "es": "Umbral de minimis"}}


def _report(number: int, **overrides) -> dict:
    report = {
        "reference": f"TB-2026-{number:05d}",
        "title": f"Barrier number {number} <b>bold?</b>",
        "summary": "Card payments from abroad are refused at checkout.",
        "market": KENYA,
        "topics": [PAYMENTS],
        "organisation": {"en": "Kahawa Roasters Ltd"},
        "visibility": "public",
        "status": "published",
        "published_at": "2026-11-24T10:15:00+00:00",
        "url": f"/reports/TB-2026-{number:05d}/",
        "cosignatures": number % 7,
    }
    report.update(overrides)
    return report


def make_snapshot(*, kind: str = "public", report_count: int = 6) -> dict:
    """A believable week: reports in two markets and two topics, one with a hostile title."""
    reports = [_report(number) for number in range(1, report_count + 1)]
    reports[0]["title"] = INJECTION_TITLE
    reports[1].update(
        market=PERU,
        topics=[DE_MINIMIS, PAYMENTS],
        visibility="anonymised",
        organisation={
            "en": "A small enterprise in Peru, textiles sector",
            "fr": "Une petite entreprise au Pérou, secteur textile",
        },
    )
    if kind != "public":
        reports.append(
            _report(99, title="Confidential customs valuation dispute", visibility="officials_only")
        )
    by_market: dict[str, dict] = {}
    by_topic: dict[str, dict] = {}
    for report in reports:
        market = report["market"]
        by_market.setdefault(market["code"], {**market, "references": []})["references"].append(
            report["reference"]
        )
        for topic in report["topics"]:
            by_topic.setdefault(topic["code"], {**topic, "references": []})["references"].append(
                report["reference"]
            )
    start = dt.date.fromisocalendar(2026, 48, 1)
    return {
        "schema_version": SCHEMA_VERSION,
        "week": WEEK,
        "week_start": start.isoformat(),
        "week_end": (start + dt.timedelta(days=6)).isoformat(),
        "edition": {
            "kind": kind,
            "markets": [KENYA] if kind == "personal" else [],
            "topics": [PAYMENTS] if kind == "personal" else [],
        },
        "compiled_at": "2026-11-30T05:00:02+00:00",
        "figures": [
            {"key": key, "value": index * 2, "previous": index + 1}
            for index, key in enumerate(FIGURE_KEYS)
        ],
        "reports": reports,
        "reports_by_market": list(by_market.values()),
        "reports_by_topic": list(by_topic.values()),
        "most_cosigned": sorted(reports, key=lambda report: -report["cosignatures"])[:5],
        "status_changes": [
            {
                "reference": "TB-2026-00011",
                "title": "Marketplace seller registration needs a local company",
                "market": PERU,
                "visibility": "public",
                "from_status": "published",
                "to_status": "resolved_in_full",
                "changed_at": "2026-11-26T09:00:00+00:00",
                "url": "/reports/TB-2026-00011/",
            },
            {
                "reference": "TB-2026-00012",
                "title": "Data localisation for payment records",
                "market": None,
                "visibility": "anonymised",
                "from_status": "submitted",
                "to_status": "published",
                "changed_at": "2026-11-27T16:30:00+00:00",
                "url": "/reports/TB-2026-00012/",
            },
        ],
        "active_threads": [
            {
                "id": 7,
                "title": "De minimis thresholds in East Africa",
                "theme": DE_MINIMIS,
                "visibility": "public",
                "posts": 14,
                "participants": 6,
                "last_post_at": "2026-11-29T20:00:00+00:00",
                "url": "/dialogues/threads/7/",
            }
        ],
        "official_responses": [
            {
                "title": "De minimis thresholds in East Africa",
                "author": "Amina Odhiambo",
                "organisation": {"en": "Ministry of Trade, Kenya"},
                "excerpt": "We are reviewing the threshold with the revenue authority.",
                "posted_at": "2026-11-28T11:00:00+00:00",
                "url": "/dialogues/threads/7/#post-31",
                "visibility": "public",
                "report_reference": "TB-2026-00001",
            }
        ],
        "trend": [
            {"week": week, "count": (index * 3) % 8}
            for index, week in enumerate(iso_weeks_ending(WEEK))
        ],
        "by_topic": [
            {"code": group["code"], "name": group["name"], "count": len(group["references"])}
            for group in by_topic.values()
        ],
        "by_market": [
            {"code": group["code"], "name": group["name"], "count": len(group["references"])}
            for group in by_market.values()
        ],
    }


# --- ISO weeks -------------------------------------------------------------------------------


def test_iso_week_bounds_are_monday_to_monday_in_utc():
    start, end = iso_week_bounds("2026-W48")
    assert start == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_iso_week_bounds_cross_the_year_boundary():
    # ISO week 1 of 2026 starts on Monday 29 December 2025.
    assert iso_week_bounds("2026-W01")[0] == dt.datetime(2025, 12, 29, tzinfo=dt.UTC)
    assert iso_week_of(dt.date(2025, 12, 31)) == "2026-W01"
    assert shift_iso_week("2026-W01", -1) == "2025-W52"
    assert iso_week_bounds("2026-W53")[1] == dt.datetime(2027, 1, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-48", "not an ISO week"),
        ("2026-W4", "not an ISO week"),
        ("26-W48", "not an ISO week"),
        ("2026-W00", "weeks 01 to 53"),
        ("2025-W53", "weeks 01 to 52"),
        ("2026-W54", "weeks 01 to 53"),
        ("", "not an ISO week"),
    ],
)
def test_parse_iso_week_explains_bad_input(value, message):
    with pytest.raises(InvalidWeek, match=message):
        parse_iso_week(value)


def test_parse_iso_week_rejects_non_text():
    with pytest.raises(InvalidWeek, match="must be text"):
        parse_iso_week(202648)


def test_week_helpers_count_back_and_find_the_last_complete_week():
    weeks = iso_weeks_ending("2026-W02", 4)
    assert weeks == ["2025-W51", "2025-W52", "2026-W01", "2026-W02"]
    monday_morning = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)
    assert last_complete_iso_week(monday_morning) == "2026-W48"
    with pytest.raises(ValueError, match="timezone-aware"):
        iso_week_of(dt.datetime(2026, 11, 30, 5, 0))  # noqa: DTZ001 - the point of the test


# --- Snapshot validation -------------------------------------------------------------------


def test_synthetic_snapshots_are_valid_for_every_edition():
    for kind in ("public", "officials", "personal"):
        snapshot = make_snapshot(kind=kind)
        assert validate_snapshot(snapshot) is snapshot


def _broken(change) -> dict:
    snapshot = make_snapshot()
    change(snapshot)
    return snapshot


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("figures"), "missing figures"),
        (lambda s: s.update(extra=1), "unknown key"),
        (lambda s: s.update(schema_version=1), "schema_version"),
        (lambda s: s.update(week="2026-W60"), r"snapshot\.week"),
        (lambda s: s.update(week_start="2026-11-24"), "week_start"),
        (lambda s: s.update(compiled_at="2026-11-30T05:00:00"), "time zone"),
        (lambda s: s["trend"].pop(), "snapshot.trend"),
        (lambda s: s["figures"][0].update(value=-1), "cannot be negative"),
        (lambda s: s["figures"][0].update(value=True), "expected an integer"),
        (lambda s: s["figures"][0].update(key="mood"), "is not one of"),
        (lambda s: s["by_topic"][0].update(name={"fr": "x"}), "English name"),
        (lambda s: s["most_cosigned"][0].update(market="KE"), "expected an object"),
        (lambda s: s["edition"].update(markets=[KENYA]), "only personal editions"),
        (
            lambda s: s["reports"][0].update(visibility="officials_only"),
            r"snapshot\.reports\[0\]: officials-only item in a public edition",
        ),
        (
            lambda s: s["reports_by_topic"][1]["references"].append("TB-2026-09999"),
            r"reports_by_topic\[1\]\.references\[\d+\]: TB-2026-09999 is not in",
        ),
        (
            lambda s: s["reports"].append(dict(s["reports"][0])),
            "listed more than once",
        ),
        (
            lambda s: s["official_responses"][0].update(visibility="officials_only"),
            "officials-only item in a public edition",
        ),
    ],
)
def test_validate_snapshot_names_the_problem(change, message):
    with pytest.raises(SnapshotError, match=message):
        validate_snapshot(_broken(change))


def test_snapshot_survives_a_json_round_trip():
    import json

    snapshot = make_snapshot(kind="officials")
    assert validate_snapshot(json.loads(json.dumps(snapshot))) == snapshot


# --- Charts --------------------------------------------------------------------------------


def _parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_accessible_escaped_svg_with_table_rows():
    with translation.override("en"):
        chart = digest_charts.topic_chart([('Payments <&> "cards"', 5), ("De minimis", 2)])
    root = _parse_svg(chart.svg)  # well-formed although labels hold <, & and quotes
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-topics-title chart-topics-desc"
    assert root.find(f"{SVG}title").text == "New reports by topic"
    assert root.find(f"{SVG}title").get("id") == "chart-topics-title"
    assert "Payments <&>" in root.find(f"{SVG}desc").text
    assert chart.rows == [('Payments <&> "cards"', 5), ("De minimis", 2)]
    bars = root.findall(f".//{SVG}rect")
    # Bars share the width left after the value: 5 fills it, 2 is two-fifths of it.
    assert [float(bar.get("width")) for bar in bars] == [312.0, 124.8]
    assert "<script" not in chart.svg
    assert "style=" not in chart.svg
    assert not re.search(r"\son[a-z]+=", chart.svg)


def test_bar_colour_has_at_least_three_to_one_contrast_on_white():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (digest_charts.BAR_COLOUR, digest_charts.LINE_COLOUR):
        assert (1.05) / (luminance(colour) + 0.05) >= 3


def test_trend_chart_has_a_point_per_week_and_labels_every_other_week_ending_with_the_last():
    points = [(week, index) for index, week in enumerate(iso_weeks_ending(WEEK))]
    with translation.override("en"):
        chart = digest_charts.trend_chart(points)
    root = _parse_svg(chart.svg)
    assert len(root.findall(f".//{SVG}circle")) == 12
    labels = [text.text for text in root.findall(f".//{SVG}text")]
    assert [label for label in labels if label.startswith("W")] == [
        "W38", "W40", "W42", "W44", "W46", "W48"
    ]  # fmt: skip
    assert "11 in 2026-W48" in chart.description


def test_empty_charts_say_there_are_no_reports():
    with translation.override("en"):
        chart = digest_charts.market_chart([])
    assert "No reports this week." in chart.svg
    assert chart.description == "No new reports this week."


def test_chart_titles_follow_the_active_language():
    with translation.override("fr"):
        chart = digest_charts.topic_chart([("A", 1)])
    assert chart.title  # translated when the catalogue has it; never empty
    assert _parse_svg(chart.svg).find(f"{SVG}title").text == chart.title


# --- HTML -----------------------------------------------------------------------------------


def test_html_has_every_section_chart_and_contents():
    html = render_html(make_snapshot(), language="en")
    for heading in (
        "The week in figures",
        "New reports by market",
        "New reports by topic",
        "Most co-signed reports",
        "Barriers resolved this week",
        "Most active threads",
        "Official responses",
    ):
        assert heading in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert '<title id="chart-topics-title">New reports by topic</title>' in html
    assert '<title id="chart-markets-title">New reports by market</title>' in html
    assert 'id="chart-trend-title"' in html
    assert 'href="#digest-most_cosigned"' in html
    assert 'id="digest-most_cosigned"' in html
    assert "Weekly digest: week 48, 2026" in html


def test_html_escapes_report_text_and_keeps_no_inline_style_or_script():
    html = render_html(make_snapshot(), language="en")
    assert "<b>bold?</b>" not in html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "style=" not in html
    assert "<script" not in html


def test_html_shows_anonymised_label_not_a_name_and_officials_badge_only_when_present():
    public = render_html(make_snapshot(), language="en")
    assert "A small enterprise in Peru, textiles sector" in public
    assert "Confidential customs valuation dispute" not in public
    officials = render_html(make_snapshot(kind="officials"), language="en")
    assert "Confidential customs valuation dispute" in officials
    assert "Officials only" in officials


def test_html_uses_names_and_links_in_the_readers_language():
    html = render_html(make_snapshot(), language="es")
    assert 'lang="es"' in html
    assert "Kenia" in html
    assert 'href="/es/reports/TB-2026-00001/"' in html
    french = render_html(make_snapshot(), language="fr")
    assert "Pérou" in french
    # No French name stored: the English one stands in.
    assert "De minimis thresholds" in french


def test_html_marks_reports_written_in_another_language():
    snapshot = make_snapshot()
    snapshot["reports"][1]["language"] = "es"
    html = render_html(snapshot, language="en")
    assert '<strong lang="es">' in html
    assert '<strong lang="es">' not in render_html(snapshot, language="es")


def test_html_lists_downloads_when_given():
    html = render_html(
        make_snapshot(),
        language="en",
        downloads=[{"url": "/digests/2026-W48.pdf", "filename": "x.pdf", "label": "PDF"}],
    )
    assert 'href="/digests/2026-W48.pdf"' in html


def test_figures_show_change_week_over_week():
    with translation.override("en"):
        assert change_text(7, 4) == "+3"
        assert change_text(2, 5) == "\u22123"
        assert change_text(3, 3) == "no change"


# --- PDF ------------------------------------------------------------------------------------


@pytest.fixture
def pdf_path(tmp_path: Path, needs_pdftotext) -> Path:
    path = tmp_path / "digest.pdf"
    write_file(make_snapshot(), path, fmt="pdf", language="en")
    return path


def test_pdf_opens_with_pdftoppm_and_has_several_pages(pdf_path: Path, tmp_path: Path):
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(pdf_path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(page.read_bytes().startswith(b"\x89PNG") for page in pages)


def test_pdf_has_contents_with_page_numbers_and_page_footer(pdf_path: Path):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    contents_page = text.split("\f")[1]  # after the cover
    assert "Contents" in contents_page
    # "The week in figures ........ 3": a dot leader and the page the section starts on.
    assert re.search(r"The week in figures\s*\.+\s*\d+", contents_page)
    assert re.search(r"Most co-signed reports\s*\.+\s*\d+", contents_page)
    assert re.search(r"About this digest\s*\.+\s*\d+", contents_page)
    page_count = text.count("\f")
    assert re.search(rf"\b2\s*/\s*{page_count}\b", contents_page)


def test_pdf_links_are_absolute_and_point_at_the_site(pdf_path: Path, settings):
    listing = subprocess.run(
        ["pdfinfo", "-url", str(pdf_path)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    urls = [line.split()[-1] for line in listing.splitlines()[1:]]
    assert f"{settings.SITE_URL}/reports/TB-2026-00001/" in urls
    # The site's pages, and the public edition's licence.
    licence = "https://creativecommons.org/licenses/by/4.0/"
    assert licence in urls
    assert all(url.startswith(settings.SITE_URL) for url in urls if url != licence)


# --- CSV ------------------------------------------------------------------------------------


def _csv(snapshot: dict, language: str = "en") -> list[dict[str, str]]:
    buffer = io.StringIO(newline="")
    render_csv(snapshot, buffer, language=language)
    buffer.seek(0)
    return list(csv.DictReader(buffer))


def test_csv_has_stable_columns_and_a_section_per_row(tmp_path: Path):
    path = tmp_path / "digest.csv"
    write_file(make_snapshot(), path, fmt="csv", language="fr")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [
        "section", "code", "name", "count", "previous_count", "change", "reference", "title",
        "summary", "topic_codes", "topics", "organisation", "visibility", "status", "date",
        "cosignatures", "url", "market_code", "market", "rank", "from_status", "to_status",
        "participants", "author", "excerpt",
    ]  # fmt: skip
    sections = {row["section"] for row in rows}
    assert sections == {
        "figures", "reports_by_market", "reports_by_topic", "most_cosigned", "status_changes",
        "active_threads", "official_responses", "trend", "by_topic", "by_market",
    }  # fmt: skip
    kenya = next(row for row in rows if row["section"] == "by_market" and row["code"] == "PE")
    assert kenya["name"] == "Pérou"
    assert kenya["count"] == "1"


def test_csv_neutralises_formula_injection():
    rows = _csv(make_snapshot())
    titles = [
        row["title"]
        for row in rows
        if row["reference"] == "TB-2026-00001" and row["section"].startswith("reports_by_")
    ]
    assert len(titles) == 2  # once by market, once by topic
    assert all(title == "'" + INJECTION_TITLE for title in titles)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r"))
    # Numbers stay numbers: a negative change is not a formula.
    assert any(row["change"].startswith("-") for row in rows if row["section"] == "figures")


def test_neutralise_formula_prefixes_every_dangerous_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise_formula(f"{start}1+1") == f"'{start}1+1"
    assert neutralise_formula("Kenya") == "Kenya"


def test_public_csv_holds_no_officials_only_report():
    assert not any(
        "Confidential customs" in value for row in _csv(make_snapshot()) for value in row.values()
    )
    officials = _csv(make_snapshot(kind="officials"))
    assert any(row["title"] == "Confidential customs valuation dispute" for row in officials)


# --- XLSX -----------------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path: Path):
    from openpyxl import load_workbook

    path = tmp_path / "digest.xlsx"
    write_file(make_snapshot(), path, fmt="xlsx", language="en")
    return load_workbook(path)


def test_xlsx_has_notes_then_one_sheet_per_section_with_frozen_bold_header(workbook):
    assert len(workbook.sheetnames) == 11  # a Notes sheet, then the ten sections of the CSV
    assert workbook.sheetnames[:2] == ["Notes", "Figures"]
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert len(sheet.title) <= 31


def test_xlsx_cells_are_typed(workbook):
    figures = workbook["Figures"]
    header = [cell.value for cell in figures[1]]
    assert header == ["Figure code", "Figure", "This week", "Previous week", "Change"]
    first = list(figures[2])
    assert first[2].data_type == "n"
    assert isinstance(first[2].value, int)
    by_market = workbook["Report list by market"]
    header = [cell.value for cell in by_market[1]]
    published = by_market.cell(row=2, column=header.index("Published on") + 1)
    assert published.is_date
    assert published.value.date() == dt.date(2026, 11, 24)
    cosignatures = by_market.cell(row=2, column=header.index("Co-signatures") + 1)
    assert cosignatures.data_type == "n"


def test_xlsx_stores_a_formula_looking_title_as_text(workbook):
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == INJECTION_TITLE
    ]
    assert len(cells) == 2  # once by market, once by topic
    assert all(cell.data_type == "s" for cell in cells)


def test_sheet_titles_are_cleaned_and_unique():
    used: set[str] = set()
    assert _sheet_title("Reports: by [market]?", used) == "Reports  by  market"
    assert _sheet_title("Reports: by [market]?", used) == "Reports  by  market (2)"
    assert len(_sheet_title("x" * 40, used)) == 31


# --- One format to one file -------------------------------------------------------------------


def test_invalid_snapshot_is_refused_before_anything_is_written():
    snapshot = make_snapshot()
    snapshot["week"] = "2026-48"
    target = io.BytesIO()
    with pytest.raises(SnapshotError):
        render_file(snapshot, target, fmt="csv", language="en")
    assert target.getvalue() == b""


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown digest format"):
        render_file(make_snapshot(), io.BytesIO(), fmt="doc", language="en")


def test_csv_file_starts_with_a_byte_order_mark_for_excel():
    target = io.BytesIO()
    render_file(make_snapshot(), target, fmt="csv", language="es")
    assert target.getvalue().startswith("\ufeffsection,".encode())
    assert "Perú".encode() in target.getvalue()


def test_file_names_say_week_edition_and_language():
    assert (
        digest_filename(WEEK, "pdf", edition="officials", language="fr")
        == "trade-digest-2026-W48-officials-fr.pdf"
    )
    assert FORMATS["xlsx"].content_type.endswith("spreadsheetml.sheet")
    with pytest.raises(InvalidWeek):
        digest_filename("../../etc", "pdf")


def test_rendering_does_not_change_the_snapshot():
    snapshot = make_snapshot(kind="personal")
    before = copy.deepcopy(snapshot)
    render_html(snapshot, language="fr")
    _csv(snapshot)
    assert snapshot == before
