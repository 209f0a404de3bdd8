"""Load the reference data shipped in portal/data/ into the database.

Idempotent: rows are created or updated by their code, so a later data migration can correct
a name without breaking references.
"""

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _translations() -> dict[str, dict[str, dict[str, str]]]:
    path = DATA_DIR / "translations.json"
    return read("translations.json") if path.exists() else {}


def _localised(entry: dict[str, str], *fields: str) -> dict[str, str]:
    return {field: entry.get(field, "") for field in fields}


def load_reference_data(apps: Any) -> None:
    """Create or update every reference row. `apps` is the migration app registry."""
    translations = _translations()
    _load_countries(apps, translations.get("countries", {}))
    _load_org_types(apps, translations.get("org_types", {}))
    _load_topics(apps, translations.get("topics", {}))
    _load_ntm_chapters(apps, translations.get("ntm_chapters", {}))
    _load_hs_chapters(apps, translations.get("hs_chapters", {}))


def _load_countries(apps: Any, names: dict[str, dict[str, str]]) -> None:
    Country = apps.get_model("portal", "Country")
    members = read("wto_members.json")
    rows = [(entry, "member") for entry in members["members"]]
    rows += [(entry, "observer") for entry in members["observers"]]
    for entry, status in rows:
        code = entry["iso_alpha2"]
        Country.objects.update_or_create(
            code=code,
            defaults={
                "name_en": entry["wto_name"],
                "iso_alpha3": entry.get("iso_alpha3") or "",
                "status": status,
                "region": entry.get("wto_statistical_region") or "",
                **_localised(names.get(code, {}), "name_fr", "name_es"),
            },
        )


def _load_org_types(apps: Any, names: dict[str, dict[str, str]]) -> None:
    OrganisationType = apps.get_model("portal", "OrganisationType")
    for position, entry in enumerate(read("org_types.json")["org_types"]):
        code = entry["code"]
        OrganisationType.objects.update_or_create(
            code=code,
            defaults={
                "name_en": entry["label"],
                "description_en": entry["description"],
                "category": entry["category"],
                "size_class": entry.get("size_class") or "",
                "position": position,
                **_localised(
                    names.get(code, {}), "name_fr", "name_es", "description_fr", "description_es"
                ),
            },
        )


def _load_topics(apps: Any, names: dict[str, dict[str, str]]) -> None:
    Topic = apps.get_model("portal", "Topic")
    agreement = read("ecommerce_topics.json")
    rows = [
        (entry, "article", entry["section"], entry["article"], entry["reportable"])
        for entry in agreement["topics"]
    ]
    rows += [
        (entry, "extension", "", None, entry["reportable"]) for entry in agreement["extensions"]
    ]
    rows += [(entry, "practical", "", None, True) for entry in read("sme_topics.json")["topics"]]
    for position, (entry, kind, section, article, reportable) in enumerate(rows):
        code = entry["code"]
        Topic.objects.update_or_create(
            code=code,
            defaults={
                "name_en": entry["name"],
                "description_en": entry["description"],
                "kind": kind,
                "section": section,
                "article": article,
                "reportable": reportable,
                "position": position,
                **_localised(
                    names.get(code, {}), "name_fr", "name_es", "description_fr", "description_es"
                ),
            },
        )


def _load_ntm_chapters(apps: Any, names: dict[str, dict[str, str]]) -> None:
    NtmChapter = apps.get_model("portal", "NtmChapter")
    for entry in read("ntm_chapters.json")["chapters"]:
        code = entry["code"]
        NtmChapter.objects.update_or_create(
            code=code,
            defaults={
                "name_en": entry["name"],
                "description_en": entry["description"],
                "group": entry["group"],
                "flow": entry["flow"],
                **_localised(
                    names.get(code, {}),
                    "name_fr",
                    "name_es",
                    "description_fr",
                    "description_es",
                    "hint_en",
                    "hint_fr",
                    "hint_es",
                ),
            },
        )


def _load_hs_chapters(apps: Any, names: dict[str, dict[str, str]]) -> None:
    HsChapter = apps.get_model("portal", "HsChapter")
    for entry in read("hs_sections.json")["chapters"]:
        code = entry["code"]
        HsChapter.objects.update_or_create(
            code=code,
            defaults={
                "name_en": entry["title"],
                "section": entry["section"],
                "reserved": entry["reserved"],
                **_localised(names.get(code, {}), "name_fr", "name_es"),
            },
        )
