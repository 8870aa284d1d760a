"""The monthly run (`person_checks_run`): idempotent (a second run changes no row, event
or notification), counts that grow are raised and never lowered, each new flag is
announced once — a `flagged` event and a notice (key `person-check:<id>`) to the person,
the managers, the general manager and the supervisors of the person's department — and the
query count does not grow with the people flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.checks.models import PersonMonthCheck, PersonMonthCheckEvent
from complaints.checks.services import person_checks_run, person_checks_run_recent
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.complaints.checks.factories import (
    bj,
    complaint_for_test,
    complaints_for,
    flagged_person,
    person_in,
)
from tests.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

APRIL = dt.date(2026, 4, 1)
NOW = bj(2026, 4, 30, 12)


def _state():
    """Everything a run writes, as comparable rows."""
    return (
        sorted(PersonMonthCheck.objects.values_list(
            "id", "person_id", "month", "complaints", "threshold", "flagged_at", "state",
            "version")),
        sorted(PersonMonthCheckEvent.objects.values_list("id", "check_row_id", "kind", "at")),
        sorted(Notification.objects.values_list("id", "recipient_id", "key", "title")),
    )


def test_a_second_run_changes_no_row_event_or_notification():
    """Run twice (the second an hour later) → the same checks, events and notices."""
    department = DepartmentFactory()
    StaffFactory(role=Role.MANAGER)
    StaffFactory(role=Role.SUPERVISOR, department=department)
    for n in (3, 4, 2):
        complaints_for(person_in(department), n)
    first = person_checks_run(month=APRIL, now=NOW)
    before = _state()
    assert len(first.flagged) == 2 and first.notified > 0
    again = person_checks_run(month=APRIL, now=NOW + dt.timedelta(hours=1))
    assert (again.flagged, again.grown, again.notified) == ((), 0, 0)
    assert _state() == before


def test_a_grown_count_is_raised_without_a_second_flag_or_notice():
    """A fourth complaint raises the count; the check is not flagged or announced again."""
    person, check = flagged_person(3)
    notices = Notification.objects.count()
    complaint_for_test(responsible=person, filed_at=bj(2026, 4, 29))
    report = person_checks_run(month=APRIL, now=NOW + dt.timedelta(hours=1))
    assert (report.flagged, report.grown) == ((), 1)
    check.refresh_from_db()
    assert (check.complaints, check.flagged_at, check.version) == (4, NOW, 1)
    assert check.events.count() == 1 and Notification.objects.count() == notices


def test_a_count_is_never_lowered():
    """A complaint later found invalid leaves the flag as it was recorded."""
    person, check = flagged_person(3)
    person.complaints_responsible.filter(pk=person.complaints_responsible.first().pk).update(
        verdict="invalid", grade="D")
    person_checks_run(month=APRIL, now=NOW + dt.timedelta(hours=1))
    check.refresh_from_db()
    assert check.complaints == 3


def test_a_new_flag_tells_the_person_the_managers_and_the_departments_supervisors():
    """Recipients: the person, managers and the general manager (every department), the
    supervisors of the person's department; not another department's supervisor, not an
    inactive manager, not a colleague or an administrator."""
    department, other = DepartmentFactory(), DepartmentFactory()
    manager = StaffFactory(role=Role.MANAGER, department=other).user
    general = StaffFactory(role=Role.GENERAL_MANAGER, department=None, team=None).user
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=department).user
    StaffFactory(role=Role.SUPERVISOR, department=other)
    StaffFactory(role=Role.ADMINISTRATOR, department=department)
    StaffFactory(role=Role.TIER1, department=department)
    gone = StaffFactory(role=Role.MANAGER, department=other).user
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    person, check = flagged_person(3, department=department)
    notes = Notification.objects.filter(key=f"person-check:{check.pk}")
    assert set(notes.values_list("recipient_id", flat=True)) == {
        person.pk, manager.pk, general.pk, supervisor.pk}
    url = reverse("complaints:person-check", args=[check.pk])
    assert set(notes.values_list("url", flat=True)) == {url}
    mine = notes.get(recipient=person)
    assert "2026-04" in mine.title and "3" in mine.title and mine.at == NOW
    theirs = notes.get(recipient=manager)
    assert person.first_name in theirs.title and theirs.push


def test_a_new_flag_writes_one_flagged_event_with_the_count():
    _person, check = flagged_person(4)
    [event] = check.events.all()
    assert (event.kind, event.actor_id, event.at) == ("flagged", None, NOW)
    assert event.data == {"month": "2026-04", "complaints": 4, "threshold": 3}


def test_a_check_is_announced_once_even_if_asked_twice():
    """The database holds one `flagged` event per check (a unique partial index)."""
    _person, check = flagged_person(3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonMonthCheckEvent.objects.create(check_row=check, at=NOW, kind="flagged")


def test_a_manager_flagged_is_told_once():
    """A flagged manager gets the person's notice only (one per recipient and key)."""
    department = DepartmentFactory()
    manager = StaffFactory(role=Role.MANAGER, department=department).user
    complaints_for(manager, 3)
    person_checks_run(month=APRIL, now=NOW)
    check = PersonMonthCheck.objects.get()
    [note] = Notification.objects.filter(key=f"person-check:{check.pk}", recipient=manager)
    assert "您" in note.title


def test_months_are_kept_apart():
    """Three complaints in March and three in April are two checks."""
    person = person_in()
    complaints_for(person, 3, month_day=bj(2026, 3, 5))
    complaints_for(person, 3)
    person_checks_run(month=dt.date(2026, 3, 1), now=NOW)
    person_checks_run(month=APRIL, now=NOW)
    assert sorted(PersonMonthCheck.objects.values_list("month", "complaints")) == [
        (dt.date(2026, 3, 1), 3), (APRIL, 3)]


def test_the_hourly_job_runs_the_previous_and_the_current_month():
    """At 00:30 on 1 May (Beijing) the job still counts April, and May too."""
    person, late = person_in(), person_in()
    complaints_for(person, 3, month_day=bj(2026, 4, 30, 20))
    complaints_for(late, 3, month_day=bj(2026, 5, 1, 0, 1), )
    reports = person_checks_run_recent(now=bj(2026, 5, 1, 3, 30))
    assert [r.month for r in reports] == [APRIL, dt.date(2026, 5, 1)]
    assert sorted(PersonMonthCheck.objects.values_list("person_id", "month")) == sorted([
        (person.pk, APRIL), (late.pk, dt.date(2026, 5, 1))])


def _queries(month: dt.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        person_checks_run(month=month, now=NOW)
    return len(captured)


def test_the_run_does_not_issue_a_query_per_person():
    """Counting, inserting, raising, announcing and notifying take the same queries for
    one person flagged as for six (and for a second run, which finds nothing new)."""
    department = DepartmentFactory()
    StaffFactory(role=Role.MANAGER)
    StaffFactory(role=Role.SUPERVISOR, department=department)
    complaints_for(person_in(department), 3, month_day=bj(2026, 3, 10))
    for _ in range(6):
        complaints_for(person_in(department), 3)
    one, six = _queries(dt.date(2026, 3, 1)), _queries(APRIL)
    assert PersonMonthCheck.objects.count() == 7
    assert one == six <= (11 if connection.vendor == "postgresql" else 15)
    for person in PersonMonthCheck.objects.filter(month=APRIL)[:3]:
        complaint_for_test(responsible=person.person, filed_at=bj(2026, 4, 29))
    assert _queries(APRIL) <= 7  # counts raised in one UPDATE, nothing to announce
