"""The SLA clock of a case: which policy applies, starting, pausing, resuming, stopping and
replacing its timers, and keeping the case's SLA summary (`sla_state`, `sla_due_at`) true.

Called by the case services inside their transactions; the minute sweep lives in
`tickets.sla.sweep`. All durations are business time on the timer's calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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


# --- which policy ------------------------------------------------------------------------


def _category_chain(category: CaseCategory | None) -> list[int]:
    """The category and its ancestors, nearest first."""
    chain: list[int] = []
    node = category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return chain


def policy_for(*, kind: str, category: CaseCategory | None, grade: str = "") -> SlaPolicy | None:
    """The most specific active policy (see `policy_pick`). One query."""
    chain = _category_chain(category) if category is not None else []
    policies = list(
        SlaPolicy.objects.filter(kind=kind, active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=chain))
        .select_related("calendar")
    )
    return policy_pick(policies, kind=kind, chain=chain, grade=grade)


def policy_pick(
    policies: Iterable[SlaPolicy], *, kind: str, chain: list[int], grade: str = ""
) -> SlaPolicy | None:
    """Among active `policies`, the one for a case of `kind` whose category and its
    ancestors are `chain` (nearest first). Complaints with a grade: the grade decides first
    (category + grade, then grade alone), then the category; otherwise the nearest category
    up the tree, then the kind alone."""
    depth: dict[int | None, int] = {pk: i for i, pk in enumerate(chain)}
    best, best_rank = None, None
    for policy in policies:
        if policy.kind != kind or not policy.active:
            continue
        if policy.category_id is not None and policy.category_id not in depth:
            continue
        if policy.grade and policy.grade != grade:
            continue
        rank = (0 if policy.grade else 1, depth.get(policy.category_id, len(chain)))
        if best_rank is None or rank < best_rank:
            best, best_rank = policy, rank
    return best


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


def timer_targets(policy: SlaPolicy, *, start: dt.datetime) -> dict[str, dt.timedelta]:
    """The business time each clock of `policy` allows a case opened at `start` (the
    same-working-day feedback rules become the business time left until that close)."""
    targets: dict[str, dt.timedelta] = {}
    if policy.acceptance_target:
        targets[TimerKind.ACCEPTANCE] = policy.acceptance_target
    if policy.feedback_target:
        targets[TimerKind.FEEDBACK] = policy.feedback_target
    elif policy.feedback_working_days is not None:
        engine = _engine(policy)
        try:
            due = end_of_working_day(engine, start, policy.feedback_working_days)
            targets[TimerKind.FEEDBACK] = engine.between(start, due)
        except NoWorkingTime:
            targets[TimerKind.FEEDBACK] = _ZERO
    if policy.resolution_target:
        targets[TimerKind.RESOLUTION] = policy.resolution_target
    return targets


def _new_timer(*, case: Case, kind: str, policy: SlaPolicy, target: dt.timedelta,
               start: dt.datetime, now: dt.datetime) -> CaseTimer:
    timer = CaseTimer(
        case=case,
        kind=kind,
        policy=policy,
        calendar=policy.calendar,
        state=TimerState.RUNNING,
        target=target,
        started_at=start,
    )
    _apply_schedule(timer, policy, now=now)
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
    clock after a reopen, from `now`)."""
    policy = policy_for(kind=case.kind, category=case.category, grade=case.grade)
    if policy is None:
        return []
    start = case.opened_at if kinds is None else now
    targets = timer_targets(policy, start=start)
    wanted = set(targets) if kinds is None else set(kinds) & set(targets)
    timers = [
        _new_timer(case=case, kind=kind, policy=policy, target=targets[kind], start=start,
                   now=now)
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


def timers_replace(*, case: Case, now: dt.datetime) -> list[DeadlineChange]:
    """The grade or category changed: the live timers are cancelled and replaced by timers
    of the new policy that keep the original start and the business time already used (so
    C → A on a complaint opened 5 business hours ago leaves 3 of A's 8 hours). Kinds
    already met stay met, and a case no longer open keeps the clocks it finished with.
    Returns the old and new due instant of each kind."""
    if case.status not in Case.OPEN_STATUSES:
        return []
    policy = policy_for(kind=case.kind, category=case.category, grade=case.grade)
    live = {t.kind: t for t in _live(case)}
    met_kinds = set(
        CaseTimer.objects.filter(case=case, state=TimerState.MET).values_list("kind", flat=True)
    )
    targets = timer_targets(policy, start=case.opened_at) if policy is not None else {}
    if policy is not None and all(
        t.policy_id == policy.pk for t in live.values()
    ) and set(live) | met_kinds >= set(targets):
        return []

    changes: list[DeadlineChange] = []
    new_timers: list[CaseTimer] = []
    for kind in sorted(set(live) | set(targets)):
        old = live.get(kind)
        if old is None and kind in met_kinds:
            continue
        new = None
        if kind in targets and policy is not None:  # (no policy: no targets)
            new = CaseTimer(
                case=case, kind=kind, policy=policy, calendar=policy.calendar,
                target=targets[kind], started_at=old.started_at if old else case.opened_at,
                state=old.state if old else TimerState.RUNNING,
                paused_at=old.paused_at if old else None,
            )
            if old is not None:
                used = elapsed(old, now)
                worked = _engine(new).between(new.started_at, old.paused_at or now)
                new.paused_business = max(worked - used, _ZERO)
                new.warned_at = old.warned_at
            _apply_schedule(new, policy, now=now)
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
