"""/api/v1/registrations/: filing through the rules, field-level 400s that write nothing,
masking, scoping, and one filing per Idempotency-Key."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tickets.registrations.models import CustomerRegistration

URL = "/api/v1/registrations/"
pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _body(**overrides):
    body = {"name": "赵敏", "phone": "133-0013-3000", "id_number": "11010519491231002X",
            "expected_visit_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}
    body.update(overrides)
    return body


def test_filing_is_protected_and_masked_for_tier1():
    response = _api(StaffFactory(role=Role.TIER1).user).post(URL, _body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["state"]) == ("protected", "protected")
    assert (body["phone"], body["id_number"]) == ("133****3000", "110105********002X")


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("id_number", "110105194912310021"), ("name", ""),
     ("expected_visit_at", "2026-12-01T10:00:00"),
     ("expected_visit_at", "2000-01-01T10:00:00+08:00")],
)
def test_bad_input_is_a_field_level_400_and_writes_nothing(field, value):
    response = _api(StaffFactory().user).post(URL, _body(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CustomerRegistration.objects.count() == 0


def test_second_filing_of_the_same_phone_is_refused():
    _api(StaffFactory().user).post(URL, _body(), format="json")
    response = _api(StaffFactory().user).post(
        URL, _body(id_number="110101199003070011"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["phone"][0].startswith("已由 ")
    assert CustomerRegistration.objects.count() == 1


def test_a_retried_filing_files_once():
    api, body = _api(StaffFactory().user), _body()
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    assert first.status_code == again.status_code == 201
    assert CustomerRegistration.objects.count() == 1


def test_other_departments_registrations_are_invisible():
    _api(StaffFactory(department=DepartmentFactory()).user).post(URL, _body(), format="json")
    assert _api(StaffFactory(role=Role.TIER1).user).get(URL).json()["count"] == 0
    assert _api(StaffFactory(role=Role.GENERAL_MANAGER).user).get(URL).json()["count"] == 1


def test_reading_needs_no_filing_permission_but_filing_does():
    manager = StaffFactory(role=Role.GENERAL_MANAGER).user  # reads, may not file
    assert _api(manager).get(URL).status_code == 200
    assert _api(manager).post(URL, _body(), format="json").status_code == 403
