"""Read-side queries of the tickets app: customers."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from servicedesk.presenters import personal_data_for, phone_for
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser
from tickets.customers.models import Customer
from tickets.customers.validators import phone_normalize


def customer_find_by_phone(*, phone: str) -> QuerySet[Customer]:
    """Customers with this phone number, however it was typed; none for a number that
    is not a valid phone number."""
    try:
        normalized = phone_normalize(phone)
    except ValidationError:
        return Customer.objects.none()
    return Customer.objects.filter(phone=normalized).select_related("created_by")


def customers_visible_to(*, user: AnyUser | None) -> QuerySet[Customer]:
    """Every customer for staff (a user with a staff profile); none for anybody else
    (None: nobody, the placeholder of a serializer field before it knows the request)."""
    if staff_profile_of(user) is None:
        return Customer.objects.none()
    return Customer.objects.all()


@dataclass(frozen=True)
class CustomerCard:
    """What the agent sees of a caller: personal data masked unless the viewer may see it."""

    id: int
    code: str
    name: str
    phone: str
    id_number: str
    company: str
    notes: str
    created_at: object


def customer_card(*, customer: Customer, viewer: AnyUser, typed_phone: str = "") -> CustomerCard:
    """The caller's card; the phone in full when `typed_phone` (normalised) is the
    customer's number, i.e. the one the agent on the call typed (`phone_for`)."""
    shown = personal_data_for(viewer)
    return CustomerCard(
        id=customer.pk,
        code=customer.code,
        name=customer.name,
        phone=phone_for(viewer, customer.phone, typed=typed_phone),
        id_number=shown.id_number(customer.id_number),
        company=customer.company,
        notes=customer.notes,
        created_at=customer.created_at,
    )
