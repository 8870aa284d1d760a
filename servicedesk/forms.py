"""Browser forms of the shared kernel. Field-level messages, Chinese first."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from servicedesk.calendars import calendar_add, parse_duration
from servicedesk.models import BusinessCalendar
from servicedesk.worktime import MAX_YEAR, MIN_YEAR, NoWorkingTime


@dataclass(frozen=True)
class DeadlineResult:
    deadline_iso: str
    deadline_display: str
    warnings: list[str]


class DeadlineForm(forms.Form):
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=BusinessCalendar.objects.order_by("name"),
        to_field_name="name",
        error_messages={"invalid_choice": _("Unknown calendar.")},
    )
    start = forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Beijing time"),
    )
    duration = forms.CharField(
        label=_("Business duration"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "8h · 90m · 1h30m"}),
    )

    def clean_start(self):
        """A start the calendar engine can count from (its years, with a year to spare at
        either end for the duration), not year 1 or 9999."""
        start = self.cleaned_data["start"]
        if not MIN_YEAR < timezone.localtime(start).year < MAX_YEAR:
            raise forms.ValidationError(
                _("Give a start between the years %(first)d and %(last)d.")
                % {"first": MIN_YEAR + 1, "last": MAX_YEAR - 1}
            )
        return start

    def clean_duration(self):
        try:
            return parse_duration(self.cleaned_data["duration"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def compute(self) -> DeadlineResult | None:
        """The deadline, or None with a form error when the calendar has no working time."""
        try:
            deadline, warnings = calendar_add(
                calendar=self.cleaned_data["calendar"].name,
                start=self.cleaned_data["start"],
                duration=self.cleaned_data["duration"],
            )
        except NoWorkingTime as exc:
            self.add_error("calendar", str(exc))
            return None
        local = timezone.localtime(deadline)
        return DeadlineResult(
            deadline_iso=deadline.isoformat(),
            deadline_display=date_format(local, "Y-m-d H:i (D)"),
            warnings=[str(w) for w in warnings],
        )
