"""报备 in the browser: the department's registrations with their state, the filing form,
and a registration's page (facts, state, history) with the steps the user may take now
(approve / reject a relative filing, mark the deal closed, dispute). Rules (completeness,
no earlier record, first filing wins, cutoff, who and when) live in registration_services;
these views show their field errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.actions import Action, Actions
from servicedesk.history import history_rows
from servicedesk.pages import form_post_create
from servicedesk.presenters import personal_data_for
from servicedesk.types import AuthenticatedHttpRequest
from tickets.registrations.forms import RegistrationForm, RegistrationReasonForm
from tickets.registrations.models import CustomerRegistration
from tickets.registrations.selectors import (
    get_registration_for_user,
    registration_actions_for,
    registration_history,
    registration_may,
    registration_state,
    registrations_visible_to,
)
from tickets.registrations.services import (
    registration_approve,
    registration_convert,
    registration_dispute,
    registration_file,
    registration_reject,
)


def _rows(request: HttpRequest) -> list[dict]:
    now = timezone.now()
    shown = personal_data_for(request.user)
    registrations = (
        registrations_visible_to(user=request.user)
        .select_related("filed_by")
        .order_by("-filed_at")[:100]
    )
    return [
        {
            "registration": r,
            "state": CustomerRegistration.Status(registration_state(r, now)).label,
            "phone": shown.phone(r.phone),
            "id_number": shown.id_number(r.id_number),
        }
        for r in registrations
    ]


@login_required
@permission_required("tickets.view_customerregistration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def registrations_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    registration = form_post_create(request, form, permission="tickets.add_customerregistration",
                                    service=registration_file)
    if registration is not None:
        messages.success(request, _("Registration filed; protected until %(until)s.") % {
            "until": timezone.localtime(registration.protected_until).strftime(
                "%Y-%m-%d %H:%M") if registration.protected_until else "—"})
        return redirect("tickets:registrations")
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/registrations.html",
                  {"form": form, "rows": _rows(request)}, status=status)


def _may(action: str):
    return lambda user, registration: registration_may(
        user=user, registration=registration, action=action)


# The steps of a registration's page, in the order the page shows them; which of them the
# user may take now is `registration_actions_for`'s answer (the API lists the same).
REGISTRATION_PAGE_ACTIONS = Actions(
    Action("approve", gettext_lazy("Approve"), registration_approve, may=_may("approve"),
           primary=True,
           success=gettext_lazy("Relative filing approved; it is protected now.")),
    Action("reject", gettext_lazy("Reject"), registration_reject, form=RegistrationReasonForm,
           may=_may("reject"), success=gettext_lazy("Relative filing rejected.")),
    Action("convert", gettext_lazy("Mark the deal closed"), registration_convert,
           may=_may("convert"), primary=True, success=gettext_lazy("Deal recorded.")),
    Action("dispute", gettext_lazy("Raise a dispute"), registration_dispute,
           form=RegistrationReasonForm, may=_may("dispute"),
           success=gettext_lazy("Dispute raised.")),
    url_name="tickets:registration-action", record_arg="registration",
)


def _detail(request: HttpRequest, registration: CustomerRegistration, *,
            bound: dict | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    shown = personal_data_for(request.user)
    allowed = registration_actions_for(registration=registration, user=request.user, now=now)
    return render(request, "tickets/registration_detail.html", {
        "registration": registration,
        "state": CustomerRegistration.Status(registration_state(registration, now)).label,
        "phone": shown.phone(registration.phone),
        "id_number": shown.id_number(registration.id_number),
        "actions": REGISTRATION_PAGE_ACTIONS.offered(registration, allowed, bound=bound),
        "errors": REGISTRATION_PAGE_ACTIONS.errors(allowed, bound=bound),
        "history": history_rows(registration_history(registration=registration)),
    }, status=status)


@login_required
@permission_required("tickets.view_customerregistration", raise_exception=True)
@require_GET
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    return _detail(request, get_registration_for_user(
        user=request.user, registration_id=registration_id))


@login_required
@permission_required("tickets.view_customerregistration", raise_exception=True)
@require_POST
def registration_action(request: HttpRequest, registration_id: int, action: str) -> HttpResponse:
    REGISTRATION_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    registration = get_registration_for_user(user=request.user, registration_id=registration_id)
    bound = REGISTRATION_PAGE_ACTIONS.take(request, registration, action)
    if bound is None:
        return redirect("tickets:registration", registration_id=registration.pk)
    return _detail(request, registration, bound=bound, status=400)
