"""The monthly person check on Celery beat, every hour. Thin: it calls the service, which
asks the database what counts now (a lost task or an hour without the scheduler costs
nothing but delay)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from complaints.checks.services import person_checks_run_recent


@shared_task(ignore_result=True)
def person_checks_task() -> str:
    reports = person_checks_run_recent(now=timezone.now())
    return "; ".join(str(report) for report in reports)
