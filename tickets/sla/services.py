"""The SLA clock of a case: which policy sets each clock (`timer_plans`), starting,
pausing, resuming, stopping and replacing its timers, and keeping the case's SLA summary
(`sla_state`, `sla_due_at`) true.

Called by the case services inside their transactions; the minute sweep lives in
`tickets.sla.sweep`. All durations are business time on the timer's calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Case as CaseWhen
from django.db.models import (
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from servicedesk.calendars import calendar_engine
from servicedesk.jobs import JobRun, row_key
from servicedesk.models import BusinessCalendar
from servicedesk.worktime import NoWorkingTime, WorkCalendar
from tickets.cases.models import Case, CaseCategory, SlaState
from tickets.sla.models import (
    LIVE_TIMER_STATES,
    WORKING_TIME_HORIZON,
    CaseTimer,
    SlaEvent,
    SlaPolicy,
    TimerKind,
    TimerState,
)
from tickets.sla.tallies import tally_resolution

_ZERO = dt.timedelta(0)


# --- which policy sets each clock ---------------------------------------------------------

TIMER_KINDS = (TimerKind.ACCEPTANCE, TimerKind.FEEDBACK, TimerKind.RESOLUTION)


class TimerPlan(NamedTuple):
    """What one clock of a case runs on: the policy it came from, the calendar it counts
    on and the business time it allows."""

    policy: SlaPolicy
    calendar: BusinessCalendar
    target: dt.timedelta


def _category_chain(category: CaseCategory | None) -> list[int]:
    """The category and its ancestors, nearest first."""
    chain: list[int] = []
    node = category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return chain


def _has_clock(policy: SlaPolicy, clock: str) -> bool:
    if clock == TimerKind.ACCEPTANCE:
        return policy.acceptance_target is not None
    if clock == TimerKind.FEEDBACK:
        return policy.feedback_target is not None or policy.feedback_working_days is not None
    return policy.resolution_target is not None


def timer_competitors(
    policies: Iterable[SlaPolicy], *, kind: str, chain: list[int], grade: str = ""
) -> dict[str, tuple[SlaPolicy, ...]]:
    """For each clock, the active `policies` that compete to set it on a case of `kind`
    whose category and its ancestors are `chain` (nearest first) and whose complaint grade
    is `grade`, in the order that settles a tie: the grade policy (category + grade before
    the grade alone), then the category policy (the nearest category up the tree). A policy
    competes only for the clocks it has a target for. The kind's default policy (no
    category, no grade) sets a clock only when neither a grade nor a category policy does.
    Pure: the demo planner caches it per kind, category and grade."""
    depth: dict[int | None, int] = {pk: i for i, pk in enumerate(chain)}
    graded: list[SlaPolicy] = []
    categorised: list[SlaPolicy] = []
    defaults: list[SlaPolicy] = []
    for policy in policies:
        if policy.kind != kind or not policy.active:
            continue
        if policy.category_id is not None and policy.category_id not in depth:
            continue
        if policy.grade:
            if policy.grade == grade:
                graded.append(policy)
        elif policy.category_id is not None:
            categorised.append(policy)
        else:
            defaults.append(policy)

    def nearest(candidates: list[SlaPolicy], clock: str) -> list[SlaPolicy]:
        with_clock = [p for p in candidates if _has_clock(p, clock)]
        if not with_clock:
            return []
        return [min(with_clock, key=lambda p: (depth.get(p.category_id, len(chain)), p.pk))]

    competitors: dict[str, tuple[SlaPolicy, ...]] = {}
    for clock in TIMER_KINDS:
        chosen = nearest(graded, clock) + nearest(categorised, clock)
        if not chosen:
            chosen = nearest(defaults, clock)
        if chosen:
            competitors[clock] = tuple(chosen)
    return competitors


def _clock_plan(policy: SlaPolicy, clock: str, *, start: dt.datetime) -> TimerPlan:
    """The calendar and business time `policy` gives `clock` on a case opened at `start`
    (a same-working-day feedback rule becomes the business time left until that close)."""
    if clock == TimerKind.ACCEPTANCE:
        calendar = policy.acceptance_calendar or policy.calendar
        return TimerPlan(policy, calendar, policy.acceptance_target)  # type: ignore[arg-type]
    if clock == TimerKind.RESOLUTION:
        return TimerPlan(policy, policy.calendar, policy.resolution_target)  # type: ignore[arg-type]
    if policy.feedback_target is not None:
        return TimerPlan(policy, policy.calendar, policy.feedback_target)
    engine = calendar_engine(policy.calendar.name)
    try:
        # _has_clock: feedback_working_days is set
        close = end_of_working_day(engine, start, policy.feedback_working_days)  # type: ignore[arg-type]
        target = engine.between(start, close)
    except NoWorkingTime:
        target = _ZERO
    return TimerPlan(policy, policy.calendar, target)


def _plan_due(plan: TimerPlan, start: dt.datetime) -> dt.datetime | None:
    """The due instant of a clock planned so, started at `start` and never paused (None:
    no working time ahead on its calendar)."""
    try:
        return calendar_engine(plan.calendar.name).add(start, plan.target)
    except NoWorkingTime:
        return None


def timer_plans_decide(
    competitors: dict[str, tuple[SlaPolicy, ...]], *, start: dt.datetime
) -> dict[str, TimerPlan]:
    """The plan of each clock of a case opened at `start`, from `timer_competitors`:

    - each competitor's due instant is computed from the same start; the earliest wins (a
      tie goes to the first competitor, the grade policy; a competitor whose calendar has
      no working time ahead loses to any that has);
    - feedback is never due after resolution: when it would be, the feedback clock takes
      the resolution's plan (same policy, calendar and target, so the same instant).
    """
    plans: dict[str, TimerPlan] = {}
    dues: dict[str, dt.datetime | None] = {}
    for clock, policies in competitors.items():
        best: TimerPlan | None = None
        best_due: dt.datetime | None = None
        for policy in policies:
            plan = _clock_plan(policy, clock, start=start)
            due = _plan_due(plan, start)
            if best is None or (due is not None and (best_due is None or due < best_due)):
                best, best_due = plan, due
        if best is not None:
            plans[clock], dues[clock] = best, best_due
    feedback_due = dues.get(TimerKind.FEEDBACK)
    resolution_due = dues.get(TimerKind.RESOLUTION)
    if TimerKind.FEEDBACK in plans and resolution_due is not None and (
        feedback_due is None or feedback_due > resolution_due
    ):
        plans[TimerKind.FEEDBACK] = plans[TimerKind.RESOLUTION]
    return plans


def timer_plans(
    *, kind: str, category: CaseCategory | None, grade: str = "", start: dt.datetime
) -> dict[str, TimerPlan]:
    """The plan (policy, calendar, target) of each clock of a case of `kind` in `category`
    with complaint `grade`, opened at `start`: the competing policies of each clock
    (`timer_competitors`), the earlier deadline winning and feedback never due after
    resolution (`timer_plans_decide`). One query (and the category's ancestors)."""
    chain = _category_chain(category) if category is not None else []
    policies = list(
        SlaPolicy.objects.filter(kind=kind, active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=chain))
        .select_related("calendar", "acceptance_calendar")
    )
    competitors = timer_competitors(policies, kind=kind, chain=chain, grade=grade)
    return timer_plans_decide(competitors, start=start)


# --- arithmetic ----------------------------------------------------------------------------


def _engine(timer_or_policy: CaseTimer | SlaPolicy) -> WorkCalendar:
    return calendar_engine(timer_or_policy.calendar.name)


def end_of_working_day(engine: WorkCalendar, moment: dt.datetime, days_after: int) -> dt.datetime:
    """The close of the working day `days_after` working days after the one containing (or
    following) `moment`: 0 is the same working day."""
    t = engine.next_opening(moment)
    for _ in range(days_after):
        t = engine.next_opening(_next_local_midnight(engine, t))
    return engine.add(t, engine.between(t, _next_local_midnight(engine, t)))


def _next_local_midnight(engine: WorkCalendar, moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(engine.tz)
    day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=engine.tz)


def warn_elapsed(target: dt.timedelta, policy: SlaPolicy) -> dt.timedelta:
    """Business time elapsed at which to warn: at `warn_percent` of the target or
    `warn_before` the due instant, whichever comes first (a `warn_before` as long as the
    target itself is ignored: it would warn at the start)."""
    by_percent = target * policy.warn_percent / 100
    if policy.warn_before >= target:
        return by_percent
    return min(by_percent, target - policy.warn_before)


def elapsed(timer: CaseTimer, at: dt.datetime | None = None) -> dt.timedelta:
    """Business time the timer has used up to `at` (now), never counting pauses."""
    at = at or timezone.now()
    end = at
    if timer.state == TimerState.PAUSED and timer.paused_at is not None:
        end = min(end, timer.paused_at)
    elif timer.stopped_at is not None:
        end = min(end, timer.stopped_at)
    used = _engine(timer).between(timer.started_at, end) - timer.paused_business
    return max(used, _ZERO)


def remaining(timer: CaseTimer, at: dt.datetime | None = None) -> dt.timedelta:
    return timer.target - elapsed(timer, at)


@dataclass(frozen=True)
class TimerSchedule:
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    problem: str = ""


def timer_schedule(
    policy: SlaPolicy,
    *,
    engine: WorkCalendar,
    started_at: dt.datetime,
    target: dt.timedelta,
    paused_business: dt.timedelta = _ZERO,
) -> TimerSchedule:
    """The due and warning instants of a timer of `policy` started at `started_at` with
    `target` business time, `paused_business` of it spent waiting for the customer (the
    services' timers and the demo's bulk-written timers alike)."""
    try:
        due = engine.add(started_at, target + paused_business)
        warn = engine.add(started_at, warn_elapsed(target, policy) + paused_business)
    except NoWorkingTime:
        return TimerSchedule(
            None,
            None,
            f"日历 {engine.name} 之后没有工作时间，无法计算期限 "
            f"(calendar {engine.name} has no working time ahead)",
        )
    gap = due - started_at - target - paused_business
    if gap > WORKING_TIME_HORIZON:
        return TimerSchedule(
            due,
            warn,
            f"期限跨越了日历 {engine.name} 中超过 {WORKING_TIME_HORIZON.days} 天的非工作时间 "
            f"(the deadline crosses a gap of over {WORKING_TIME_HORIZON.days} days)",
        )
    return TimerSchedule(due, warn)


def _schedule(timer: CaseTimer, policy: SlaPolicy) -> TimerSchedule:
    return timer_schedule(
        policy, engine=_engine(timer), started_at=timer.started_at, target=timer.target,
        paused_business=timer.paused_business,
    )


def _apply_schedule(timer: CaseTimer, policy: SlaPolicy, *, now: dt.datetime) -> None:
    plan = _schedule(timer, policy)
    timer.due_at, timer.warn_at = plan.due_at, plan.warn_at
    if plan.problem:
        timer._sla_problem = plan.problem  # recorded once the timer has a primary key


def timers_reschedule_unscheduled(*, now: dt.datetime, limit: int = 200,
                                  job: JobRun | None = None, phase: str = "") -> set[int]:
    """Running clocks that had no computable deadline (their calendar had no working time)
    get one as soon as their calendar allows it again, e.g. after an administrator added
    working periods. Returns the ids of the cases whose clocks were scheduled. A clock that
    cannot be scheduled without an error is isolated (`servicedesk.jobs`, in `job`)."""
    own = job is None
    run = job or JobRun("sla-reschedule", now=now)
    timers = list(CaseTimer.objects.filter(
        state=TimerState.RUNNING, due_at__isnull=True, breached_at__isnull=True
    ).select_related("calendar", "policy").order_by("pk")[:limit])

    def schedule(batch: list[CaseTimer]) -> set[int]:
        cases: set[int] = set()
        for timer in batch:
            plan = _schedule(timer, timer.policy)
            if plan.due_at is not None and CaseTimer.objects.filter(
                pk=timer.pk, due_at__isnull=True
            ).update(due_at=plan.due_at, warn_at=plan.warn_at):
                cases.add(timer.case_id)
        return cases

    done = run.each(timers, schedule, key=lambda t: row_key(CaseTimer, t.pk), phase=phase)
    if len(timers) < limit:
        run.resolve_unseen(phase)
    if own:
        run.finish()
    return set().union(*done)


def _record_problems(timers: Iterable[CaseTimer], *, now: dt.datetime) -> None:
    """A deadline is never silently missing: each timer that could not be scheduled
    properly gets a NO_DEADLINE event (once), which the dashboard and sweep alert on."""
    events = [
        SlaEvent(
            timer=t,
            case_id=t.case_id,
            kind=SlaEvent.Kind.NO_DEADLINE,
            at=now,
            recorded_at=now,
            reason=t._sla_problem,
        )
        for t in timers
        if getattr(t, "_sla_problem", "")
    ]
    if events:
        SlaEvent.objects.bulk_create(events, ignore_conflicts=True)


# --- timers on a case ----------------------------------------------------------------------


def _new_timer(*, case: Case, kind: str, plan: TimerPlan, start: dt.datetime,
               now: dt.datetime) -> CaseTimer:
    timer = CaseTimer(
        case=case,
        kind=kind,
        policy=plan.policy,
        calendar=plan.calendar,
        state=TimerState.RUNNING,
        target=plan.target,
        started_at=start,
    )
    _apply_schedule(timer, plan.policy, now=now)
    return timer


def _save_new(timers: list[CaseTimer], *, now: dt.datetime) -> list[CaseTimer]:
    problems = {id(t): getattr(t, "_sla_problem", "") for t in timers}
    created = CaseTimer.objects.bulk_create(timers)
    for timer in created:
        timer._sla_problem = problems.get(id(timer), "")
    _record_problems(created, now=now)
    return created


def timers_start(
    *, case: Case, now: dt.datetime, kinds: Iterable[str] | None = None
) -> list[CaseTimer]:
    """Start the case's timers from the opening (or only `kinds`, e.g. a new resolution
    clock after a reopen, from `now`), each on its plan (`timer_plans`)."""
    start = case.opened_at if kinds is None else now
    plans = timer_plans(kind=case.kind, category=case.category, grade=case.grade, start=start)
    wanted = set(plans) if kinds is None else set(kinds) & set(plans)
    timers = [
        _new_timer(case=case, kind=kind, plan=plans[kind], start=start, now=now)
        for kind in sorted(wanted)
    ]
    return _save_new(timers, now=now)


def _live(case: Case) -> QuerySet[CaseTimer]:
    return CaseTimer.objects.filter(case=case, state__in=LIVE_TIMER_STATES).select_related(
        "calendar", "policy"
    )


def timers_pause(*, case: Case, now: dt.datetime) -> None:
    """The case waits for the customer: running timers stop counting."""
    CaseTimer.objects.filter(case=case, state=TimerState.RUNNING).update(
        state=TimerState.PAUSED, paused_at=now
    )


def timers_resume(*, case: Case, now: dt.datetime) -> None:
    """The customer answered: paused timers go on with the business time they had left."""
    for timer in _live(case).filter(state=TimerState.PAUSED):
        # a paused timer has paused_at (constraint)
        timer.paused_business += _engine(timer).between(timer.paused_at, now)  # type: ignore[arg-type]
        timer.paused_at = None
        timer.state = TimerState.RUNNING
        _apply_schedule(timer, timer.policy, now=now)
        timer.save(update_fields=["paused_business", "paused_at", "state", "due_at", "warn_at"])
        _record_problems([timer], now=now)


def timers_stop(*, case: Case, kinds: Iterable[str], now: dt.datetime) -> None:
    """The target was reached (accepted, customer informed, resolved). A timer stopped
    after its due instant that the sweep had not reached yet records its breach now, at
    the true breach instant."""
    breaches = []
    for timer in _live(case).filter(kind__in=list(kinds)):
        timer.elapsed_at_stop = elapsed(timer, now)
        if timer.state == TimerState.PAUSED:
            # a paused timer has paused_at (constraint)
            timer.paused_business += _engine(timer).between(timer.paused_at, now)  # type: ignore[arg-type]
            timer.paused_at = None
        timer.state = TimerState.MET
        timer.stopped_at = now
        if timer.due_at is not None and timer.due_at < now and timer.breached_at is None:
            timer.breached_at = timer.due_at
            breaches.append(
                SlaEvent(timer=timer, case_id=case.pk, kind=SlaEvent.Kind.BREACHED,
                         at=timer.due_at, recorded_at=now)
            )
        timer.save(update_fields=["elapsed_at_stop", "paused_business", "paused_at", "state",
                                  "stopped_at", "breached_at"])
        if timer.kind == TimerKind.RESOLUTION:
            tally_resolution(case=case, stopped_at=now, on_time=timer.breached_at is None)
    if breaches:
        SlaEvent.objects.bulk_create(breaches, ignore_conflicts=True)


@dataclass(frozen=True)
class DeadlineChange:
    kind: str
    old_due: dt.datetime | None
    new_due: dt.datetime | None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "old_due": self.old_due.isoformat() if self.old_due else None,
            "new_due": self.new_due.isoformat() if self.new_due else None,
        }


def _follows(timer: CaseTimer, plan: TimerPlan) -> bool:
    return (timer.policy_id, timer.calendar_id, timer.target) == (
        plan.policy.pk, plan.calendar.pk, plan.target)


def timers_replace(*, case: Case, now: dt.datetime) -> list[DeadlineChange]:
    """The grade or category changed: each live timer whose plan changed (`timer_plans`
    from the opening: another policy, calendar or target) is cancelled and replaced by one
    on its new plan that keeps the original start and the business time already used (so
    C → A on a complaint opened 5 hours ago leaves 3 of A's 8 hours); a timer whose plan
    is the same runs on untouched. Kinds already met stay met, and a case no longer open
    keeps the clocks it finished with. Returns the old and new due instant of each kind
    that changed."""
    if case.status not in Case.OPEN_STATUSES:
        return []
    plans = timer_plans(kind=case.kind, category=case.category, grade=case.grade,
                        start=case.opened_at)
    live = {t.kind: t for t in _live(case)}
    met_kinds = set(
        CaseTimer.objects.filter(case=case, state=TimerState.MET).values_list("kind", flat=True)
    )
    if all(kind in plans and _follows(t, plans[kind]) for kind, t in live.items()) \
            and set(live) | met_kinds >= set(plans):
        return []

    changes: list[DeadlineChange] = []
    new_timers: list[CaseTimer] = []
    for kind in sorted(set(live) | set(plans)):
        old = live.get(kind)
        if old is None and kind in met_kinds:
            continue
        plan = plans.get(kind)
        if old is not None and plan is not None and _follows(old, plan):
            continue  # same plan: the clock runs on
        new = None
        if plan is not None:
            new = CaseTimer(
                case=case, kind=kind, policy=plan.policy, calendar=plan.calendar,
                target=plan.target, started_at=old.started_at if old else case.opened_at,
                state=old.state if old else TimerState.RUNNING,
                paused_at=old.paused_at if old else None,
            )
            if old is not None:
                used = elapsed(old, now)
                worked = _engine(new).between(new.started_at, old.paused_at or now)
                new.paused_business = max(worked - used, _ZERO)
                new.warned_at = old.warned_at
            _apply_schedule(new, plan.policy, now=now)
            if old is not None and old.breached_at is not None and new.due_at is not None \
                    and new.due_at <= now:
                new.breached_at = old.breached_at  # still late: keep the first breach
            new_timers.append(new)
        if old is not None:
            old.state = TimerState.CANCELLED
            old.stopped_at = now
            old.elapsed_at_stop = elapsed(old, now)
            old.paused_at = None
            old.save(update_fields=["state", "stopped_at", "elapsed_at_stop", "paused_at"])
        changes.append(
            DeadlineChange(kind=kind, old_due=old.due_at if old else None,
                           new_due=new.due_at if new else None)
        )
    _save_new(new_timers, now=now)
    return changes


# --- the case's summary ---------------------------------------------------------------------


def cases_sla_refresh(case_ids: Iterable[int] | QuerySet) -> int:
    """Recompute `sla_state` and `sla_due_at` of these cases from their timers in one
    UPDATE (used by the case services for one case and by the sweep for many)."""
    timers = CaseTimer.objects.filter(case=OuterRef("pk"))
    live = timers.filter(state__in=LIVE_TIMER_STATES)
    running = timers.filter(state=TimerState.RUNNING)
    late = timers.exclude(state=TimerState.CANCELLED).filter(breached_at__isnull=False)
    is_open = Q(status__in=Case.OPEN_STATUSES)
    state = CaseWhen(
        When(is_open & Exists(live.filter(breached_at__isnull=False)),
             then=Value(SlaState.BREACHED)),
        When(is_open & Exists(running.filter(warned_at__isnull=False)),
             then=Value(SlaState.WARNED)),
        When(is_open & Exists(running), then=Value(SlaState.ON_TRACK)),
        When(is_open & Exists(live), then=Value(SlaState.PAUSED)),
        When(Exists(late), then=Value(SlaState.MET_LATE)),
        When(Exists(timers.filter(state=TimerState.MET)), then=Value(SlaState.MET)),
        default=Value(SlaState.NONE),
    )
    next_due = Subquery(
        running.order_by().values("case").annotate(first=Min("due_at")).values("first")[:1]
    )
    return Case.objects.filter(pk__in=case_ids).update(sla_state=state, sla_due_at=next_due)


def case_sla_view(case: Case, *, now: dt.datetime | None = None) -> list[dict]:
    """The case's timers for its page: kind, state, due, remaining or late, elapsed."""
    now = now or timezone.now()
    rows = []
    for timer in case.timers.exclude(state=TimerState.CANCELLED).select_related(
        "calendar", "policy"
    ).order_by("started_at", "kind", "id"):
        used = elapsed(timer, now)
        rows.append({
            "timer": timer,
            "elapsed": used,
            "remaining": timer.target - used,
            "days_late": timer.days_late,
            "late": timer.late or (
                timer.state == TimerState.RUNNING and timer.due_at is not None
                and timer.due_at <= now
            ),
        })
    return rows
