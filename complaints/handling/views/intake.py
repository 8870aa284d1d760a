"""The intake form (`/complaints/new/`): the agent takes the complaint on the call.

While the agent fills it in, the page's script (complaint-intake.js) shows the grade the
criteria suggest (from the grade-preview endpoint, the same rule as the service), the
handling advice for the complainant's temperament, the desk notice of a desk-only source and
what to tell the customer (首问: the handling department, its contact person and phone).
Without the script the form still works: the server shows the suggestion of the criteria
as posted, and the service decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints.handling.advice import TEMPERAMENT_ADVICE
from complaints.handling.forms import ComplaintIntakeForm
from complaints.handling.grading import Criteria, criteria_errors, grade_suggest
from complaints.handling.models import (
    SOURCE_DESK,
    Complaint,
    ComplaintType,
    Grade,
    Source,
    Temperament,
)
from complaints.handling.selectors import first_contact_info
from complaints.handling.services import complaint_file
from servicedesk.pages import form_post_create
from servicedesk.roles import Role
from servicedesk.types import AuthenticatedHttpRequest
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to
from tickets.customers.models import Customer
from tickets.customers.selectors import customers_visible_to


@login_required
@permission_required("complaints.add_complaint", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The intake form; from the incoming-call page with `?customer=<id>&contact=<id>`
    (the caller and the call just logged) and the case category chosen there."""
    customers = customers_visible_to(user=request.user)
    # the calls this agent logged and has not linked to a case yet
    contacts = contacts_visible_to(user=request.user).filter(agent=request.user,
                                                            case__isnull=True)
    if request.method == "POST":
        form = ComplaintIntakeForm(request.POST, customers=customers, contacts=contacts)
    else:
        form = ComplaintIntakeForm(initial=_initial_from_call(request, customers, contacts),
                                   customers=customers, contacts=contacts)
    complaint = form_post_create(request, form, permission="complaints.add_complaint",
                                 service=complaint_file)
    if complaint is not None:
        messages.success(request, filed_message(complaint))
        return redirect("complaints:complaint", complaint_id=complaint.pk)
    return render(request, "complaints/new.html", _context(form),
                  status=400 if request.method == "POST" else 200)


def _initial_from_call(request: HttpRequest, customers: QuerySet[Customer],
                       contacts: QuerySet[Contact]) -> dict[str, Any]:
    """The caller, the logged call and the type (when the case category chosen on the
    incoming-call page belongs to one type only) carried along in the query string.
    An id this agent may not use is left out."""
    params = request.GET
    initial: dict[str, Any] = {}
    customer = _by_id(customers, params.get("customer"))
    contact = _by_id(contacts.select_related("customer"), params.get("contact"))
    if contact is not None and customer is not None and contact.customer_id not in (
            None, customer.pk):
        contact = None
    if contact is not None:
        initial["contact"] = contact.pk
        initial["source"] = Source.CALL_LETTER  # taken on the call
        customer = customer or contact.customer
    if customer is not None:
        initial["customer"] = customer.code
    category = params.get("category", "")
    if category.isascii() and category.isdigit() and len(category) < 10:
        types = list(ComplaintType.objects.filter(active=True, category_id=int(category))[:2])
        if len(types) == 1:
            initial["type"] = types[0].pk
    description = params.get("description", "").strip()
    if description:
        initial["description"] = description[:4000]
    return initial


def _by_id(queryset: QuerySet, text: str | None) -> Any:
    if not text or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return queryset.filter(pk=int(text)).first()


def _suggestion(form: ComplaintIntakeForm) -> Any:
    """The grade the criteria as typed suggest, or None while one of them is not valid."""
    values = form.criteria()
    if criteria_errors(**values):
        return None
    return grade_suggest(Criteria(**values))


def first_contact_shown(info: dict[str, Any]) -> dict[str, str]:
    """`first_contact_info` as text: the department's name, contact person, phone."""
    department = info.get("department")
    return {"department": department.name if department is not None else "",
            "contact_person": str(info.get("contact_person") or ""),
            "phone": str(info.get("phone") or "")}


def _first_contacts(types: QuerySet[ComplaintType]) -> dict[str, dict[str, str]]:
    """What to tell the customer for each type (by id): the handling department, its
    contact person and phone (a handful of admin-kept types)."""
    shown = {str(t.pk): first_contact_shown(first_contact_info(complaint_type=t))
             for t in types}
    for info in shown.values():
        info["sentence"] = tell_the_customer(info)
    return shown


def _context(form: ComplaintIntakeForm) -> dict[str, Any]:
    suggestion = _suggestion(form)
    if suggestion is not None:  # "As suggested (A)", also without the page's script
        form.as_suggested(suggestion.grade)
    types = form.fields["type"].queryset  # type: ignore[attr-defined]
    chosen_source = form["source"].value() or ""
    chosen_temperament = form["temperament"].value() or ""
    chosen_type = str(form["type"].value() or "")
    first_contacts = _first_contacts(types.select_related("owner_department__head"))
    return {
        "form": form,
        "suggestion": suggestion,
        "grade_labels": {g.value: str(g.label) for g in Grade},
        "preview_url": reverse("complaint-grade-preview"),
        "advice": [{"temperament": key, "label": label, "text": TEMPERAMENT_ADVICE.get(key, ""),
                    "shown": key == chosen_temperament}
                   for key, label in Temperament.choices],
        "desk_sources": sorted(SOURCE_DESK),
        "desk_shown": chosen_source in SOURCE_DESK,
        "desk_labels": {Role.PUBLIC_OPINION.value: str(Role.PUBLIC_OPINION.label),
                        Role.MAJOR_SAFETY.value: str(Role.MAJOR_SAFETY.label)},
        "first_contacts": first_contacts,
        "first_contact": first_contacts.get(chosen_type),
    }


def filed_message(complaint: Complaint) -> str:
    """The message after filing: the case number, the grade decided and what to tell the
    customer."""
    return _("Complaint %(number)s filed, graded %(grade)s. %(tell)s") % {
        "number": complaint.case.number,
        "grade": complaint.get_grade_display(),
        "tell": first_contact_sentence(complaint=complaint),
    }


def first_contact_sentence(*, complaint: Complaint) -> str:
    return tell_the_customer(first_contact_shown(first_contact_info(
        complaint_type=complaint.type, department=complaint.handling_department)))


def tell_the_customer(info: dict[str, str]) -> str:
    """首问: "Tell the customer: handled by …, contact …, phone …" (what is known of it)."""
    if not info.get("department"):
        return _("Tell the customer that the service center handles the complaint and "
                 "will call back.")
    return _("Tell the customer: the complaint is handled by %(department)s, contact "
             "%(contact)s, phone %(phone)s.") % {
        "department": info["department"],
        "contact": info.get("contact_person") or "—",
        "phone": info.get("phone") or "—",
    }
