"""Browser forms of the penalty ledger and the SLA excuses. They only parse input; the
rules live in `complaints.penalties.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.penalties.models import ExcuseReason
from servicedesk.actions import RecordForm
from servicedesk.validation import NOTE_MAX_LENGTH
from tickets.sla.models import TimerKind


def _note(label: str | object) -> forms.CharField:
    """A free text of a step, checked (and required where it must be) by the service."""
    return forms.CharField(label=label, required=False,  # type: ignore[arg-type]
                           max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))


class _VersionedForm(RecordForm):
    """Carries the version of the entry the page showed: a change made meanwhile is a
    conflict, not overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                          min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.record.version


class WaiveForm(_VersionedForm):
    reason = _note(_("Reason"))


class AdjustForm(_VersionedForm):
    amount = forms.DecimalField(label=_("Amount charged (yuan)"), min_value=0,
                                max_digits=12, decimal_places=2)
    reason = _note(_("Reason"))


class ExcuseRequestForm(forms.Form):
    """A supervisor names the case and its late clock; the page finds the clock."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "excuse_%s")
        super().__init__(*args, **kwargs)

    case_number = forms.CharField(label=_("Case number"), max_length=20)
    clock = forms.ChoiceField(label=_("Late clock"), choices=[
        (TimerKind.ACCEPTANCE.value, TimerKind.ACCEPTANCE.label),
        (TimerKind.RESOLUTION.value, TimerKind.RESOLUTION.label),
    ])
    reason_kind = forms.ChoiceField(label=_("Special reason"), choices=ExcuseReason.choices)
    note = _note(_("Explanation"))


class ExcuseDecisionForm(forms.Form):
    note = _note(_("Note"))
