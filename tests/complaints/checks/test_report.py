"""The rectification report (停职整改报告): filed by the flagged person or a supervisor of
their department (both texts required), accepted or returned for rework with a note by a
manager, the general manager or an administrator (never on their own check), filed again
after a return. Each step is a conditional UPDATE on the state (and the version sent) with
its event; a refused step changes nothing — not the check, its events or notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.checks.models import PersonMonthCheck
from complaints.checks.services import check_report_decide, check_report_file
from servicedesk.errors import StaleVersion, StepRefused
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.complaints.checks.factories import bj, complaints_for, filed, flagged_person
from tests.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

LATER = bj(2026, 5, 2, 10)
ANALYSIS = "回复客户不及时, 对产品知识掌握不足"
MEASURES = "参加产品知识培训; 每日复盘投诉; 主管每周抽查录音"


def _frozen(check):
    """The check, its events and every notification, to compare before and after."""
    stored = PersonMonthCheck.objects.filter(pk=check.pk).values().get()
    return (stored, list(check.events.values_list("id", "kind")),
            sorted(Notification.objects.values_list("recipient_id", "key")))


def test_the_person_files_the_report_and_the_managers_are_told():
    manager = StaffFactory(role=Role.MANAGER).user
    general = StaffFactory(role=Role.GENERAL_MANAGER).user
    person, check = flagged_person()
    check = check_report_file(check=check, by=person, analysis=f"  {ANALYSIS}\n",
                              measures=MEASURES, expected_version=1, now=LATER)
    assert (check.state, check.analysis, check.measures, check.filed_at, check.version) == (
        "report_filed", ANALYSIS, MEASURES, LATER, 2)
    event = check.events.get(kind="report_filed")
    assert (event.actor_id, event.at, event.data) == (
        person.pk, LATER, {"from": "flagged", "to": "report_filed"})
    key = f"person-check:{check.pk}:filed:2"
    assert set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True)) \
        == {manager.pk, general.pk}


def test_a_supervisor_of_the_department_files_on_the_persons_behalf():
    department = DepartmentFactory()
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=department).user
    person, check = flagged_person(department=department)
    check = check_report_file(check=check, by=supervisor, analysis=ANALYSIS,
                              measures=MEASURES)
    event = check.events.get(kind="report_filed")
    assert event.actor_id == supervisor.pk and event.data["on_behalf_of"] == person.pk


@pytest.mark.parametrize("who", ["colleague", "other_supervisor", "team_lead", "manager"])
def test_nobody_else_files_the_report_and_nothing_changes(who):
    """Wrong person or role → 403 (PermissionDenied), nothing written. (A manager decides;
    they do not write the person's report.)"""
    department = DepartmentFactory()
    _person, check = flagged_person(department=department)
    by = {
        "colleague": lambda: StaffFactory(role=Role.TIER1, department=department),
        "other_supervisor": lambda: StaffFactory(role=Role.SUPERVISOR,
                                                 department=DepartmentFactory()),
        "team_lead": lambda: StaffFactory(role=Role.TEAM_LEAD, department=department),
        "manager": lambda: StaffFactory(role=Role.MANAGER, department=department),
    }[who]().user
    before = _frozen(check)
    with pytest.raises(PermissionDenied):
        check_report_file(check=check, by=by, analysis=ANALYSIS, measures=MEASURES)
    assert _frozen(check) == before


@pytest.mark.parametrize(("analysis", "measures", "fields"), [
    ("", MEASURES, {"analysis"}), (ANALYSIS, " \u200b ", {"measures"}),
    ("", "", {"analysis", "measures"}), ("分" * 4001, MEASURES, {"analysis"}),
])
def test_both_texts_are_required_and_capped(analysis, measures, fields):
    person, check = flagged_person()
    before = _frozen(check)
    with pytest.raises(ValidationError) as refused:
        check_report_file(check=check, by=person, analysis=analysis, measures=measures)
    assert set(refused.value.message_dict) == fields
    assert _frozen(check) == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMINISTRATOR])
def test_management_accepts_a_filed_report(role):
    person, check = flagged_person()
    supervisor = StaffFactory(role=Role.SUPERVISOR,
                              department=person.staff_profile.department).user
    check = filed(check)
    decider = StaffFactory(role=role).user
    check = check_report_decide(check=check, by=decider, accept=True, now=LATER,
                                expected_version=check.version)
    assert (check.state, check.decided_by_id, check.decided_at) == ("accepted", decider.pk,
                                                                    LATER)
    assert [e.kind for e in check.events.all()] == ["flagged", "report_filed", "accepted"]
    told = Notification.objects.filter(key=f"person-check:{check.pk}:accepted:3")
    assert set(told.values_list("recipient_id", flat=True)) == {person.pk, supervisor.pk}


def test_a_returned_report_is_reworked_and_filed_again():
    person, check = flagged_person()
    manager = StaffFactory(role=Role.MANAGER).user
    check = check_report_decide(check=filed(check), by=manager, accept=False,
                                note="原因分析不够具体, 请补充")
    assert (check.state, check.decided_by_id) == ("returned", manager.pk)
    assert check.events.get(kind="returned").reason == "原因分析不够具体, 请补充"
    assert Notification.objects.filter(recipient=person,
                                       key=f"person-check:{check.pk}:returned:3").exists()
    check = check_report_file(check=check, by=person, analysis=ANALYSIS + "; 排班过紧",
                              measures=MEASURES)
    # filed again: waiting for a new decision
    assert (check.state, check.decided_by_id, check.decided_at, check.version) == (
        "report_filed", None, None, 4)
    check = check_report_decide(check=check, by=manager, accept=True)
    assert [e.kind for e in check.events.all()] == [
        "flagged", "report_filed", "returned", "report_filed", "accepted"]


def test_a_return_needs_a_note():
    _person, check = flagged_person()
    check = filed(check)
    before = _frozen(check)
    with pytest.raises(ValidationError) as refused:
        check_report_decide(check=check, by=StaffFactory(role=Role.MANAGER).user,
                            accept=False, note="  ")
    assert list(refused.value.message_dict) == ["note"]
    assert _frozen(check) == before


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.TIER1, Role.TEAM_LEAD])
def test_only_management_decides_and_nothing_changes_when_refused(role):
    person, check = flagged_person()
    check = filed(check)
    before = _frozen(check)
    by = StaffFactory(role=role, department=person.staff_profile.department).user
    for accept in (True, False):
        with pytest.raises(PermissionDenied):
            check_report_decide(check=check, by=by, accept=accept, note="不同意")
    assert _frozen(check) == before


def test_a_manager_does_not_decide_on_their_own_report():
    manager = StaffFactory(role=Role.MANAGER).user
    complaints_for(manager, 3)
    from complaints.checks.services import person_checks_run

    person_checks_run(month=dt.date(2026, 4, 1), now=bj(2026, 4, 30))
    check = filed(PersonMonthCheck.objects.get(person=manager))
    with pytest.raises(PermissionDenied):
        check_report_decide(check=check, by=manager, accept=True)
    other = StaffFactory(role=Role.GENERAL_MANAGER).user
    assert check_report_decide(check=check, by=other, accept=True).state == "accepted"


@pytest.mark.parametrize("step", ["file", "accept", "return"])
def test_a_step_out_of_turn_is_refused_on_the_state(step):
    """Filing an accepted check, deciding an unfiled one: a field error on `state` with
    the current state; nothing written."""
    person, check = flagged_person()
    manager = StaffFactory(role=Role.MANAGER).user
    if step == "file":
        check = check_report_decide(check=filed(check), by=manager, accept=True)
    before = _frozen(check)
    with pytest.raises(StepRefused) as refused:
        if step == "file":
            check_report_file(check=check, by=person, analysis=ANALYSIS, measures=MEASURES)
        else:
            check_report_decide(check=check, by=manager, accept=step == "accept",
                                note="退回")
    assert list(refused.value.message_dict) == ["state"]
    assert refused.value.current == ("accepted" if step == "file" else "flagged")
    assert _frozen(check) == before


def test_a_stale_version_is_a_conflict_with_the_current_version():
    """A manager deciding on the version they read, after the person filed again: 409."""
    person, check = flagged_person()
    manager = StaffFactory(role=Role.MANAGER).user
    check = check_report_decide(check=filed(check), by=manager, accept=False, note="补充")
    seen = check.version
    check_report_file(check=check, by=person, analysis=ANALYSIS, measures=MEASURES,
                      expected_version=seen)
    before = _frozen(check)
    with pytest.raises(StaleVersion) as conflict:
        check_report_decide(check=check, by=manager, accept=True, expected_version=seen)
    assert conflict.value.current_version == seen + 1
    assert _frozen(check) == before


def test_the_database_refuses_a_half_filed_or_half_decided_check():
    """The constraints hold what a state implies, whatever writes the row."""
    from django.db import IntegrityError, transaction

    _person, check = flagged_person()
    rows = PersonMonthCheck.objects.filter(pk=check.pk)
    for values in ({"state": "report_filed"},
                   {"state": "report_filed", "filed_at": LATER, "analysis": "x"},
                   {"state": "accepted", "filed_at": LATER, "analysis": "x", "measures": "y"},
                   {"decided_at": LATER},
                   {"month": dt.date(2026, 4, 2)},
                   {"complaints": 2},
                   {"version": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**values)
