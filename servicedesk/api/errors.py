"""The API's one translation of errors (`REST_FRAMEWORK["EXCEPTION_HANDLER"]`), so that
views just call the service:

- a Django `ValidationError` from a service (a refused step, `StepRefused`, included) is 400
  with the same field keys, Chinese-first messages unchanged; a message without a field is
  under `non_field_errors`;
- a stale version (`StaleVersion`) is 409: `detail`, `code: "conflict"` and the
  `current_version` the record has now;
- a Django `PermissionDenied` is 403 and `Http404` is 404 (DRF's own handling).

Where a service names a field differently from the API (`status` of `case_transition` is
the request's `to_status`), the viewset declares it in `service_error_fields`: per action,
service field → API field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from servicedesk.errors import StaleVersion


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersion):
        set_rollback()
        return Response(
            {"detail": str(exc.message), "code": "conflict",
             "current_version": exc.current_version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf_validation_error(exc, rename=_service_error_fields(context.get("view")))
    return drf_exception_handler(exc, context)


def _service_error_fields(view: Any) -> dict[str, str]:
    return getattr(view, "service_error_fields", {}).get(getattr(view, "action", None), {})


def _as_drf_validation_error(
    exc: DjangoValidationError, *, rename: dict[str, str] | None = None
) -> ValidationError:
    """`rename` maps a service's field name to the one the client sent."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"non_field_errors": exc.messages})
    rename = rename or {}
    return ValidationError(
        {rename.get(field, field): messages for field, messages in exc.message_dict.items()}
    )
