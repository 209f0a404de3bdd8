"""Forms for writing, flagging, following and moderating in the Trade Dialogues."""

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogues import conf
from dialogues.models import Flag, NotificationPreference, Theme, Thread
from dialogues.selectors import themes_for_choice

MARKDOWN_HINT = _(
    "You can use Markdown: *italic*, **bold**, [a link](https://example.org), a blank line "
    "between paragraphs, - for a list and > to quote."
)


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        help_text=MARKDOWN_HINT,
        error_messages={"required": _("Write your reply before you post it.")},
    )
    quote = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        help_text=MARKDOWN_HINT,
        error_messages={"required": _("A post cannot be empty.")},
    )


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_(
            "Say what the barrier is and where, for example: Payment gateways refuse "
            "Kenyan merchants selling to the EU."
        ),
        error_messages={"required": _("Give your thread a title.")},
    )
    body = forms.CharField(
        label=_("Your first post"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        help_text=MARKDOWN_HINT,
        error_messages={"required": _("Write the first post of your thread.")},
    )


class ThreadFromReportForm(ThreadForm):
    theme = ThemeChoiceField(label=_("Theme"), queryset=Theme.objects.none())

    field_order = ["theme", "title", "body"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["theme"]).queryset = themes_for_choice()


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this post?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you are flagging this post.")},
    )
    note = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        help_text=_("Only moderators read this. Required if you chose something else."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Tell the moderators what is wrong with this post."))
        return cleaned


class NotificationSettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me about new posts in threads and themes I follow"),
        choices=NotificationPreference.Frequency.choices,
        widget=forms.RadioSelect,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the dialogues"), max_length=200, required=False)


# --- Moderation ------------------------------------------------------------------------------

REASON_HINT = _("Sent to the author. Required when you hide or remove.")


class PostModerationForm(forms.Form):
    """Approve, hide or remove one post; the reason goes to the author."""

    APPROVE, HIDE, REMOVE = "approve", "hide", "remove"
    ACTIONS = [
        (APPROVE, _("Approve")),
        (HIDE, _("Hide")),
        (REMOVE, _("Remove")),
    ]
    REASON_REQUIRED = {HIDE, REMOVE}

    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=REASON_HINT,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") in self.REASON_REQUIRED and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why, so the author can understand and act on it."))
        return cleaned


class BulkModerationForm(PostModerationForm):
    # Ticked in the list below the bar (checkboxes with form="bulk-form"), not drawn here.
    posts = forms.TypedMultipleChoiceField(label=_("Posts"), coerce=int, choices=[], required=False)

    def __init__(self, *args: Any, post_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["posts"]).choices = [(pk, pk) for pk in post_ids or []]
        self.fields["action"].label = _("Apply to the selected posts")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("posts"):
            self.add_error(None, _("Tick at least one post in the list below."))
        return cleaned


class QueueFilterForm(forms.Form):
    ALL, PENDING, FLAGGED, REPORTS, PEOPLE = "all", "pending", "flagged", "reports", "people"
    queue = forms.ChoiceField(
        label=_("Queue"),
        required=False,
        choices=[
            (ALL, _("Everything")),
            (PENDING, _("Posts waiting for approval")),
            (FLAGGED, _("Flagged posts")),
            (REPORTS, _("Reports awaiting triage")),
            (PEOPLE, _("Officials and join requests")),
        ],
    )
    theme = ThemeChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("Any theme")
    )
    reason = forms.ChoiceField(
        label=_("Flag reason"),
        required=False,
        choices=[("", _("Any reason")), *Flag.Reason.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["theme"]).queryset = themes_for_choice()


def _slow_mode_choices() -> list[tuple[int, str]]:
    """Built when a form is made, so the labels are in the reader's language."""
    return [(0, str(_("Off")))] + [
        (
            seconds,
            ngettext("%(count)d second between posts", "%(count)d seconds between posts", seconds)
            % {"count": seconds},
        )
        for seconds in conf.SLOW_MODE_CHOICES
        if seconds
    ]


def _suspension_choices() -> list[tuple[int, str]]:
    return [
        (days, ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
        for days in conf.SUSPENSION_DAYS_CHOICES
    ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Sent to the thread's author and kept in the audit log."),
    )
    reason_required = False

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if self.reason_required and not reason:
            raise forms.ValidationError(_("Say why, so the author can understand the decision."))
        return reason


class RequiredReasonForm(ReasonForm):
    reason_required = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _(
            "Say why, so the author can understand the decision."
        )


class SlowModeForm(ReasonForm):
    seconds = forms.TypedChoiceField(
        label=_("Wait between two posts"),
        coerce=int,
        choices=_slow_mode_choices,
        help_text=_("How long each member waits between two posts in this thread."),
    )
    field_order = ["seconds", "reason"]


class MoveForm(RequiredReasonForm):
    theme = ThemeChoiceField(label=_("Move to theme"), queryset=Theme.objects.none())
    field_order = ["theme", "reason"]

    def __init__(self, *args: Any, thread: Thread | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = themes_for_choice()
        if thread is not None:
            themes = themes.exclude(pk=thread.theme_id)
        cast(forms.ModelChoiceField, self.fields["theme"]).queryset = themes


class MergeForm(RequiredReasonForm):
    target = forms.IntegerField(
        label=_("Merge into thread number"),
        min_value=1,
        help_text=_("The number in the other thread's address: /dialogues/threads/NUMBER/."),
    )
    field_order = ["target", "reason"]

    def __init__(self, *args: Any, thread: Thread | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thread = thread

    def clean_target(self) -> Thread:
        target_id = self.cleaned_data["target"]
        if self.thread is not None and target_id == self.thread.pk:
            raise forms.ValidationError(_("Choose another thread: a thread cannot absorb itself."))
        target = Thread.objects.filter(pk=target_id, status=Thread.Status.OPEN).first()
        if target is None:
            raise forms.ValidationError(_("There is no open thread with this number."))
        return target


class ReportReferenceForm(ReasonForm):
    reference = forms.RegexField(
        label=_("Report reference"),
        regex=r"^\s*[Tt][Bb]-\d{4}-\d{5}\s*$",
        max_length=20,
        help_text=_("For example TB-2026-00042."),
        error_messages={"invalid": _("Enter a reference like TB-2026-00042.")},
    )
    field_order = ["reference", "reason"]

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class ReportUnlinkForm(ReasonForm):
    reference = forms.ChoiceField(label=_("Report to unlink"), choices=[])
    field_order = ["reference", "reason"]

    def __init__(self, *args: Any, thread: Thread | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if thread is not None:
            cast(forms.ChoiceField, self.fields["reference"]).choices = [
                (report.reference, f"{report.reference}: {report.title}")
                for report in thread.reports.order_by("reference")
            ]


class SuspensionForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Suspend for"), coerce=int, choices=_suspension_choices, initial=7
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Sent to the member and kept in the audit log."),
        error_messages={"required": _("Say why, so the member understands the suspension.")},
    )

    @property
    def ends(self):
        return timezone.now() + timedelta(days=self.cleaned_data["days"])


class OfficialResponseForm(forms.Form):
    is_response = forms.BooleanField(required=False, widget=forms.HiddenInput)
