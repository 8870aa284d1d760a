"""Background jobs of customer registrations. Thin: they call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tickets.registrations.services import registrations_expire


@shared_task(ignore_result=True)
def registration_expire_task() -> int:
    """Expire the registrations due as of now; running twice changes nothing more."""
    return registrations_expire(now=timezone.now())
