"""Two runs of the check at the same moment, and two managers deciding at once, on
PostgreSQL (real concurrent transactions; SQLite serialises writers, so there is no race
to test): each person is flagged once, announced once (one `flagged` event, one notice per
recipient), and a report gets one decision."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.checks.models import PersonMonthCheck, PersonMonthCheckEvent
from complaints.checks.services import check_report_decide, person_checks_run
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.complaints.checks.factories import bj, complaints_for, filed, flagged_person, person_in
from tests.factories import DepartmentFactory, StaffFactory

APRIL = dt.date(2026, 4, 1)
THREADS = 4


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent write transactions (PostgreSQL): SQLite runs one "
                    "writer at a time, so the runs cannot race (run with "
                    "DATABASE_URL=postgres://…)")


def _race(calls):
    start = threading.Barrier(len(calls))
    won, refused, unexpected = [], [], []

    def run(call) -> None:
        try:
            start.wait(timeout=10)
            won.append(call())
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, refused, unexpected


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_flag_and_announce_each_person_once():
    department = DepartmentFactory()
    managers = [StaffFactory(role=Role.MANAGER).user for _ in range(2)]
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=department).user
    people = [person_in(department) for _ in range(5)]
    for person in people:
        complaints_for(person, 3)
    won, refused, unexpected = _race([
        lambda i=i: person_checks_run(month=APRIL, now=bj(2026, 4, 30, 12, i))
        for i in range(THREADS)])
    assert (unexpected, refused) == ([], [])
    assert len(won) == THREADS
    checks = PersonMonthCheck.objects.all()
    assert sorted(checks.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert sorted(pk for report in won for pk in report.flagged) == sorted(
        checks.values_list("pk", flat=True))  # each announced by exactly one run
    assert PersonMonthCheckEvent.objects.filter(kind="flagged").count() == len(people)
    for check in checks:
        recipients = list(Notification.objects.filter(key=f"person-check:{check.pk}")
                          .values_list("recipient_id", flat=True))
        assert sorted(recipients) == sorted(
            {check.person_id, supervisor.pk, *(m.pk for m in managers)})


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_decide_once():
    _person, check = flagged_person()
    check = filed(check)
    managers = [StaffFactory(role=Role.MANAGER).user for _ in range(THREADS)]
    won, refused, unexpected = _race(
        [lambda m=m, i=i: check_report_decide(check=check, by=m, accept=i % 2 == 0,
                                              note="决定")
         for i, m in enumerate(managers)])
    assert unexpected == []
    assert (len(won), len(refused)) == (1, THREADS - 1)
    assert all(list(error.message_dict) == ["state"] for error in refused)
    decided = PersonMonthCheckEvent.objects.filter(check_row=check,
                                                   kind__in=["accepted", "returned"])
    assert decided.count() == 1
    stored = PersonMonthCheck.objects.get(pk=check.pk)
    assert (stored.state, stored.decided_by_id, stored.version) == (
        won[0].state, won[0].decided_by_id, 3)
