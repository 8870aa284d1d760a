"""/api/v1/contacts/: logging with derived fields, field-level 400s that write nothing,
department scoping, phone filter, and one contact per Idempotency-Key."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.customers.factories import CustomerFactory
from tickets.contacts.models import Contact

URL = "/api/v1/contacts/"
pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _body(**overrides):
    queued = timezone.now() - dt.timedelta(minutes=5)
    body = {"channel": "inbound_call", "queued_at": queued.isoformat(),
            "answered_at": (queued + dt.timedelta(seconds=12)).isoformat(),
            "ended_at": (queued + dt.timedelta(minutes=3)).isoformat(), "summary": "咨询"}
    body.update(overrides)
    return body


def test_logging_derives_answered_and_first_response():
    agent = StaffFactory(role=Role.TIER1).user
    response = _api(agent).post(URL, _body(customer=CustomerFactory().pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["answered"], body["first_response_seconds"], body["agent"]) == (True, 12, agent.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "pigeon"), ("queued_at", "2026-11-23T09:00:00"), ("queued_at", "yesterday"),
     ("answered_at", "2000-01-01T00:00:00+08:00"), ("category", 999999), ("customer", 999999)],
)
def test_bad_input_is_a_field_level_400_and_writes_nothing(field, value):
    response = _api(StaffFactory().user).post(URL, _body(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Contact.objects.count() == 0


def test_other_departments_contacts_are_invisible():
    mine = StaffFactory(role=Role.TIER1).user
    other = StaffFactory(role=Role.TIER1, department=DepartmentFactory()).user
    _api(other).post(URL, _body(), format="json")
    assert _api(mine).get(URL).json()["count"] == 0
    assert _api(StaffFactory(role=Role.MANAGER).user).get(URL).json()["count"] == 1


def test_filter_by_customer_phone_in_any_written_form():
    agent = StaffFactory(role=Role.TIER1).user
    customer = CustomerFactory(phone="13500135000")
    _api(agent).post(URL, _body(customer=customer.pk), format="json")
    _api(agent).post(URL, _body(), format="json")
    results = _api(agent).get(URL, {"customer_phone": "+86 135-0013-5000"}).json()["results"]
    assert [r["customer"] for r in results] == [customer.pk]


def test_a_retried_post_logs_one_contact():
    api = _api(StaffFactory().user)
    body = _body()
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="call-7")
    second = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="call-7")
    assert first.json() == second.json()
    assert Contact.objects.count() == 1


def test_managers_read_but_do_not_log_contacts():
    response = _api(StaffFactory(role=Role.MANAGER).user).post(URL, _body(), format="json")
    assert response.status_code == 403
