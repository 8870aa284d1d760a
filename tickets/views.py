"""The agent workspace in the browser. Views translate: check access, call one selector or
service, render (htmx requests get fragments, so the page never reloads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from tickets.forms import CustomerForm, PhoneLookupForm
from tickets.selectors import customer_card, customer_find_by_phone
from tickets.services import customer_create
from tickets.validators import phone_normalize


@login_required
@permission_required("tickets.view_customer", raise_exception=True)
@require_GET
def incoming_call(request: HttpRequest) -> HttpResponse:
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
        return {"cards": [customer_card(customer=c, viewer=request.user) for c in customers]}
    return {"customer_form": CustomerForm(initial={"phone": phone}),
            "can_create": request.user.has_perm("tickets.add_customer")}


@login_required
@permission_required("tickets.add_customer", raise_exception=True)
@require_POST
def customer_create_view(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST)
    if form.is_valid():
        try:
            customer = customer_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return render(request, "tickets/_caller.html", {
                "cards": [customer_card(customer=customer, viewer=request.user)],
                "just_created": True,
            })
    # htmx swaps only 2xx answers: the fragment with field errors comes back as 200 there.
    return render(request, "tickets/_caller.html", {"customer_form": form, "can_create": True},
                  status=200 if request.htmx else 400)
