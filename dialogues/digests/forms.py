"""The form an official uses to choose what their personalised digest keeps."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import CountryMultipleChoiceField
from portal.models import Country, Topic


class _Localised(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class DigestSubscriptionForm(forms.Form):
    markets = CountryMultipleChoiceField(
        label=_("Markets"),
        queryset=Country.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Keep reports about these markets. Hold Ctrl (Cmd on a Mac) to choose more than "
            "one. Choose none to keep every market."
        ),
    )
    topics = _Localised(
        label=_("E-commerce topics"),
        queryset=Topic.objects.filter(reportable=True).order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Keep reports and threads about these topics. Choose none to keep every topic."
        ),
    )
    email = forms.BooleanField(
        label=_("Email me a link when my weekly digest is ready"), required=False
    )


class _LocalisedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class DigestReportsFilterForm(forms.Form):
    """Narrow the week's list of reports to one market or one topic (GET, optional)."""

    market = _LocalisedChoice(
        label=_("Market"),
        queryset=Country.objects.order_by("name_en"),
        required=False,
        empty_label=_("All markets"),
    )
    topic = _LocalisedChoice(
        label=_("Topic"),
        queryset=Topic.objects.filter(reportable=True).order_by("position"),
        required=False,
        empty_label=_("All topics"),
    )
