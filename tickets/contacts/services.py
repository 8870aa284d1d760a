"""Use cases of the tickets app that write: the contact log (every call or online session).

Every service validates first (field errors, nothing written), then writes the contact and,
when a case is involved, that case's timeline row in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import FieldErrors
from servicedesk.selectors import staff_profile_of
from servicedesk.types import User
from servicedesk.validation import event_time_clean, text_clean
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.contacts.models import Contact
from tickets.customers.models import Customer

CONTACT_LOGGED = "contact_logged"


def _check_case_customer(errors: FieldErrors, *, case: Case, customer_id: int | None) -> None:
    if customer_id is not None and case.customer_id != customer_id:
        errors.add("case", _("This case belongs to another customer."))


def _case_event_for(*, contact: Contact, case: Case, by: User, now: dt.datetime) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=by,
        kind=CaseEvent.Kind.COMMENTED,
        data={
            "to": CONTACT_LOGGED,
            "event": CONTACT_LOGGED,
            "contact": contact.pk,
            "channel": contact.channel,
            "queued_at": contact.queued_at.isoformat(),
            "answered": contact.answered,
        },
    )


@transaction.atomic
def contact_log(
    *,
    channel: str,
    agent: User,
    queued_at: dt.datetime,
    answered_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    customer: Customer | None = None,
    case: Case | None = None,
    category: CaseCategory | None = None,
    summary: str = "",
    transferred: bool = False,
    now: dt.datetime | None = None,
) -> Contact:
    """Log one call or online session handled by `agent`, in the agent's department.

    `answered` and `first_response_seconds` (whole seconds from queueing to answering)
    follow from `answered_at`. A contact with a case but no customer takes the case's
    customer; with a case, the case's timeline gets a "contact logged" row."""
    now = now or timezone.now()
    errors = FieldErrors()
    if channel not in Contact.Channel.values:
        errors.add("channel", _("Choose the channel of the contact."))
    profile = staff_profile_of(agent)
    department_id = profile.department_id if profile is not None else None
    if department_id is None:
        errors.add("agent", _("Only staff with a department can log contacts."))

    # each is None unless given and plausible (aware, not in the future, not years old)
    queued = event_time_clean(errors, "queued_at", queued_at, now=now,
                              required=_("Give the time the contact came in."))
    answered_ = event_time_clean(errors, "answered_at", answered_at, now=now)
    ended = event_time_clean(errors, "ended_at", ended_at, now=now)
    if queued and answered_ and answered_ < queued:
        errors.add("answered_at", _("A contact cannot be answered before it came in."))
    if queued and ended and ended < queued:
        errors.add("ended_at", _("A contact cannot end before it came in."))
    elif answered_ and ended and ended < answered_:
        errors.add("ended_at", _("A contact cannot end before it was answered."))
    summary = text_clean(errors, "summary", summary)

    if case is not None:
        _check_case_customer(
            errors, case=case, customer_id=customer.pk if customer is not None else None
        )
    errors.raise_if_any()

    if customer is None and case is not None:
        customer = case.customer
    answered = answered_at is not None
    contact = Contact.objects.create(
        channel=channel,
        customer=customer,
        agent=agent,
        department_id=department_id,  # type: ignore[misc]  # None was refused above
        case=case,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        answered=answered,
        first_response_seconds=(
            int((answered_at - queued_at).total_seconds()) if answered_at is not None else None
        ),
        transferred=bool(transferred),
        category=category,
        summary=summary,
    )
    if case is not None:
        _case_event_for(contact=contact, case=case, by=agent, now=now)
    return contact


@transaction.atomic
def contact_link_case(
    *, contact: Contact, case: Case, by: User, now: dt.datetime | None = None
) -> Contact:
    """Attach a case opened after the contact was logged. A contact without a customer
    takes the case's customer; the case's timeline gets a "contact logged" row."""
    now = now or timezone.now()
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    errors = FieldErrors()
    _check_case_customer(errors, case=case, customer_id=current.customer_id)
    errors.raise_if_any()
    if current.case_id == case.pk:
        contact.refresh_from_db()
        return contact
    values: dict[str, object] = {"case": case}
    if current.customer_id is None:
        values["customer_id"] = case.customer_id
    Contact.objects.filter(pk=current.pk).update(**values)
    current.refresh_from_db()
    _case_event_for(contact=current, case=case, by=by, now=now)
    contact.refresh_from_db()
    return contact
