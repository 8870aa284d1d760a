"""Read-side queries of customer registrations: who may see them, who may take which step,
their state and their history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from servicedesk.roles import Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser
from tickets.cases.selectors import department_scoped
from tickets.registrations.models import (
    CustomerRegistration,
    RegistrationEvent,
    RegistrationSettings,
)


def registrations_visible_to(*, user: AnyUser) -> QuerySet[CustomerRegistration]:
    """As for cases: management sees every registration; agents, floor leads and supervisors
    those of their own department; anybody without a staff profile none."""
    return department_scoped(
        user=user,
        queryset=CustomerRegistration.objects.select_related(
            "filed_by", "department", "approved_by", "disputed_by"
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


# --- who may do what -------------------------------------------------------------------------
# The services call these predicates before they write; the pages and the API call them
# through `get_registration_for_user` to answer 403 (and to offer only the allowed steps).

REGISTRATION_ACTIONS = ("approve", "reject", "convert", "dispute")


def registration_may_decide(*, user: AnyUser) -> bool:
    """Only the general manager approves or rejects relative filings (亲戚单)."""
    profile = staff_profile_of(user)
    return profile is not None and profile.role == Role.GENERAL_MANAGER


def registration_may_convert(*, user: AnyUser, registration: CustomerRegistration) -> bool:
    """The filer marks their deal closed; so may whoever changes registrations (the general
    manager)."""
    return user.pk == registration.filed_by_id or user.has_perm(
        "tickets.change_customerregistration"
    )


def registration_may_dispute(*, user: AnyUser) -> bool:
    """Ownership is contested by staff who file registrations themselves."""
    return user.has_perm("tickets.add_customerregistration")


def registration_may(*, user: AnyUser, registration: CustomerRegistration, action: str) -> bool:
    if action in ("approve", "reject"):
        return registration_may_decide(user=user)
    if action == "convert":
        return registration_may_convert(user=user, registration=registration)
    if action == "dispute":
        return registration_may_dispute(user=user)
    raise ValueError(f"unknown registration action {action!r}")


def get_registration_for_user(
    *, user: AnyUser, registration_id: int, action: str | None = None
) -> CustomerRegistration:
    """The registration if `user` may see it (404 otherwise) and, with an `action`, may take
    that step on it at all (403 otherwise; whether the step fits the registration's state
    and windows is the service's answer)."""
    registration = get_object_or_404(registrations_visible_to(user=user), pk=registration_id)
    if action is not None and not registration_may(
        user=user, registration=registration, action=action
    ):
        raise PermissionDenied
    return registration


def registration_actions_for(
    *, registration: CustomerRegistration, user: AnyUser, now: dt.datetime
) -> list[str]:
    """The steps `user` may take on the registration as of `now`, for offering them on the
    page (the services decide again)."""
    status = CustomerRegistration.Status
    actions = []
    if registration.status == status.PENDING_APPROVAL and registration_may_decide(user=user):
        actions += ["approve", "reject"]
    if registration_state(registration, now) == status.PROTECTED and registration_may_convert(
        user=user, registration=registration
    ):
        actions.append("convert")
    if (
        registration.status == status.CONVERTED
        and registration_may_dispute(user=user)
        and registration.converted_at is not None
        and now <= registration.converted_at
        + dt.timedelta(days=RegistrationSettings.load().dispute_days)
    ):
        actions.append("dispute")
    return actions


def registration_history(*, registration: CustomerRegistration) -> QuerySet[RegistrationEvent]:
    """The registration's events, oldest first, with their actors (none for an expiry)."""
    return (
        RegistrationEvent.objects.filter(registration=registration)
        .select_related("actor", "actor__staff_profile")
        .order_by("at", "id")
    )
