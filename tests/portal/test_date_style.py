"""One date style per language on every page: "1er décembre 2026" in French, "1 de diciembre
de 2026" in Spanish, never "1 Déc 2026" or "Dec. 1, 2026"; and a report reference that never
wraps at its hyphens."""

import datetime as dt
import re

import pytest
from django.utils import translation

from submissions.models import StatusChange
from tests.dialogues.conftest import make_report
from tests.factories import MemberFactory, ModeratorFactory
from tests.submissions.factories import OfficialResponseFactory

pytestmark = pytest.mark.django_db

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
# A day, a word, a year: every date written on a page, whatever its style.
DATE_LIKE = re.compile(r"\b(\d{1,2})(?:er)?(?: de)? ([^\W\d_]+\.?)(?: de)? (\d{4})\b")
ENGLISH_STYLE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}"
)
FIRST_OF_DECEMBER = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _dates_are_in_one_style(html: str, language: str) -> list[str]:
    text = _text(html)
    months = MONTHS[language].split()
    found = DATE_LIKE.findall(text)
    assert found, "the page shows dates"
    wrong = [" ".join(date) for date in found if date[1] not in months]
    wrong += ENGLISH_STYLE.findall(text)
    assert wrong == [], f"dates in another style: {wrong}"
    return [" ".join(date) for date in found]


@pytest.fixture
def december_report():
    report = make_report(reference="TB-2026-00031", first_encountered=dt.date(2026, 9, 1))
    type(report).objects.filter(pk=report.pk).update(
        published_at=FIRST_OF_DECEMBER, submitted_at=FIRST_OF_DECEMBER
    )
    StatusChange.objects.create(
        report=report, from_status="submitted", to_status="published", created_at=FIRST_OF_DECEMBER
    )
    OfficialResponseFactory(report=report, created_at=FIRST_OF_DECEMBER)
    return report


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1er décembre 2026"), ("es", "1 de diciembre de 2026")],
)
def test_report_pages_write_every_date_the_languages_way(
    client, december_report, language, expected
):
    for path in ("/reports/", f"/reports/{december_report.reference}/"):
        html = client.get(f"/{language}{path}").content.decode()
        _dates_are_in_one_style(html, language)
        assert expected in html, path
    translation.activate("en")


def test_the_moderation_pages_use_the_same_style(client, december_report):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    from portal.services import audit_record

    audit_record(actor=moderator, action="official.verify", target=MemberFactory())
    for path in ("/fr/moderation/audit/", "/fr/moderation/reports/"):
        html = client.get(path).content.decode()
        assert "décembre 2026" in html or path.endswith("reports/"), path
        assert not ENGLISH_STYLE.search(_text(html)), path
        assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", _text(html)), path
    translation.activate("en")


def test_a_report_reference_is_printed_as_one_unbreakable_word(client, december_report):
    html = client.get(f"/reports/{december_report.reference}/").content.decode()
    listing = client.get("/reports/").content.decode()

    assert '<span class="reference">TB-2026-00031</span>' in html
    assert '<span class="reference">TB-2026-00031</span>' in listing
    css = client.get("/static/css/portal.css")
    assert ".reference { white-space: nowrap; }" in b"".join(css.streaming_content).decode()
