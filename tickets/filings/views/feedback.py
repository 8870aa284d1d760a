"""问题与需求、意见与建议报备 in the browser: the department's filings with this month's
statistics, the filing form, and a filing's page with the steps the user may take. Rules
live in `tickets.filings.services`; these views show their field errors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicedesk.presenters import phone_for
from servicedesk.types import AuthenticatedHttpRequest
from tickets.filings.forms import FeedbackFilingForm, FeedbackHandOverForm, NoteForm
from tickets.filings.models import FeedbackFiling
from tickets.filings.selectors import (
    feedback_actions_for,
    feedback_filings_visible_to,
    feedback_statistics,
    feedback_timeline,
    get_feedback_for_user,
)
from tickets.filings.services import feedback_close, feedback_file, feedback_follow_up
from tickets.filings.services import feedback_hand_over as hand_over

ACTIONS = {
    "hand_over": (FeedbackHandOverForm, hand_over),
    "follow_up": (NoteForm, feedback_follow_up),
    "close": (NoteForm, feedback_close),
}


def form_add_service_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def hidden_form_errors(forms: dict, *, shown: list[str]) -> list[str]:
    """The errors of a refused step whose form the page no longer shows."""
    return [str(error) for action, form in forms.items() if action not in shown
            for errors in form.errors.values() for error in errors]


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
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("tickets.add_feedbackfiling"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                filing = feedback_file(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Filed; case %(number)s opened.") % {
                    "number": filing.case.number})
                return redirect("tickets:feedback-filing", filing_id=filing.pk)
        status = 400
    filings = feedback_filings_visible_to(user=request.user).order_by("-filed_at", "-id")[:100]
    return render(request, "tickets/feedback_filings.html",
                  {"form": form, "filings": filings,
                   "statistics": _month_statistics(request.user)}, status=status)


def _detail(request: HttpRequest, filing: FeedbackFiling, *, forms: dict | None = None,
            status: int = 200) -> HttpResponse:
    forms = forms or {}
    actions = feedback_actions_for(filing=filing, user=request.user)
    return render(request, "tickets/feedback_filing_detail.html", {
        "filing": filing,
        "customer_phone": phone_for(request.user, filing.customer.phone),
        "actions": actions,
        "errors": hidden_form_errors(forms, shown=actions),
        "hand_over_form": forms.get("hand_over") or FeedbackHandOverForm(),
        "follow_up_form": forms.get("follow_up") or NoteForm(auto_id="follow_up_%s"),
        "close_form": forms.get("close") or NoteForm(auto_id="close_%s"),
        "timeline": feedback_timeline(filing=filing),
    }, status=status)


@login_required
@permission_required("tickets.view_feedbackfiling", raise_exception=True)
def feedback_filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    return _detail(request, get_feedback_for_user(user=request.user, filing_id=filing_id))


@login_required
@require_POST
def feedback_filing_action(request: HttpRequest, filing_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    filing = get_feedback_for_user(user=request.user, filing_id=filing_id, write=True)
    form_class, service = ACTIONS[action]
    form = form_class(request.POST, auto_id=f"{action}_%s")
    if form.is_valid():
        try:
            # ACTIONS mixes form classes and services: mypy cannot tell which is which
            service(filing=filing, by=request.user, **form.cleaned_data)  # type: ignore[operator]
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("tickets:feedback-filing", filing_id=filing.pk)
    return _detail(request, filing, forms={action: form}, status=400)
