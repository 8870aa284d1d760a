"""Browser forms of the monthly person check. They only parse input; the rules live in
`complaints.checks.services` (texts required, who may act, the state and version)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.actions import RecordForm
from servicedesk.months import month_parse
from servicedesk.validation import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH


class MonthForm(forms.Form):
    """The month a list page shows (`?month=YYYY-MM`)."""

    month = forms.CharField(
        label=_("Month"), required=False, max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> Any:
        text = self.cleaned_data.get("month") or ""
        if not text:
            return None
        month = month_parse(text)
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2026-04."))
        return month


class _VersionedForm(RecordForm):
    """A step's form carries the version of the check the page showed: if the check moved
    on meanwhile, the step is refused (reload and look again)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                          min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.record.version


class ReportForm(_VersionedForm):
    analysis = forms.CharField(
        label=_("Analysis of the causes"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why did the complaints happen? What lies behind them?"),
    )
    measures = forms.CharField(
        label=_("Rectification measures and training"), required=False,
        max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changes, and which training is taken, by when."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a returned report is reworked, not written again from nothing
        self.fields["analysis"].initial = self.record.analysis
        self.fields["measures"].initial = self.record.measures


class AcceptForm(_VersionedForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)


class ReturnForm(_VersionedForm):
    note = forms.CharField(label=_("What needs rework"), required=False,
                           max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))
