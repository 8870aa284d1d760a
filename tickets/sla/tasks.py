"""The SLA sweep on Celery beat, every minute. Thin: it calls the sweep. Never scheduled as
ETA tasks per deadline: each run asks the database what is due now, so a lost task or an
hour without the scheduler costs nothing but delay."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from servicedesk.services import heartbeat_record
from tickets.sla.sweep import sla_sweep

SWEEP_HEARTBEAT = "sla-sweep"


@shared_task(ignore_result=True)
def sla_sweep_task() -> str:
    now = timezone.now()
    report = sla_sweep(now=now)
    heartbeat_record(name=SWEEP_HEARTBEAT, now=now, worker=socket.gethostname())
    return str(report)
