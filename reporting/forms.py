"""Browser forms of the reporting pages: the dashboard's filters (choices limited to what
the user may see) and, for the cases behind a figure, which figure."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.sla_selectors import (
    FIGURE_STATES,
    NO_DEADLINE,
    NO_TEAM,
    OPEN,
    PERIODS,
    STATE_COLUMNS,
    UNGRADED,
    Figure,
    SlaFilters,
    sla_dashboard_filter_choices,
)
from tickets.cases.models import CaseGrade, CaseKind

ANY = [("", _("All"))]
GRADE_CHOICES = [*ANY, *CaseGrade.choices, (UNGRADED, _("Ungraded"))]
KIND_CHOICES = [*ANY, *CaseKind.choices]
STATE_WORDS = {
    OPEN: _("All open cases"),
    **{code: label for code, label in STATE_COLUMNS},
    NO_DEADLINE: _("Live timers without a deadline"),
}
RESOLVED_WORDS = {"today": _("resolved today"), "month": _("resolved this month")}


class SlaFilterForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, empty_value=None,
                                        required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    agent = forms.TypedChoiceField(label=_("Assignee"), coerce=int, empty_value=None,
                                   required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=GRADE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = sla_dashboard_filter_choices(user=user)
        # the field is a ChoiceField (the stubs type form fields as Field)
        self.fields["team"].choices = [*ANY, *choices["team"], (NO_TEAM, _("No team"))]  # type: ignore[attr-defined]
        # the field is a ChoiceField (the stubs type form fields as Field)
        self.fields["agent"].choices = [*ANY, *choices["agent"]]  # type: ignore[attr-defined]
        if choices["department"]:
            # the field is a ChoiceField (the stubs type form fields as Field)
            self.fields["department"].choices = [*ANY, *choices["department"]]  # type: ignore[attr-defined]
        else:  # only management chooses a department; the others see their own
            del self.fields["department"]

    def filters(self) -> SlaFilters:
        data = self.cleaned_data
        return SlaFilters(department=data.get("department"), team=data.get("team", ""),
                          agent=data.get("agent"), kind=data.get("kind", ""),
                          grade=data.get("grade", ""))


class SlaFigureForm(SlaFilterForm):
    state = forms.ChoiceField(choices=[("", "")] + [(s, s) for s in FIGURE_STATES],
                              required=False, widget=forms.HiddenInput)
    due_within = forms.IntegerField(min_value=1, max_value=7 * 24 * 60, required=False,
                                    widget=forms.HiddenInput)
    resolved = forms.ChoiceField(choices=[("", ""), *((p, p) for p in PERIODS)],
                                 required=False, widget=forms.HiddenInput)
    on_time = forms.ChoiceField(choices=[("", ""), ("yes", "yes"), ("no", "no")],
                                required=False, widget=forms.HiddenInput)

    def description(self) -> list[str]:
        """What the list shows, in words: one phrase per filter and figure parameter."""
        data = self.cleaned_data
        words = [str(STATE_WORDS[data["state"]]) if data["state"] else ""]
        if data["due_within"]:
            words.append(_("due within %(minutes)d minutes") % {"minutes": data["due_within"]})
        if data["resolved"]:
            words.append(str(RESOLVED_WORDS[data["resolved"]]))
        if data["on_time"]:
            words.append(str(_("on time") if data["on_time"] == "yes" else _("late")))
        for name in ("department", "team", "agent", "kind", "grade"):
            if name in self.fields and data.get(name) not in (None, ""):
                # the field is a ChoiceField (the stubs type form fields as Field)
                label = dict(self.fields[name].choices).get(str(data[name]), data[name])  # type: ignore[attr-defined]
                words.append(f"{self.fields[name].label}: {label}")
        return [w for w in words if w]

    def figure(self) -> Figure:
        data = self.cleaned_data
        return Figure(state=data["state"], due_within=data["due_within"],
                      resolved=data["resolved"], on_time=data["on_time"])
