"""The read-only tickets admins (cases, contacts) are scoped like every other view: a
superuser sees every row, a staff user only the rows of their department."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.contacts.factories import contact_log_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_in_admin():
    """A supervisor who was let into the admin site (is_staff) without becoming a
    superuser."""
    user = StaffFactory(role=Role.SUPERVISOR).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _agents(supervisor):
    mine = StaffFactory(role=Role.TIER2, department=supervisor.staff_profile.department).user
    return mine, StaffFactory(role=Role.TIER2).user


def test_case_admin_lists_only_the_staff_users_department(client, supervisor_in_admin):
    mine, other = _agents(supervisor_in_admin)
    own, foreign = case_open_for_test(by=mine), case_open_for_test(by=other)
    client.force_login(supervisor_in_admin)
    page = client.get(reverse("admin:tickets_case_changelist")).content.decode()
    assert own.number in page and foreign.number not in page
    assert client.get(reverse("admin:tickets_case_change", args=[foreign.pk])).status_code == 302


def test_contact_admin_lists_only_the_staff_users_department(client, supervisor_in_admin):
    mine, other = _agents(supervisor_in_admin)
    own = contact_log_for_test(agent=mine, summary="本部门来电")
    contact_log_for_test(agent=other, summary="外部门来电")
    client.force_login(supervisor_in_admin)
    response = client.get(reverse("admin:tickets_contact_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [own.pk]


def test_superusers_see_every_department_in_the_admin(client, supervisor_in_admin):
    mine, other = _agents(supervisor_in_admin)
    cases = [case_open_for_test(by=mine), case_open_for_test(by=other)]
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    page = client.get(reverse("admin:tickets_case_changelist")).content.decode()
    assert all(case.number in page for case in cases)
