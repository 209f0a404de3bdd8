"""Demo organisations and people (see the seed_demo command), and the story's calendar.

The demo is dated relative to a "today" (the seed_demo command's, or a test's): every
package places its events a number of days before it with `StoryClock`, so a fresh demo
always has a recent past, and one date always tells the same story.
"""

import datetime as dt
import functools
import random
from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from portal import services
from portal.models import Country, Organisation, OrganisationType, Sector, User, VerifiedDomain

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

ORGANISATIONS = [
    # slug, name, type, country, sector, website
    (
        "kahawa-bora-roasters",
        "Kahawa Bora Roasters",
        "micro_enterprise",
        "KE",
        Sector.AGRI_FOOD,
        "https://kahawa-bora.example",
    ),
    (
        "alpaca-andina",
        "Alpaca Andina Tejidos",
        "small_enterprise",
        "PE",
        Sector.TEXTILES,
        "https://alpaca-andina.example",
    ),
    (
        "song-code-studio",
        "Sông Code Studio",
        "small_enterprise",
        "VN",
        Sector.SOFTWARE,
        "https://songcode.example",
    ),
    (
        "karite-teranga",
        "Karité Teranga",
        "micro_enterprise",
        "SN",
        Sector.COSMETICS,
        "https://karite-teranga.example",
    ),
    (
        "east-african-ecommerce-association",
        "East African E-commerce Association",
        "business_association",
        "KE",
        Sector.RETAIL,
        "https://eaea.example",
    ),
    (
        "ministry-of-trade-kenya",
        "Ministry of Investments, Trade and Industry (demo)",
        "government_ministry",
        "KE",
        Sector.PUBLIC,
        "",
    ),
    (
        "customs-peru",
        "National Customs Administration of Peru (demo)",
        "customs_authority",
        "PE",
        Sector.PUBLIC,
        "",
    ),
    (
        "digital-trade-facilitation-centre",
        "Digital Trade Facilitation Centre (demo)",
        "international_organization",
        "CH",
        Sector.PUBLIC,
        "",
    ),
]

PEOPLE = [
    # email, full name, job title, organisation slug, language, organisation admin?, official?
    (
        "wanjiru@kahawa-bora.example",
        "Wanjiru Kamau",
        "Founder",
        "kahawa-bora-roasters",
        "en",
        True,
        False,
    ),
    (
        "rosa@alpaca-andina.example",
        "Rosa Quispe",
        "Gerente general",
        "alpaca-andina",
        "es",
        True,
        False,
    ),
    ("minh@songcode.example", "Nguyễn Văn Minh", "CEO", "song-code-studio", "en", True, False),
    ("awa@karite-teranga.example", "Awa Diop", "Fondatrice", "karite-teranga", "fr", True, False),
    (
        "otieno@eaea.example",
        "David Otieno",
        "Policy lead",
        "east-african-ecommerce-association",
        "en",
        True,
        False,
    ),
    (
        "j.mwangi@trade.go.ke.example",
        "Joseph Mwangi",
        "Director, Trade Policy",
        "ministry-of-trade-kenya",
        "en",
        True,
        True,
    ),
    (
        "l.huaman@sunat.gob.pe.example",
        "Lucía Huamán",
        "Jefa de Facilitación",
        "customs-peru",
        "es",
        True,
        True,
    ),
    (
        "c.martin@dtfc.int.example",
        "Claire Martin",
        "Chargée de programme, commerce numérique",
        "digital-trade-facilitation-centre",
        "fr",
        True,
        True,
    ),
]

MODERATOR = ("moderator@tradedialogues.example", "Amara Nwosu", "Moderator")
ADMIN = ("admin@tradedialogues.example", "Portal Administrator", "Administrator")
PENDING_OFFICIAL = ("p.silva@economia.gob.pe.example", "Pedro Silva", "Analista")
PENDING_JOINER = ("kevin@kahawa-bora.example", "Kevin Ochieng", "Online sales")

DEMO_ACCOUNTS = [
    (ADMIN[0], "admin (Django admin)"),
    (MODERATOR[0], "moderator"),
    (PEOPLE[5][0], "verified official, Kenya (Official badge)"),
    (PEOPLE[7][0], "verified official, international organisation (French)"),
    (PEOPLE[0][0], "SME member: Kenyan coffee roaster"),
    (PEOPLE[1][0], "SME member: Peruvian knitwear shop (Spanish)"),
    (PEOPLE[3][0], "SME member: Senegalese cosmetics maker (French)"),
    (PENDING_OFFICIAL[0], "official awaiting verification"),
    (PENDING_JOINER[0], "member waiting to join Kahawa Bora Roasters"),
]


# The story's first days: the staff, then the verified domains, then the organisations one
# by one (the people join with their organisation), all well before the first report.
STAFF_JOINED_DAYS_AGO = 300
DOMAINS_ADDED_DAYS_AGO = 260
FIRST_ORGANISATION_DAYS_AGO = 240
PENDING_OFFICIAL_DAYS_AGO = 2
PENDING_JOINER_DAYS_AGO = 1


def story_today() -> dt.date:
    """Today in UTC, the day the demo's story leads up to."""
    return timezone.now().astimezone(dt.UTC).date()


class StoryClock:
    """The demo's calendar: events are placed a whole number of days before `today`, at a
    time of day drawn from a generator seeded by the date and the package's name, so one
    date always gives the same story. The story ends at midnight UTC at the start of
    `today`: nothing is dated later, whatever the hour the demo is loaded."""

    # Working hours in UTC, wide enough for Lima, Dakar, Nairobi, Geneva and Hanoi.
    FIRST_HOUR = 6
    HOURS = 14

    def __init__(self, today: dt.date, name: str) -> None:
        self.today = today
        self.end = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
        # Seeded on purpose: the same date must give the same story.
        self._random = random.Random(f"{name}:{today.isoformat()}")  # noqa: S311

    def day(self, days_ago: int, *, after: dt.datetime | None = None) -> dt.datetime:
        """A moment during working hours `days_ago` days before today, and later than
        `after` (then a few minutes to an hour and a half after it, the same day if it can)."""
        if days_ago < 1:
            raise ValueError(f"The demo story ends before today; {days_ago} days ago is not.")
        start = self.end - dt.timedelta(days=days_ago, hours=-self.FIRST_HOUR)
        moment = start + dt.timedelta(minutes=self._random.randrange(self.HOURS * 60))
        if after is not None and moment <= after:
            moment = after + dt.timedelta(minutes=self._random.randrange(7, 90))
        if moment >= self.end:
            raise ValueError(
                f"A demo event would be dated {moment:%Y-%m-%d %H:%M}, not before today."
            )
        return moment

    def minutes_before(self, moment: dt.datetime, low: int, high: int) -> dt.datetime:
        """A moment between `low` and `high` minutes before `moment`."""
        return moment - dt.timedelta(minutes=self._random.randint(low, high))

    def minutes_after(self, moment: dt.datetime, low: int, high: int) -> dt.datetime:
        """A moment between `low` and `high` minutes after `moment`, never today."""
        later = moment + dt.timedelta(minutes=self._random.randint(low, high))
        return min(later, self.end - dt.timedelta(minutes=1))


@functools.cache
def _demo_password_hash() -> str:
    """The demo password, hashed once: every demo account shares it, and hashing it for each
    of a dozen accounts would take most of the portal step's time."""
    return make_password(DEMO_PASSWORD)


def _person(email: str, full_name: str, job_title: str, language: str = "en", **fields) -> User:
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "job_title": job_title, "language": language, **fields},
    )
    user.password = _demo_password_hash()
    user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def staff_enrolment_reset() -> None:
    """Once the story is told, the demo moderator and admin set up their own two-factor
    authentication on their first visit, as real staff do."""
    Authenticator.objects.filter(user__email__in=[MODERATOR[0], ADMIN[0]]).delete()


def seed(log: Callable[[str], None], *, today: dt.date | None = None) -> None:
    clock = StoryClock(today or story_today(), "portal")
    organisations = {}
    for slug, name, type_code, country, sector, website in ORGANISATIONS:
        organisations[slug], _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "org_type": OrganisationType.objects.get(code=type_code),
                "country": Country.objects.get(code=country),
                "sector": sector,
                "website": website,
            },
        )
    for index, organisation in enumerate(organisations.values()):
        joined = clock.day(FIRST_ORGANISATION_DAYS_AGO - 9 * index)
        Organisation.objects.filter(pk=organisation.pk).update(created_at=joined)
        organisation.created_at = joined
    log(f"{len(organisations)} organisations")

    moderator = _person(*MODERATOR)
    moderator.groups.add(Group.objects.get(name=settings.MODERATORS_GROUP))
    admin = _person(*ADMIN, is_staff=True, is_superuser=True)
    # The story's moderation was done with two factors, as the rules require; the demo
    # accounts then enrol their own authenticator on first visit (staff_enrolment_reset).
    for staff in (moderator, admin):
        if not is_mfa_enabled(staff):
            TOTP.activate(staff, generate_totp_secret())
    for domain, owner in [
        ("trade.go.ke.example", "Ministry of Investments, Trade and Industry, Kenya (demo)"),
        ("sunat.gob.pe.example", "National Customs Administration of Peru (demo)"),
        ("dtfc.int.example", "Digital Trade Facilitation Centre (demo)"),
    ]:
        services.verified_domain_add(actor=moderator, domain=domain, organisation_name=owner)
    User.objects.filter(pk__in=[moderator.pk, admin.pk]).update(
        date_joined=clock.day(STAFF_JOINED_DAYS_AGO)
    )
    VerifiedDomain.objects.filter(added_by=moderator).update(
        created_at=clock.day(DOMAINS_ADDED_DAYS_AGO)
    )

    for email, full_name, job_title, slug, language, is_admin, official in PEOPLE:
        person = _person(email, full_name, job_title, language)
        person.organisation = organisations[slug]
        person.membership_status = User.MembershipStatus.ACTIVE
        person.is_organisation_admin = is_admin
        person.save()
        if official:
            person.official_status = User.OfficialStatus.PENDING
            person.save(update_fields=["official_status"])
            services.member_email_confirmed(user=person)
        # People sign up with their organisation; officials are verified on confirming their
        # address (an allow-listed domain), a few minutes later.
        joined = clock.minutes_after(organisations[slug].created_at, 5, 600)
        User.objects.filter(pk=person.pk).update(
            date_joined=joined,
            official_verified_at=joined + dt.timedelta(minutes=4) if official else None,
        )
    log(f"{len(PEOPLE)} members, of whom {sum(p[-1] for p in PEOPLE)} verified officials")

    pending = _person(*PENDING_OFFICIAL, language="es")
    ministry = services.organisation_create(
        name="Ministry of Foreign Trade and Tourism of Peru (demo)",
        org_type=OrganisationType.objects.get(code="government_ministry"),
        country=Country.objects.get(code="PE"),
        sector=Sector.PUBLIC,
        creator=pending,
    )
    signed_up = clock.day(PENDING_OFFICIAL_DAYS_AGO)
    User.objects.filter(pk=pending.pk).update(date_joined=signed_up)
    Organisation.objects.filter(pk=ministry.pk).update(created_at=signed_up)
    joiner = _person(*PENDING_JOINER)
    services.membership_request(user=joiner, organisation=organisations["kahawa-bora-roasters"])
    User.objects.filter(pk=joiner.pk).update(date_joined=clock.day(PENDING_JOINER_DAYS_AGO))
    log("1 official awaiting verification, 1 request to join")
