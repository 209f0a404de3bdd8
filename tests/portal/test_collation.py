"""Country lists sort by the name in the page's language, accents folded: "Allemagne" under A
and "Émirats arabes unis" among the E's in French, not after "Zimbabwe"."""

import re

import pytest
from django.utils import translation

from portal.collation import collation_key
from submissions.forms import MarketStepForm
from tests.factories import OfficialFactory


def test_accented_names_sort_with_their_base_letter():
    names = ["Zambie", "Émirats arabes unis", "Allemagne", "Égypte", "Eswatini", "Œland", "Oman"]

    assert sorted(names, key=collation_key) == [
        "Allemagne",
        "Égypte",
        "Émirats arabes unis",
        "Eswatini",
        "Œland",
        "Oman",
        "Zambie",
    ]


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    return [
        label
        for value, label in re.findall(
            r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)
        )
        if value
    ]


def _in_order(labels: list[str]) -> None:
    assert labels == sorted(labels, key=collation_key)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "first", "accented", "before", "after"),
    [
        ("/fr", "Afghanistan", "Émirats arabes unis", "Égypte", "Équateur"),
        ("/es", "Afganistán", "Emiratos Árabes Unidos", "Egipto", "Estonia"),
    ],
)
def test_the_market_filter_lists_countries_in_the_pages_language_order(
    client, prefix, first, accented, before, after
):
    labels = _options(client.get(f"{prefix}/reports/").content.decode(), "market")
    translation.activate("en")

    _in_order(labels)
    assert labels[0] == first
    assert labels.index(before) < labels.index(accented) < labels.index(after)
    if prefix == "/fr":
        german = labels.index("Allemagne")
        assert all(label.startswith(("A", "Å", "Á")) for label in labels[: german + 1])


@pytest.mark.django_db
def test_the_filing_step_and_the_signup_form_list_countries_in_order(client):
    with translation.override("fr"):
        market_step = str(MarketStepForm()["market"])
    assert "Émirats arabes unis" in market_step
    _in_order(_options(market_step, "market"))

    signup = client.get("/fr/accounts/signup/").content.decode()
    translation.activate("en")
    _in_order(_options(signup, "organisation_country"))


@pytest.mark.django_db
def test_the_digest_subscription_lists_markets_in_order(client):
    client.force_login(OfficialFactory())
    html = client.get("/fr/digests/subscription/").content.decode()
    translation.activate("en")

    _in_order(_options(html, "markets"))
