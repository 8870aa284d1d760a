"""Browser forms of customer registrations (客户报备). They only parse input; the rules live
in `tickets.registrations.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    """客户报备: every field is required (the completeness rule is the service's too)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "registration_%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30)
    expected_visit_at = forms.DateTimeField(
        label=_("Expected visit"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    is_relative = forms.BooleanField(label=_("Relative filing (亲戚单)"), required=False)


class RegistrationReasonForm(forms.Form):
    """Why a relative filing is rejected (optional) or a deal disputed (the dispute service
    asks for it)."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
