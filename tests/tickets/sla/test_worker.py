"""The sweep on a real Celery worker (filesystem broker by default, Redis when REDIS_URL is
set), and every job in the beat schedule is known to the worker."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.utils import timezone

from servicedesk.celery import app
from servicedesk.models import Heartbeat
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import Case, SlaState
from tickets.sla.models import SlaEvent


def test_every_scheduled_job_is_registered_with_the_worker():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_and_records_the_breach(settings, celery_private_queue):
    from tickets.sla.tasks import sla_sweep_task

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seed_sla_policies()
    agent = StaffFactory().user
    case = case_open_for_test(code="urgent-system-failure", by=agent, assignee=agent,
                              now=timezone.now() - dt.timedelta(minutes=6))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        sla_sweep_task.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not SlaEvent.objects.filter(
            case=case, kind="breached"
        ).exists():
            time.sleep(0.2)
    assert SlaEvent.objects.filter(case=case, kind="breached").count() == 2  # both clocks
    assert Case.objects.get(pk=case.pk).sla_state == SlaState.BREACHED
    deadline = time.monotonic() + 5  # the heartbeat is written right after the sweep
    while time.monotonic() < deadline and not Heartbeat.objects.filter(name="sla-sweep"):
        time.sleep(0.1)
    assert Heartbeat.objects.get(name="sla-sweep").runs == 1
