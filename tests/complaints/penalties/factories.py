"""Complaints for the penalty tests, built directly: a complaint case opened through
`tickets.cases.services.case_open`, then its `Complaint` row with the facts a test needs
(state, verdict, responsible person, grade, loss) and its clocks set where a test needs
them (`clock_due`, `clock_stop`: the real `timers_stop`). The handling services are built
elsewhere; the ledger only reads the facts they leave."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

from django.apps import apps

from complaints.handling.models import Complaint, ComplaintType, Verdict
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import bj, seed_sla_policies
from tickets.sla.models import CaseTimer, TimerState
from tickets.sla.services import timers_stop

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
FILED = bj(2026, 11, 23, 9)  # a Monday, 09:00 Beijing time
RESOLVED_STATES = (Complaint.State.RESOLVED, Complaint.State.FOLLOWED_UP,
                   Complaint.State.CLOSED)


def seed_complaint_data() -> None:
    """Categories, calendars, SLA policies, complaint types and penalty rule v1 (a
    transactional test flushes the database, so it seeds them again)."""
    seed_sla_policies()
    importlib.import_module("complaints.migrations.0002_seed_types_and_rules").seed(apps, None)


def team(department=None):
    """A department with a tier-2 agent, its supervisor and a member who will be named
    responsible; a manager (who sees every department)."""
    department = department or DepartmentFactory()
    return {
        "department": department,
        "agent": StaffFactory(role=Role.TIER2, department=department).user,
        "supervisor": StaffFactory(role=Role.SUPERVISOR, department=department).user,
        "member": StaffFactory(role=Role.TIER1, department=department).user,
        "manager": StaffFactory(role=Role.MANAGER).user,
    }


def complaint_for_test(*, by, grade: str = "C", state: str = Complaint.State.RECEIVED,
                       verdict: str = "", responsible=None, assignee=None,
                       loss_yuan: Decimal = Decimal("0"), repeat_by_neglect: bool = False,
                       filed_at: dt.datetime = FILED, department=None, accepted: bool = True,
                       resolved: bool | None = None) -> Complaint:
    """A complaint case opened by `by` at `filed_at` (assigned to `assignee`, if given) and
    its complaint record with these facts. Grade D needs the invalid verdict. Unless told
    otherwise its acceptance clock is met a minute after the filing and, once the state
    says it was resolved, its resolution clock two hours after: on time, so a test charges
    only the lateness it sets up itself (`clock_due`, `clock_stop`)."""
    seed_complaint_data()
    if grade == "D":
        verdict = verdict or Verdict.INVALID
    case = case_open_for_test(code="complaint-product-quality", grade=grade, by=by,
                              assignee=assignee, department=department, now=filed_at)
    complaint = Complaint.objects.create(
        case=case, customer=case.customer, type=ComplaintType.objects.order_by("pk").first(),
        source="call_letter", procedure="none", emotion="calm", loss_yuan=loss_yuan,
        impact="none", suggested_grade=grade if grade != "D" else "C", grade=grade,
        state=state, verdict=verdict, responsible=responsible,
        repeat_by_neglect=repeat_by_neglect, filed_at=filed_at, filed_by=by,
        closed_at=filed_at + 2 * DAY if state == Complaint.State.CLOSED else None,
    )
    if accepted:
        timers_stop(case=case, kinds=["acceptance"], now=filed_at + dt.timedelta(minutes=1))
    if resolved is None:
        resolved = state in RESOLVED_STATES
    if resolved:
        timers_stop(case=case, kinds=["feedback", "resolution"], now=filed_at + 2 * H)
    return complaint


def clock(complaint: Complaint, kind: str) -> CaseTimer:
    return CaseTimer.objects.exclude(state=TimerState.CANCELLED).get(
        case_id=complaint.case_id, kind=kind)


def clock_due(complaint: Complaint, kind: str, due_at: dt.datetime) -> CaseTimer:
    """Put the clock's due instant at `due_at` (its warning a minute before)."""
    CaseTimer.objects.filter(pk=clock(complaint, kind).pk).update(
        due_at=due_at, warn_at=due_at - dt.timedelta(minutes=1))
    return clock(complaint, kind)


def clock_stop(complaint: Complaint, kind: str, at: dt.datetime) -> CaseTimer:
    """The clock is met at `at` (the real `timers_stop`: a late stop records its breach)."""
    timers_stop(case=complaint.case, kinds=[kind], now=at)
    return clock(complaint, kind)
