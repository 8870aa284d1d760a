"""The API's one translation of service errors: a Django ValidationError from a service
becomes DRF's 400 with the same field keys (Chinese-first messages unchanged)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


def drf_validation_error(
    exc: DjangoValidationError, *, rename: dict[str, str] | None = None
) -> ValidationError:
    """`rename` maps a service's field name to the one the client sent."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"non_field_errors": exc.messages})
    rename = rename or {}
    return ValidationError(
        {rename.get(field, field): messages for field, messages in exc.message_dict.items()}
    )
