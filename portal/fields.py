"""Form fields that keep what a person typed or pasted and explain what is wrong with it.

A `maxlength` attribute makes the browser cut a pasted text silently at the limit, so the
person never learns that the end of their title is gone. `TextField` checks the length on
the server instead and says by how much it is over: "200 characters at most; yours has
5,000." (numbers written the reader's way), with the whole text kept in the form.
"""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


class LengthValidator(MaxLengthValidator):
    message = _("%(limit_value)s characters at most; yours has %(show_value)s.")

    def __call__(self, value: Any) -> None:
        # Same check as Django's, with both numbers grouped as the active language writes them.
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            raise forms.ValidationError(
                self.message,
                code=self.code,
                params={
                    "limit_value": number_format(self.limit_value, force_grouping=True),
                    "show_value": number_format(length, force_grouping=True),
                    "value": value,
                },
            )


class TextField(forms.CharField):
    """A CharField whose length limit is checked on the server only (no `maxlength`)."""

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        if max_length is not None:
            self.validators.append(LengthValidator(max_length))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
