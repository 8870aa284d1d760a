"""The minute sweep: find every SLA timer that crossed its warning or due instant, record
each warning and breach exactly once at its true instant, refresh the cases' SLA summary
and notify the assignee and the department's supervisors in one digest each.

Set-based, with a query count that does not grow with the crossings (issue 10 item 21): on
PostgreSQL one statement claims the crossed timers (locking them, so a concurrent sweep
waits and then no longer finds them), records their events, marks their cases and returns
what the notifications need; one query reads who hears about them (supervisors, assignees
and their working hours); one statement writes every notification and the run's digests.
Elsewhere the same steps take a few more queries (two claims, a read, an insert, an
update). Safe to run twice or concurrently: a timer is claimed by exactly one sweep,
events are unique per (timer, kind), notifications per (recipient, key). A sweep that dies
mid-run rolls back and the next one claims the same timers; a sweep after an hour's
outage records the missed breaches with their true times.

One bad row does not stop it (issue 10 item 1, `servicedesk.jobs`): the crossings, the
rescheduling of clocks without a deadline, the no-deadline notices and the delivery of
digests each isolate a failing row; a failing crossing's claim is rolled back with it, so it
is retried (alone) by the next run, and it is listed on the health page meanwhile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import Model, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.calendars import calendar_engine
from servicedesk.jobs import JobRun, job_run, row_key
from servicedesk.models import StaffProfile
from servicedesk.notification_services import (
    DeliveryReport,
    NoteRow,
    digests_deliver,
    notifications_write,
)
from servicedesk.roles import Role
from servicedesk.worktime import WorkCalendar
from tickets.cases.models import Case, SlaState
from tickets.sla.models import CaseTimer, SlaEvent, TimerKind, TimerState
from tickets.sla.services import cases_sla_refresh, timers_reschedule_unscheduled

SWEEP_JOB = "sla-sweep"
CROSSINGS = "crossings"
NO_DEADLINE = "no-deadline"
RESCHEDULE = "reschedule"
DELIVERY = "delivery"


@dataclass(frozen=True)
class SweepReport:
    warned: int
    breached: int
    notified: int
    digests: int
    delivery: DeliveryReport
    failed: int = 0  # rows isolated by this run (servicedesk.jobs)

    def __str__(self) -> str:
        return (
            f"warned={self.warned} breached={self.breached} notifications={self.notified} "
            f"digests={self.digests} sent={self.delivery.sent} failed={self.delivery.failed}"
            + (f" rows_failed={self.failed}" if self.failed else "")
        )


@dataclass(frozen=True)
class Crossing:
    """A claimed timer with what its notifications need."""

    timer_id: int
    case_id: int
    timer_kind: str
    warn_at: dt.datetime | None
    due_at: dt.datetime | None
    warns: bool
    breaches: bool
    number: str
    subject: str
    case_kind: str
    grade: str
    assignee_id: int | None
    department_id: int | None


CrossingListener = Callable[[Sequence[Crossing], dt.datetime], None]
# What other apps do with each batch of crossings, inside the sweep's transaction (a failing
# listener fails its rows like any other error: servicedesk.jobs isolates them). The
# complaints app charges late acceptance and late completion from the breaches. Listeners
# must be idempotent: a row may be offered again after a failed run.
_crossing_listeners: list[CrossingListener] = []


def crossing_listen(listener: CrossingListener) -> None:
    """Call `listener(crossings, now)` with every batch of crossings the sweep records."""
    if listener not in _crossing_listeners:
        _crossing_listeners.append(listener)


@dataclass
class _Tally:
    warned: int = 0
    breached: int = 0
    notified: int = 0
    digests: int = 0


def sla_sweep(*, now: dt.datetime | None = None, deliver: bool = True) -> SweepReport:
    """One run of the sweep as of `now`: one transaction (`servicedesk.jobs.job_run`: run
    again carefully, row by row where needed, when a row fails), then the delivery."""
    now = now or timezone.now()
    run = uuid.uuid4().hex

    def body(job: JobRun) -> _Tally:
        tally = _Tally()
        job.failing()  # the rows that failed before, once for every phase
        rescheduled = timers_reschedule_unscheduled(now=now, job=job, phase=RESCHEDULE)
        if rescheduled:
            cases_sla_refresh(rescheduled)
        _no_deadline_notices(job, tally, now=now, run=run)
        _crossings(job, tally, now=now, run=run)
        return tally

    tally, job = job_run(SWEEP_JOB, body, now=now)
    delivery = digests_deliver(now=now, job=job) if deliver else DeliveryReport()
    return SweepReport(
        warned=tally.warned, breached=tally.breached, notified=tally.notified,
        digests=tally.digests, delivery=delivery, failed=job.recorded,
    )


# --- the crossings -------------------------------------------------------------------------


def _timer_key(timer_id: int) -> str:
    return row_key(CaseTimer, timer_id)


def _crossings(job: JobRun, tally: _Tally, *, now: dt.datetime, run: str) -> None:
    """Claim, record and notify every crossing in one batch; rows that failed before go
    alone after it. When the batch raised (the run is then done again carefully), the due
    timers' ids are taken in savepointed batches, split in halves until the failing ones
    are alone: a failing timer's claim is rolled back with it."""
    known = sorted(int(k.rsplit(":", 1)[1]) for k in job.failing(CROSSINGS))

    def batch(only: Sequence[int] | None, skip: Sequence[int] = ()) -> _Tally:
        crossings = _claim(now, only=only, skip=skip)
        done = _Tally(warned=sum(c.warns for c in crossings),
                      breached=sum(c.breaches for c in crossings))
        if crossings:
            for listener in _crossing_listeners:
                listener(crossings, now)
            written = notifications_write(_notifications(crossings, now=now), run=run, now=now)
            done.notified, done.digests = written.notes, written.digests
        return done

    if job.careful:  # a row failed on the fast path: find it, let the others through
        ids = _due_ids(now, skip=known)
        results = job.each(ids, lambda rows: batch(rows), key=_timer_key, phase=CROSSINGS)
    else:
        results = [batch(None, skip=known)]
    if known:
        retry = _due_ids(now, only=known)
        results += job.each(retry, lambda rows: batch(rows), key=_timer_key, phase=CROSSINGS)
    job.resolve_unseen(CROSSINGS)
    for done in results:
        tally.warned += done.warned
        tally.breached += done.breached
        tally.notified += done.notified
        tally.digests += done.digests


_DUE = ("SELECT id FROM {table} WHERE state = %s AND warned_at IS NULL AND warn_at <= %s"
        "{where} UNION "
        "SELECT id FROM {table} WHERE state = %s AND breached_at IS NULL AND due_at <= %s"
        "{where} ORDER BY 1")


def _restrict(only: Sequence[int] | None, skip: Sequence[int]) -> tuple[str, list]:
    sql, params = "", []
    if only is not None:
        sql += f" AND id IN ({', '.join(['%s'] * len(only))})" if only else " AND 1 = 0"
        params += list(only)
    if skip:
        sql += f" AND id NOT IN ({', '.join(['%s'] * len(skip))})"
        params += list(skip)
    return sql, params


def _due_ids(now: dt.datetime, *, only: Sequence[int] | None = None,
             skip: Sequence[int] = ()) -> list[int]:
    """Ids of the running timers that crossed an instant not yet recorded."""
    at = connection.ops.adapt_datetimefield_value(now)
    where, params = _restrict(only, skip)
    with connection.cursor() as cursor:
        cursor.execute(_DUE.format(table=_table(CaseTimer), where=where),
                       [TimerState.RUNNING, at, *params, TimerState.RUNNING, at, *params])
        return [row[0] for row in cursor.fetchall()]


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The due timers are found through the two partial sweep indexes (as by the two conditional
# UPDATEs of the portable claim) and then fetched by an id array (`= ANY(ARRAY(…))`): the
# planner then expects a few rows and walks the primary keys of the claimed timers and cases.
# Given `warn_at <= now` directly it guesses tens of thousands (most timers of a big table
# are long past their instants) and merge-joins whole tables: 1 s instead of a few ms.
_CLAIM_POSTGRESQL = """
WITH due AS MATERIALIZED (
    SELECT id,
           (warned_at IS NULL AND warn_at <= %(now)s) AS warns,
           (breached_at IS NULL AND due_at <= %(now)s) AS breaches
    FROM {timer}
    WHERE id = ANY(ARRAY(
            SELECT id FROM {timer}
            WHERE state = %(running)s AND warned_at IS NULL AND warn_at <= %(now)s {restrict}
            UNION
            SELECT id FROM {timer}
            WHERE state = %(running)s AND breached_at IS NULL AND due_at <= %(now)s {restrict}))
      AND state = %(running)s
      AND ((warned_at IS NULL AND warn_at <= %(now)s)
           OR (breached_at IS NULL AND due_at <= %(now)s))
    FOR UPDATE
), claimed AS MATERIALIZED (
    UPDATE {timer} t
    SET warned_at = CASE WHEN due.warns THEN t.warn_at ELSE t.warned_at END,
        breached_at = CASE WHEN due.breaches THEN t.due_at ELSE t.breached_at END
    FROM due
    WHERE t.id = due.id
    RETURNING t.id, t.case_id, t.kind, t.warn_at, t.due_at, due.warns, due.breaches
), events AS (
    INSERT INTO {event} (timer_id, case_id, kind, at, recorded_at, actor_id, reason, data)
    SELECT id, case_id, %(warned)s, warn_at, %(now)s, NULL::integer, '', '{{}}'::jsonb
    FROM claimed WHERE warns
    UNION ALL
    SELECT id, case_id, %(breached)s, due_at, %(now)s, NULL::integer, '', '{{}}'::jsonb
    FROM claimed WHERE breaches
    ON CONFLICT (timer_id, kind) DO NOTHING
), marked AS (
    UPDATE {case} c
    SET sla_state = CASE WHEN m.late THEN %(state_breached)s ELSE %(state_warned)s END
    FROM (SELECT case_id, bool_or(breaches) AS late FROM claimed GROUP BY case_id) m
    WHERE c.id = m.case_id AND c.status = ANY(%(open)s)
      AND ((m.late AND c.sla_state <> %(state_breached)s)
           OR (NOT m.late AND c.sla_state = %(state_on_track)s))
)
SELECT cl.id, cl.case_id, cl.kind, cl.warn_at, cl.due_at, cl.warns, cl.breaches,
       c.number, c.subject, c.kind, c.grade, c.assignee_id, c.department_id
FROM claimed cl JOIN {case} c ON c.id = cl.case_id
ORDER BY cl.id
"""


def _claim(now: dt.datetime, *, only: Sequence[int] | None,
           skip: Sequence[int]) -> list[Crossing]:
    """Claim the crossed timers (all, or `only` these; never `skip`), record their events
    and mark their cases: a breach makes an open case breached, a warning makes an
    on-track one warned (due instants do not change in a sweep, so this is what
    `cases_sla_refresh` would do)."""
    if connection.vendor == "postgresql":
        restrict = ""
        params: dict = {
            "now": now, "running": TimerState.RUNNING, "warned": SlaEvent.Kind.WARNED,
            "breached": SlaEvent.Kind.BREACHED, "state_breached": SlaState.BREACHED,
            "state_warned": SlaState.WARNED, "state_on_track": SlaState.ON_TRACK,
            "open": list(Case.OPEN_STATUSES),
        }
        if only is not None:
            restrict += " AND id = ANY(%(only)s)"
            params["only"] = list(only)
        if skip:
            restrict += " AND NOT (id = ANY(%(skip)s))"
            params["skip"] = list(skip)
        sql = _CLAIM_POSTGRESQL.format(timer=_table(CaseTimer), event=_table(SlaEvent),
                                       case=_table(Case), restrict=restrict)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Crossing(*row) for row in cursor.fetchall()]
    return _claim_portable(now, only=only, skip=skip)


_CLAIM_SQL: dict[str, str] = {
    SlaEvent.Kind.WARNED: (
        "UPDATE {table} SET warned_at = warn_at "
        "WHERE state = %s AND warned_at IS NULL AND warn_at <= %s{restrict} RETURNING id"
    ),
    SlaEvent.Kind.BREACHED: (
        "UPDATE {table} SET breached_at = due_at "
        "WHERE state = %s AND breached_at IS NULL AND due_at <= %s{restrict} RETURNING id"
    ),
}


def _claim_portable(now: dt.datetime, *, only: Sequence[int] | None,
                    skip: Sequence[int]) -> list[Crossing]:
    """The same in a few statements: two conditional UPDATEs claim (RETURNING their ids;
    a concurrent sweep waits on the row lock and then no longer matches), a read, an
    insert of the events and one UPDATE of the cases."""
    claimed: dict[str, set[int]] = {}
    restrict, extra = _restrict(only, skip)
    at = connection.ops.adapt_datetimefield_value(now)
    for kind, template in _CLAIM_SQL.items():
        with connection.cursor() as cursor:
            cursor.execute(template.format(table=_table(CaseTimer), restrict=restrict),
                           [TimerState.RUNNING, at, *extra])
            claimed[kind] = {row[0] for row in cursor.fetchall()}
    warned, breached = claimed[SlaEvent.Kind.WARNED], claimed[SlaEvent.Kind.BREACHED]
    if not warned and not breached:
        return []
    crossings = [
        Crossing(pk, case_id, kind, warn_at, due_at, pk in warned, pk in breached, number,
                 subject, case_kind, grade, assignee_id, department_id)
        for (pk, case_id, kind, warn_at, due_at, number, subject, case_kind, grade,
             assignee_id, department_id) in CaseTimer.objects.filter(pk__in=warned | breached)
        .order_by("pk").values_list(
            "id", "case_id", "kind", "warn_at", "due_at", "case__number", "case__subject",
            "case__kind", "case__grade", "case__assignee_id", "case__department_id")
    ]
    SlaEvent.objects.bulk_create(
        [SlaEvent(timer_id=c.timer_id, case_id=c.case_id, kind=kind, at=at_, recorded_at=now)
         for c in crossings
         for kind, at_, flag in ((SlaEvent.Kind.WARNED, c.warn_at, c.warns),
                                 (SlaEvent.Kind.BREACHED, c.due_at, c.breaches))
         if flag and at_ is not None],  # the claim matched the instant: never None
        ignore_conflicts=True, batch_size=1000,
    )
    late = {c.case_id for c in crossings if c.breaches}
    soon = {c.case_id for c in crossings if not c.breaches} - late
    Case.objects.filter(status__in=Case.OPEN_STATUSES).filter(
        Q(pk__in=late) & ~Q(sla_state=SlaState.BREACHED)
        | Q(pk__in=soon, sla_state=SlaState.ON_TRACK)
    ).update(sla_state=CaseWhen(When(pk__in=late, then=Value(SlaState.BREACHED)),
                                default=Value(SlaState.WARNED)))
    return crossings


# --- who hears about it --------------------------------------------------------------------

_KIND_LABEL: dict[str, Callable[[], str]] = {
    TimerKind.ACCEPTANCE: lambda: _("acceptance"),
    TimerKind.FEEDBACK: lambda: _("feedback to the customer"),
    TimerKind.RESOLUTION: lambda: _("resolution"),
}


@dataclass(frozen=True)
class _Audience:
    supervisors: dict[int, list[int]]  # department -> active supervisors' user ids
    on_duty: dict[int, bool]  # user id -> within their working hours now


def _audience(departments: set[int], assignees: set[int], now: dt.datetime) -> _Audience:
    """The departments' active supervisors and whether each of them and each assignee is
    within their working hours now (no hours on file: always). One query."""
    supervisors: dict[int, list[int]] = defaultdict(list)
    calendars: dict[int, str | None] = {}
    for user_id, department_id, role, active, calendar in StaffProfile.objects.filter(
        Q(role=Role.SUPERVISOR, department_id__in=departments, user__is_active=True)
        | Q(user_id__in=assignees)
    ).values_list("user_id", "department_id", "role", "user__is_active", "work_calendar__name"):
        calendars[user_id] = calendar
        if role == Role.SUPERVISOR and active and department_id in departments:
            supervisors[department_id].append(user_id)
    engines: dict[str, WorkCalendar] = {}
    duty: dict[int, bool] = {}
    for user_id, name in calendars.items():
        if name is None:
            duty[user_id] = True
            continue
        engine = engines.get(name) or calendar_engine(name)
        engines[name] = engine
        duty[user_id] = engine.is_working(now)
    return _Audience(supervisors=supervisors, on_duty=duty)


def _notifications(crossings: list[Crossing], *, now: dt.datetime) -> list[NoteRow]:
    """Each claimed warning and breach, told once to the case's assignee and to its
    department's supervisors. Outside working hours only urgent cases and grade A reach a
    person; the rest wait in their list."""
    audience = _audience({c.department_id for c in crossings if c.department_id is not None},
                         {c.assignee_id for c in crossings if c.assignee_id is not None}, now)
    case_prefix = reverse("tickets:case", args=[0])[: -len("0/")]  # one reverse, not 500
    overdue, due_soon = _("%(number)s is overdue (%(what)s)"), _(
        "%(number)s is due soon (%(what)s), due %(due)s")
    labels = {kind: label() for kind, label in _KIND_LABEL.items()}
    rows: list[NoteRow] = []
    for c in crossings:
        urgent = c.case_kind == Case.Kind.URGENT or c.grade == Case.Grade.A
        recipients = {uid for uid in (c.assignee_id, *audience.supervisors.get(
            c.department_id or 0, [])) if uid is not None}
        url = f"{case_prefix}{c.case_id}/"
        what = labels[c.timer_kind]
        if c.breaches:  # a warning crossed in the same run is not told on top of it
            kind, at = SlaEvent.Kind.BREACHED, c.due_at
            title = overdue % {"number": c.number, "what": what}
        else:
            kind, at = SlaEvent.Kind.WARNED, c.warn_at
            title = due_soon % {"number": c.number, "what": what,
                                "due": timezone.localtime(c.due_at).strftime("%m-%d %H:%M")
                                if c.due_at else "-"}
        if at is None:  # the claim matched the instant: never None
            continue
        for user_id in recipients:
            rows.append(NoteRow(
                recipient_id=user_id, key=f"sla:{kind}:{c.timer_id}", at=at, title=title,
                body=c.subject, url=url, urgent=urgent,
                push=urgent or audience.on_duty.get(user_id, True),
            ))
    return rows


def _no_deadline_notices(job: JobRun, tally: _Tally, *, now: dt.datetime, run: str) -> None:
    """Supervisors hear once about each live timer that has no computable deadline."""
    problems = list(
        SlaEvent.objects.filter(
            kind=SlaEvent.Kind.NO_DEADLINE, timer__state__in=[TimerState.RUNNING],
        ).order_by("id").values_list("id", "timer_id", "at", "reason", "case_id",
                                     "case__number", "case__department_id")[:500]
    )
    if not problems:
        job.resolve_unseen(NO_DEADLINE)
        return
    supervisors = _audience({p[6] for p in problems}, set(), now).supervisors
    template = _("%(number)s has no SLA deadline")

    def notify(batch: list[tuple]) -> None:
        rows = [
            NoteRow(recipient_id=user_id, key=f"sla:no_deadline:{timer_id}", at=at,
                    title=template % {"number": number}, body=reason,
                    url=reverse("tickets:case", args=[case_id]), urgent=True, push=True)
            for _pk, timer_id, at, reason, case_id, number, department_id in batch
            for user_id in supervisors.get(department_id, [])
        ]
        written = notifications_write(rows, run=run, now=now)
        tally.notified += written.notes
        tally.digests += written.digests

    job.each(problems, notify, key=lambda p: row_key(SlaEvent, p[0]), phase=NO_DEADLINE)
    if len(problems) < 500:
        job.resolve_unseen(NO_DEADLINE)
