"""The errors services raise besides a plain field `ValidationError`, shared by every app.

Pages and the API translate them in one place each (the API's exception handler, the
pages' form helper): a refused step is a field error on `status` (400 in the API), a stale
version is a conflict (409) that says the version the record has now."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError

T = TypeVar("T")


def validated(value: T | None) -> T:
    """A value the caller's own validation has required: once `raise_if_any()` passed it is
    never None. Says so to the type checker; a None here is a bug in that validation."""
    if value is None:
        raise RuntimeError("a value the validation required is missing")
    return value


class StepRefused(ValidationError):
    """A step that the record's current state does not allow (someone else took it first,
    or it was never allowed): nothing was written. `current` is the state the record is in
    now (None when the record is gone)."""

    def __init__(self, message: Any, *, current: str | None = None, field: str = "status"):
        super().__init__({field: [message]})
        self.current = current


class StaleVersion(ValidationError):
    """The record changed since the caller read it (its version moved on): nothing was
    written. `current_version` is the version it has now."""

    def __init__(self, message: Any, *, current_version: int | None = None):
        super().__init__(message, code="conflict")
        self.current_version = current_version


class FieldErrors(dict[str, list]):
    """The field errors a service collects before it refuses: `add` a message per field as
    the checks go, then `raise_if_any()` raises them together as one ValidationError (nothing
    written). A plain dict underneath, so `field in errors` and `errors[field]` still work."""

    def add(self, field: str, message: Any) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))
