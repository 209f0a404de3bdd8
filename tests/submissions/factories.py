"""Factories for barrier reports (built directly, without the services' side effects)."""

import factory
from django.utils import timezone

from portal.models import Country, Topic
from submissions.models import BarrierReport, CoSignature, OfficialResponse
from tests.factories import MemberFactory

Status = BarrierReport.Status


class BarrierReportFactory(factory.django.DjangoModelFactory):
    """A complete published public report unless told otherwise."""

    class Meta:
        model = BarrierReport
        skip_postgeneration_save = True

    reporter = factory.SubFactory(MemberFactory)
    organisation = factory.LazyAttribute(lambda report: report.reporter.organisation)
    title = factory.Sequence(lambda n: f"Barrier number {n} at the border")
    summary = factory.Sequence(lambda n: f"Summary of barrier {n}.")
    description = "What happened, in detail."
    market = factory.LazyFunction(lambda: Country.objects.get(code="US"))
    trade_direction = BarrierReport.TradeDirection.EXPORTING
    delivery_mode = BarrierReport.DeliveryMode.GOODS
    sector = "agri_food"
    visibility = BarrierReport.Visibility.PUBLIC
    language = "en"
    status = Status.PUBLISHED
    # Year 1999, so the services' own numbering (this year, from 00001) never collides.
    reference = factory.LazyAttributeSequence(
        lambda report, n: None if report.status == Status.DRAFT else f"TB-1999-{n + 1:05d}"
    )
    submitted_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyAttribute(
        lambda report: timezone.now() if report.status != Status.DRAFT else None
    )

    @factory.post_generation
    def topics(self, create: bool, extracted, **kwargs) -> None:
        if not create:
            return
        codes = extracted if extracted is not None else ["SME-01"]
        self.topics.set(Topic.objects.filter(code__in=codes))


class CoSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoSignature

    report = factory.SubFactory(BarrierReportFactory)
    signed_by = factory.SubFactory(MemberFactory)
    organisation = factory.LazyAttribute(lambda cosignature: cosignature.signed_by.organisation)
    impact = CoSignature.Impact.SERIOUS


class OfficialResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficialResponse

    report = factory.SubFactory(BarrierReportFactory)
    author = factory.SubFactory("tests.factories.OfficialFactory")
    organisation = factory.LazyAttribute(lambda response: response.author.organisation)
    body = "We are looking into this."
