"""The monthly person check in the browser: the month's flagged people (month navigation,
the definition and the threshold written on the page), and a check's page with the
complaints behind the count, the report form for the person, the accept / return form for
managers and the history. Who sees which check is `checks_visible_to`; who may take which
step `check_actions_for` and `check_may`; the rules are in `complaints.checks.services`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaints.checks.forms import AcceptForm, MonthForm, ReportForm, ReturnForm
from complaints.checks.models import CheckEventKind, CheckState, PersonMonthCheck
from complaints.checks.rules import COUNT_DEFINITION
from complaints.checks.selectors import (
    check_actions_for,
    check_complaints,
    check_may,
    check_timeline,
    checks_visible_to,
    complaints_list_url,
    complaints_visible_ids,
    get_check_for_user,
    person_month_threshold,
)
from complaints.checks.services import check_report_decide, check_report_file
from servicedesk.actions import Action, Actions
from servicedesk.history import history_rows
from servicedesk.months import month_in_range, month_of, month_shift, month_text
from servicedesk.types import AuthenticatedHttpRequest


def _decide(*, accept: bool):
    def run(*, check, by, note, expected_version):
        return check_report_decide(check=check, by=by, accept=accept, note=note,
                                   expected_version=expected_version)
    return run


def _state_label(value):
    """A state moved by a step, as the page names it."""
    return CheckState(value).label if value in CheckState.values else value


def _may(action: str):
    return lambda user, check: check_may(user=user, check=check, action=action)


# The steps of a check's page, in the order the page shows them; which of them the user may
# take now is `check_actions_for`'s answer.
CHECK_PAGE_ACTIONS = Actions(
    Action("file_report", gettext_lazy("File the report"), check_report_file,
           form=ReportForm, heading=gettext_lazy("Rectification report"),
           may=_may("file_report"), primary=True,
           success=gettext_lazy("Report filed; it now waits for a manager's acceptance.")),
    Action("accept", gettext_lazy("Accept the report"), _decide(accept=True),
           form=AcceptForm, heading=gettext_lazy("Accept"), may=_may("accept"),
           primary=True, success=gettext_lazy("Report accepted.")),
    Action("return", gettext_lazy("Return for rework"), _decide(accept=False),
           form=ReturnForm, heading=gettext_lazy("Return for rework"), may=_may("return"),
           success=gettext_lazy("Report returned for rework.")),
    url_name="complaints:person-check-action", record_arg="check",
)


@login_required
@require_GET
def person_checks_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The month's flagged people this user may see (`?month=YYYY-MM`, default: now)."""
    form = MonthForm(request.GET or None)
    current = month_of(timezone.now())
    month = current
    status = 200
    if form.is_bound:
        if form.is_valid():
            month = form.cleaned_data["month"] or current
        else:
            status = 400
    checks = list(checks_visible_to(user=request.user).filter(month=month)
                  .order_by("-complaints", "person__first_name", "id"))
    rows = [{"check": check, "complaints_url": complaints_list_url(check=check)}
            for check in checks]
    previous, following = month_shift(month, -1), month_shift(month, 1)
    threshold = person_month_threshold()
    return render(request, "complaints/checks/person_checks.html", {
        "form": form,
        "month": month_text(month),
        "previous": month_text(previous) if month_in_range(previous) else None,
        "following": month_text(following) if month_in_range(following) else None,
        "current": month_text(current) if month != current else None,
        "rows": rows,
        "threshold": threshold,
        "definition": COUNT_DEFINITION % {"threshold": threshold},
    }, status=status)


def _detail(request: HttpRequest, check: PersonMonthCheck, *, bound: dict | None = None,
            status: int = 200) -> HttpResponse:
    allowed = check_actions_for(check=check, user=request.user)
    complaints = list(check_complaints(check=check))
    visible = complaints_visible_ids(user=request.user, complaints=complaints)
    events = list(check_timeline(check=check))
    returned = [e for e in events if e.kind == CheckEventKind.RETURNED]
    return render(request, "complaints/checks/person_check_detail.html", {
        "check": check,
        "month": month_text(check.month),
        "complaints": [{"complaint": c, "visible": c.pk in visible} for c in complaints],
        "complaints_url": complaints_list_url(check=check),
        "definition": COUNT_DEFINITION % {"threshold": check.threshold},
        "return_note": (returned[-1].reason if returned and check.state == CheckState.RETURNED
                        else ""),
        "actions": CHECK_PAGE_ACTIONS.offered(check, allowed, bound=bound),
        "errors": CHECK_PAGE_ACTIONS.errors(allowed, bound=bound),
        "timeline": history_rows(events, value_label=_state_label),
    }, status=status)


@login_required
@require_GET
def person_check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    return _detail(request, get_check_for_user(user=request.user, check_id=check_id))


@login_required
@require_POST
def person_check_action(request: HttpRequest, check_id: int, action: str) -> HttpResponse:
    CHECK_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    check = get_check_for_user(user=request.user, check_id=check_id)
    bound = CHECK_PAGE_ACTIONS.take(request, check, action)
    if bound is None:
        return redirect("complaints:person-check", check_id=check.pk)
    check.refresh_from_db()
    return _detail(request, check, bound=bound, status=400)
