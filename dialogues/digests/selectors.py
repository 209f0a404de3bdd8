"""Reads for weekly digests, always given the viewer: the archive, the edition a reader gets,
the editions they may switch between, their subscription.

A missing edition and a forbidden one both raise Http404. The edition's content was fixed
when it was compiled (snapshot.py); a page renders the edition's stored summary
(summary.py), one small row: the snapshot itself (megabytes in a busy week) is left in the
database for the workers that render the files. The week's full list of reports is read
page by page through the report selectors, for the edition's audience.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dialogues.digests.models import Digest, DigestSubscription
from dialogues.digests.permissions import can_read_officials_edition
from dialogues.digests.weeks import iso_week_bounds, parse_iso_week
from portal import audience as audiences
from portal.audience import Audience
from portal.permissions import is_official
from portal.types import Reader, person_of
from submissions.models import BarrierReport
from submissions.selectors import report_list_for

Edition = Digest.Edition


def digest_archive_for(*, viewer: Reader) -> QuerySet[Digest]:
    """Every compiled week, newest first (one public row per week stands for the week)."""
    return (
        Digest.objects.filter(edition=Edition.PUBLIC, status=Digest.Status.READY)
        .only("id", "week", "week_start", "compiled_at", "edition", "status")
        .order_by("-week_start")
    )


def digest_get_for(*, viewer: Reader, week: str, edition: str = "") -> Digest:
    """The edition of `week` this viewer asked for, or gets by default; Http404 otherwise.

    Visitors and members read the public edition; officials and moderators the officials
    edition; an official with a subscription may ask for their personalised edition."""
    try:
        parse_iso_week(week)
    except ValueError:
        raise Http404 from None
    officials = can_read_officials_edition(viewer)
    wanted = edition or (Edition.OFFICIALS if officials else Edition.PUBLIC)
    digests = Digest.objects.filter(week=week, status=Digest.Status.READY).defer("snapshot")
    if wanted == Edition.PUBLIC:
        digest = digests.filter(edition=Edition.PUBLIC).first()
    elif wanted == Edition.OFFICIALS and officials:
        digest = digests.filter(edition=Edition.OFFICIALS).first()
    elif wanted == Edition.PERSONAL and (person := person_of(viewer)) and is_official(person):
        digest = (
            digests.filter(edition=Edition.PERSONAL, subscription__user=person)
            .select_related("subscription__user")
            .first()
        )
    else:
        digest = None
    if digest is None:
        raise Http404
    return digest


def digest_editions_for(*, viewer: Reader, week: str) -> list[str]:
    """The editions of `week` the viewer may switch between."""
    editions: list[str] = [Edition.PUBLIC]
    if can_read_officials_edition(viewer):
        editions.append(Edition.OFFICIALS)
    person = person_of(viewer)
    if (
        person is not None
        and is_official(person)
        and Digest.objects.filter(
            week=week, status=Digest.Status.READY, subscription__user=person
        ).exists()
    ):
        editions.append(Edition.PERSONAL)
    return editions


def subscription_for(*, viewer: Reader) -> DigestSubscription | None:
    person = person_of(viewer)
    if person is None:
        return None
    return (
        DigestSubscription.objects.filter(user=person).prefetch_related("markets", "topics").first()
    )


def digest_audience(digest: Digest) -> Audience:
    """Who the edition was compiled for."""
    if digest.edition == Edition.PUBLIC:
        return audiences.PUBLIC
    if digest.edition == Edition.PERSONAL and digest.subscription is not None:
        return audiences.subscriber(digest.subscription.user)
    return audiences.OFFICIALS


def digest_reports_for(
    *, digest: Digest, market: str = "", topic: str = ""
) -> QuerySet[BarrierReport]:
    """The week's new reports as the edition's readers may read them today, newest first,
    kept to a personalised edition's markets and topics (and to `market` / `topic`). Read
    through the report selectors: a report withdrawn since the digest was compiled is gone."""
    if digest.summary is None:
        raise Http404
    start, end = iso_week_bounds(digest.week)
    edition = digest.summary["edition"]
    filters: dict[str, Any] = {
        "published_from": start,
        "published_to": end,
        "markets": tuple(item["code"] for item in edition["markets"]),
        "topics": tuple(item["code"] for item in edition["topics"]),
    }
    if market:
        filters["market"] = market
    if topic:
        filters["topic"] = topic
    return report_list_for(viewer=digest_audience(digest), filters=filters)
