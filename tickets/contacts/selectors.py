"""Read-side queries of the contact log: who sees which contacts, a customer's history and
the floor KPIs (domain.md, "Floor KPIs")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Q, QuerySet

from servicedesk.models import Department
from servicedesk.types import AnyUser
from tickets.cases.models import Case
from tickets.cases.selectors import department_scoped
from tickets.contacts.models import Contact
from tickets.customers.models import Customer

# A session answered after at most this many seconds counts as responded to in time.
RESPONSE_LIMIT_SECONDS = 45


def contacts_visible_to(*, user: AnyUser) -> QuerySet[Contact]:
    """Scoped like cases: by the department the contact was logged in."""
    return department_scoped(user=user, queryset=Contact.objects.all())


@dataclass(frozen=True)
class CustomerHistory:
    contacts: list[Contact]
    open_cases: list[Case]


def customer_history(*, customer: Customer, limit: int = 20) -> CustomerHistory:
    """The customer's latest `limit` contacts (newest first, with agent, category and case)
    and open cases (oldest first): two queries, served by the (customer, queued_at) index."""
    contacts = list(
        Contact.objects.filter(customer=customer)
        .select_related("agent", "category", "case")
        .order_by("-queued_at", "-id")[:limit]
    )
    open_cases = list(
        Case.objects.filter(customer=customer, status__in=Case.OPEN_STATUSES)
        .select_related("category", "assignee")
        .order_by("opened_at", "id")
    )
    return CustomerHistory(contacts=contacts, open_cases=open_cases)


@dataclass(frozen=True)
class FloorRates:
    requested: int
    answered: int
    responded_in_time: int
    response_base: int  # answered and not transferred away
    answer_rate: Fraction | None
    response_rate_45s: Fraction | None


def _rate(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def floor_rates(
    *,
    department: Department | None = None,
    start: dt.datetime,
    end: dt.datetime,
    channels: Iterable[str] | None = None,
) -> FloorRates:
    """Answer rate (answered / requested) and 45-second response rate (first reply within
    45 s, inclusive / answered sessions not transferred away) of the contacts queued in
    [start, end), for one department or all; one aggregate query."""
    contacts = Contact.objects.filter(queued_at__gte=start, queued_at__lt=end)
    if department is not None:
        contacts = contacts.filter(department=department)
    if channels is not None:
        contacts = contacts.filter(channel__in=list(channels))
    base = Q(answered=True, transferred=False)
    counts = contacts.aggregate(
        n_requested=Count("id"),
        n_answered=Count("id", filter=Q(answered=True)),
        n_response_base=Count("id", filter=base),
        n_responded_in_time=Count(
            "id", filter=base & Q(first_response_seconds__lte=RESPONSE_LIMIT_SECONDS)
        ),
    )
    requested, answered = counts["n_requested"], counts["n_answered"]
    in_time, response_base = counts["n_responded_in_time"], counts["n_response_base"]
    return FloorRates(
        requested=requested,
        answered=answered,
        responded_in_time=in_time,
        response_base=response_base,
        answer_rate=_rate(answered, requested),
        response_rate_45s=_rate(in_time, response_base),
    )
