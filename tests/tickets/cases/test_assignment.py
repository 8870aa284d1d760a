"""Issue 10 item 6: a case or a feedback filing is given only to someone who may see and
work it (`assignable_staff`): its department's agents, floor leads and supervisors, or
management. Anybody else is a field error — in the services, the API and the page — and
the page offers only those people."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import feedback_file_for_test
from tickets.cases.models import Case
from tickets.cases.selectors import assignable_staff
from tickets.cases.services import case_update
from tickets.filings.services import feedback_hand_over

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER2)


@pytest.fixture
def outsider():
    """An agent of another department: a case of `agent`'s department is a 404 to them."""
    return StaffFactory(role=Role.TIER2, department=DepartmentFactory()).user


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_assignable_staff_are_the_departments_people_and_management(agent, outsider):
    case = case_open_for_test(by=agent.user)
    colleague = StaffFactory(role=Role.TIER1, department=agent.department).user
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=agent.department).user
    manager = StaffFactory(role=Role.MANAGER, department=DepartmentFactory()).user
    other_supervisor = StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user
    inactive = StaffFactory(role=Role.TIER1, department=agent.department,
                            user__is_active=False).user
    no_profile = UserFactory(is_superuser=True)
    chosen = set(assignable_staff(case))
    assert {agent.user, colleague, supervisor, manager} <= chosen
    assert chosen.isdisjoint({outsider, other_supervisor, inactive, no_profile})


def test_someone_without_the_permission_to_work_cases_is_not_assignable(agent):
    case = case_open_for_test(by=agent.user)
    colleague = StaffFactory(role=Role.TIER1, department=agent.department).user
    colleague.groups.clear()
    assert colleague not in set(assignable_staff(case))


def test_opening_a_case_for_someone_of_another_department_is_a_field_error(agent, outsider):
    with pytest.raises(ValidationError) as error:
        case_open_for_test(by=agent.user, assignee=outsider)
    assert list(error.value.message_dict) == ["assignee"]
    assert Case.objects.count() == 0


def test_reassigning_to_someone_of_another_department_is_a_field_error(agent, outsider):
    case = case_open_for_test(by=agent.user)
    with pytest.raises(ValidationError) as error:
        case_update(case=case, by=agent.user, expected_version=case.version, assignee=outsider)
    assert list(error.value.message_dict) == ["assignee"]
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_the_api_refuses_to_open_a_case_for_an_outsider(agent, outsider):
    chosen = category("consultation-product-function")
    response = _api(agent.user).post("/api/v1/cases/", {
        "kind": chosen.kind, "category": chosen.pk, "customer": CustomerFactory().pk,
        "subject": "询问产品功能", "assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert "工单" in response.json()["assignee"][0]
    assert Case.objects.count() == 0


def test_the_api_refuses_to_reassign_a_case_to_an_outsider(agent, outsider):
    case = case_open_for_test(by=agent.user)
    response = _api(agent.user).patch(f"/api/v1/cases/{case.pk}/", {
        "assignee": outsider.pk, "version": case.version}, format="json")
    assert response.status_code == 400 and "assignee" in response.json()
    colleague = StaffFactory(role=Role.TIER1, department=agent.department).user
    response = _api(agent.user).patch(f"/api/v1/cases/{case.pk}/", {
        "assignee": colleague.pk, "version": case.version}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == colleague.pk


def test_handing_a_filing_to_an_outsider_is_a_field_error(outsider):
    filing = feedback_file_for_test()
    with pytest.raises(ValidationError) as error:
        feedback_hand_over(filing=filing, handler=outsider, by=filing.filed_by)
    assert list(error.value.message_dict) == ["handler"]


def test_the_api_refuses_to_hand_a_filing_to_an_outsider(outsider):
    filing = feedback_file_for_test()
    response = _api(filing.filed_by).post(
        f"/api/v1/feedback-filings/{filing.pk}/hand-over/", {"handler": outsider.pk},
        format="json")
    assert response.status_code == 400
    assert "报备" in response.json()["handler"][0]


def test_the_hand_over_form_offers_only_who_may_work_the_filing(client, outsider):
    filing = feedback_file_for_test()
    colleague = StaffFactory(role=Role.TIER1, department=filing.department).user
    client.force_login(filing.filed_by)
    html = client.get(reverse("tickets:feedback-filing", args=[filing.pk])).content.decode()
    assert f'value="{colleague.pk}"' in html
    assert f'value="{outsider.pk}"' not in html
    response = client.post(
        reverse("tickets:feedback-filing-action", args=[filing.pk, "hand_over"]),
        {"handler": outsider.pk})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode() or "errors" in \
        response.content.decode()
