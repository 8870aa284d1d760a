"""延期报备 in the browser: the department's delay filings (overdue ones marked), the
filing form, and a filing's page with the steps the user may take (review, approval,
customer notice, delivery, compensation). Rules live in `tickets.filings.services`."""

from __future__ import annotations

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
from tickets.filings.forms import CompensateForm, DecisionForm, DelayFilingForm, DeliverForm
from tickets.filings.models import DelayFiling, DelayNotice
from tickets.filings.selectors import (
    delay_actions_for,
    delay_filings_visible_to,
    delay_is_overdue,
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
from tickets.filings.views.feedback import form_add_service_errors, hidden_form_errors


def _decide(service):
    def run(*, filing, by, decision, reason):
        return service(filing=filing, by=by, approve=decision == "approve", reason=reason)
    return run


def _notify(*, filing, by):
    notice = delay_notify(filing=filing, by=by)
    if notice.status != DelayNotice.Status.SENT:
        raise ValidationError({"notice": [_("The notice could not be sent: %(error)s") % {
            "error": notice.attempts.order_by("-at", "-id").first().error}]})


ACTIONS = {
    "review": (DecisionForm, _decide(delay_review)),
    "approve": (DecisionForm, _decide(delay_approve)),
    "notify": (None, _notify),
    "deliver": (DeliverForm, delay_deliver),
    "compensate": (CompensateForm, delay_compensate),
}


@login_required
@permission_required("tickets.view_delayfiling", raise_exception=True)
@require_http_methods(["GET", "POST"])
def delay_filings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DelayFilingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("tickets.add_delayfiling"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                filing = delay_file(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Delay filed; it now waits for the review."))
                return redirect("tickets:delay-filing", filing_id=filing.pk)
        status = 400
    filings = with_overdue(delay_filings_visible_to(user=request.user),
                           today=timezone.localdate()).order_by("-filed_at", "-id")[:100]
    return render(request, "tickets/delay_filings.html",
                  {"form": form, "filings": filings}, status=status)


def _detail(request: HttpRequest, filing: DelayFiling, *, forms: dict | None = None,
            errors: list | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    notice = DelayNotice.objects.filter(filing=filing).prefetch_related("attempts").first()
    actions = delay_actions_for(
        filing=filing, user=request.user,
        notice_sent=notice is not None and notice.status == DelayNotice.Status.SENT)
    return render(request, "tickets/delay_filing_detail.html", {
        "filing": filing,
        "customer_phone": phone_for(request.user, filing.customer.phone),
        "overdue": delay_is_overdue(filing, today=timezone.localdate()),
        "notice": notice,
        "actions": actions,
        "review_form": forms.get("review") or DecisionForm(auto_id="review_%s"),
        "approve_form": forms.get("approve") or DecisionForm(auto_id="approve_%s"),
        "deliver_form": forms.get("deliver") or DeliverForm(auto_id="deliver_%s"),
        "compensate_form": forms.get("compensate") or CompensateForm(auto_id="compensate_%s"),
        "errors": [*(errors or []), *hidden_form_errors(forms, shown=actions)],
        "timeline": delay_timeline(filing=filing),
    }, status=status)


@login_required
@permission_required("tickets.view_delayfiling", raise_exception=True)
def delay_filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    return _detail(request, get_delay_for_user(user=request.user, filing_id=filing_id))


@login_required
@require_POST
def delay_filing_action(request: HttpRequest, filing_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    # Review and approval are decided by role (the service answers 403); the other steps
    # need the change permission.
    write = action not in ("review", "approve")
    filing = get_delay_for_user(user=request.user, filing_id=filing_id, write=write)
    form_class, service = ACTIONS[action]
    form = form_class(request.POST, auto_id=f"{action}_%s") if form_class else None
    if form is None or form.is_valid():
        try:
            service(filing=filing, by=request.user, **(form.cleaned_data if form else {}))
        except ValidationError as exc:
            if form is None:
                return _detail(request, filing, errors=exc.messages, status=400)
            form_add_service_errors(form, exc)
        else:
            return redirect("tickets:delay-filing", filing_id=filing.pk)
    return _detail(request, filing, forms={action: form}, status=400)
