"""Forms for signing up, deciding on members and officials, filtering the audit log and
deleting an account."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal import selectors, services
from portal.models import Country, Organisation, OrganisationType, Sector, User
from portal.widgets import FastSelect


class LocalisedModelChoiceField(forms.ModelChoiceField):
    """Shows the row's name in the reader's language."""

    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class OrganisationChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.country.name})"


class SignupForm(forms.Form):
    """Extra signup fields; allauth adds email and password and calls `signup`."""

    NEW = "new"
    JOIN = "join"

    full_name = forms.CharField(label=_("Full name"), max_length=150, strip=True)
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=150,
        required=False,
        help_text=_("Helps moderators verify official accounts."),
    )
    organisation_choice = forms.ChoiceField(
        label=_("Your organisation"),
        choices=[
            (NEW, _("Register a new organisation")),
            (JOIN, _("Ask to join an organisation already on the portal")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False
    )
    organisation_type = LocalisedModelChoiceField(
        label=_("Type of organisation"),
        queryset=OrganisationType.objects.all(),
        required=False,
        help_text=_(
            "Government, regulator, customs, trade-promotion and international-organisation "
            "accounts are verified before they show the Official badge."
        ),
    )
    organisation_country = LocalisedModelChoiceField(
        label=_("Country or customs territory"), queryset=Country.objects.all(), required=False
    )
    organisation_sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("Choose a sector")), *Sector.choices],
        required=False,
    )
    organisation_website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("For example https://example.com"),
    )
    existing_organisation = OrganisationChoiceField(
        label=_("Organisation to join"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Its administrator, or a moderator, will approve your request."),
    )

    # Required or not depending on organisation_choice; not marked "(optional)".
    CONDITIONAL_FIELDS = (
        "organisation_name",
        "organisation_type",
        "organisation_country",
        "organisation_sector",
        "existing_organisation",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["existing_organisation"]
        ).queryset = selectors.organisations_for_signup()
        for name in self.CONDITIONAL_FIELDS:
            self.fields[name].conditional = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        choice = cleaned.get("organisation_choice")
        if choice == self.NEW:
            required = {
                "organisation_name": _("Enter the name of your organisation."),
                "organisation_type": _("Choose the type of your organisation."),
                "organisation_country": _("Choose the country of your organisation."),
                "organisation_sector": _("Choose the sector of your organisation."),
            }
            for field, message in required.items():
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, message)
            name, country = cleaned.get("organisation_name"), cleaned.get("organisation_country")
            if (
                name
                and country
                and Organisation.objects.filter(name__iexact=name.strip(), country=country).exists()
            ):
                self.add_error(
                    "organisation_name",
                    _("This organisation is already registered. Ask to join it instead."),
                )
        elif (
            choice == self.JOIN
            and not cleaned.get("existing_organisation")
            and "existing_organisation" not in self.errors
        ):
            self.add_error("existing_organisation", _("Choose the organisation you want to join."))
        return cleaned

    def signup(self, request: Any, user: User) -> None:
        data = self.cleaned_data
        user.full_name = data["full_name"]
        user.job_title = data.get("job_title", "")
        language = (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE)[:2]
        user.language = language if language in dict(settings.LANGUAGES) else "en"
        user.save(update_fields=["full_name", "job_title", "language"])
        if data["organisation_choice"] == self.NEW:
            services.organisation_create(
                name=data["organisation_name"],
                org_type=data["organisation_type"],
                country=data["organisation_country"],
                sector=data["organisation_sector"],
                website=data.get("organisation_website", ""),
                creator=user,
            )
        else:
            services.membership_request(user=user, organisation=data["existing_organisation"])


class DecisionForm(forms.Form):
    """Approve or decline, with a reason that is sent to the person concerned."""

    APPROVE = "approve"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Sent to the person concerned. Required when you decline."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("reason"):
            self.add_error("reason", _("Say why you decline, so the person can act on it."))
        return cleaned

    @property
    def approved(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class VerifiedDomainForm(forms.Form):
    domain = forms.RegexField(
        label=_("Email domain"),
        regex=r"^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
        max_length=253,
        help_text=_(
            "For example trade.gov.ke. People who confirm an address at this domain "
            "are verified as officials."
        ),
        error_messages={"invalid": _("Enter a domain such as trade.gov.ke, without spaces.")},
    )
    organisation_name = forms.CharField(
        label=_("Whose domain is it?"),
        max_length=200,
        help_text=_("For example Ministry of Trade, Kenya."),
    )


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Moderator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = selectors.moderators()
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("Any action")),
            *((action, action) for action in selectors.audit_actions()),
        ]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "language"]
        labels = {
            "full_name": _("Full name"),
            "job_title": _("Job title"),
            "language": _("Language for emails"),
        }


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that deleting my account cannot be undone"),
        error_messages={
            "required": _("Tick the box to confirm that you want to delete your account."),
        },
    )
