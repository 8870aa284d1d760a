"""Background jobs of the penalty ledger. Thin: they call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from complaints.penalties.services import late_acceptance_requote


@shared_task(ignore_result=True)
def late_acceptance_requote_task() -> str:
    """Re-quote the late acceptance of the complaints whose acceptance clock still runs
    late (a started day more is 100 yuan more); running twice changes nothing more."""
    return str(late_acceptance_requote(now=timezone.now()))
