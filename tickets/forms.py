"""Browser forms of the agent workspace. They only parse input; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneLookupForm(forms.Form):
    phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off",
                   "placeholder": "138 0013 8000 / 010-12345678"}
        ),
    )


class CustomerForm(forms.Form):
    """Shown on the same page as the lookup form: its own element ids (customer_phone)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "customer_%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
