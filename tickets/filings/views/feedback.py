"""问题与需求、意见与建议报备 in the browser: the department's filings with this month's
statistics, the filing form, and a filing's page with the steps the user may take. Rules
live in `tickets.filings.services`; these views show their field errors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from servicedesk.actions import Action, Actions
from servicedesk.history import history_rows
from servicedesk.pages import form_post_create
from servicedesk.presenters import phone_for
from servicedesk.types import AuthenticatedHttpRequest
from tickets.filings.forms import FeedbackFilingForm, FeedbackHandOverForm, NoteForm
from tickets.filings.models import FeedbackFiling
from tickets.filings.selectors import (
    feedback_actions_for,
    feedback_filings_visible_to,
    feedback_may,
    feedback_statistics,
    feedback_timeline,
    get_feedback_for_user,
)
from tickets.filings.services import (
    feedback_close,
    feedback_file,
    feedback_follow_up,
    feedback_hand_over,
)


def _may(action: str):
    return lambda user, filing: feedback_may(user=user, filing=filing, action=action)


# The steps of a filing's page, in the order the page shows them; which of them the user
# may take now is `feedback_actions_for`'s answer.
FEEDBACK_PAGE_ACTIONS = Actions(
    Action("hand_over", gettext_lazy("Hand over"), feedback_hand_over,
           form=FeedbackHandOverForm, may=_may("hand_over")),
    Action("follow_up", gettext_lazy("Record follow-up"), feedback_follow_up, form=NoteForm,
           may=_may("follow_up")),
    Action("close", gettext_lazy("Close"), feedback_close, form=NoteForm, may=_may("close")),
    url_name="tickets:feedback-filing-action", record_arg="filing",
)


def _month_statistics(user) -> dict:
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time()))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    stats = feedback_statistics(queryset=feedback_filings_visible_to(user=user),
                                start=start, end=end)
    stats["kinds"] = [(FeedbackFiling.Kind(k).label, n) for k, n in stats["by_kind"].items()]
    stats["statuses"] = [(FeedbackFiling.Status(s).label, n)
                         for s, n in stats["by_status"].items()]
    return stats


@login_required
@permission_required("tickets.view_feedbackfiling", raise_exception=True)
@require_http_methods(["GET", "POST"])
def feedback_filings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FeedbackFilingForm(request.POST or None)
    filing = form_post_create(request, form, permission="tickets.add_feedbackfiling",
                              service=feedback_file)
    if filing is not None:
        messages.success(request, _("Filed; case %(number)s opened.") % {
            "number": filing.case.number})
        return redirect("tickets:feedback-filing", filing_id=filing.pk)
    status = 400 if request.method == "POST" else 200
    filings = feedback_filings_visible_to(user=request.user).order_by("-filed_at", "-id")[:100]
    return render(request, "tickets/feedback_filings.html",
                  {"form": form, "filings": filings,
                   "statistics": _month_statistics(request.user)}, status=status)


def _detail(request: HttpRequest, filing: FeedbackFiling, *, bound: dict | None = None,
            status: int = 200) -> HttpResponse:
    allowed = feedback_actions_for(filing=filing, user=request.user)
    return render(request, "tickets/feedback_filing_detail.html", {
        "filing": filing,
        "customer_phone": phone_for(request.user, filing.customer.phone),
        "actions": FEEDBACK_PAGE_ACTIONS.offered(filing, allowed, bound=bound),
        "errors": FEEDBACK_PAGE_ACTIONS.errors(allowed, bound=bound),
        "timeline": history_rows(feedback_timeline(filing=filing), value_label=_status_label),
    }, status=status)


def _status_label(value: str):
    return FeedbackFiling.Status(value).label if value in FeedbackFiling.Status.values else value


@login_required
@permission_required("tickets.view_feedbackfiling", raise_exception=True)
def feedback_filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    return _detail(request, get_feedback_for_user(user=request.user, filing_id=filing_id))


@login_required
@require_POST
def feedback_filing_action(request: HttpRequest, filing_id: int, action: str) -> HttpResponse:
    FEEDBACK_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    filing = get_feedback_for_user(user=request.user, filing_id=filing_id)
    bound = FEEDBACK_PAGE_ACTIONS.take(request, filing, action)
    if bound is None:
        return redirect("tickets:feedback-filing", filing_id=filing.pk)
    return _detail(request, filing, bound=bound, status=400)
