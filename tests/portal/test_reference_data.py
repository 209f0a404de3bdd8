"""Reference data loaded by migrations: WTO members, e-commerce topics, NTM and HS chapters."""

import pytest
from django.apps import apps
from django.utils import translation

from portal.models import Country, HsChapter, NtmChapter, OrganisationType, Topic
from portal.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_wto_members_and_observers_are_all_there():
    assert Country.objects.filter(status=Country.Status.MEMBER).count() == 166
    assert Country.objects.filter(status=Country.Status.OBSERVER).count() == 23
    european_union = Country.objects.get(code="EU")
    assert european_union.status == Country.Status.MEMBER
    assert Country.objects.get(code="KE").iso_alpha3 == "KEN"


def test_e_commerce_topics_with_the_right_ones_reportable():
    assert Topic.objects.count() == 48
    reportable = set(Topic.objects.filter(reportable=True).values_list("code", flat=True))
    articles = {f"ECOM-{number:02d}" for number in range(4, 22)}
    extensions = set(Topic.objects.filter(kind=Topic.Kind.EXTENSION).values_list("code", flat=True))
    practical = {f"SME-{number:02d}" for number in range(1, 6)}
    assert len(extensions) == 4
    assert reportable == articles | extensions | practical
    assert not Topic.objects.get(code="ECOM-01").reportable, "scope is not a barrier"
    assert Topic.objects.get(code="SME-01").kind == Topic.Kind.PRACTICAL


def test_ntm_chapters_have_plain_language_hints_in_three_languages():
    chapters = NtmChapter.objects.all()
    assert [chapter.code for chapter in chapters] == list("ABCDEFGHIJKLMNOP")
    for chapter in chapters:
        assert chapter.hint_en, chapter.code
        assert chapter.hint_fr, chapter.code
        assert chapter.hint_es, chapter.code
        assert len({chapter.hint_en, chapter.hint_fr, chapter.hint_es}) == 3, chapter.code


def test_hs_chapters_include_the_reserved_chapter_77():
    assert HsChapter.objects.count() == 97
    assert list(HsChapter.objects.filter(reserved=True).values_list("code", flat=True)) == ["77"]
    assert HsChapter.objects.first().code == "01"
    assert HsChapter.objects.last().code == "97"


def test_organisation_types_mark_the_official_bodies():
    official = {
        org_type.code for org_type in OrganisationType.objects.all() if org_type.is_official
    }
    assert {"government_ministry", "customs_authority", "regulator"} <= official
    assert "micro_enterprise" not in official
    assert OrganisationType.objects.count() == 16


def test_names_follow_the_active_language():
    kenya = Country.objects.get(code="KE")
    chapter = NtmChapter.objects.get(code="A")
    with translation.override("en"):
        english = (kenya.name, chapter.name, chapter.hint)
    with translation.override("es"):
        assert kenya.name == "Kenia"
        assert chapter.name == "Medidas sanitarias y fitosanitarias"
    with translation.override("fr"):
        french = (kenya.name, chapter.name, chapter.hint)
        assert chapter.name == "Mesures sanitaires et phytosanitaires"
        assert Topic.objects.get(code="ECOM-01").name == "Portée"
    assert english[0] == "Kenya"
    assert english[1] != french[1]
    assert english[2] != french[2]


def test_every_reference_row_has_french_and_spanish_names():
    for model in (Country, OrganisationType, Topic, NtmChapter, HsChapter):
        untranslated = list(model.objects.filter(name_fr="").values_list("pk", flat=True)) + list(
            model.objects.filter(name_es="").values_list("pk", flat=True)
        )
        assert untranslated == [], model.__name__


def test_loading_the_reference_data_again_changes_nothing():
    before = {
        model.__name__: model.objects.count()
        for model in (Country, OrganisationType, Topic, NtmChapter, HsChapter)
    }
    load_reference_data(apps)
    after = {
        model.__name__: model.objects.count()
        for model in (Country, OrganisationType, Topic, NtmChapter, HsChapter)
    }
    assert after == before
