"""SLA timers for cases written in bulk (demo data, benchmarks), which never went through
`case_open`: rows ready for `bulk_create` or COPY, equal to the timers the services would
have left after the same history (`tests/demo/test_intake_demo.py` replays histories
through the services to hold that). Nothing here decides an SLA rule:

- which policy, calendar and target set each clock, and the due and warning instants,
  come from the services' own functions (`timer_competitors`, `timer_plans_decide`,
  `timer_schedule`, the calendar engine);
- the case's summary (`sla_state`, `sla_due_at`) is not computed here at all: once the
  rows are written, `cases_sla_refresh_between` runs the sweep's own set-based
  `cases_sla_refresh` over them.

What remains is the history: the minute sweep is taken to have run before each of the
case's steps, so a warning or due instant at or before a step is recorded on the timer
(as the sweep would have, before `timers_stop` / `timers_pause`). `swept=True` also
records the crossings of running timers up to `now` (the picture right after a sweep at
`now`); `swept=False` leaves those after the case's last step for the first real sweep
to find, which then records them with their true instants and notifies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servicedesk.calendars import calendar_engine
from tickets.cases.models import Case, CaseCategory
from tickets.sla.models import SlaPolicy, TimerKind, TimerState
from tickets.sla.services import (
    TimerPlan,
    TimerSchedule,
    cases_sla_refresh,
    timer_competitors,
    timer_plans_decide,
    timer_schedule,
)


@dataclass(frozen=True)
class CaseHistory:
    """What happened to a case, as far as its clocks care."""

    case_id: int
    kind: str
    category_id: int
    grade: str
    status: str
    opened_at: dt.datetime
    accepted_at: dt.datetime | None = None  # left "new"
    waiting_since: dt.datetime | None = None  # waiting for the customer now
    resolved_at: dt.datetime | None = None

    @property
    def last_step_at(self) -> dt.datetime | None:
        steps = [t for t in (self.accepted_at, self.waiting_since, self.resolved_at) if t]
        return max(steps, default=None)


def _crossed(instant: dt.datetime | None, by: dt.datetime) -> dt.datetime | None:
    """What a sweep at `by` records for a timer's warning or due `instant`."""
    return instant if instant is not None and instant <= by else None


class TimerPlanner:
    def __init__(self) -> None:
        self.policies = list(SlaPolicy.objects.filter(active=True).select_related(
            "calendar", "acceptance_calendar"))
        parents = dict(CaseCategory.objects.values_list("pk", "parent_id"))
        self.chains: dict[int, list[int]] = {}
        for pk in parents:
            chain, node = [], pk
            while node is not None:
                chain.append(node)
                node = parents.get(node)
            self.chains[pk] = chain
        self._competitors: dict[tuple, dict[str, tuple[SlaPolicy, ...]]] = {}
        self._last_clocks: tuple[tuple, list[tuple[str, TimerPlan, TimerSchedule]]] = ((), [])

    def competitors(self, kind: str, category_id: int,
                    grade: str) -> dict[str, tuple[SlaPolicy, ...]]:
        key = (kind, category_id, grade)
        if key not in self._competitors:
            self._competitors[key] = timer_competitors(
                self.policies, kind=kind, chain=self.chains.get(category_id, []), grade=grade
            )
        return self._competitors[key]

    def _clocks(self, kind: str, category_id: int, grade: str,
                start: dt.datetime) -> list[tuple[str, TimerPlan, TimerSchedule]]:
        """(clock, plan, schedule) of each clock a case opened at `start` gets (the last
        answer is kept: `deadlines` and then `plan` ask about the same case)."""
        key = (kind, category_id, grade, start)
        if self._last_clocks[0] != key:
            plans = timer_plans_decide(self.competitors(kind, category_id, grade), start=start)
            self._last_clocks = (key, [
                (clock, plan, timer_schedule(plan.policy,
                                             engine=calendar_engine(plan.calendar.name),
                                             started_at=start, target=plan.target))
                for clock, plan in sorted(plans.items())
            ])
        return self._last_clocks[1]

    def deadlines(self, kind: str, category_id: int, grade: str,
                  start: dt.datetime) -> dict[str, dt.datetime | None]:
        """The due instant of each clock a case opened at `start` gets (none without a
        policy), before anything pauses or stops it."""
        return {clock: schedule.due_at
                for clock, _, schedule in self._clocks(kind, category_id, grade, start)}

    def plan(self, case: CaseHistory, *, now: dt.datetime, swept: bool) -> list[dict]:
        """The case's timer rows (keyed by attname, without `id`)."""
        start = case.opened_at
        rows = []
        for kind, plan, schedule in self._clocks(case.kind, case.category_id, case.grade,
                                                 start):
            engine = calendar_engine(plan.calendar.name)
            due, warn = schedule.due_at, schedule.warn_at
            row = {
                "case_id": case.case_id, "kind": kind, "policy_id": plan.policy.pk,
                "calendar_id": plan.calendar.pk, "target": plan.target, "started_at": start,
                "paused_business": dt.timedelta(0), "paused_at": None, "due_at": due,
                "warn_at": warn, "stopped_at": None, "warned_at": None, "breached_at": None,
                "elapsed_at_stop": None,
            }
            # Leaving "new" meets acceptance; resolving meets feedback and resolution.
            stop = case.accepted_at if kind == TimerKind.ACCEPTANCE else case.resolved_at
            if stop is not None and stop <= now:
                row.update(state=TimerState.MET, stopped_at=stop,
                           elapsed_at_stop=engine.between(start, stop),
                           warned_at=_crossed(warn, stop), breached_at=_crossed(due, stop))
            elif case.status == Case.Status.WAITING_CUSTOMER and case.waiting_since:
                held = case.waiting_since
                row.update(state=TimerState.PAUSED, paused_at=held,
                           warned_at=_crossed(warn, held), breached_at=_crossed(due, held))
            else:
                row["state"] = TimerState.RUNNING
                swept_at = now if swept else case.last_step_at
                if swept_at is not None:
                    row.update(warned_at=_crossed(warn, swept_at),
                               breached_at=_crossed(due, swept_at))
            rows.append(row)
        return rows


def cases_sla_refresh_between(first_id: int, last_id: int) -> int:
    """The SLA summary of the cases with ids in [first_id, last_id] from their timers, by
    the sweep's own `cases_sla_refresh` (one UPDATE)."""
    return cases_sla_refresh(
        Case.objects.filter(pk__gte=first_id, pk__lte=last_id).values("pk")
    )
