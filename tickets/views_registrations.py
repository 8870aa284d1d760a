"""报备 in the browser: the department's registrations with their state, and the filing
form. Rules (completeness, no earlier record, first filing wins, cutoff) live in
registration_services; this view shows their field errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tickets.forms import RegistrationForm
from tickets.masking import can_see_personal_data, mask_id_number, mask_phone
from tickets.models import CustomerRegistration
from tickets.registration_selectors import registration_state, registrations_visible_to
from tickets.registration_services import registration_file


def _rows(request: HttpRequest) -> list[dict]:
    now = timezone.now()
    unmasked = can_see_personal_data(request.user)
    registrations = (
        registrations_visible_to(user=request.user)
        .select_related("filed_by")
        .order_by("-filed_at")[:100]
    )
    return [
        {
            "registration": r,
            "state": CustomerRegistration.Status(registration_state(r, now)).label,
            "phone": r.phone if unmasked else mask_phone(r.phone),
            "id_number": r.id_number if unmasked else mask_id_number(r.id_number),
        }
        for r in registrations
    ]


@login_required
@permission_required("tickets.view_customerregistration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def registrations_page(request: HttpRequest) -> HttpResponse:
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
