"""Read-side queries of customer registrations: who may see them and their state."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from servicedesk.roles import MANAGEMENT_ROLES
from servicedesk.selectors import staff_profile_of
from tickets.case_selectors import DEPARTMENT_ROLES
from tickets.models import CustomerRegistration


def registrations_visible_to(*, user) -> QuerySet[CustomerRegistration]:
    """As for cases: management sees every registration; agents, floor leads and supervisors
    those of their own department; anybody without a staff profile none."""
    base = CustomerRegistration.objects.select_related("filed_by", "department", "approved_by")
    profile = staff_profile_of(user)
    if profile is None:
        return base.none()
    if profile.role in MANAGEMENT_ROLES:
        return base.all()
    if profile.role in DEPARTMENT_ROLES and profile.department_id is not None:
        return base.filter(department_id=profile.department_id)
    return base.none()


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
