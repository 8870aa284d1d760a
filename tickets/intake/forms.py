"""Browser forms of the agent workspace. They only parse input; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.validation import TEXT_MAX_LENGTH
from tickets.cases.models import CaseCategory, CaseKind
from tickets.contacts.models import Contact


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
        label=_("Notes"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IntakeForm(forms.Form):
    """Log the contact and open the case it is about, from the caller's card."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "intake_%s")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            CaseCategory.objects.filter(active=True, parent__isnull=False)
            .select_related("parent").order_by("kind", "ordering", "name")
        )
        self.fields["category"].label_from_instance = (
            lambda c: f"{c.get_kind_display()} · {c.name}"
        )

    customer = forms.IntegerField(widget=forms.HiddenInput)
    # The number the agent typed for this call: the card shows it back in full.
    caller_phone = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    queued_at = forms.DateTimeField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("Channel"), choices=Contact.Channel.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    # Required but for a complaint, which goes on to the complaint form (its own subject).
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    promised_callback_at = forms.DateTimeField(
        label=_("Promised call-back"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category is not None and category.kind != CaseKind.COMPLAINT \
                and not data.get("subject"):
            self.add_error("subject", self.fields["subject"].error_messages["required"])
        return data
