"""Periodic jobs of the shared kernel. Tasks only translate: they call one service."""

from __future__ import annotations

import datetime as dt
import socket

from celery import shared_task
from django.utils import timezone

from servicedesk.models.health import HEARTBEAT
from servicedesk.services import heartbeat_record, idempotency_keys_purge


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    heartbeat_record(name=HEARTBEAT, now=timezone.now(), worker=socket.gethostname())


@shared_task(ignore_result=True)
def idempotency_keys_purge_task() -> None:
    idempotency_keys_purge(older_than=timezone.now() - dt.timedelta(days=2))
