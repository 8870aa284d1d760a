"""The contact log: `contact_log` and `contact_link_case`, the database constraints behind
them, who sees which contacts, a customer's history and the floor KPIs."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.roles import MANAGEMENT_ROLES, Role
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.contacts.factories import BASE, contact_log_for_test
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseEvent
from tickets.cases.selectors import cases_visible_to
from tickets.cases.services import case_transition
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to, customer_history, floor_rates
from tickets.contacts.services import CONTACT_LOGGED, contact_link_case, contact_log

pytestmark = pytest.mark.django_db

NOW = BASE + dt.timedelta(hours=2)
S = dt.timedelta(seconds=1)


@pytest.fixture
def agent():
    return StaffFactory().user


def _nothing_written() -> bool:
    return not Contact.objects.exists() and not CaseEvent.objects.filter(
        kind=CaseEvent.Kind.COMMENTED
    ).exists()


# --- contact_log: derived fields ------------------------------------------------------


def test_answered_contact_derives_answered_and_whole_response_seconds(agent):
    contact = contact_log(
        channel=Contact.Channel.ONLINE_CHAT, agent=agent, queued_at=BASE,
        answered_at=BASE + dt.timedelta(seconds=45, milliseconds=900),
        ended_at=BASE + dt.timedelta(minutes=5), summary="  问物流  ", now=NOW,
    )
    contact.refresh_from_db()
    assert contact.answered is True
    assert contact.first_response_seconds == 45
    assert contact.summary == "问物流"
    assert contact.department_id == agent.staff_profile.department_id
    assert contact.customer is None
    assert contact.case is None


def test_unanswered_contact_has_no_response_time(agent):
    contact = contact_log(
        channel=Contact.Channel.INBOUND_CALL, agent=agent, queued_at=BASE, now=NOW
    )
    assert contact.answered is False
    assert contact.first_response_seconds is None


def test_department_is_the_agents_at_logging_time(agent):
    first = contact_log_for_test(agent=agent)
    profile = agent.staff_profile
    profile.department = DepartmentFactory()
    profile.save(update_fields=["department"])
    agent.refresh_from_db()
    second = contact_log_for_test(agent=agent)
    first.refresh_from_db()
    assert first.department_id != second.department_id
    assert second.department_id == profile.department_id


def test_contact_with_case_but_no_customer_takes_the_cases_customer(agent):
    case = case_open_for_test(by=agent)
    contact = contact_log_for_test(agent=agent, case=case)
    assert contact.customer == case.customer


# --- contact_log: validation, nothing written -----------------------------------------


def _bad_inputs(agent):
    other_case = case_open_for_test(by=agent)
    naive = dt.datetime(2026, 11, 2, 9, 0)  # noqa: DTZ001 - naive on purpose
    return [
        ("channel", {"channel": "fax"}),
        ("queued_at", {"queued_at": naive}),
        ("queued_at", {"queued_at": None}),
        ("answered_at", {"answered_at": naive}),
        ("ended_at", {"ended_at": naive}),
        ("answered_at", {"answered_at": BASE - S}),
        ("ended_at", {"ended_at": BASE - S}),
        ("ended_at", {"answered_at": BASE + 10 * S, "ended_at": BASE + 5 * S}),
        ("ended_at", {"ended_at": NOW + dt.timedelta(minutes=1) + S}),
        ("queued_at", {"queued_at": NOW + dt.timedelta(minutes=2)}),
        ("case", {"case": other_case, "customer": CustomerFactory()}),
        ("agent", {"agent": UserFactory()}),
        ("agent", {"agent": StaffFactory(department=None, team=None).user}),
    ]


BAD_INPUT_COUNT = 13


@pytest.mark.parametrize("index", range(BAD_INPUT_COUNT))
def test_each_bad_input_gives_its_field_error_and_writes_nothing(agent, index):
    field, bad = _bad_inputs(agent)[index]
    events_before = CaseEvent.objects.count()
    kwargs = {"channel": Contact.Channel.INBOUND_CALL, "agent": agent, "queued_at": BASE,
              "now": NOW, **bad}
    with pytest.raises(ValidationError) as caught:
        contact_log(**kwargs)
    assert field in caught.value.message_dict
    assert not Contact.objects.exists()
    assert CaseEvent.objects.count() == events_before


def test_bad_input_list_is_complete(agent):
    assert len(_bad_inputs(agent)) == BAD_INPUT_COUNT


def test_ended_within_a_minute_of_now_is_accepted(agent):
    contact = contact_log_for_test(
        agent=agent, queued_at=NOW - dt.timedelta(minutes=5),
        ended_at=NOW + dt.timedelta(minutes=1), now=NOW,
    )
    assert contact.ended_at == NOW + dt.timedelta(minutes=1)


def test_answered_at_the_queue_time_is_zero_seconds(agent):
    contact = contact_log_for_test(agent=agent, response_seconds=0, ended_at=BASE)
    assert contact.first_response_seconds == 0


# --- contact_log: the case's timeline -------------------------------------------------


def test_contact_with_a_case_writes_contact_logged_on_its_timeline(agent):
    case = case_open_for_test(by=agent)
    contact = contact_log_for_test(agent=agent, case=case, customer=case.customer)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.COMMENTED)
    assert event.actor == agent
    assert event.data["to"] == CONTACT_LOGGED
    assert event.data["contact"] == contact.pk
    assert event.data["channel"] == Contact.Channel.INBOUND_CALL


def test_contact_without_a_case_writes_no_event(agent):
    contact_log_for_test(agent=agent, customer=CustomerFactory())
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.COMMENTED).exists()


def test_link_case_attaches_a_later_case_and_writes_its_event(agent):
    customer = CustomerFactory()
    contact = contact_log_for_test(agent=agent, customer=customer)
    case = case_open_for_test(by=agent, customer=customer)
    linked = contact_link_case(contact=contact, case=case, by=agent)
    assert linked.case == case
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.COMMENTED)
    assert event.data["contact"] == contact.pk


def test_link_case_of_another_customer_is_refused_and_writes_nothing(agent):
    contact = contact_log_for_test(agent=agent, customer=CustomerFactory())
    case = case_open_for_test(by=agent)
    with pytest.raises(ValidationError) as caught:
        contact_link_case(contact=contact, case=case, by=agent)
    assert "case" in caught.value.message_dict
    contact.refresh_from_db()
    assert contact.case is None
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.COMMENTED).exists()


def test_link_case_to_an_unidentified_contact_sets_the_customer(agent):
    contact = contact_log_for_test(agent=agent)
    case = case_open_for_test(by=agent)
    linked = contact_link_case(contact=contact, case=case, by=agent)
    assert linked.customer == case.customer


def test_linking_the_same_case_twice_writes_one_event(agent):
    customer = CustomerFactory()
    contact = contact_log_for_test(agent=agent, customer=customer)
    case = case_open_for_test(by=agent, customer=customer)
    contact_link_case(contact=contact, case=case, by=agent)
    contact_link_case(contact=contact, case=case, by=agent)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.COMMENTED).count() == 1


# --- database constraints -------------------------------------------------------------


def _raw(agent, **overrides) -> Contact:
    values = {"channel": Contact.Channel.INBOUND_CALL, "agent": agent,
              "department_id": agent.staff_profile.department_id, "queued_at": BASE}
    values.update(overrides)
    return Contact(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "fax"},
        {"answered": True, "answered_at": BASE - S, "first_response_seconds": 0},
        {"ended_at": BASE - S},
        {"answered": True},
        {"answered": False, "answered_at": BASE + S},
        {"first_response_seconds": 3},
    ],
    ids=["channel", "answered-before-queued", "ended-before-queued", "answered-without-time",
         "time-without-answered", "response-without-answer"],
)
def test_database_refuses_inconsistent_contacts(agent, overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw(agent, **overrides).save()


# --- scoping --------------------------------------------------------------------------

DEPARTMENT_ROLES = [
    Role.TIER1, Role.TIER2, Role.PUBLIC_OPINION, Role.MAJOR_SAFETY,
    Role.TEAM_LEAD, Role.SHIFT_LEAD, Role.SUPERVISOR,
]


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def own_contact(department):
    return contact_log_for_test(agent=StaffFactory(department=department).user)


@pytest.fixture
def other_contact():
    return contact_log_for_test(agent=StaffFactory(department=DepartmentFactory()).user)


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_other_departments_contacts_are_invisible(role, department, own_contact, other_contact):
    user = StaffFactory(role=role, department=department).user
    assert list(contacts_visible_to(user=user)) == [own_contact]


@pytest.mark.parametrize("role", sorted(MANAGEMENT_ROLES))
def test_management_sees_every_contact(role, department, own_contact, other_contact):
    user = StaffFactory(role=role, department=department).user
    assert set(contacts_visible_to(user=user)) == {own_contact, other_contact}


def test_user_without_staff_profile_sees_no_contacts(own_contact):
    assert not contacts_visible_to(user=UserFactory()).exists()


def test_scoping_matches_cases_visible_to_for_every_role(department):
    """Same rule as cases: a role sees contacts of a department iff it sees its cases."""
    agent = StaffFactory(department=department).user
    case = case_open_for_test(by=agent)
    contact = contact_log_for_test(agent=agent, case=case)
    for role in Role.values:
        user = StaffFactory(role=role, department=DepartmentFactory()).user
        assert cases_visible_to(user=user).filter(pk=case.pk).exists() == (
            contacts_visible_to(user=user).filter(pk=contact.pk).exists()
        ), role


# --- customer history -----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 30])
def test_customer_history_queries_do_not_grow_with_contacts(
    agent, n, django_assert_num_queries
):
    customer = CustomerFactory()
    for i in range(n):
        contact_log_for_test(
            agent=agent, customer=customer, queued_at=BASE + dt.timedelta(minutes=i),
            category=category("consultation-logistics-query"),
        )
        case_open_for_test(by=agent, customer=customer)
    with django_assert_num_queries(2):
        history = customer_history(customer=customer)
        for contact in history.contacts:
            assert contact.agent.username
            assert contact.category.name
        for case in history.open_cases:
            assert case.category.name
    assert len(history.contacts) == min(n, 20)
    assert len(history.open_cases) == n


def test_customer_history_is_newest_first_and_leaves_out_finished_cases(agent):
    customer = CustomerFactory()
    older = contact_log_for_test(agent=agent, customer=customer, queued_at=BASE)
    newer = contact_log_for_test(agent=agent, customer=customer, queued_at=BASE + S)
    contact_log_for_test(agent=agent, customer=CustomerFactory())
    open_case = case_open_for_test(by=agent, customer=customer)
    done = case_open_for_test(by=agent, customer=customer)
    case_transition(case=done, to_status=Case.Status.RESOLVED, by=agent, expected_version=1)
    history = customer_history(customer=customer, limit=5)
    assert history.contacts == [newer, older]
    assert history.open_cases == [open_case]
    assert customer_history(customer=customer, limit=1).contacts == [newer]


# --- floor rates ----------------------------------------------------------------------


def test_floor_rates_are_none_without_contacts(django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = floor_rates(start=BASE, end=NOW)
    assert rates.answer_rate is None
    assert rates.response_rate_45s is None


def test_answered_after_exactly_45_seconds_counts_as_in_time(agent):
    contact_log_for_test(agent=agent, response_seconds=45)
    contact_log_for_test(agent=agent, response_seconds=46)
    rates = floor_rates(start=BASE, end=NOW)
    assert rates.response_rate_45s == Fraction(1, 2)
    assert rates.answer_rate == Fraction(1)


def test_floor_rates_exact_with_unanswered_and_transferred(agent, django_assert_num_queries):
    contact_log_for_test(agent=agent, response_seconds=10)
    contact_log_for_test(agent=agent, response_seconds=100)
    contact_log_for_test(agent=agent, response_seconds=100, transferred=True)  # left out
    contact_log_for_test(agent=agent, response_seconds=None)
    with django_assert_num_queries(1):
        rates = floor_rates(start=BASE, end=NOW)
    assert (rates.requested, rates.answered) == (4, 3)
    assert rates.answer_rate == Fraction(3, 4)
    assert rates.response_rate_45s == Fraction(1, 2)


def test_floor_rates_window_is_half_open_and_per_department(agent):
    contact_log_for_test(agent=agent, queued_at=BASE)  # first instant: in
    contact_log_for_test(agent=agent, queued_at=BASE + dt.timedelta(hours=1))  # end: out
    contact_log_for_test(agent=StaffFactory().user, queued_at=BASE)  # other department
    mine = floor_rates(department=agent.staff_profile.department, start=BASE,
                       end=BASE + dt.timedelta(hours=1))
    assert mine.requested == 1
    assert floor_rates(start=BASE, end=BASE + dt.timedelta(hours=1)).requested == 2


def test_floor_rates_by_channel(agent):
    contact_log_for_test(agent=agent, channel=Contact.Channel.ONLINE_CHAT, response_seconds=5)
    contact_log_for_test(agent=agent, channel=Contact.Channel.EMAIL, response_seconds=None)
    rates = floor_rates(start=BASE, end=NOW, channels=[Contact.Channel.ONLINE_CHAT])
    assert rates.answer_rate == Fraction(1)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sessions=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=40, max_value=50)),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_floor_rates_match_the_definition(agent, sessions):
    """Sessions answered around the 45-second edge, some transferred away, some not
    answered: the rates are exactly the domain.md fractions."""
    Contact.objects.all().delete()
    for i, (seconds, transferred) in enumerate(sessions):
        contact_log_for_test(agent=agent, queued_at=BASE + dt.timedelta(minutes=i),
                             response_seconds=seconds, transferred=transferred)
    answered = [(s, t) for s, t in sessions if s is not None]
    base = [s for s, t in answered if not t]
    rates = floor_rates(start=BASE, end=NOW)
    assert rates.answer_rate == (Fraction(len(answered), len(sessions)) if sessions else None)
    assert rates.response_rate_45s == (
        Fraction(sum(s <= 45 for s in base), len(base)) if base else None
    )
