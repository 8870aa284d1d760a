"""Filters shared by the tickets API."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from tickets.customers.validators import phone_normalize


def phone_filter(field: str) -> Callable[[QuerySet, str, str], QuerySet]:
    """A django-filter `method` matching `field` against a phone number however it was
    written (+86, spaces, dashes); a number that is no phone number is a 400 on the
    parameter, never an empty list that looks like "no such customer"."""

    def apply(queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            return queryset.filter(**{field: phone_normalize(value)})
        except DjangoValidationError as exc:
            raise ValidationError({name: exc.messages}) from exc

    return apply
