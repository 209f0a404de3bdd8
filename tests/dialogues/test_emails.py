"""Every kind of email the portal writes, sent to an English, a French and a Spanish member by
people who use the portal in another language: each reads as the portal's own, in the
reader's language from the subject prefix to status names, dates and theme names, with a
plain-text part and an accessible HTML part whose links are on SITE_URL in that language.
"""

import pytest
from django.conf import settings

from portal import services as portal_services
from tests.dialogues.every_email import EMAIL_TEMPLATES, PREFIX, SITE_NAME, send_every_email
from tests.email_reading import foreign_words, html_problems, html_reading, links_in_text
from tests.factories import MemberFactory, ModeratorFactory, OfficialBodyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _virus_scanner(settings, clamd) -> None:
    """The quarantine email is caused by a real clamd finding the EICAR test file."""
    settings.CLAMD_SOCKET = clamd.socket


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_email_reads_as_the_portals_own_in_the_readers_language(language):
    emails = send_every_email(language)
    assert sorted(emails) == EMAIL_TEMPLATES, "each kind of email is sent once here"

    problems = {}
    for template, email in emails.items():
        found = []
        html = html_reading(email.body_html)
        foreign = foreign_words(f"{email.subject}\n{email.body_text}\n{html.text}", language)
        if foreign:
            found.append(f"words of another language: {sorted(foreign)}")
        if email.language != language:
            found.append(f"recorded as {email.language!r}")
        if not email.subject.startswith(f"[{SITE_NAME[language]}] "):
            found.append(f"subject prefix: {email.subject!r}")
        found += html_problems(email.body_html, language=language, site_name=SITE_NAME[language])
        for link in links_in_text(email.body_text) + [href for href, _text in html.links]:
            if not link.startswith(settings.SITE_URL + PREFIX[language] + "/"):
                found.append(f"link not on SITE_URL in {language}: {link}")
        if found:
            problems[template] = found
    assert problems == {}


def test_a_french_reporter_reads_the_status_in_french_when_a_spanish_moderator_publishes():
    emails = send_every_email("fr")
    email = emails["report_status_changed"]
    assert email.subject.startswith(
        "[Portail des Dialogues commerciaux] Votre signalement TB-1999-"
    )
    assert email.subject.endswith(" : Publié")
    assert "est désormais publié" in email.body_text
    assert "/fr/reports/TB-1999-" in email.body_text
    assert "L’équipe du Portail des Dialogues commerciaux" in email.body_text
    assert 'lang="fr"' in email.body_html


@pytest.mark.parametrize(
    ("language", "until"),
    [
        ("en", "1 September 2030, 14:30 UTC"),
        ("fr", "1er septembre 2030 à 14:30 UTC"),
        ("es", "1 de septiembre de 2030, 14:30 UTC"),
    ],
)
def test_dates_in_emails_are_written_the_readers_way(language, until):
    emails = send_every_email(language)
    suspension = emails["moderation_suspension"]
    assert until in suspension.body_text
    assert until in html_reading(suspension.body_html).text


@pytest.mark.parametrize(
    ("language", "theme_name"),
    [
        ("en", "Electronic Payments"),
        ("fr", "Paiements électroniques"),
        ("es", "Pagos electrónicos"),
    ],
)
def test_reference_data_is_named_in_the_readers_language(language, theme_name):
    news = send_every_email(language)["dialogue_notification"]
    assert f"({theme_name})" in news.body_text
    assert f"({theme_name})" in html_reading(news.body_html).text


def test_the_html_part_says_in_words_where_each_link_goes():
    email = send_every_email("es")["report_status_changed"]
    links = html_reading(email.body_html).links
    report_links = [(href, text) for href, text in links if "/es/reports/TB-1999-" in href]
    assert [text for _href, text in report_links] == [report_links[0][1]]
    assert report_links[0][1].startswith("Abrir el informe TB-1999-")


def test_a_delivered_email_has_a_plain_text_and_an_html_part(mailoutbox, run_on_commit):
    member = MemberFactory(
        language="es", organisation=OfficialBodyFactory(), official_status="pending"
    )
    with run_on_commit():
        portal_services.member_verify_official(
            actor=ModeratorFactory(), member=member, approve=False, reason="#42"
        )
    (message,) = mailoutbox
    assert message.content_subtype == "plain"
    assert "Un moderador no pudo verificar su cuenta como cuenta oficial." in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="es" dir="ltr">' in html
    raw = message.message().as_string()
    assert "multipart/alternative" in raw


def test_the_site_name_heads_every_html_part_even_when_the_name_is_configured(settings):
    settings.SITE_NAME = "Kenya Trade Dialogues"  # no translation: shown as configured
    email = send_every_email("fr")["official_decided"]
    assert html_reading(email.body_html).headings[0] == (1, "Kenya Trade Dialogues")
    assert email.subject.startswith("[Kenya Trade Dialogues] ")


def _queries_to_email_news(*, threads: int, posts: int, theme, author) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dialogues import services
    from tests.dialogues.conftest import reply

    follower = MemberFactory(language="fr")
    services.follow_set(user=follower, theme=theme, following=True)
    for number in range(threads):
        thread = services.thread_start(
            author=author, theme=theme, title=f"Kahawa {number}", body="Habari."
        )
        for _post in range(posts):
            reply(author, thread, "Kahawa")
    with CaptureQueriesContext(connection) as queries:
        services.notifications_send(recipient=follower)
    return len(queries), follower.email


def test_the_news_email_costs_the_same_queries_for_one_post_or_many(
    no_premoderation, theme, moderator
):
    from portal.models import OutboxEmail

    few, first = _queries_to_email_news(threads=1, posts=1, theme=theme, author=moderator)
    many, second = _queries_to_email_news(threads=3, posts=4, theme=theme, author=moderator)
    assert many == few
    # Both emails were written, with every post of every thread in both parts.
    email = OutboxEmail.objects.get(recipient=second)
    assert email.body_html.count("Kahawa 2") == 1
    assert html_reading(email.body_html).text.count("Kahawa") >= 3 * 4
    assert OutboxEmail.objects.filter(recipient=first).exists()
