"""SLA timers for cases written in bulk (demo data, benchmarks), which never went through
`case_open`: the same policies, calendars and rules as `tickets.sla.services`, computed in
memory from what each case went through, as rows ready for `bulk_create` or COPY.

`swept=True` plans the picture after the minute sweep has run (crossed warnings and
breaches already marked); `swept=False` leaves crossings of running timers for the first
real sweep to find, which then records them with their true instants and notifies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servicedesk.calendars import calendar_engine
from servicedesk.worktime import NoWorkingTime
from tickets.cases.models import Case, CaseCategory, SlaState
from tickets.sla.models import SlaPolicy, TimerKind, TimerState
from tickets.sla.services import end_of_working_day, policy_pick, warn_elapsed


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


@dataclass
class PlannedCase:
    timers: list[dict]
    sla_state: str
    sla_due_at: dt.datetime | None


class TimerPlanner:
    def __init__(self) -> None:
        self.policies = list(SlaPolicy.objects.filter(active=True).select_related("calendar"))
        parents = dict(CaseCategory.objects.values_list("pk", "parent_id"))
        self.chains: dict[int, list[int]] = {}
        for pk in parents:
            chain, node = [], pk
            while node is not None:
                chain.append(node)
                node = parents.get(node)
            self.chains[pk] = chain
        self._picked: dict[tuple, SlaPolicy | None] = {}

    def policy(self, kind: str, category_id: int, grade: str) -> SlaPolicy | None:
        key = (kind, category_id, grade)
        if key not in self._picked:
            self._picked[key] = policy_pick(
                self.policies, kind=kind, chain=self.chains.get(category_id, []), grade=grade
            )
        return self._picked[key]

    def plan(self, case: CaseHistory, *, now: dt.datetime, swept: bool) -> PlannedCase:
        policy = self.policy(case.kind, case.category_id, case.grade)
        if policy is None:
            return PlannedCase([], SlaState.NONE, None)
        engine = calendar_engine(policy.calendar.name)
        start = case.opened_at
        targets: dict[str, dt.timedelta] = {}
        if policy.acceptance_target:
            targets[TimerKind.ACCEPTANCE] = policy.acceptance_target
        if policy.feedback_target:
            targets[TimerKind.FEEDBACK] = policy.feedback_target
        elif policy.feedback_working_days is not None:
            try:
                due = end_of_working_day(engine, start, policy.feedback_working_days)
                targets[TimerKind.FEEDBACK] = engine.between(start, due)
            except NoWorkingTime:
                pass
        if policy.resolution_target:
            targets[TimerKind.RESOLUTION] = policy.resolution_target

        rows = []
        for kind, target in targets.items():
            try:
                due = engine.add(start, target)
                warn = engine.add(start, warn_elapsed(target, policy))
            except NoWorkingTime:
                continue
            stop = case.accepted_at if kind == TimerKind.ACCEPTANCE else case.resolved_at
            row = {
                "case_id": case.case_id, "kind": kind, "policy_id": policy.pk,
                "calendar_id": policy.calendar_id, "target": target, "started_at": start,
                "paused_business": dt.timedelta(0), "paused_at": None, "due_at": due,
                "warn_at": warn, "stopped_at": None, "warned_at": None, "breached_at": None,
                "elapsed_at_stop": None,
            }
            if stop is not None and stop <= now:
                row.update(state=TimerState.MET, stopped_at=stop,
                           elapsed_at_stop=engine.between(start, stop),
                           warned_at=warn if warn <= stop else None,
                           breached_at=due if due < stop else None)
            elif case.status == Case.Status.WAITING_CUSTOMER and case.waiting_since:
                held = case.waiting_since
                row.update(state=TimerState.PAUSED, paused_at=held,
                           warned_at=warn if warn <= held else None,
                           breached_at=due if due <= held else None)
            else:
                row["state"] = TimerState.RUNNING
                if swept:
                    row.update(warned_at=warn if warn <= now else None,
                               breached_at=due if due <= now else None)
            rows.append(row)
        state, next_due = summary(rows, status=case.status, now=now)
        return PlannedCase(rows, state, next_due)


def summary(rows: list[dict], *, status: str, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """The case's `sla_state` and `sla_due_at` from its timer rows, by the rules of
    `cases_sla_refresh` (a running timer already past its warning or due instant counts as
    warned or breached: that is what the next sweep will record)."""
    live = [r for r in rows if r["state"] in (TimerState.RUNNING, TimerState.PAUSED)]
    running = [r for r in live if r["state"] == TimerState.RUNNING]
    next_due = min((r["due_at"] for r in running if r["due_at"]), default=None)
    if status in Case.OPEN_STATUSES:
        if any(r["breached_at"] or (r["state"] == TimerState.RUNNING and r["due_at"] <= now)
               for r in live):
            return SlaState.BREACHED, next_due
        if any(r["warned_at"] or r["warn_at"] <= now for r in running):
            return SlaState.WARNED, next_due
        if running:
            return SlaState.ON_TRACK, next_due
        if live:
            return SlaState.PAUSED, None
    if any(r["breached_at"] for r in rows):
        return SlaState.MET_LATE, next_due if status in Case.OPEN_STATUSES else None
    if any(r["state"] == TimerState.MET for r in rows):
        return SlaState.MET, next_due if status in Case.OPEN_STATUSES else None
    return SlaState.NONE, next_due
