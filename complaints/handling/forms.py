"""Browser forms of the complaint pages: the intake form, the list's filters and one form per
step of the complaint page. They only parse input (a customer code or phone to the customer,
a Beijing datetime-local to an aware instant); the rules live in
`complaints.handling.services`, whose field errors come back onto these forms.

Field names are the services' keyword arguments, so a valid form's `cleaned_data` is the
call (`servicedesk.actions.Actions.take` passes it through)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.handling.models import (
    SUGGESTIBLE_GRADES,
    Complaint,
    ComplaintType,
    Emotion,
    Impact,
    Procedure,
    ProposalResponse,
    Satisfaction,
    Source,
    Temperament,
    Verdict,
)
from complaints.handling.selectors import responsible_candidates
from servicedesk.actions import RecordForm
from servicedesk.models import Department
from servicedesk.validation import LINE_MAX_LENGTH, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from tickets.contacts.models import Contact
from tickets.customers.models import Customer
from tickets.customers.selectors import customer_find_by_phone

_LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _local_datetime(label: Any, *, required: bool = False) -> forms.DateTimeField:
    """A `datetime-local` input, read as Beijing time (the active time zone)."""
    return forms.DateTimeField(
        label=label, required=required, input_formats=_LOCAL_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _text(label: Any, *, required: bool = True, rows: int = 3,
          max_length: int = NOTE_MAX_LENGTH, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


# --- intake ---------------------------------------------------------------------------------

AS_SUGGESTED = _("As suggested")
AS_SUGGESTED_GRADE = _("As suggested (%(grade)s)")


class CustomerReferenceField(forms.CharField):
    """The customer by code (C2026…) or by phone number however written: the customer,
    or a field error when none or several customers answer to it."""

    default_error_messages = {
        "unknown": _("No customer has this code or phone number. Register the caller on the "
                     "incoming-call page first."),
        "ambiguous": _("Several customers have this phone number (%(codes)s): give the "
                       "customer code."),
    }

    def __init__(self, *, customers: QuerySet[Customer] | None = None, **kwargs: Any):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.customers = customers if customers is not None else Customer.objects.none()

    def clean(self, value: Any) -> Customer | None:
        text = super().clean(value)
        if not text:
            return None
        by_code = self.customers.filter(code__iexact=text.strip()).first()
        if by_code is not None:
            return by_code
        visible = self.customers.values("pk")
        found = list(customer_find_by_phone(phone=text).filter(pk__in=visible)[:6])
        if not found:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if len(found) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous",
                                  params={"codes": "、".join(c.code for c in found[:5])})
        return found[0]


class ComplaintIntakeForm(forms.Form):
    """A complaint as the agent takes it on the call (or from a letter, the opinion board…):
    who, what, from where, the four grading criteria, the complainant's temperament and the
    decided grade ("" = as suggested). `contact` is the call logged on the incoming-call
    page, carried along (hidden)."""

    customer = CustomerReferenceField(
        label=_("Customer"),
        help_text=_("Customer code, or the phone number the customer is registered with."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False,
                                     widget=forms.HiddenInput)
    type = forms.ModelChoiceField(label=_("Complaint type"), queryset=ComplaintType.objects.none(),
                                  empty_label=_("— choose —"))
    source = forms.ChoiceField(label=_("Source"),
                               choices=[("", _("— choose —")), *Source.choices])
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=LINE_MAX_LENGTH,
        help_text=_("Empty: the type's name (产品故障投诉)."),
    )
    description = _text(_("What the customer complains about"), rows=4,
                        max_length=TEXT_MAX_LENGTH)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices,
                                  widget=forms.RadioSelect, initial=Procedure.NONE)
    emotion = forms.ChoiceField(label=_("Customer emotion"), choices=Emotion.choices,
                                widget=forms.RadioSelect, initial=Emotion.CALM)
    loss_yuan = forms.DecimalField(
        label=_("Economic loss to the company (yuan)"), min_value=0, max_digits=12,
        decimal_places=2, initial=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    impact = forms.ChoiceField(label=_("Public image impact"), choices=Impact.choices,
                               widget=forms.RadioSelect, initial=Impact.NONE)
    temperament = forms.ChoiceField(
        label=_("Complainant's temperament"), required=False,
        choices=[("", _("— not judged —")), *Temperament.choices],
    )
    grade = forms.ChoiceField(
        label=_("Grade decided"), required=False,
        choices=[("", AS_SUGGESTED), *((g.value, g.label) for g in SUGGESTIBLE_GRADES)],
    )
    grade_reason = _text(_("Why another grade than the suggestion"), required=False, rows=2)

    def __init__(self, *args: Any, customers: QuerySet[Customer],
                 contacts: QuerySet[Contact], **kwargs: Any):
        kwargs.setdefault("auto_id", "complaint_%s")
        super().__init__(*args, **kwargs)
        self.fields["customer"].customers = customers  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["type"].queryset = (  # type: ignore[attr-defined]
            ComplaintType.objects.filter(active=True).order_by("ordering", "name"))
        # the page's script names the suggestion after it: "As suggested (A)"
        self.fields["grade"].widget.attrs.update({
            "data-as-suggested": AS_SUGGESTED, "data-as-suggested-grade": AS_SUGGESTED_GRADE})

    def as_suggested(self, grade: str) -> None:
        """Name the suggestion in the "as suggested" choice: "As suggested (A)"."""
        field = self.fields["grade"]
        field.choices = [  # type: ignore[attr-defined]
            ("", AS_SUGGESTED_GRADE % {"grade": grade}),
            *field.choices[1:]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact = data.get("contact")
        customer = data.get("customer")
        if contact is not None and customer is not None and contact.customer_id not in (
                None, customer.pk):
            self.add_error("customer", _("The call logged was with another customer."))
        return data

    def criteria(self) -> dict[str, Any]:
        """The four criteria as typed so far (bound) or as the form starts (unbound), for
        the grade the server shows without the page's script."""
        if not self.is_bound:
            return {name: self.fields[name].initial
                    for name in ("procedure", "emotion", "loss_yuan", "impact")}
        values: dict[str, Any] = {}
        for name in ("procedure", "emotion", "loss_yuan", "impact"):
            field = self.fields[name]
            try:
                values[name] = field.clean(field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)))
            except ValidationError:
                values[name] = None
        return values


# --- the complaint page's steps -------------------------------------------------------------


class StepForm(RecordForm):
    """A step's form: the complaint's version as the page read it (hidden; a step on a
    complaint that moved on since is refused as stale)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, record: Complaint, **kwargs: Any):
        super().__init__(*args, record=record, **kwargs)
        self.fields["expected_version"].initial = record.version


class RegradeForm(StepForm):
    grade = forms.ChoiceField(label=_("New grade"),
                              choices=[(g.value, g.label) for g in SUGGESTIBLE_GRADES])
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args: Any, record: Complaint, **kwargs: Any):
        super().__init__(*args, record=record, **kwargs)
        self.fields["grade"].initial = record.grade


class DispatchForm(StepForm):
    department = forms.ModelChoiceField(label=_("Handling department"),
                                        queryset=Department.objects.none())
    reason = _text(_("Reason for another department than the type's"), required=False,
                   rows=2)

    def __init__(self, *args: Any, record: Complaint, **kwargs: Any):
        super().__init__(*args, record=record, **kwargs)
        owner_id = record.type.owner_department_id
        self.fields["department"].queryset = (  # type: ignore[attr-defined]
            Department.objects.filter(Q(kind=Department.Kind.BUSINESS) | Q(pk=owner_id))
            .order_by("name"))
        self.fields["department"].initial = owner_id


class VerdictForm(StepForm):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices,
                                widget=forms.RadioSelect)
    responsible = forms.ModelChoiceField(label=_("Responsible person"),
                                         queryset=get_user_model().objects.none())
    fix = _text(_("Improvement measures (for an invalid complaint: what the customer is "
                  "told)"))
    reason = _text(_("Note"), required=False, rows=2)
    repeat_by_neglect = forms.BooleanField(
        label=_("This repeat complaint was caused by neglect of the first one"),
        required=False)

    def __init__(self, *args: Any, record: Complaint, **kwargs: Any):
        super().__init__(*args, record=record, **kwargs)
        responsible = self.fields["responsible"]
        responsible.queryset = responsible_candidates(record)  # type: ignore[attr-defined]
        responsible.label_from_instance = _staff_label  # type: ignore[attr-defined]
        if record.repeat_of_id is None:
            del self.fields["repeat_by_neglect"]


def _staff_label(user: Any) -> str:
    from servicedesk.presenters import person_name

    profile = getattr(user, "staff_profile", None)
    role = profile.get_role_display() if profile is not None else ""
    return f"{person_name(user)} · {role}" if role else person_name(user)


class ProposeForm(StepForm):
    text = _text(_("Proposal told to the customer"))
    response = forms.ChoiceField(
        label=_("Customer's response"), widget=forms.RadioSelect,
        choices=[(ProposalResponse.ACCEPTED.value, ProposalResponse.ACCEPTED.label),
                 (ProposalResponse.REJECTED.value, ProposalResponse.REJECTED.label)],
    )
    fix_by = _local_datetime(_("Fix promised by"))
    response_note = _text(_("Customer's words"), required=False, rows=2)


class EscalateForm(StepForm):
    reason = _text(_("Why the department cannot settle it"))


class InterimForm(StepForm):
    text = _text(_("Interim result"))


class ResolveForm(StepForm):
    final_result = _text(_("Final result"))
    handed_in_at = _local_datetime(_("Handed in at (empty: now)"))


class FollowUpForm(StepForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    note = _text(_("Note"), required=False, rows=2)


class CloseForm(StepForm):
    final_result = _text(_("Final result"), required=False, rows=2,
                         help_text=_("Needed when no final result has been handed in yet."))

    def __init__(self, *args: Any, record: Complaint, **kwargs: Any):
        super().__init__(*args, record=record, **kwargs)
        if record.final_result:
            del self.fields["final_result"]
