"""factory_boy factories for members, organisations and roles."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group

from portal.models import Country, Organisation, OrganisationType, Sector, User

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example Trading {n}")
    slug = factory.Sequence(lambda n: f"example-trading-{n}")
    org_type = factory.LazyFunction(lambda: OrganisationType.objects.get(code="micro_enterprise"))
    country = factory.LazyFunction(lambda: Country.objects.get(code="KE"))
    sector = Sector.AGRI_FOOD


class OfficialBodyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Ministry of Trade {n}")
    slug = factory.Sequence(lambda n: f"ministry-of-trade-{n}")
    org_type = factory.LazyFunction(
        lambda: OrganisationType.objects.get(code="government_ministry")
    )
    sector = Sector.PUBLIC


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a confirmed email address and no organisation."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def confirmed_email(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MemberFactory(UserFactory):
    organisation = factory.SubFactory(OrganisationFactory)
    membership_status = User.MembershipStatus.ACTIVE


class OfficialFactory(MemberFactory):
    email = factory.Sequence(lambda n: f"official{n}@trade.gov.example")
    organisation = factory.SubFactory(OfficialBodyFactory)
    official_status = User.OfficialStatus.VERIFIED


def make_moderator(user: User, *, with_mfa: bool = True) -> User:
    group, _ = Group.objects.get_or_create(name=settings.MODERATORS_GROUP)
    user.groups.add(group)
    if with_mfa:
        TOTP.activate(user, generate_totp_secret())
    user.__dict__.pop("is_moderator", None)
    user.__dict__.pop("_portal_has_mfa", None)
    return user


class ModeratorFactory(UserFactory):
    @factory.post_generation
    def moderator(self, create: bool, extracted, **kwargs) -> None:
        if create:
            make_moderator(self, with_mfa=extracted is not False)
