"""The case page of a case nobody is assigned to yet."""

import pytest
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test

pytestmark = pytest.mark.django_db


def test_unassigned_case_page_shows_a_dash_for_the_assignee(client):
    agent = StaffFactory(role=Role.TIER2).user
    case = case_open_for_test(by=agent)
    assert case.assignee_id is None
    client.force_login(agent)
    response = client.get(reverse("tickets:case", args=[case.pk]))
    assert response.status_code == 200
    assert case.number in response.content.decode()
