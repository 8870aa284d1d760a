"""Periodic jobs of the shared kernel. Tasks only translate: they call one service."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from servicedesk.services import heartbeat_record

HEARTBEAT = "worker"


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    heartbeat_record(name=HEARTBEAT, now=timezone.now(), worker=socket.gethostname())
