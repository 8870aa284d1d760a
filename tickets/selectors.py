"""Read-side queries of the tickets app: customers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from servicedesk.selectors import staff_profile_of
from tickets.models import Customer
from tickets.validators import phone_normalize


def customer_find_by_phone(*, phone: str) -> QuerySet[Customer]:
    """Customers with this phone number, however it was typed; none for a number that
    is not a valid phone number."""
    try:
        normalized = phone_normalize(phone)
    except ValidationError:
        return Customer.objects.none()
    return Customer.objects.filter(phone=normalized).select_related("created_by")


def customers_visible_to(*, user) -> QuerySet[Customer]:
    """Every customer for staff (a user with a staff profile); none for anybody else."""
    if staff_profile_of(user) is None:
        return Customer.objects.none()
    return Customer.objects.all()
