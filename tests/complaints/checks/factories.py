"""Complaints for the monthly person check, made directly: a complaint case through
`tickets.cases.services.case_open` (kind complaint), then the `Complaint` row with the
responsible person, the verdict, the filing time, the grade and the state the check reads
(the handling services are another package's). Complaint types come from the seed
migration (seeded again after a flush), staff from the kernel's factories."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

from django.apps import apps

from complaints.checks.services import check_report_file
from complaints.handling.models import Complaint, ComplaintType, State, Verdict
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import bj
from tickets.cases.services import case_open

# Defaults of the helpers below: in April 2026, Beijing time.
APRIL_10 = bj(2026, 4, 10, 10)
APRIL_30 = bj(2026, 4, 30, 12)
MAY_1 = bj(2026, 5, 1, 9)

__all__ = ["bj", "complaint_for_test", "complaints_for", "filed", "flagged_person",
           "person_in", "seed_complaint_types"]


def seed_complaint_types() -> None:
    category("complaint")  # the case categories first (a flushed database has none)
    importlib.import_module("complaints.migrations.0002_seed_types_and_rules").seed(apps, None)


def person_in(department=None, *, role: str = Role.TIER1):
    """A staff member (the user) of `department` (a new one unless given)."""
    return StaffFactory(role=role, department=department or DepartmentFactory()).user


def complaint_for_test(
    *, responsible, filed_at: dt.datetime, verdict: str = Verdict.VALID,
    grade: str | None = None, type_code: str = "service-attitude", by=None,
    state: str = State.ASSESSED, source: str = "hotline", **fields,
) -> Complaint:
    """A complaint accepted at `filed_at`, its verdict given, naming `responsible`."""
    seed_complaint_types()
    by = by or StaffFactory(role=Role.TIER1).user
    grade = grade or (Complaint.Grade.D if verdict == Verdict.INVALID else Complaint.Grade.C)
    customer = CustomerFactory()
    kind = ComplaintType.objects.get(code=type_code)
    case = case_open(customer=customer, kind="complaint",
                     category=kind.category or category("complaint-product-quality"),
                     subject=f"{kind.name}投诉", by=by, grade=grade, now=filed_at,
                     **({"department": fields.pop("department")} if "department" in fields
                        else {}))
    return Complaint.objects.create(
        case=case, customer=customer, type=kind, source=source, procedure="none",
        emotion="calm", loss_yuan=Decimal("0"), impact="none", suggested_grade="C",
        grade=grade, state=state, verdict=verdict, responsible=responsible,
        verdict_at=filed_at, filed_at=filed_at, filed_by=by, **fields,
    )


def complaints_for(person, n: int, *, month_day: dt.datetime = APRIL_10,
                   **kwargs) -> list[Complaint]:
    """`n` valid complaints naming `person`, an hour apart from `month_day` on."""
    return [complaint_for_test(responsible=person,
                               filed_at=month_day + dt.timedelta(hours=i), **kwargs)
            for i in range(n)]


def flagged_person(n: int = 3, *, department=None, now: dt.datetime = APRIL_30):
    """A person with `n` complaints in April 2026 and their check, as the job flags it."""
    from complaints.checks.models import PersonMonthCheck
    from complaints.checks.services import person_checks_run

    person = person_in(department)
    complaints_for(person, n)
    person_checks_run(month=now.date(), now=now)
    return person, PersonMonthCheck.objects.get(person=person)


def filed(check, *, by=None, now: dt.datetime = MAY_1):
    """The check with its report filed (by the person unless `by` is given)."""
    return check_report_file(check=check, by=by or check.person,
                             analysis="沟通不到位, 回复客户不及时",
                             measures="参加服务礼仪培训, 每日复盘未结投诉", now=now)
