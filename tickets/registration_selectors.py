"""Read-side queries of customer registrations: who may see them and their state."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tickets.case_selectors import department_scoped
from tickets.models import CustomerRegistration


def registrations_visible_to(*, user) -> QuerySet[CustomerRegistration]:
    """As for cases: management sees every registration; agents, floor leads and supervisors
    those of their own department; anybody without a staff profile none."""
    return department_scoped(
        user=user,
        queryset=CustomerRegistration.objects.select_related(
            "filed_by", "department", "approved_by"
        ),
    )


def registration_state(registration: CustomerRegistration, now: dt.datetime) -> str:
    """The status to show as of `now`: a protected registration whose protection ran out
    shows as expired even before the sweep has written it."""
    status = CustomerRegistration.Status
    if (
        registration.status == status.PROTECTED
        and registration.protected_until is not None
        and registration.protected_until <= now
    ):
        return status.EXPIRED
    return registration.status
