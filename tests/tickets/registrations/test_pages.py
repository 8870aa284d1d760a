"""The registration page: file in the browser, field-level refusals in Chinese, masked
numbers for roles without the personal-data permission."""

import datetime as dt

import pytest
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tickets.registrations.models import CustomerRegistration

pytestmark = pytest.mark.django_db
URL = "/tickets/registrations/"


def _data(**overrides):
    visit = timezone.localtime() + dt.timedelta(days=2)
    data = {"name": "赵敏", "phone": "13300133000", "id_number": "11010519491231002X",
            "expected_visit_at": visit.strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return data


def test_filing_protects_the_registration_and_lists_it_masked_for_tier1(client):
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(URL, _data(), follow=True)
    html = response.content.decode()
    assert CustomerRegistration.objects.get().status == "protected"
    assert "保护中" in html and "133****3000" in html and "13300133000" not in html


@pytest.mark.parametrize("field", ["name", "phone", "id_number", "expected_visit_at"])
def test_incomplete_filing_is_refused_field_by_field(client, field):
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(URL, _data(**{field: ""}))
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert CustomerRegistration.objects.count() == 0


def test_second_filing_of_the_same_phone_names_the_first(client):
    first = StaffFactory(role=Role.TIER1)
    client.force_login(first.user)
    client.post(URL, _data())
    client.force_login(StaffFactory(role=Role.TIER1, department=first.department).user)
    response = client.post(URL, _data(id_number="110101199003070011"))
    assert response.status_code == 400
    assert f"已由 {first.display_name}" in response.content.decode()
    assert CustomerRegistration.objects.count() == 1


def test_managers_cannot_file(client):
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    assert client.post(URL, _data()).status_code == 403
