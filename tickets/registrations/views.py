"""报备 in the browser: the department's registrations with their state, the filing form,
and a registration's page (facts, state, history) with the steps the user may take now
(approve / reject a relative filing, mark the deal closed, dispute). Rules (completeness,
no earlier record, first filing wins, cutoff, who and when) live in registration_services;
these views show their field errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.presenters import (
    personal_data_for,
)
from servicedesk.types import AuthenticatedHttpRequest
from tickets.filings.views.feedback import form_add_service_errors
from tickets.registrations.forms import RegistrationForm, RegistrationReasonForm
from tickets.registrations.models import CustomerRegistration
from tickets.registrations.selectors import (
    get_registration_for_user,
    registration_actions_for,
    registration_history,
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
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("tickets.add_customerregistration"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                registration = registration_file(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Registration filed; protected until %(until)s.") % {
                    "until": timezone.localtime(registration.protected_until).strftime(
                        "%Y-%m-%d %H:%M") if registration.protected_until else "—"})
                return redirect("tickets:registrations")
        status = 400
    return render(request, "tickets/registrations.html",
                  {"form": form, "rows": _rows(request)}, status=status)


# action → (service, whether it takes a reason, the message on success)
ACTIONS = {
    "approve": (registration_approve, False,
                gettext_lazy("Relative filing approved; it is protected now.")),
    "reject": (registration_reject, True, gettext_lazy("Relative filing rejected.")),
    "convert": (registration_convert, False, gettext_lazy("Deal recorded.")),
    "dispute": (registration_dispute, True, gettext_lazy("Dispute raised.")),
}


def _refusals(forms: dict, *, shown: list[str]) -> list[str]:
    """The errors of a refused step that no form on the page shows: the step has no fields
    (approve, convert) or is no longer offered."""
    return [str(error) for action, form in forms.items()
            if action not in shown or not ACTIONS[action][1]
            for errors in form.errors.values() for error in errors]


def _detail(request: HttpRequest, registration: CustomerRegistration, *,
            forms: dict | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    forms = forms or {}
    shown = personal_data_for(request.user)
    actions = registration_actions_for(registration=registration, user=request.user, now=now)
    return render(request, "tickets/registration_detail.html", {
        "registration": registration,
        "state": CustomerRegistration.Status(registration_state(registration, now)).label,
        "phone": shown.phone(registration.phone),
        "id_number": shown.id_number(registration.id_number),
        "actions": actions,
        "reject_form": forms.get("reject") or RegistrationReasonForm(auto_id="reject_%s"),
        "dispute_form": forms.get("dispute") or RegistrationReasonForm(auto_id="dispute_%s"),
        "errors": _refusals(forms, shown=actions),
        "history": registration_history(registration=registration),
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
    if action not in ACTIONS:
        raise Http404
    registration = get_registration_for_user(
        user=request.user, registration_id=registration_id, action=action)
    service, takes_reason, success = ACTIONS[action]
    form = RegistrationReasonForm(request.POST, auto_id=f"{action}_%s")
    if form.is_valid():
        extra = {"reason": form.cleaned_data["reason"]} if takes_reason else {}
        try:
            # ACTIONS mixes form classes and services: mypy cannot tell which is which
            service(registration=registration, by=request.user, **extra)  # type: ignore[operator]
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, str(success))
            return redirect("tickets:registration", registration_id=registration.pk)
    return _detail(request, registration, forms={action: form}, status=400)
