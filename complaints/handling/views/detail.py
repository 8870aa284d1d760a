"""A complaint's page (`/complaints/<id>/`): the criteria, the suggestion against the
decision and every grading decision, source and desk, temperament and its advice, the
handling department and what the customer was told, verdict, clocks, proposals, follow-ups,
escalation, results, repeats, its penalties and the case's timeline; and the steps this
user may take now (`complaint_steps_for`), each a form posting to
`/complaints/<id>/<step>/` — the closure's with what it will charge.

The penalties (`complaints.penalties`): the complaint's ledger entries as the viewer may
see them, its SLA excuses, a supervisor's request to excuse a late clock (posted to the
excuses page, `complaints:sla-excuses`), and before a manager closes it, the quote of the
closure (`complaint_closure_quote`: the rule code and version of the ledger)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaints.handling import forms as step_forms
from complaints.handling.advice import TEMPERAMENT_ADVICE
from complaints.handling.models import Complaint, Grade, State
from complaints.handling.selectors import (
    complaint_interim_due,
    complaint_steps_for,
    complaints_visible_to,
    first_contact_info,
    follow_up_due_on,
    get_complaint_for_user,
    step_permitted,
)
from complaints.handling.services import (
    complaint_close,
    complaint_dispatch,
    complaint_escalate,
    complaint_follow_up,
    complaint_interim,
    complaint_propose,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)
from complaints.handling.views.intake import first_contact_shown, tell_the_customer
from complaints.penalties.models import ExcuseReason, PenaltyRule
from complaints.penalties.selectors import (
    NoRuleSet,
    complaint_closure_quote,
    complaint_penalties,
    excusable_timers,
    excuse_rows,
    excuses_visible_to,
    is_excuse_requester,
)
from servicedesk.actions import Action, Actions
from servicedesk.errors import StaleVersion
from servicedesk.history import history_rows
from servicedesk.models.events import Event
from servicedesk.presenters import personal_data_for
from servicedesk.types import AuthenticatedHttpRequest
from tickets.cases.models import Case, CaseEvent
from tickets.cases.presenters import case_event_details, case_value_label
from tickets.cases.selectors import case_timeline
from tickets.sla.selectors import case_sla_clock, timer_sla_clock
from tickets.sla.services import case_sla_view


class StaleStep(Exception):
    """A step refused because the complaint moved on since the page was read (the
    service's `StaleVersion`, kept apart from its field errors)."""


def _stale_aware(service: Any) -> Any:
    def run(**kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except StaleVersion as exc:
            raise StaleStep from exc
    return run


def _step(name: str, label: Any, service: Any, form: type, success: Any, *,
          primary: bool = False) -> Action:
    """A step of the page: 403 before anything is read from the form when the user's role
    and place do not allow it (`step_permitted`; the service decides again)."""
    return Action(name, label, _stale_aware(service), form=form, success=success,
                  primary=primary,
                  may=lambda user, complaint: step_permitted(user=user, complaint=complaint,
                                                             step=name))


# The steps of the complaint page, in the order the page offers them; which of them this
# user may take now is `complaint_steps_for`'s answer (the API lists the same). Each service
# checks role, department and state again: a refusal is a 403 or a field error.
COMPLAINT_STEPS = Actions(
    _step("dispatch", gettext_lazy("Dispatch to the department"), complaint_dispatch,
          step_forms.DispatchForm, gettext_lazy("Complaint dispatched to the department."),
          primary=True),
    _step("verdict", gettext_lazy("Record the verdict"), complaint_verdict,
          step_forms.VerdictForm, gettext_lazy("Verdict recorded."), primary=True),
    _step("propose", gettext_lazy("Record the proposal"), complaint_propose,
          step_forms.ProposeForm, gettext_lazy("Proposal recorded; the customer was told."),
          primary=True),
    _step("follow-up", gettext_lazy("Record the follow-up call"), complaint_follow_up,
          step_forms.FollowUpForm,
          gettext_lazy("Follow-up recorded; the department has been told."), primary=True),
    _step("resolve", gettext_lazy("Hand in the final result"), complaint_resolve,
          step_forms.ResolveForm, gettext_lazy("Final result handed in.")),
    _step("close", gettext_lazy("Close the complaint"), complaint_close,
          step_forms.CloseForm, gettext_lazy("Complaint closed."), primary=True),
    _step("interim", gettext_lazy("Record an interim result"), complaint_interim,
          step_forms.InterimForm, gettext_lazy("Interim result recorded.")),
    _step("escalate", gettext_lazy("Escalate to the general manager"), complaint_escalate,
          step_forms.EscalateForm,
          gettext_lazy("Escalated; the general manager has been told.")),
    _step("regrade", gettext_lazy("Re-grade"), complaint_regrade, step_forms.RegradeForm,
          gettext_lazy("Grade changed; the time limits follow it.")),
    url_name="complaints:step", record_arg="complaint",
)

# What a `complaint_step` row of the case's timeline says (its data["step"]).
STEP_LABELS = {
    "filed": pgettext_lazy("complaint step", "Filed"),
    "dispatch": pgettext_lazy("complaint step", "Dispatched"),
    "regrade": pgettext_lazy("complaint step", "Re-graded"),
    "verdict": pgettext_lazy("complaint step", "Verdict given"),
    "propose": pgettext_lazy("complaint step", "Proposal told"),
    "escalate": pgettext_lazy("complaint step", "Escalated"),
    "interim": pgettext_lazy("complaint step", "Interim result"),
    "resolve": pgettext_lazy("complaint step", "Final result handed in"),
    "follow-up": pgettext_lazy("complaint step", "Followed up"),
    "close": pgettext_lazy("complaint step", "Closed"),
}


def _value_label(value: Any) -> str:
    """A case status, complaint state or grade on the timeline reads as its label."""
    text = str(value)
    for choices in (Case.Status, State, Grade):
        if text in choices.values:
            return str(choices(text).label)
    return case_value_label(text)


def _event_details(event: Event) -> list[tuple[str, str]]:
    if event.kind != CaseEvent.Kind.COMPLAINT_STEP:
        return case_event_details(event)  # SLA deadlines, filing steps
    step = str((event.data or {}).get("step", ""))
    return [("complaint-step", str(STEP_LABELS.get(step, step)))] if step else []


# Who bears a charge of the closure's quote (`QuotedCharge.bearer`).
BEARER_LABELS = {
    "responsible": gettext_lazy("Responsible person"),
    "acceptor": gettext_lazy("Should have accepted it"),
}


def _closure_quote_rows(complaint: Complaint, *, now: dt.datetime) -> dict[str, Any] | None:
    """The closure's quote as the close form shows it: each charge with who bears it, the
    total and the rule version; None when no rules were in force at the filing."""
    try:
        quote = complaint_closure_quote(complaint=complaint, now=now)
    except NoRuleSet:
        return None
    case = complaint.case
    people = {"responsible": complaint.responsible,
              "acceptor": case.assignee if case.assignee_id else case.first_contact_owner}
    rules = dict(PenaltyRule.choices)
    return {
        "charges": [{"rule": charge.rule, "label": rules.get(charge.rule, charge.rule),
                     "amount": charge.amount, "person": people[charge.bearer],
                     "bearer": BEARER_LABELS[charge.bearer],
                     "sanction": charge.administrative_sanction}
                    for charge in quote.charges],
        "total": quote.total,
        "rule_version": quote.rule_version,
        "late_acceptance_days": quote.late_acceptance_days,
        "completed_late_without_reason": quote.completed_late_without_reason,
        "repeat_by_neglect": quote.repeat_by_neglect,
    }


def _penalties_context(request: HttpRequest, complaint: Complaint, *, now: dt.datetime,
                       allowed: frozenset[str]) -> dict[str, Any]:
    """The page's penalties: the entries the viewer may see (and their total), the
    complaint's SLA excuses, the late clocks a supervisor may ask to excuse, and the
    closure's quote while this user may close it."""
    user = request.user
    entries = (list(complaint_penalties(complaint_id=complaint.pk, user=user))
               if user.has_perm("complaints.view_penaltyentry") else [])
    sees_excuses = user.has_perm("complaints.view_slaexcuse")
    may_request = is_excuse_requester(user) and user.has_perm("complaints.add_slaexcuse")
    return {
        "penalties": entries,
        "penalties_total": sum((entry.amount for entry in entries), Decimal("0.00")),
        "excuses": list(excuse_rows(excuses_visible_to(user=user).filter(
            case_id=complaint.case_id))) if sees_excuses else [],
        "excusable": excusable_timers(case=complaint.case, now=now) if may_request else [],
        "excuse_reasons": ExcuseReason.choices,
        "closure_quote": _closure_quote_rows(complaint, now=now) if "close" in allowed
        else None,
    }


def complaint_page_context(request: HttpRequest, complaint: Complaint, *,
                           bound: dict | None = None) -> dict[str, Any]:
    now = timezone.now()
    case = complaint.case
    timers = case_sla_view(case, now=now)
    for row in timers:
        row["clock"] = timer_sla_clock(row["timer"], now=now)
    allowed = complaint_steps_for(user=request.user, complaint=complaint)
    visible = complaints_visible_to(user=request.user).select_related("case")
    first_id = complaint.repeat_of_id or complaint.pk
    repeats = list(visible.filter(repeat_of_id=first_id).exclude(pk=complaint.pk)
                   .order_by("filed_at", "id"))
    shown_first = (visible.filter(pk=complaint.repeat_of_id).first()
                   if complaint.repeat_of_id else None)
    info = first_contact_shown(first_contact_info(
        complaint_type=complaint.type, department=complaint.handling_department))
    return {
        "complaint": complaint,
        "case": case,
        "customer_phone": personal_data_for(request.user).phone(complaint.customer.phone),
        "grade_differs": complaint.grade != complaint.suggested_grade,
        "grade_records": list(complaint.grade_records.select_related("by")
                              .order_by("at", "id")),
        "proposals": list(complaint.proposals.select_related("by").order_by("at", "id")),
        "follow_ups": list(complaint.follow_ups.select_related("by").order_by("at", "id")),
        "advice": TEMPERAMENT_ADVICE.get(complaint.temperament, ""),
        "interim_due": complaint_interim_due(complaint=complaint, now=now),
        "follow_up_due_on": follow_up_due_on(complaint),
        "first_contact": info,
        "tell": tell_the_customer(info),
        "clock": case_sla_clock(case, now=now, timers=[row["timer"] for row in timers]),
        "timers": timers,
        "repeat_first": shown_first,
        "repeats": repeats,
        "steps": COMPLAINT_STEPS.offered(complaint, allowed, bound=bound),
        "step_errors": COMPLAINT_STEPS.errors(allowed, bound=bound),
        "timeline": history_rows(case_timeline(case=case), value_label=_value_label,
                                 details=_event_details),
        **_penalties_context(request, complaint, now=now, allowed=allowed),
    }


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
@require_GET
def complaint_page(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = get_complaint_for_user(user=request.user, complaint_id=complaint_id)
    return render(request, "complaints/complaint.html",
                  complaint_page_context(request, complaint))


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
@require_POST
def complaint_step(request: AuthenticatedHttpRequest, complaint_id: int,
                   step: str) -> HttpResponse:
    """Take one step: the service's refusal comes back on the step's form (400); a step
    on a complaint that moved on since the page was read says so over the page as it is now
    (409); a step this user may not take is a 403 — nothing is changed in either case."""
    COMPLAINT_STEPS.get(step)  # 404 for an unknown step
    complaint = get_complaint_for_user(user=request.user, complaint_id=complaint_id)
    try:
        bound = COMPLAINT_STEPS.take(request, complaint, step)
    except StaleStep:
        messages.error(request, _(
            "Someone else changed this complaint after you opened it, so nothing was saved. "
            "This is the complaint as it stands now: check it and take the step again."))
        bound = None
        status = 409
    else:
        if bound is None:
            return redirect("complaints:complaint", complaint_id=complaint.pk)
        status = 400
    current = get_complaint_for_user(user=request.user, complaint_id=complaint_id)
    return render(request, "complaints/complaint.html",
                  complaint_page_context(request, current, bound=bound), status=status)
