"""One small, fixed SLA scenario for the dashboard tests, as of Monday 23 November 2026,
11:00 Beijing time, after the minute sweep ran.

Department X (teams T1, T2), open cases:
- a1  complaint A, T1, opened 09:00: acceptance due 10:00 → breached (1 h late)
- a2  complaint A, T2, opened 10:30: acceptance warns 11:00, due 11:30 → warned, due soon
- b1  complaint B, opened 10:45: acceptance due 11:45 → on track, due soon
- p1  complaint C, opened 09:00, accepted 09:30, waiting for the customer 09:40 → paused
- u1  urgent (system failure), opened 10:00: acceptance due 10:02 → breached (58 min)
- k1  consultation, opened 10:58: due 11:03 → on track, due soon
- s1  suggestion on a calendar without working time: running, no deadline → on track
Resolutions met (resolution timers stopped):
- r1  urgent, T1, opened 10:50, resolved 10:51 today → on time
- r2  complaint A, T2, opened Friday 20 Nov 09:00 (due 17:00), resolved today 10:30 → late
- r3  urgent, no team, opened and resolved on 5 November → on time, this month
- r4  urgent, resolved on 31 October → neither today nor this month
Department Y: y1 complaint A opened 09:00 (breached), yr urgent resolved today on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servicedesk.models import BusinessCalendar
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory, TeamFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import bj, seed_sla_policies
from tickets.cases.models import Case
from tickets.cases.services import case_transition
from tickets.sla.models import SlaPolicy
from tickets.sla.sweep import sla_sweep

NOW = bj(2026, 11, 23, 11)


@dataclass
class Scenario:
    x: object
    y: object
    t1: object
    t2: object
    agent: object
    supervisor: object
    other_supervisor: object
    manager: object
    cases: dict[str, Case]


def _resolve(case: Case, by, at) -> Case:
    return case_transition(case=case, to_status=Case.Status.RESOLVED, by=by,
                           expected_version=case.version, now=at)


def build() -> Scenario:
    seed_sla_policies()
    x, y = DepartmentFactory(name="客服X部"), DepartmentFactory(name="客服Y部")
    t1, t2 = TeamFactory(department=x, name="一组"), TeamFactory(department=x, name="二组")
    agent = StaffFactory(role=Role.TIER2, department=x, team=t1, display_name="张三").user
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=x).user
    y_agent = StaffFactory(role=Role.TIER2, department=y).user
    other_supervisor = StaffFactory(role=Role.SUPERVISOR, department=y).user
    manager = StaffFactory(role=Role.MANAGER, department=DepartmentFactory()).user

    def complaint(grade, at, team=None, by=agent, department=x):
        return case_open_for_test(code="complaint-product-quality", grade=grade, by=by,
                                  assignee=by, department=department, team=team, now=at)

    def urgent(at, team=None, by=agent, department=x):
        return case_open_for_test(code="urgent-system-failure", by=by, assignee=by,
                                  department=department, team=team, now=at)

    cases: dict[str, Case] = {}
    cases["a1"] = complaint("A", bj(2026, 11, 23, 9), team=t1)
    cases["a2"] = complaint("A", bj(2026, 11, 23, 10, 30), team=t2)
    cases["b1"] = complaint("B", bj(2026, 11, 23, 10, 45))
    p1 = complaint("C", bj(2026, 11, 23, 9))
    p1 = case_transition(case=p1, to_status=Case.Status.IN_PROGRESS, by=agent,
                         expected_version=p1.version, now=bj(2026, 11, 23, 9, 30))
    cases["p1"] = case_transition(case=p1, to_status=Case.Status.WAITING_CUSTOMER, by=agent,
                                  expected_version=p1.version, now=bj(2026, 11, 23, 9, 40))
    cases["u1"] = urgent(bj(2026, 11, 23, 10))
    cases["k1"] = case_open_for_test(by=agent, assignee=agent, department=x,
                                     now=bj(2026, 11, 23, 10, 58))

    closed = BusinessCalendar.objects.create(name="closed", label="停业")
    SlaPolicy.objects.filter(kind="suggestion").update(active=False)
    SlaPolicy.objects.create(name="停业建议", kind="suggestion", calendar=closed,
                             resolution_target=dt.timedelta(hours=4))
    cases["s1"] = case_open_for_test(code="suggestion-feedback", by=agent, assignee=agent,
                                     department=x, now=bj(2026, 11, 23, 10))

    cases["r1"] = _resolve(urgent(bj(2026, 11, 23, 10, 50), team=t1), agent,
                           bj(2026, 11, 23, 10, 51))
    cases["r2"] = _resolve(complaint("A", bj(2026, 11, 20, 9), team=t2), agent,
                           bj(2026, 11, 23, 10, 30))
    cases["r3"] = _resolve(urgent(bj(2026, 11, 5, 10)), agent, bj(2026, 11, 5, 10, 1))
    cases["r4"] = _resolve(urgent(bj(2026, 10, 31, 10)), agent, bj(2026, 10, 31, 10, 1))

    cases["y1"] = complaint("A", bj(2026, 11, 23, 9), by=y_agent, department=y)
    cases["yr"] = _resolve(urgent(bj(2026, 11, 23, 10, 50), by=y_agent, department=y),
                           y_agent, bj(2026, 11, 23, 10, 51))

    sla_sweep(now=NOW, deliver=False)
    for key, case in cases.items():
        cases[key] = Case.objects.get(pk=case.pk)
    return Scenario(x=x, y=y, t1=t1, t2=t2, agent=agent, supervisor=supervisor,
                    other_supervisor=other_supervisor, manager=manager, cases=cases)
