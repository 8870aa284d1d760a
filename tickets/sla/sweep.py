"""The minute sweep: find every SLA timer that crossed its warning or due instant, record
each warning and breach exactly once at its true instant, refresh the cases' SLA summary
and notify the assignee and the department's supervisors in one digest each.

Set-based: two conditional UPDATEs claim the crossed timers (RETURNING their ids), and
everything after is a fixed number of queries for the whole batch. Safe to run twice or
concurrently: a timer is claimed by exactly one UPDATE (the second waits on the row lock
and then no longer matches), events are unique per (timer, kind), notifications per
(recipient, key). A sweep that dies mid-run rolls back and the next one claims the same
timers; a sweep after an hour's outage records the missed breaches with their true times.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.calendars import calendar_engine
from servicedesk.models import Notification, StaffProfile
from servicedesk.notification_services import (
    DeliveryReport,
    digests_deliver,
    digests_gather,
    notifications_write,
)
from servicedesk.roles import Role
from servicedesk.worktime import WorkCalendar
from tickets.cases.models import Case, SlaState
from tickets.sla.models import CaseTimer, SlaEvent, TimerKind, TimerState
from tickets.sla.services import cases_sla_refresh, timers_reschedule_unscheduled

_CLAIM_SQL: dict[str, str] = {
    SlaEvent.Kind.WARNED: (
        "UPDATE {table} SET warned_at = warn_at "
        "WHERE state = %s AND warned_at IS NULL AND warn_at <= %s RETURNING id"
    ),
    SlaEvent.Kind.BREACHED: (
        "UPDATE {table} SET breached_at = due_at "
        "WHERE state = %s AND breached_at IS NULL AND due_at <= %s RETURNING id"
    ),
}


@dataclass(frozen=True)
class SweepReport:
    warned: int
    breached: int
    notified: int
    digests: int
    delivery: DeliveryReport

    def __str__(self) -> str:
        return (
            f"warned={self.warned} breached={self.breached} notifications={self.notified} "
            f"digests={self.digests} sent={self.delivery.sent} failed={self.delivery.failed}"
        )


def _claim(kind: str, now: dt.datetime) -> list[int]:
    sql = _CLAIM_SQL[kind].format(table=connection.ops.quote_name(CaseTimer._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [TimerState.RUNNING, connection.ops.adapt_datetimefield_value(now)]
        )
        return [row[0] for row in cursor.fetchall()]


def sla_sweep(*, now: dt.datetime | None = None, deliver: bool = True) -> SweepReport:
    """One run of the sweep as of `now`."""
    now = now or timezone.now()
    run = uuid.uuid4().hex
    with transaction.atomic():
        rescheduled = timers_reschedule_unscheduled(now=now)
        if rescheduled:
            cases_sla_refresh(rescheduled)
        warned_ids = _claim(SlaEvent.Kind.WARNED, now)
        breached_ids = _claim(SlaEvent.Kind.BREACHED, now)
        claimed = set(warned_ids) | set(breached_ids)
        timers = list(
            CaseTimer.objects.filter(pk__in=claimed)
            .select_related("case")
            .only(
                "id", "kind", "warn_at", "due_at", "warned_at", "breached_at",
                "case__id", "case__number", "case__subject", "case__kind", "case__grade",
                "case__assignee_id", "case__department_id",
            )
        ) if claimed else []
        breached, warned = set(breached_ids), set(warned_ids)
        events = [
            SlaEvent(  # type: ignore[misc]  # the claim has just set warned_at
                timer_id=t.pk, case_id=t.case_id, kind=SlaEvent.Kind.WARNED,
                at=t.warned_at, recorded_at=now,
            )
            for t in timers if t.pk in warned
        ] + [
            SlaEvent(  # type: ignore[misc]  # the claim has just set breached_at
                timer_id=t.pk, case_id=t.case_id, kind=SlaEvent.Kind.BREACHED,
                at=t.breached_at, recorded_at=now,
            )
            for t in timers if t.pk in breached
        ]
        SlaEvent.objects.bulk_create(events, ignore_conflicts=True, batch_size=1000)
        _cases_mark(timers, breached=breached)
        notes = _notifications(timers, breached=breached, now=now)
        notes += _no_deadline_notifications(now=now)
        notifications_write(notes)
        digests = digests_gather(now=now, run=run)
    delivery = digests_deliver(now=now) if deliver else DeliveryReport()
    return SweepReport(
        warned=len(warned_ids), breached=len(breached_ids), notified=len(notes),
        digests=digests, delivery=delivery,
    )


def _cases_mark(timers: list[CaseTimer], *, breached: set[int]) -> None:
    """The claimed crossings' cases move on: a breach makes an open case breached, a
    warning makes an on-track one warned. Due instants do not change in a sweep, so two
    UPDATEs by primary key do what `cases_sla_refresh` would."""
    late = {t.case_id for t in timers if t.pk in breached}
    soon = {t.case_id for t in timers if t.pk not in breached} - late
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES)
    if late:
        open_cases.filter(pk__in=late).exclude(sla_state=SlaState.BREACHED).update(
            sla_state=SlaState.BREACHED)
    if soon:
        open_cases.filter(pk__in=soon, sla_state=SlaState.ON_TRACK).update(
            sla_state=SlaState.WARNED)


# --- who hears about it --------------------------------------------------------------------

_KIND_LABEL: dict[str, Callable[[], str]] = {
    TimerKind.ACCEPTANCE: lambda: _("acceptance"),
    TimerKind.FEEDBACK: lambda: _("feedback to the customer"),
    TimerKind.RESOLUTION: lambda: _("resolution"),
}


def _on_duty(profiles: dict[int, StaffProfile], now: dt.datetime) -> dict[int, bool]:
    """Whether each person is within their working hours now (no hours on file: always)."""
    duty: dict[int, bool] = {}
    engines: dict[str, WorkCalendar] = {}
    for user_id, profile in profiles.items():
        calendar = profile.work_calendar
        if calendar is None:
            duty[user_id] = True
            continue
        engine = engines.get(calendar.name) or calendar_engine(calendar.name)
        engines[calendar.name] = engine
        duty[user_id] = engine.is_working(now)
    return duty


def _supervisors_by_department(department_ids: set[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = defaultdict(list)
    for user_id, department_id in StaffProfile.objects.filter(
        role=Role.SUPERVISOR, department_id__in=department_ids, user__is_active=True
    ).values_list("user_id", "department_id"):
        result[department_id].append(user_id)
    return result


def _notifications(timers: list[CaseTimer], *, breached: set[int],
                   now: dt.datetime) -> list[Notification]:
    if not timers:
        return []
    supervisors = _supervisors_by_department({t.case.department_id for t in timers})
    recipients_of = {
        t.pk: {uid for uid in (t.case.assignee_id, *supervisors.get(t.case.department_id, []))
               if uid is not None}
        for t in timers
    }
    everyone = set().union(*recipients_of.values())
    profiles = {
        p.user_id: p
        for p in StaffProfile.objects.filter(user_id__in=everyone).select_related("work_calendar")
    }
    duty = _on_duty(profiles, now)
    case_prefix = reverse("tickets:case", args=[0])[: -len("0/")]  # one reverse, not 500
    rows = []
    for timer in timers:
        case = timer.case
        urgent = case.kind == Case.Kind.URGENT or case.grade == Case.Grade.A
        what = _KIND_LABEL[timer.kind]()
        if timer.pk in breached:
            kind, at = SlaEvent.Kind.BREACHED, timer.breached_at
            title = _("%(number)s is overdue (%(what)s)") % {"number": case.number, "what": what}
        else:
            kind, at = SlaEvent.Kind.WARNED, timer.warned_at
            title = _("%(number)s is due soon (%(what)s), due %(due)s") % {
                "number": case.number, "what": what,
                "due": timezone.localtime(timer.due_at).strftime("%m-%d %H:%M"),
            }
        url = f"{case_prefix}{case.pk}/"
        for user_id in recipients_of[timer.pk]:
            rows.append(
                # set by the claim (breached_at or warned_at)
                Notification(  # type: ignore[misc]
                    recipient_id=user_id, key=f"sla:{kind}:{timer.pk}", at=at,
                    created_at=now, title=title, body=case.subject, url=url, urgent=urgent,
                    # Outside working hours only urgent cases and grade A reach a person;
                    # the rest wait in their list.
                    push=urgent or duty.get(user_id, True),
                )
            )
    return rows


def _no_deadline_notifications(*, now: dt.datetime) -> list[Notification]:
    """Supervisors hear once about each live timer that has no computable deadline."""
    problems = list(
        SlaEvent.objects.filter(
            kind=SlaEvent.Kind.NO_DEADLINE, timer__state__in=[TimerState.RUNNING],
        ).select_related("case").only("id", "timer_id", "at", "reason", "case__id",
                                      "case__number", "case__department_id")[:500]
    )
    if not problems:
        return []
    supervisors = _supervisors_by_department({e.case.department_id for e in problems})
    return [
        Notification(
            recipient_id=user_id, key=f"sla:no_deadline:{event.timer_id}", at=event.at,
            created_at=now,
            title=_("%(number)s has no SLA deadline") % {"number": event.case.number},
            body=event.reason, url=reverse("tickets:case", args=[event.case.pk]),
            urgent=True, push=True,
        )
        for event in problems
        for user_id in supervisors.get(event.case.department_id, [])
    ]
