"""Demo organisations and people (see the seed_demo command)."""

from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.models import Group

from portal import services
from portal.models import Country, Organisation, OrganisationType, Sector, User

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


def _person(email: str, full_name: str, job_title: str, language: str = "en", **fields) -> User:
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "job_title": job_title, "language": language, **fields},
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def staff_enrolment_reset() -> None:
    """Once the story is told, the demo moderator and admin set up their own two-factor
    authentication on their first visit, as real staff do."""
    Authenticator.objects.filter(user__email__in=[MODERATOR[0], ADMIN[0]]).delete()


def seed(log: Callable[[str], None]) -> None:
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
    log(f"{len(PEOPLE)} members, of whom {sum(p[-1] for p in PEOPLE)} verified officials")

    pending = _person(*PENDING_OFFICIAL, language="es")
    services.organisation_create(
        name="Ministry of Foreign Trade and Tourism of Peru (demo)",
        org_type=OrganisationType.objects.get(code="government_ministry"),
        country=Country.objects.get(code="PE"),
        sector=Sector.PUBLIC,
        creator=pending,
    )
    joiner = _person(*PENDING_JOINER)
    services.membership_request(user=joiner, organisation=organisations["kahawa-bora-roasters"])
    log("1 official awaiting verification, 1 request to join")
