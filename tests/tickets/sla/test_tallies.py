"""Resolution tallies: one count per resolution met, on the Beijing day it was met, on time
or not; the rebuild from the timers gives the same rows; racing first counts add up."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import bj, seed_sla_policies
from tickets.cases.models import Case
from tickets.cases.services import case_transition
from tickets.sla.models import ResolutionTally
from tickets.sla.tallies import resolution_tallies_rebuild

Status = Case.Status


def resolve(case, agent, at):
    return case_transition(case=case, to_status=Status.RESOLVED, by=agent,
                           expected_version=case.version, now=at)


def tallies():
    return sorted(ResolutionTally.objects.values_list("day", "kind", "grade", "met", "on_time"))


@pytest.mark.django_db
def test_a_resolution_counts_on_its_beijing_day_on_time_or_late():
    agent = StaffFactory().user
    on_time = case_open_for_test(by=agent, assignee=agent, now=bj(2026, 11, 23, 22, 58))
    resolve(on_time, agent, bj(2026, 11, 23, 23, 1))  # 3 of 5 minutes (line hours end 23:00)
    late = case_open_for_test(by=agent, assignee=agent, now=bj(2026, 11, 24, 9))
    resolve(late, agent, bj(2026, 11, 24, 9, 30))
    assert tallies() == [
        (dt.date(2026, 11, 23), "consultation", "", 1, 1),
        (dt.date(2026, 11, 24), "consultation", "", 1, 0),
    ]


@pytest.mark.django_db
def test_the_rebuild_from_the_timers_gives_the_same_tallies():
    agent = StaffFactory().user
    for minutes in (2, 4, 9, 12):
        case = case_open_for_test(by=agent, assignee=agent, now=bj(2026, 11, 23, 10))
        resolve(case, agent, bj(2026, 11, 23, 10, minutes))
    complaint = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                                   grade="B", now=bj(2026, 11, 23, 10))
    resolve(complaint, agent, bj(2026, 11, 24, 10))
    counted = tallies()
    assert counted == [(dt.date(2026, 11, 23), "consultation", "", 4, 2),
                       (dt.date(2026, 11, 24), "complaint", "B", 1, 1)]
    assert resolution_tallies_rebuild() == 2
    assert tallies() == counted


@pytest.mark.django_db
def test_a_tally_keeps_the_desk_and_handling_department_of_its_cases():
    """The two other fields the access rule of cases reads (a desk-only case, a case passed
    to a business department) are part of a tally's key, counted and rebuilt alike, so the
    dashboard's rates are scoped as its cases are."""
    from tests.factories import DepartmentFactory
    from tickets.cases.services import case_hand_over

    agent = StaffFactory().user
    business = DepartmentFactory()
    at = bj(2026, 11, 23, 10)
    plain = case_open_for_test(by=agent, code="complaint-product-quality", grade="C", now=at)
    desk = case_open_for_test(by=agent, code="complaint-product-quality", grade="C", now=at,
                              desk="public_opinion")
    handled = case_open_for_test(by=agent, code="complaint-product-quality", grade="C",
                                 now=at)
    handled = case_hand_over(case=handled, department=business, by=agent, now=at)
    for case in (plain, desk, handled):
        resolve(case, agent, bj(2026, 11, 23, 11))

    def scoped():
        return sorted(ResolutionTally.objects.values_list(
            "department_id", "handling_department_id", "desk", "met"),
            key=lambda row: (row[2], row[1] or 0))

    counted = scoped()
    department = agent.staff_profile.department_id
    assert counted == [(department, None, "", 1), (department, business.pk, "", 1),
                       (department, None, "public_opinion", 1)]
    assert resolution_tallies_rebuild() == 3
    assert scoped() == counted


@pytest.mark.django_db(transaction=True)
def test_two_first_resolutions_of_a_day_at_once_add_up_in_one_row():
    seed_sla_policies()
    agent = StaffFactory().user
    cases = [case_open_for_test(by=agent, assignee=agent, now=bj(2026, 11, 23, 10))
             for _ in range(4)]
    barrier = threading.Barrier(len(cases))
    errors = []

    def work(case):
        try:
            barrier.wait(timeout=10)
            resolve(case, agent, bj(2026, 11, 23, 10, 2))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert tallies() == [(dt.date(2026, 11, 23), "consultation", "", 4, 4)]
