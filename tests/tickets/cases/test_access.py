"""Who sees and who may change a case: the role matrix of `cases_visible_to` and
`get_case_for_user`, the timeline and the agent's queue."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from servicedesk.roles import MANAGEMENT_ROLES, Role
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import Case
from tickets.cases.selectors import case_timeline, cases_visible_to, get_case_for_user, my_queue
from tickets.cases.services import case_transition, case_update

pytestmark = pytest.mark.django_db

DEPARTMENT_ROLES = [
    Role.TIER1, Role.TIER2, Role.PUBLIC_OPINION, Role.MAJOR_SAFETY,
    Role.TEAM_LEAD, Role.SHIFT_LEAD, Role.SUPERVISOR,
]


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def own_case(department):
    return case_open_for_test(by=StaffFactory(department=department).user)


@pytest.fixture
def other_case():
    return case_open_for_test(by=StaffFactory(department=DepartmentFactory()).user)


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_department_staff_see_own_department_cases(role, department, own_case, other_case):
    user = StaffFactory(role=role, department=department).user
    assert list(cases_visible_to(user=user)) == [own_case]
    assert get_case_for_user(user=user, case_id=own_case.pk) == own_case


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_other_department_gets_404(role, department, other_case):
    user = StaffFactory(role=role, department=department).user
    with pytest.raises(Http404):
        get_case_for_user(user=user, case_id=other_case.pk)
    with pytest.raises(Http404):
        get_case_for_user(user=user, case_id=other_case.pk, write=True)


@pytest.mark.parametrize("role", sorted(MANAGEMENT_ROLES))
def test_management_sees_and_may_change_every_case(role, department, own_case, other_case):
    user = StaffFactory(role=role, department=department).user
    assert set(cases_visible_to(user=user)) == {own_case, other_case}
    assert get_case_for_user(user=user, case_id=other_case.pk, write=True) == other_case


def test_user_without_staff_profile_sees_no_case(own_case):
    user = UserFactory()
    assert not cases_visible_to(user=user).exists()
    with pytest.raises(Http404):
        get_case_for_user(user=user, case_id=own_case.pk)


def test_staff_without_department_sees_no_case(own_case):
    user = StaffFactory(role=Role.SUPERVISOR, department=None, team=None).user
    assert not cases_visible_to(user=user).exists()


def test_tier1_agent_may_not_change_a_colleagues_case_403(department, own_case):
    agent = StaffFactory(role=Role.TIER1, department=department).user
    assert get_case_for_user(user=agent, case_id=own_case.pk) == own_case  # may read
    with pytest.raises(PermissionDenied):
        get_case_for_user(user=agent, case_id=own_case.pk, write=True)


def test_tier1_agent_may_change_a_case_they_opened(department):
    agent = StaffFactory(role=Role.TIER1, department=department).user
    case = case_open_for_test(by=agent)
    assert get_case_for_user(user=agent, case_id=case.pk, write=True) == case


def test_tier1_agent_may_change_a_case_assigned_to_them(department, own_case):
    agent = StaffFactory(role=Role.TIER1, department=department).user
    case_update(case=own_case, by=own_case.created_by, expected_version=own_case.version,
                assignee=agent)
    assert get_case_for_user(user=agent, case_id=own_case.pk, write=True) == own_case


@pytest.mark.parametrize("role", [r for r in DEPARTMENT_ROLES if r != Role.TIER1])
def test_other_department_roles_may_change_any_case_of_their_department(
    role, department, own_case
):
    user = StaffFactory(role=role, department=department).user
    assert get_case_for_user(user=user, case_id=own_case.pk, write=True) == own_case


# --- timeline --------------------------------------------------------------------------


def test_timeline_lists_events_oldest_first_with_actors_joined(
    own_case, django_assert_num_queries
):
    case = case_transition(case=own_case, to_status=Case.Status.IN_PROGRESS,
                           by=own_case.created_by, expected_version=own_case.version)
    with django_assert_num_queries(1):
        events = list(case_timeline(case=case))
        names = [event.actor.staff_profile.display_name for event in events]
    assert [event.kind for event in events] == ["opened", "status_changed"]
    assert len(names) == 2


# --- my queue --------------------------------------------------------------------------


def test_my_queue_holds_open_cases_assigned_to_me_soonest_due_first(department):
    me = StaffFactory(role=Role.TIER2, department=department).user
    t0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    old = case_open_for_test(by=me, assignee=me, now=t0)
    promised = case_open_for_test(
        by=me, assignee=me, now=t0 + dt.timedelta(hours=1),
        promised_callback_at=t0 + dt.timedelta(hours=2),
    )
    newer = case_open_for_test(by=me, assignee=me, now=t0 + dt.timedelta(minutes=30))
    unlimited = case_open_for_test(by=me, assignee=me, now=t0, code="suggestion-feedback")
    done = case_open_for_test(by=me, assignee=me, now=t0)
    case_transition(case=done, to_status=Case.Status.RESOLVED, by=me,
                    expected_version=done.version)
    case_open_for_test(by=me, now=t0)  # not assigned to me
    # due: old 09:05 (5-minute limit), newer 09:35, promised call-back 11:00, no limit last
    assert list(my_queue(user=me)) == [old, newer, promised, unlimited]


@pytest.mark.parametrize("n", [1, 20])
def test_my_queue_queries_do_not_grow_with_cases(n, department, django_assert_num_queries):
    me = StaffFactory(role=Role.TIER1, department=department).user
    for _ in range(n):
        case_open_for_test(by=me, assignee=me)
    fresh = get_user_model().objects.get(pk=me.pk)
    with django_assert_num_queries(2):  # the staff profile, then the queue
        rows = [
            (c.number, c.customer.name, c.category.name, c.department.name)
            for c in my_queue(user=fresh)
        ]
    assert len(rows) == n
