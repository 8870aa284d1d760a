"""Case pages of the agent workspace: my queue, case detail with its timeline, and the
status actions. Access goes through get_case_for_user; rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.api.filtering import filterset_apply
from servicedesk.history import history_rows
from servicedesk.pages import service_errors
from servicedesk.presenters import phone_for
from servicedesk.types import AuthenticatedHttpRequest
from tickets.cases.api import CaseFilter
from tickets.cases.models import Case
from tickets.cases.presenters import case_event_details, case_value_label
from tickets.cases.selectors import (
    case_is_editable_by,
    case_owner,
    case_timeline,
    cases_visible_to,
    get_case_for_user,
    my_queue,
    my_queue_export_query,
)
from tickets.cases.services import (
    CASE_TRANSITIONS,
    case_feedback_record,
    case_transition,
)
from tickets.exports.datasets import CASES, can_export
from tickets.sla.models import TimerKind, TimerState
from tickets.sla.selectors import case_sla_clock, timer_sla_clock, with_sla_warn_at
from tickets.sla.services import case_sla_view


@login_required
@permission_required("tickets.view_case", raise_exception=True)
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cases = list(with_sla_warn_at(my_queue(user=request.user))[:200])
    for case in cases:
        case.clock = case_sla_clock(case, now=now)  # type: ignore[attr-defined]
    return render(request, "tickets/queue.html", {
        "cases": cases,
        "export_query": my_queue_export_query(user=request.user)
        if can_export(user=request.user, dataset=CASES) else "",
    })


def _detail_context(request: HttpRequest, case: Case) -> dict:
    editable = case_is_editable_by(case=case, user=request.user)
    # A case another app's flow owns (a complaint's) moves only there: no status actions
    # or feedback form here, a link to that flow's page instead.
    owner = case_owner(case.pk)
    moves_here = editable and owner is None
    now = timezone.now()
    timers = case_sla_view(case, now=now)
    for row in timers:
        row["clock"] = timer_sla_clock(row["timer"], now=now)
    return {
        "case": case,
        "clock": case_sla_clock(case, now=now, timers=[row["timer"] for row in timers]),
        "editable": editable,
        "owner": owner,
        "timers": timers,
        "feedback_open": moves_here and any(
            row["timer"].kind == TimerKind.FEEDBACK
            and row["timer"].state in (TimerState.RUNNING, TimerState.PAUSED)
            for row in timers
        ),
        "customer_phone": phone_for(request.user, case.customer.phone),
        "timeline": history_rows(case_timeline(case=case), value_label=case_value_label,
                                 details=case_event_details),
        "transitions": [
            (status, Case.Status(status).label)
            for status in sorted(CASE_TRANSITIONS.get(case.status, ()))
        ] if moves_here else [],
    }


@login_required
@permission_required("tickets.view_case", raise_exception=True)
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(user=request.user, case_id=case_id)
    return render(request, "tickets/case_detail.html", _detail_context(request, case))


def _step(
    request: AuthenticatedHttpRequest, case_id: int, service, success: str, **fields
) -> HttpResponse:
    """Call a case service on the posted version; its refusal (field errors, a conflict)
    becomes error messages on the case page, its success one message."""
    case = get_case_for_user(user=request.user, case_id=case_id, write=True)
    try:
        expected_version = int(request.POST.get("version", ""))
    except ValueError:
        expected_version = -1
    with service_errors(request=request):
        service(case=case, by=request.user, expected_version=expected_version, **fields)
        messages.success(request, success)
    return redirect("tickets:case", case_id=case.pk)


@login_required
@permission_required("tickets.change_case", raise_exception=True)
@require_POST
def case_transition_view(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    return _step(request, case_id, case_transition, _("Status changed."),
                 to_status=request.POST.get("to_status", ""),
                 reason=request.POST.get("reason", "").strip())


@login_required
@permission_required("tickets.change_case", raise_exception=True)
@require_POST
def case_feedback_view(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    return _step(request, case_id, case_feedback_record,
                 _("Feedback to the customer recorded."), note=request.POST.get("note", ""))


CASE_LIST_LIMIT = 100


@login_required
@permission_required("tickets.view_case", raise_exception=True)
@require_GET
def cases_page(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, newest first, filtered like the API list."""
    queryset, filterset = filterset_apply(
        CaseFilter, request, cases_visible_to(user=request.user)
    )
    cases = []
    if queryset is not None:
        cases = list(
            with_sla_warn_at(queryset)
            .select_related("customer", "category", "assignee", "department")
            .order_by("-opened_at", "-id")[:CASE_LIST_LIMIT]
        )
    now = timezone.now()
    for case in cases:
        case.clock = case_sla_clock(case, now=now)  # type: ignore[attr-defined]
    return render(
        request,
        "tickets/cases.html",
        {
            "cases": cases,
            "filter": filterset,
            "limit": CASE_LIST_LIMIT,
            "query": request.GET.urlencode(),
            "can_export": can_export(user=request.user, dataset=CASES),
        },
        status=200 if queryset is not None else 400,
    )
