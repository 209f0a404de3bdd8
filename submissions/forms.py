"""Forms for filing (one step each), evidence, finding, co-signing, answering and triage."""

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from portal.fields import TextField
from portal.forms import CountryChoiceField, LocalisedModelChoiceField
from portal.models import Country, HsChapter, NtmChapter, Sector, Topic
from submissions import files
from submissions.models import PUBLISHED_STATUSES, BarrierReport, CoSignature, ReportAlert
from submissions.permissions import NOTE_REQUIRED_FOR
from submissions.selectors import SORT_MOST_COSIGNED, SORT_NEWEST

Status = BarrierReport.Status


class LocalisedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def _blank_choice(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class HintedChoicesMixin:
    """Radio and checkbox options with a hint under each label (GOV.UK "conditional hints")."""

    def options_with_hints(self, name: str, hints: dict[str, str]) -> list[tuple[Any, str]]:
        bound = self[name]  # type: ignore[index]
        return [(option, hints.get(str(option.data["value"]), "")) for option in bound]


# --- Filing steps -------------------------------------------------------------------------------


class AboutStepForm(forms.Form):
    title = TextField(
        label=_("Title"),
        max_length=200,
        help_text=_(
            "A few words that name the barrier, for example: Kenyan coffee held at EU customs for"
            " lack of a paper certificate."
        ),
        error_messages={"required": _("Give your report a title.")},
    )
    summary = TextField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "In up to 500 characters: what stops you, where, and since when. This is shown in "
            "lists and search results."
        ),
        error_messages={
            "required": _("Write a short summary of the barrier."),
        },
    )


class MarketStepForm(forms.Form):
    market = CountryChoiceField(
        label=_("Affected market"),
        queryset=Country.objects.filter(status=Country.Status.MEMBER),
        empty_label=_("Choose a WTO member"),
        help_text=_("The WTO member whose rules or practice cause the barrier."),
        error_messages={"required": _("Choose the market where you met the barrier.")},
    )
    trade_direction = forms.ChoiceField(
        label=_("Were you exporting or importing?"),
        choices=BarrierReport.TradeDirection.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you were exporting or importing.")},
    )
    delivery_mode = forms.ChoiceField(
        label=_("What do you trade?"),
        choices=BarrierReport.DeliveryMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say what you trade: goods, services or digitally delivered products.")
        },
    )


class TopicsStepForm(forms.Form):
    topics = LocalisedModelMultipleChoiceField(
        label=_("Which e-commerce topics does the barrier touch?"),
        queryset=Topic.objects.filter(reportable=True).order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply."),
        error_messages={"required": _("Choose at least one e-commerce topic.")},
    )

    GROUPS = (
        (Topic.Kind.PRACTICAL, _("Practical barriers small firms meet")),
        (Topic.Kind.ARTICLE, _("Topics of the WTO Agreement on Electronic Commerce")),
        (Topic.Kind.EXTENSION, _("Topics negotiated but not in the Agreement")),
    )

    def topic_groups(self) -> list[tuple[Any, list[Any]]]:
        """The checkboxes grouped by kind, practical barriers first."""
        options = list(self["topics"])
        groups = []
        for kind, label in self.GROUPS:
            members = [option for option in options if option.data["value"].instance.kind == kind]
            if members:
                groups.append((label, members))
        return groups


class NtmChapterField(forms.ModelChoiceField):
    """An NTM chapter, labelled with its code as the classification prints it."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code}. {obj.name}"


class HsChaptersField(forms.CharField):
    """HS chapters typed as two-digit codes ("09, 21"): far lighter than 97 checkboxes."""

    def to_python(self, value: Any) -> list[HsChapter]:  # type: ignore[override]
        text = super().to_python(value)
        codes = re.findall(r"\d+", text or "")
        if not codes:
            if text and text.strip():
                raise ValidationError(
                    _("Enter HS chapters as two-digit numbers separated by commas, like 09, 61.")
                )
            return []
        normalised = []
        for code in codes:
            if len(code) > 2:
                raise ValidationError(
                    _("%(code)s is not an HS chapter: chapters have two digits, 01 to 97."),
                    params={"code": code},
                )
            normalised.append(code.zfill(2))
        chapters = {c.code: c for c in HsChapter.objects.filter(code__in=normalised)}
        unknown = [code for code in normalised if code not in chapters or chapters[code].reserved]
        if unknown:
            raise ValidationError(
                _(
                    "%(codes)s: not an HS chapter in use. Chapters run from 01 to 97 (77 is "
                    "reserved)."
                ),
                params={"codes": ", ".join(unknown)},
            )
        return [chapters[code] for code in dict.fromkeys(normalised)]

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(getattr(item, "code", str(item)) for item in value)
        return value or ""


class ProductsStepForm(HintedChoicesMixin, forms.Form):
    ntm_chapter = NtmChapterField(
        label=_("What kind of measure is it?"),
        queryset=NtmChapter.objects.order_by("code"),
        widget=forms.RadioSelect,
        required=False,
        empty_label=_("Not sure, or none of these"),
        help_text=_(
            "Based on UNCTAD's classification of non-tariff measures. Leave it if you "
            "are not sure: moderators can help."
        ),
    )
    hs_chapters = HsChaptersField(
        label=_("HS chapters of your products"),
        required=False,
        max_length=200,
        help_text=_(
            "Two-digit Harmonized System chapters, separated by commas, for example 09 "
            "for coffee or 61 for knitted clothing."
        ),
    )
    sector = forms.ChoiceField(
        label=_("Your sector"),
        choices=[*_blank_choice(_("Choose a sector")), *Sector.choices],
        error_messages={"required": _("Choose your sector.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def ntm_options(self) -> list[tuple[Any, str]]:
        hints = {chapter.code: chapter.hint for chapter in NtmChapter.objects.all()}
        return self.options_with_hints("ntm_chapter", hints)


class DescriptionStepForm(forms.Form):
    description = TextField(
        label=_("Describe what happened"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What you were trying to do, which rule or practice stopped you, who you dealt with, "
            "and what it meant for your business. Do not include personal data about other "
            "people."
        ),
        error_messages={"required": _("Describe what happened.")},
    )


STILL_ACTIVE_CHOICES = [
    ("yes", _("Yes, it is still a problem")),
    ("no", _("No, not any more")),
    ("unknown", _("We are not sure")),
]


class ImpactStepForm(forms.Form):
    first_month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[*_blank_choice(_("Month")), *MONTHS.items()],
        coerce=int,
        required=False,
        empty_value=None,
    )
    first_year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1995,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--year"}),
        error_messages={"min_value": _("Enter a year from 1995 onwards.")},
    )
    still_active = forms.ChoiceField(
        label=_("Is it still a problem?"),
        choices=STILL_ACTIVE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    cost_band = forms.ChoiceField(
        label=_("Roughly what does it cost you a year?"),
        choices=BarrierReport.CostBand.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Lost sales, extra fees and staff time, in US dollars."),
    )

    def __init__(self, *args: Any, initial: dict[str, Any] | None = None, **kwargs: Any) -> None:
        initial = dict(initial or {})
        first = initial.pop("first_encountered", None)
        if first:
            initial.update(first_month=first.month, first_year=first.year)
        still_active = initial.get("still_active")
        initial["still_active"] = {True: "yes", False: "no"}.get(still_active, "")  # type: ignore[arg-type]
        super().__init__(*args, initial=initial, **kwargs)  # type: ignore[misc]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        month, year = cleaned.get("first_month"), cleaned.get("first_year")
        if year and year > timezone.now().year:
            self.add_error("first_year", _("The year cannot be in the future."))
        elif month and not year and "first_year" not in self.errors:
            self.add_error("first_year", _("Enter the year as well as the month."))
        elif year and not month:
            self.add_error("first_month", _("Choose the month as well as the year."))
        elif month and year and date(year, month, 1) > timezone.now().date():
            self.add_error("first_month", _("The date cannot be in the future."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        month, year = cleaned.get("first_month"), cleaned.get("first_year")
        return {
            "first_encountered": date(year, month, 1) if month and year else None,
            "still_active": {"yes": True, "no": False}.get(cleaned.get("still_active") or ""),
            "cost_band": cleaned.get("cost_band") or "",
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked on its own (see EvidenceStepForm)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": files.ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [item for item in data if item]
        return [data] if data else []


class EvidenceStepForm(forms.Form):
    """What the firm has tried, and evidence files. Each file is checked and stored by
    services.attachment_add; a refused file is named in this form's errors and does not
    lose the text."""

    steps_taken = TextField(
        label=_("What have you done about it so far?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: asked customs for a ruling, contacted the embassy, changed supplier."
        ),
    )
    # Declared fields leave the class (DeclarativeFieldsMetaclass): no clash with Form.files.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Evidence files"),
        required=False,
        help_text=_(
            "Up to 5 files of at most 10 MB each: PDF, PNG, JPEG, Word (DOCX), Excel "
            "(XLSX) or CSV. For example a refusal letter, an invoice or a screenshot of an error."
        ),
    )


class VisibilityStepForm(HintedChoicesMixin, forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who can read your report?"),
        choices=BarrierReport.Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who can read your report.")},
    )
    language = forms.ChoiceField(
        label=_("Language of your report"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("The language you wrote it in. Readers see it in that language."),
        error_messages={"required": _("Choose the language of your report.")},
    )

    def visibility_options(self) -> list[tuple[Any, str]]:
        return self.options_with_hints(
            "visibility",
            {
                BarrierReport.Visibility.PUBLIC: str(
                    _(
                        "Anyone can read it, with your organisation's name. Best for getting a "
                        "barrier fixed."
                    )
                ),
                BarrierReport.Visibility.ANONYMISED: str(
                    _(
                        "Anyone can read it, but it says only something like “a small "
                        "enterprise in Kenya, agri-food sector”. Your evidence files stay "
                        "with officials and moderators."
                    )
                ),
                BarrierReport.Visibility.OFFICIALS_ONLY: str(
                    _(
                        "Only verified government and international-organisation officials, "
                        "moderators and your organisation can read it. It is not in search "
                        "results or open data for the public."
                    )
                ),
            },
        )


STEP_FORMS: dict[str, type[forms.Form]] = {
    "about": AboutStepForm,
    "market": MarketStepForm,
    "topics": TopicsStepForm,
    "products": ProductsStepForm,
    "description": DescriptionStepForm,
    "impact": ImpactStepForm,
    "evidence": EvidenceStepForm,
    "visibility": VisibilityStepForm,
}


def step_initial(step: str, report: BarrierReport) -> dict[str, Any]:
    """A step form's initial values from the saved draft."""
    if step == "impact":
        return {
            "first_encountered": report.first_encountered,
            "still_active": report.still_active,
            "cost_band": report.cost_band,
        }
    initial: dict[str, Any] = {}
    for name in STEP_FORMS[step].base_fields:
        if name == "files":
            continue
        if name in {"topics", "hs_chapters"}:
            initial[name] = list(getattr(report, name).all())
        elif name in {"market", "ntm_chapter"}:
            initial[name] = getattr(report, f"{name}_id")
        else:
            initial[name] = getattr(report, name)
    return initial


def step_changes(step: str, form: forms.Form) -> dict[str, Any]:
    """The draft fields a valid step form sets."""
    if isinstance(form, ImpactStepForm):
        return form.changes()
    changes = {name: value for name, value in form.cleaned_data.items() if name != "files"}
    if step == "products":
        changes["hs_chapters"] = changes.get("hs_chapters") or []
    return changes


# --- Finding reports ------------------------------------------------------------------------------


class ReportFilterFields(forms.Form):
    """The filters a saved alert shares with the report list."""

    topic = LocalisedModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(reportable=True).order_by("position"),
        required=False,
        empty_label=_("All topics"),
    )
    ntm_chapter = NtmChapterField(
        label=_("Type of measure"),
        queryset=NtmChapter.objects.order_by("code"),
        required=False,
        empty_label=_("All types"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[*_blank_choice(_("All sectors")), *Sector.choices],
        required=False,
    )


class ReportFilterForm(ReportFilterFields):
    field_order = ["q", "market", "topic", "ntm_chapter", "sector", "status", "sort"]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    market = CountryChoiceField(
        label=_("Market"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("All markets"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            *_blank_choice(_("Any status")),
            *((status.value, status.label) for status in PUBLISHED_STATUSES),
        ],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[(SORT_NEWEST, _("Newest first")), (SORT_MOST_COSIGNED, _("Most co-signed first"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


# --- Co-signing, answering, triage -------------------------------------------------------------


class CoSignForm(forms.Form):
    impact = forms.ChoiceField(
        label=_("How much does this barrier affect you?"),
        choices=CoSignature.Impact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how much the barrier affects you.")},
    )
    comment = TextField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it means for you, in a sentence or two. Shown with your co-signature."),
    )


class OfficialResponseForm(forms.Form):
    body = TextField(
        label=_("Your official response"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown on the report with your name, your organisation and the Official badge."
        ),
        error_messages={"required": _("Write your response before you post it.")},
    )


class TriageForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    note = TextField(
        label=_("Note to the reporter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Sent to the reporter by email and shown on their timeline. Required when you request"
            " changes, reject or close as a duplicate."
        ),
    )
    duplicate_of = forms.CharField(
        label=_("Reference of the original report"),
        required=False,
        max_length=20,
        help_text=_("Only when you close the report as a duplicate, for example TB-2026-00042."),
    )

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = [
            (status, Status(status).label) for status in allowed
        ]

    def clean_duplicate_of(self) -> BarrierReport | None:
        reference = self.cleaned_data.get("duplicate_of", "").strip().upper()
        if not reference:
            return None
        original = BarrierReport.objects.filter(reference=reference).first()
        if original is None:
            raise ValidationError(
                _("There is no report %(reference)s."), params={"reference": reference}
            )
        return original

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        status = cleaned.get("to_status")
        if status in NOTE_REQUIRED_FOR and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Tell the reporter why: your note is sent to them."))
        if (
            status == Status.DUPLICATE
            and not cleaned.get("duplicate_of")
            and "duplicate_of" not in self.errors
        ):
            self.add_error("duplicate_of", _("Give the reference of the original report."))
        return cleaned


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(status, label) for status, label in Status.choices if status != Status.DRAFT],
        required=False,
        initial=Status.SUBMITTED,
    )
    market = CountryChoiceField(
        label=_("Market"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("All markets"),
    )
    topic = LocalisedModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(reportable=True).order_by("position"),
        required=False,
        empty_label=_("All topics"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": Status.SUBMITTED}
        filters = dict(self.cleaned_data)
        filters["status"] = filters.get("status") or Status.SUBMITTED
        return filters


# --- Alerts ----------------------------------------------------------------------------------


class AlertForm(ReportFilterFields, forms.ModelForm):
    """A saved search: the report list's filters, a name and how often to hear."""

    name = forms.CharField(
        label=_("Name of the alert"),
        max_length=100,
        help_text=_("For you, and in the subject of each email. For example: Kenya, payments."),
        error_messages={"required": _("Give the alert a name.")},
    )
    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        help_text=_("Reports containing every one of these words. Leave empty for all."),
    )
    market = LocalisedModelChoiceField(
        label=_("Market"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("All markets"),
    )
    frequency = forms.ChoiceField(
        label=_("How often should we email you?"),
        choices=ReportAlert.Frequency.choices,
        widget=forms.RadioSelect,
        initial=ReportAlert.Frequency.WEEKLY,
    )

    class Meta:
        model = ReportAlert
        fields = ["name", "q", "market", "topic", "ntm_chapter", "sector", "frequency"]


class AlertFrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"), choices=ReportAlert.Frequency.choices, widget=forms.RadioSelect
    )
