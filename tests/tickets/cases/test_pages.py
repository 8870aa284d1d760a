"""My queue and the case page: scoped by department, soonest due first with a live
countdown, timeline in Chinese, status actions guarded by version and role."""

import pytest
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER1).user


@pytest.mark.parametrize("n", [1, 12])
def test_queue_lists_my_cases_with_countdowns_in_bounded_queries(
    client, agent, n, django_assert_num_queries
):
    for _ in range(n):
        case_open_for_test(by=agent, assignee=agent)
    client.force_login(agent)
    with django_assert_num_queries(6):  # the same six at every size
        html = client.get(reverse("tickets:queue")).content.decode()
    assert html.count("<time data-countdown") == n


def test_case_page_of_another_department_is_404(client, agent):
    stranger = StaffFactory(role=Role.TIER1, department=DepartmentFactory()).user
    case = case_open_for_test(by=stranger)
    client.force_login(agent)
    assert client.get(reverse("tickets:case", args=[case.pk])).status_code == 404


def test_case_page_shows_the_timeline_in_chinese_and_masks_the_phone(client, agent):
    case = case_open_for_test(by=agent, assignee=agent)
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    assert "建单" in html  # the "opened" event
    assert "****" in html and case.customer.phone not in html
    assert 'value="in_progress"' in html


def test_status_action_moves_the_case_and_goes_on_the_timeline(client, agent):
    case = case_open_for_test(by=agent, assignee=agent)
    client.force_login(agent)
    client.post(reverse("tickets:case-transition", args=[case.pk]),
                {"to_status": "in_progress", "version": case.version})
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    assert "新建 → 处理中" in html


def test_a_stale_form_gets_the_conflict_message_and_changes_nothing(client, agent):
    case = case_open_for_test(by=agent, assignee=agent)
    client.force_login(agent)
    url = reverse("tickets:case-transition", args=[case.pk])
    client.post(url, {"to_status": "in_progress", "version": case.version})
    response = client.post(url, {"to_status": "resolved", "version": case.version}, follow=True)
    assert "此工单已被他人修改" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_an_illegal_status_change_is_refused(client, agent):
    case = case_open_for_test(by=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(reverse("tickets:case-transition", args=[case.pk]),
                           {"to_status": "closed", "version": case.version}, follow=True)
    assert "工单不能从" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_tier1_cannot_act_on_a_colleagues_case(client, agent):
    colleague = StaffFactory(role=Role.TIER1, department=agent.staff_profile.department).user
    case = case_open_for_test(by=colleague, assignee=colleague)
    client.force_login(agent)
    response = client.post(reverse("tickets:case-transition", args=[case.pk]),
                           {"to_status": "in_progress", "version": case.version})
    assert response.status_code == 403
