"""The agent's main action: log the contact and, in the same transaction, open the case
it is about. Either both are written or neither."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from servicedesk.types import User
from tickets.cases.models import Case, CaseCategory
from tickets.cases.services import case_open
from tickets.contacts.models import Contact
from tickets.contacts.services import contact_link_case, contact_log
from tickets.customers.models import Customer


@dataclass(frozen=True)
class IntakeResult:
    contact: Contact
    case: Case


@transaction.atomic
def intake_record(
    *,
    agent: User,
    customer: Customer,
    channel: str,
    queued_at: dt.datetime,
    answered_at: dt.datetime | None,
    category: CaseCategory,
    subject: str,
    description: str = "",
    promised_callback_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """Log the call or session and open the case of the category's kind, assigned to the
    agent who took it (首问). Field errors from both steps are reported together."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    contact = case = None
    try:
        contact = contact_log(
            channel=channel, agent=agent, queued_at=queued_at, answered_at=answered_at,
            ended_at=now, customer=customer, category=category, summary=subject, now=now,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        with transaction.atomic():
            case = case_open(
                customer=customer, kind=category.kind, category=category, subject=subject,
                description=description, by=agent, assignee=agent,
                promised_callback_at=promised_callback_at, now=now,
            )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors or contact is None or case is None:  # (no errors: both were written)
        raise ValidationError(errors)
    contact_link_case(contact=contact, case=case, by=agent)
    return IntakeResult(contact=contact, case=case)
