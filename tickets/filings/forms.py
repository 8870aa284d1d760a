"""Browser forms of feedback and delay filings. They only parse input; the rules live in
`tickets.filings.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from servicedesk.actions import RecordForm
from servicedesk.presenters import person_name
from servicedesk.validation import TEXT_MAX_LENGTH
from tickets.cases.models import CaseCategory
from tickets.cases.selectors import assignable_staff
from tickets.customers.models import Customer
from tickets.filings.models import DelayFiling, FeedbackFiling

_DATE: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CustomerCodeField(forms.CharField):
    """A customer picked by code (C202405001)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Customer code"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value).strip().upper()
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this code."))
        return customer


class FeedbackFilingForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "feedback_%s")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            CaseCategory.objects.filter(active=True, parent__isnull=False,
                                        kind__in=["consultation", "suggestion"])
            .order_by("kind", "ordering", "name")
        )
        self.fields["category"].label_from_instance = (
            lambda c: f"{c.get_kind_display()} · {c.name}"
        )

    customer = CustomerCodeField()
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackFiling.Kind.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    description = forms.CharField(label=_("Description"), max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackHandOverForm(RecordForm):
    """Offers only who may see and work the filing (`assignable_staff`); the service
    checks again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handler = self.fields["handler"]
        handler.queryset = assignable_staff(self.record)
        handler.label_from_instance = person_name  # a person's name, as every page shows it

    handler = forms.ModelChoiceField(label=_("Handler"),
                                     queryset=get_user_model().objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DelayFilingForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "delay_%s")
        super().__init__(*args, **kwargs)

    customer = CustomerCodeField()
    order_reference = forms.CharField(label=_("Order reference"), max_length=64)
    original_ship_date = forms.DateField(label=_("Original ship date"), **_DATE)
    new_promised_date = forms.DateField(label=_("New promised date"), **_DATE)
    reason = forms.ChoiceField(label=_("Reason"), choices=DelayFiling.Reason.choices)
    reason_detail = forms.CharField(
        label=_("Reason detail"), max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), **_DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CompensateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Compensation"), choices=DelayFiling.CompensationKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
