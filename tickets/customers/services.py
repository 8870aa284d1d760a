"""Use cases of the tickets app that write: customers."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.counters import counter_next
from servicedesk.errors import FieldErrors
from servicedesk.types import User
from servicedesk.validation import LINE_MAX_LENGTH, name_clean, text_clean
from tickets.customers.models import Customer, CustomerCodeCounter
from tickets.customers.validators import id_number_normalize, phone_normalize

CUSTOMER_EDITABLE_FIELDS = frozenset({"name", "phone", "id_number", "company", "notes"})


@transaction.atomic(savepoint=False)
def customer_code_allocate(*, now: dt.datetime | None = None) -> str:
    """The next customer code of the month of `now` (Beijing time): C202611001, ….

    See `counter_next`: concurrent callers queue up; a rollback gives the number back.
    """
    month = timezone.localtime(now or timezone.now()).strftime("%Y%m")
    return f"C{month}{counter_next(model=CustomerCodeCounter, month=month):03d}"


def customer_values_clean(
    *, values: dict[str, str], exclude_pk: int | None = None
) -> dict[str, str]:
    """Normalised values, or a ValidationError listing every field that is wrong."""
    cleaned = dict(values)
    errors = FieldErrors()
    if "name" in cleaned:
        cleaned["name"] = name_clean(errors, "name", cleaned["name"],
                                     required=_("Enter the customer's name."))
    if "company" in cleaned:
        cleaned["company"] = text_clean(errors, "company", cleaned["company"],
                                        max_length=LINE_MAX_LENGTH, single_line=True)
    if "notes" in cleaned:
        cleaned["notes"] = text_clean(errors, "notes", cleaned["notes"])
    for field, normalize in (("phone", phone_normalize), ("id_number", id_number_normalize)):
        if field in cleaned:
            try:
                cleaned[field] = normalize(cleaned[field])
            except ValidationError as error:
                errors[field] = error.messages
    if cleaned.get("id_number") and "id_number" not in errors:
        others = Customer.objects.filter(id_number=cleaned["id_number"])
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if other := others.values_list("code", flat=True).first():
            errors.add("id_number", _("Customer %(code)s has this ID number already.")
                       % {"code": other})
    errors.raise_if_any()
    return cleaned


def _id_number_taken() -> ValidationError:
    return ValidationError({"id_number": [_("A customer with this ID number exists already.")]})


@transaction.atomic
def customer_create(
    *,
    name: str,
    phone: str,
    id_number: str = "",
    company: str = "",
    notes: str = "",
    by: User,
    now: dt.datetime | None = None,
) -> Customer:
    """Register a customer with the next code of the month. Nothing is written when a
    field is wrong: the ValidationError maps each wrong field to its messages."""
    cleaned = customer_values_clean(
        values={
            "name": name,
            "phone": phone,
            "id_number": id_number,
            "company": company,
            "notes": notes,
        }
    )
    code = customer_code_allocate(now=now)
    try:
        with transaction.atomic():
            return Customer.objects.create(code=code, created_by=by, **cleaned)
    except IntegrityError:
        # Only the ID number can clash once the code came from the counter: a concurrent
        # registration of the same person won. Raising rolls the counter back too.
        if cleaned["id_number"] and Customer.objects.filter(
            id_number=cleaned["id_number"]
        ).exists():
            raise _id_number_taken() from None
        raise


@transaction.atomic
def customer_update(*, customer: Customer, by: User, **fields: str) -> Customer:
    """Change a customer's name, phone, ID number, company or notes, validated as on
    creation. The code and the creator never change."""
    unknown = set(fields) - CUSTOMER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"customer_update() cannot change {sorted(unknown)}")
    cleaned = customer_values_clean(values=fields, exclude_pk=customer.pk)
    changed = [field for field, value in cleaned.items() if getattr(customer, field) != value]
    if not changed:
        return customer
    for field in changed:
        setattr(customer, field, cleaned[field])
    try:
        with transaction.atomic():
            customer.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        if "id_number" in changed:
            raise _id_number_taken() from None
        raise
    return customer
