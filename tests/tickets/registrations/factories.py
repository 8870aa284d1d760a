"""Customer registrations built through the real services (filing, approval, conversion),
relative to the real clock unless `now` is given, so pages and the API (which act "now")
see them in the state the test asks for."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tickets.customers.validators import id_number_check_char
from tickets.registrations.models import CustomerRegistration
from tickets.registrations.services import registration_convert, registration_file

_numbers = itertools.count(1)


def _id_number(n: int) -> str:
    first17 = f"11010519900307{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


def registration_for_test(
    *, by=None, now: dt.datetime | None = None, is_relative: bool = False, **kwargs
) -> CustomerRegistration:
    """A filing by a new tier-1 agent unless `by` is given, made at `now` (default: the
    real now): protected for 48 hours, or, with is_relative=True, a relative filing 61 days
    ahead waiting for the general manager."""
    now = now or timezone.now()
    n = next(_numbers)
    kwargs.setdefault("name", "赵敏")
    kwargs.setdefault("phone", f"1370000{n % 10000:04d}")
    kwargs.setdefault("id_number", _id_number(n))
    kwargs.setdefault(
        "expected_visit_at", now + dt.timedelta(days=61 if is_relative else 2)
    )
    return registration_file(
        by=by or StaffFactory(role=Role.TIER1).user, is_relative=is_relative, now=now,
        **kwargs,
    )


def converted_registration_for_test(
    *, converted_at: dt.datetime | None = None, **kwargs
) -> CustomerRegistration:
    """A registration whose filer closed the deal at `converted_at` (default: now), filed
    an hour before."""
    converted_at = converted_at or timezone.now()
    registration = registration_for_test(now=converted_at - dt.timedelta(hours=1), **kwargs)
    return registration_convert(
        registration=registration, by=registration.filed_by, now=converted_at
    )
