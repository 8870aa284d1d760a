"""Filters shared by the tickets API."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from tickets.customers.validators import PHONE_PATTERN, phone_normalize


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


@extend_schema_field({"type": "string", "pattern": PHONE_PATTERN,
                      "description": "A phone number however written (+86, spaces, dashes)."})
class PhoneFilter(django_filters.CharFilter):
    """The filter of `field` by phone number (`phone_filter`)."""

    def __init__(self, field: str, **kwargs):
        super().__init__(method=phone_filter(field), **kwargs)
