"""/healthz reports database, broker and the worker heartbeat; non-200 when one is down.
Anonymous callers (load balancers) learn only ok/degraded; the checks are for staff who may
see the system's health (the `staff` client below)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.services import heartbeat_record
from servicedesk.tasks import HEARTBEAT
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(StaffFactory(role="supervisor").user)
    return client


def test_anonymous_healthz_says_only_ok_or_degraded(client):
    heartbeat_record(name=HEARTBEAT, now=timezone.now())
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_anonymous_healthz_says_degraded_without_details_when_a_check_fails(client):
    response = client.get(reverse("healthz"))  # the worker never ran
    assert (response.status_code, response.json()) == (503, {"status": "degraded"})


def test_an_agent_gets_no_details_either(client):
    client.force_login(StaffFactory(role="tier1").user)
    assert client.get(reverse("healthz")).json() == {"status": "degraded"}


def test_healthz_is_200_with_a_fresh_heartbeat(staff):
    heartbeat_record(name=HEARTBEAT, now=timezone.now() - dt.timedelta(seconds=30))
    response = staff.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert 29 <= body["checks"]["heartbeat"]["age_seconds"] <= 60


def test_healthz_is_503_when_the_worker_never_ran(staff):
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"] == {
        "ok": False, "last_run_at": None, "age_seconds": None, "max_age_seconds": 120,
    }


def test_healthz_is_503_when_the_heartbeat_is_older_than_two_minutes(staff):
    heartbeat_record(name=HEARTBEAT, now=timezone.now() - dt.timedelta(seconds=150))
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"]["ok"] is False


def test_healthz_is_503_when_the_broker_is_unreachable(staff, settings):
    from servicedesk.celery import app

    heartbeat_record(name=HEARTBEAT, now=timezone.now())
    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = staff.get(reverse("healthz"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_heartbeat_counts_runs_and_keeps_one_row():
    now = timezone.now()
    heartbeat_record(name=HEARTBEAT, now=now - dt.timedelta(minutes=1))
    heartbeat_record(name=HEARTBEAT, now=now)
    from servicedesk.models import Heartbeat

    beat = Heartbeat.objects.get(name=HEARTBEAT)
    assert (beat.runs, beat.last_run_at) == (2, now)


def test_health_page_shows_the_checks_in_chinese(client):
    client.force_login(StaffFactory(role="supervisor").user)
    heartbeat_record(name=HEARTBEAT, now=timezone.now())
    response = client.get(reverse("health"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "数据库" in html and "消息队列" in html and "心跳" in html


def test_a_watched_job_that_stopped_running_is_a_warning_not_an_outage(staff):
    now = timezone.now()
    heartbeat_record(name=HEARTBEAT, now=now)
    heartbeat_record(name="sla-sweep", now=now - dt.timedelta(minutes=10))
    body = staff.get(reverse("healthz")).json()
    assert body["ok"] is True
    assert body["jobs"][0]["name"] == "sla-sweep" and body["jobs"][0]["age_seconds"] >= 600
    assert any("sla-sweep" in warning for warning in body["warnings"])
    heartbeat_record(name="sla-sweep", now=now)
    body = staff.get(reverse("healthz")).json()
    assert not any("sla-sweep" in warning for warning in body["warnings"])
