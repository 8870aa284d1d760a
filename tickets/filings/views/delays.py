"""延期报备 in the browser: the department's delay filings (overdue ones marked), the
filing form, and a filing's page with the steps the user may take (review, approval,
customer notice, delivery, compensation). Rules live in `tickets.filings.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
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
from tickets.filings.forms import CompensateForm, DecisionForm, DelayFilingForm, DeliverForm
from tickets.filings.models import DelayFiling, DelayNotice
from tickets.filings.selectors import (
    delay_actions_for,
    delay_filings_visible_to,
    delay_is_overdue,
    delay_may,
    delay_timeline,
    get_delay_for_user,
    with_overdue,
)
from tickets.filings.services import (
    delay_approve,
    delay_compensate,
    delay_deliver,
    delay_file,
    delay_notify,
    delay_review,
)


def _decide(service):
    def run(*, filing, by, decision, reason):
        return service(filing=filing, by=by, approve=decision == "approve", reason=reason)
    return run


def _notify(*, filing, by):
    notice = delay_notify(filing=filing, by=by)
    if notice.status != DelayNotice.Status.SENT:
        raise ValidationError({"notice": [_("The notice could not be sent: %(error)s") % {
            "error": notice.attempts.order_by("-at", "-id").first().error}]})


def _may(action: str):
    return lambda user, filing: delay_may(user=user, filing=filing, action=action)


# The steps of a delay's page, in the order the page shows them; which of them the user may
# take now is `delay_actions_for`'s answer.
DELAY_PAGE_ACTIONS = Actions(
    Action("review", gettext_lazy("Decide"), _decide(delay_review), form=DecisionForm,
           heading=gettext_lazy("Department review"), may=_may("review")),
    Action("approve", gettext_lazy("Decide"), _decide(delay_approve), form=DecisionForm,
           heading=gettext_lazy("Leadership approval"), may=_may("approve")),
    Action("notify", gettext_lazy("Notify the customer"), _notify, may=_may("notify")),
    Action("deliver", gettext_lazy("Mark delivered"), delay_deliver, form=DeliverForm,
           may=_may("deliver")),
    Action("compensate", gettext_lazy("Record compensation"), delay_compensate,
           form=CompensateForm, may=_may("compensate")),
    url_name="tickets:delay-filing-action", record_arg="filing",
)


@login_required
@permission_required("tickets.view_delayfiling", raise_exception=True)
@require_http_methods(["GET", "POST"])
def delay_filings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DelayFilingForm(request.POST or None)
    filing = form_post_create(request, form, permission="tickets.add_delayfiling",
                              service=delay_file)
    if filing is not None:
        messages.success(request, _("Delay filed; it now waits for the review."))
        return redirect("tickets:delay-filing", filing_id=filing.pk)
    status = 400 if request.method == "POST" else 200
    filings = with_overdue(delay_filings_visible_to(user=request.user),
                           today=timezone.localdate()).order_by("-filed_at", "-id")[:100]
    return render(request, "tickets/delay_filings.html",
                  {"form": form, "filings": filings}, status=status)


def _detail(request: HttpRequest, filing: DelayFiling, *, bound: dict | None = None,
            status: int = 200) -> HttpResponse:
    notice = DelayNotice.objects.filter(filing=filing).prefetch_related("attempts").first()
    allowed = delay_actions_for(
        filing=filing, user=request.user,
        notice_sent=notice is not None and notice.status == DelayNotice.Status.SENT)
    return render(request, "tickets/delay_filing_detail.html", {
        "filing": filing,
        "customer_phone": phone_for(request.user, filing.customer.phone),
        "overdue": delay_is_overdue(filing, today=timezone.localdate()),
        "notice": notice,
        "actions": DELAY_PAGE_ACTIONS.offered(filing, allowed, bound=bound),
        "errors": DELAY_PAGE_ACTIONS.errors(allowed, bound=bound),
        "timeline": history_rows(delay_timeline(filing=filing)),
    }, status=status)


@login_required
@permission_required("tickets.view_delayfiling", raise_exception=True)
def delay_filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    return _detail(request, get_delay_for_user(user=request.user, filing_id=filing_id))


@login_required
@require_POST
def delay_filing_action(request: HttpRequest, filing_id: int, action: str) -> HttpResponse:
    DELAY_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    filing = get_delay_for_user(user=request.user, filing_id=filing_id)
    bound = DELAY_PAGE_ACTIONS.take(request, filing, action)
    if bound is None:
        return redirect("tickets:delay-filing", filing_id=filing.pk)
    return _detail(request, filing, bound=bound, status=400)
