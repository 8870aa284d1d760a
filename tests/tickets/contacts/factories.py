"""Contacts are logged through `contact_log`, so they get their department and derived
fields the real way."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.factories import StaffFactory
from tickets.contacts.models import Contact
from tickets.contacts.services import contact_log

BASE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def contact_log_for_test(
    *, agent=None, queued_at: dt.datetime | None = None, response_seconds: int | None = 10,
    **kwargs,
) -> Contact:
    """Log an inbound call by a new tier-1 agent unless `agent` is given, answered after
    `response_seconds` (None: not answered)."""
    queued_at = queued_at or BASE
    if response_seconds is not None:
        kwargs.setdefault("answered_at", queued_at + dt.timedelta(seconds=response_seconds))
    kwargs.setdefault("channel", Contact.Channel.INBOUND_CALL)
    kwargs.setdefault("now", max(timezone.now(), queued_at + dt.timedelta(hours=1)))
    return contact_log(agent=agent or StaffFactory().user, queued_at=queued_at, **kwargs)
