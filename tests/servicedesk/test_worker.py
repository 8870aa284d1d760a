"""A real Celery worker on the configured broker (filesystem by default, Redis when
REDIS_URL is set) runs the heartbeat job and the database records it."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from servicedesk.celery import app
from servicedesk.models import Heartbeat
from servicedesk.tasks import HEARTBEAT, heartbeat_task


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_the_heartbeat(celery_private_queue):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        heartbeat_task.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name=HEARTBEAT):
            time.sleep(0.2)
    beat = Heartbeat.objects.get(name=HEARTBEAT)
    assert beat.runs == 1
    assert beat.worker


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_sends_a_heartbeat_as_it_starts(celery_private_queue):
    """`/healthz` is healthy as soon as the scheduler and a worker run, not one heartbeat
    interval (30 s) later: the scheduler's start sends the heartbeat task at once."""
    from celery import signals
    from celery.beat import Service

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        signals.beat_embedded_init.send(sender=Service(app))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name=HEARTBEAT):
            time.sleep(0.2)
    assert Heartbeat.objects.get(name=HEARTBEAT).runs == 1
