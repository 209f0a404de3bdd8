"""Dialogue search ignores accents in every language and shows why each post matched."""

import pytest
from django.urls import reverse

from tests.dialogues.conftest import reply

pytestmark = pytest.mark.django_db

ACCENTED_POSTS = [
    ("Le dédouanement de nos colis prend trois semaines.", "dedouanement", "dédouanement"),
    ("Los envíos pequeños pagan aranceles completos.", "envios", "envíos"),
    ("Las etiquetas deben estar en español.", "espanol", "español"),
]


@pytest.mark.parametrize("page_language", ["en", "fr", "es"])
@pytest.mark.parametrize(("body", "typed", "matched"), ACCENTED_POSTS)
def test_dialogue_search_ignores_accents_and_marks_the_matching_words(
    client, no_premoderation, open_thread, member, page_language, body, typed, matched
):
    reply(member, open_thread, body)
    reply(member, open_thread, "Nothing to do with it.")
    prefix = "" if page_language == "en" else f"/{page_language}"
    url = prefix + reverse("dialogues:search").removeprefix(prefix)
    html = client.get(url, {"q": typed}).content.decode()
    assert f"<mark>{matched}</mark>" in html
    assert "Nothing to do with it." not in html


def test_dialogue_search_excerpts_are_escaped(client, no_premoderation, open_thread, member):
    reply(member, open_thread, "Envíos `<script>alert(1)</script>` retenidos")
    html = client.get(reverse("dialogues:search"), {"q": "envios"}).content.decode()
    assert "<mark>Envíos</mark>" in html
    assert "<script>alert(1)" not in html
