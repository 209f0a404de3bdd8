"""The steps of the report form, in order, and what a report needs before it is submitted.

One question topic per page (GOV.UK "one thing per page"); every step saves the draft, and the
"check your answers" page links back to each step.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from submissions.models import BarrierReport


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    fields: tuple[str, ...]


STEPS = (
    Step("about", _("What is the barrier?"), ("title", "summary")),
    Step("market", _("Where and how you trade"), ("market", "trade_direction", "delivery_mode")),
    Step("topics", _("What the barrier is about"), ("topics",)),
    Step("products", _("The measure and your products"), ("ntm_chapter", "hs_chapters", "sector")),
    Step("description", _("What happened"), ("description",)),
    Step(
        "impact",
        _("When it started and what it costs"),
        ("first_encountered", "still_active", "cost_band"),
    ),
    Step("evidence", _("What you have done and your evidence"), ("steps_taken", "attachments")),
    Step("visibility", _("Who can read your report"), ("visibility", "language")),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

# Answers a report must have before it can be submitted, with the message shown if missing.
REQUIRED_ANSWERS = {
    "title": _("Give your report a title."),
    "summary": _("Write a short summary of the barrier."),
    "market": _("Choose the market where you met the barrier."),
    "trade_direction": _("Say whether you were exporting or importing."),
    "delivery_mode": _("Say what you trade: goods, services or digitally delivered products."),
    "topics": _("Choose at least one e-commerce topic."),
    "sector": _("Choose your sector."),
    "description": _("Describe what happened."),
    "visibility": _("Choose who can read your report."),
    "language": _("Choose the language of your report."),
}


def step_for_field(field: str) -> Step:
    return next(step for step in STEPS if field in step.fields)


def next_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None


def previous_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index - 1] if index > 0 else None


def missing_answers(report: BarrierReport) -> dict[str, Promise]:
    """Required answers the report does not have yet, in the order of the steps."""
    missing: dict[str, Promise] = {}
    for field, message in REQUIRED_ANSWERS.items():
        if field == "topics":
            answered = report.pk is not None and bool(report.topics.all())
        else:
            answered = bool(getattr(report, field if field != "market" else "market_id"))
        if not answered:
            missing[field] = message
    return missing
