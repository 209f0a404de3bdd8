"""Every user-visible string is translated into French and Spanish."""

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
