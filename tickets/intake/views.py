"""The agent workspace in the browser. Views translate: check access, call one selector or
service, render (htmx requests get fragments, so the page never reloads)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from servicedesk.pages import service_errors
from servicedesk.types import AuthenticatedHttpRequest
from tickets.cases.models import CaseKind
from tickets.contacts.models import Contact
from tickets.contacts.selectors import customer_history
from tickets.contacts.services import contact_log
from tickets.customers.selectors import customer_card, customer_find_by_phone, customers_visible_to
from tickets.customers.services import customer_create
from tickets.customers.validators import phone_normalize
from tickets.intake.forms import CustomerForm, IntakeForm, PhoneLookupForm
from tickets.intake.services import intake_record


def _typed(raw: str) -> str:
    try:
        return phone_normalize(raw) if raw else ""
    except ValidationError:
        return ""


def _entry(request: HttpRequest, customer, intake_form: IntakeForm | None = None, *,
           typed_phone: str = "") -> dict:
    """A caller's card with the form to log the contact and open a case (首问). The number
    the agent typed for this call (`typed_phone`, normalised) is shown back in full even to
    a role that sees masked numbers; every other place keeps the mask."""
    if intake_form is None and request.user.has_perm("tickets.add_case"):
        intake_form = IntakeForm(initial={
            "customer": customer.pk,
            "caller_phone": typed_phone,
            "queued_at": timezone.now().isoformat(),
            "channel": Contact.Channel.INBOUND_CALL,
        })
    return {"card": customer_card(customer=customer, viewer=request.user,
                                  typed_phone=typed_phone),
            "history": customer_history(customer=customer, limit=10),
            "intake_form": intake_form}


@login_required
@permission_required("tickets.view_customer", raise_exception=True)
@require_GET
def incoming_call(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Type the caller's number: the customer's card, or a form to register them."""
    form = PhoneLookupForm(request.GET or None)
    context: dict = {"lookup_form": form}
    if form.is_bound and form.is_valid():
        context.update(_lookup(request, form.cleaned_data["phone"]))
    template = "tickets/_caller.html" if request.htmx else "tickets/incoming_call.html"
    return render(request, template, context)


def _lookup(request: HttpRequest, raw_phone: str) -> dict:
    try:
        phone = phone_normalize(raw_phone)
    except ValidationError as exc:
        return {"phone_error": exc.messages[0]}
    customers = list(customer_find_by_phone(phone=phone)[:5])
    if customers:
        return {"entries": [_entry(request, c, typed_phone=phone) for c in customers]}
    return {"customer_form": CustomerForm(initial={"phone": phone}),
            "can_create": request.user.has_perm("tickets.add_customer")}


@login_required
@permission_required("tickets.add_customer", raise_exception=True)
@require_POST
def customer_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            customer = customer_create(by=request.user, **form.cleaned_data)
            return render(request, "tickets/_caller.html", {
                "entries": [_entry(request, customer,
                                   typed_phone=_typed(form.cleaned_data["phone"]))],
                "just_created": True,
            })
    # htmx swaps only 2xx answers: the fragment with field errors comes back as 200 there.
    return render(request, "tickets/_caller.html", {"customer_form": form, "can_create": True},
                  status=200 if request.htmx else 400)


@login_required
@permission_required("tickets.add_case", raise_exception=True)
@require_POST
def intake_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log the contact and open its case in one step; errors come back on the card."""
    form = IntakeForm(request.POST)
    customer_id = request.POST.get("customer", "")
    customer = get_object_or_404(
        customers_visible_to(user=request.user), pk=int(customer_id) if customer_id.isdigit() else 0
    )
    complaint_form_url = _complaint_form_url()
    if form.is_valid() and form.cleaned_data["category"].kind == CaseKind.COMPLAINT \
            and complaint_form_url:
        data = form.cleaned_data
        with service_errors(form):
            contact = contact_log(
                channel=data["channel"], agent=request.user, queued_at=data["queued_at"],
                answered_at=data["queued_at"], ended_at=timezone.now(), customer=customer,
                category=data["category"], summary=data["subject"],
            )
            return _complaint_form(request, complaint_form_url, customer=customer,
                                   contact=contact, data=data)
    elif form.is_valid():
        data = form.cleaned_data
        with service_errors(form):
            result = intake_record(
                agent=request.user, customer=customer, channel=data["channel"],
                queued_at=data["queued_at"], answered_at=data["queued_at"],
                category=data["category"], subject=data["subject"],
                description=data["description"],
                promised_callback_at=data["promised_callback_at"],
            )
            return render(request, "tickets/_caller.html", {"opened_case": result.case})
    typed = _typed(request.POST.get("caller_phone", ""))
    return render(request, "tickets/_caller.html",
                  {"entries": [_entry(request, customer, form, typed_phone=typed)]},
                  status=200 if request.htmx else 400)


# A complaint is filed on the complaints app's own form (graded from the facts): the call is
# logged here and the agent goes on there with the caller and the call. Linked by its URL
# name only (tickets never imports complaints); without that app, a complaint category
# opens its case here like any other.
COMPLAINT_FORM_URL_NAME = "complaints:new"


def _complaint_form_url() -> str:
    try:
        return reverse(COMPLAINT_FORM_URL_NAME)
    except NoReverseMatch:
        return ""


def _complaint_form(request: AuthenticatedHttpRequest, url: str, *, customer,
                    contact: Contact, data: dict) -> HttpResponse:
    """To the complaint form with the caller, the call just logged, the category chosen
    and what the agent wrote so far (an htmx request is sent there by the browser)."""
    params = {"customer": customer.pk, "contact": contact.pk, "category": data["category"].pk}
    if data.get("description"):
        params["description"] = data["description"]
    target = f"{url}?{urlencode(params)}"
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)
