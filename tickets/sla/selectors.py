"""The SLA state as shown: one state per case and per clock, as of the moment a page is
rendered, with the instants at which it moves on (issue 10, item 13).

The stored summary (`Case.sla_state` / `sla_due_at`, kept by `cases_sla_refresh` and the
sweep) is what the sweep last recorded; between two sweeps a clock can already be past its
warning or due instant. Pages therefore show `sla_state_at(...)`: the stored state moved on
by the instants that have passed. The badge and the countdown colour both come from this
one state, and the page's script (servicedesk/static/servicedesk/countdown.js) moves them
on together at `warn_at` and `due_at` — never by a rule of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min, OuterRef, QuerySet, Subquery

from tickets.cases.models import Case, SlaState
from tickets.sla.models import CaseTimer, TimerState

_MOVING = (SlaState.ON_TRACK, SlaState.WARNED)


@dataclass(frozen=True)
class SlaClock:
    """What a page shows of one case's (or one clock's) SLA: its state now, the due
    instant its countdown runs to, and the instant it becomes "due soon" (only while it is
    still on track). `running` says whether the countdown moves."""

    state: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    running: bool

    @property
    def label(self) -> str:
        return str(SlaState(self.state).label)

    @property
    def css(self) -> str:
        return self.state or "none"


def sla_state_at(
    *, state: str, warn_at: dt.datetime | None, due_at: dt.datetime | None, now: dt.datetime
) -> str:
    """The recorded `state` moved on by the instants that have passed by `now`: a clock on
    track or due soon whose due instant has passed is breached, one on track whose warning
    instant has passed is due soon. Every other state stays (paused, met, none)."""
    if state in _MOVING and due_at is not None and due_at <= now:
        return SlaState.BREACHED
    if state == SlaState.ON_TRACK and warn_at is not None and warn_at <= now:
        return SlaState.WARNED
    return state


def with_sla_warn_at(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `sla_warn_at`: the earliest warning instant among the case's running clocks
    (the instant an on-track case becomes due soon)."""
    running = CaseTimer.objects.filter(case=OuterRef("pk"), state=TimerState.RUNNING)
    return queryset.annotate(sla_warn_at=Subquery(
        running.order_by().values("case").annotate(first=Min("warn_at")).values("first")[:1]
    ))


def case_sla_clock(case: Case, *, now: dt.datetime,
                   timers: Iterable[CaseTimer] | None = None) -> SlaClock:
    """The case's SLA as shown at `now`, from its summary and its next warning instant:
    annotated by `with_sla_warn_at`, or taken from its `timers` when the page has them."""
    if timers is not None:
        warn_at = min((t.warn_at for t in timers
                       if t.state == TimerState.RUNNING and t.warn_at is not None), default=None)
    else:
        warn_at = getattr(case, "sla_warn_at", None)
    state = sla_state_at(state=case.sla_state, warn_at=warn_at, due_at=case.sla_due_at, now=now)
    running = state in (*_MOVING, SlaState.BREACHED) and case.sla_due_at is not None
    return SlaClock(state=state, due_at=case.sla_due_at if running else None,
                    warn_at=warn_at if state == SlaState.ON_TRACK else None, running=running)


def timer_sla_clock(timer: CaseTimer, *, now: dt.datetime) -> SlaClock:
    """One clock of a case, in the same states as the case: a running clock is on track,
    due soon or breached; a paused one paused (or breached if it already was); a stopped
    one met or met late."""
    if timer.state == TimerState.RUNNING:
        recorded = (SlaState.BREACHED if timer.breached_at else
                    SlaState.WARNED if timer.warned_at else SlaState.ON_TRACK)
        state = sla_state_at(state=recorded, warn_at=timer.warn_at, due_at=timer.due_at,
                             now=now)
        return SlaClock(state=state, due_at=timer.due_at,
                        warn_at=timer.warn_at if state == SlaState.ON_TRACK else None,
                        running=timer.due_at is not None)
    if timer.state == TimerState.PAUSED:
        state = SlaState.BREACHED if timer.breached_at else SlaState.PAUSED
    elif timer.state == TimerState.MET:
        state = SlaState.MET_LATE if timer.breached_at else SlaState.MET
    else:
        state = SlaState.NONE
    return SlaClock(state=state, due_at=None, warn_at=None, running=False)
