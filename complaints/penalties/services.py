"""Use cases of the penalties package that write: the penalty ledger (charged from the
facts of each complaint, idempotently), the SLA excuses (特殊原因) and a manager's waiver or
adjustment of an entry, and a new version of the penalty rules.

The ledger is written by `charges_sync` only. It computes, for each complaint, the charges
the facts call for under the rule set in force when the complaint was filed
(`complaints.penalties.rules.penalty_quote`, the code the quote endpoint uses) and makes
the ledger say exactly that. Each charge has one row, keyed `complaint:<id>:<rule>`
(unique), so a retried or concurrent run never charges twice:

- `late_acceptance`: the acceptance clock is late; 100 yuan (the rule set's amount) per
  started day late, counting up to now while it runs and fixed once acceptance stops it,
  to the person who should have accepted it (the case's assignee, else its first-contact
  owner);
- `late_completion`: the resolution clock is late and a responsible person is named; the
  fine of a D complaint (the rule set's `late_completion_grade`) to that person;
- `grade_fine` and `economic_loss`: at closure, to the responsible person (the grade's
  fine, multiplied when neglect caused the complaint again; B and A bear the loss).

An approved excuse on a clock turns that clock's charge into `excused` (0 yuan). A row a
manager adjusted or waived keeps its amount: only what the rules give (`quoted_amount`)
follows the facts, with an event. A charge that no longer applies is quoted at 0.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.handling.models import Complaint
from complaints.handling.models import State as ComplaintState
from complaints.penalties.models import (
    EntryState,
    ExcuseReason,
    ExcuseState,
    PenaltyEntry,
    PenaltyEvent,
    PenaltyEventKind,
    PenaltyRule,
    PenaltyRuleSet,
    SlaExcuse,
)
from complaints.penalties.rules import CENT, penalty_quote
from complaints.penalties.selectors import (
    ADJUSTABLE_STATES,
    PENALTY_CLOCKS,
    WAIVABLE_STATES,
    days_late_at,
    excuses_visible_to,
    is_decider,
    is_excuse_requester,
    may_waive,
    penalties_visible_to,
    rule_set_pick,
    timer_is_late,
    timers_of_cases,
)
from servicedesk.errors import FieldErrors, StaleVersion, validated
from servicedesk.jobs import JobRun, job_run, row_key
from servicedesk.models import StaffProfile
from servicedesk.months import month_of
from servicedesk.notification_services import NoteRow, notifications_write
from servicedesk.roles import Role
from servicedesk.steps import step_take
from servicedesk.types import User
from servicedesk.validation import NOTE_MAX_LENGTH, text_clean
from tickets.cases.models import Case, CaseEvent
from tickets.cases.selectors import cases_visible_to
from tickets.sla.models import LIVE_TIMER_STATES, CaseTimer, TimerKind, TimerState
from tickets.sla.sweep import Crossing

ZERO = Decimal("0.00")
# The complaint rules `charges_sync` decides (the department-rate charge is not one).
COMPLAINT_RULES = (PenaltyRule.LATE_ACCEPTANCE, PenaltyRule.LATE_COMPLETION,
                   PenaltyRule.GRADE_FINE, PenaltyRule.ECONOMIC_LOSS)
# The rules charged from the closure, to the responsible person.
CLOSURE_RULES = (PenaltyRule.GRADE_FINE, PenaltyRule.ECONOMIC_LOSS)
# Which clock each clock rule is charged from.
RULE_CLOCK = {PenaltyRule.LATE_ACCEPTANCE: TimerKind.ACCEPTANCE,
              PenaltyRule.LATE_COMPLETION: TimerKind.RESOLUTION}
# Of each rule's evidence, what the charge depends on: a difference here re-quotes the
# row; the rest of the evidence (the verdict, the complaint's state) is context written
# with it. A running resolution clock's days do not change its charge.
RELEVANT_EVIDENCE: dict[str, tuple[str, ...]] = {
    PenaltyRule.LATE_ACCEPTANCE: ("clock", "acceptor"),
    PenaltyRule.LATE_COMPLETION: ("clock.timer", "clock.due_at", "clock.breached_at",
                                  "clock.stopped_at", "responsible", "as_grade"),
    PenaltyRule.GRADE_FINE: ("grade", "responsible", "repeat_by_neglect", "fine",
                             "multiplier"),
    PenaltyRule.ECONOMIC_LOSS: ("grade", "responsible", "loss_yuan"),
}
BATCH = 500
SYNC_JOB = "penalties-requote"


def entry_key(complaint_id: int, rule: str) -> str:
    return f"complaint:{complaint_id}:{rule}"


def _money_text(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


# --- the facts of a batch of complaints ------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    id: int
    case_id: int
    kind: str
    state: str
    due_at: dt.datetime | None
    stopped_at: dt.datetime | None
    paused_at: dt.datetime | None
    breached_at: dt.datetime | None

    def days(self, now: dt.datetime) -> int:
        return days_late_at(due_at=self.due_at, state=self.state, stopped_at=self.stopped_at,
                            paused_at=self.paused_at, now=now)

    def late(self, now: dt.datetime) -> bool:
        return self.breached_at is not None or self.days(now) > 0

    def evidence(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "timer": self.id, "kind": self.kind, "due_at": _instant(self.due_at),
            "breached_at": _instant(self.breached_at),
            "stopped_at": _instant(self.stopped_at) if self.state == TimerState.MET else None,
            "running": self.state in LIVE_TIMER_STATES, "days_late": self.days(now),
        }


@dataclass(frozen=True)
class _Facts:
    complaint_id: int
    case_id: int
    state: str
    grade: str
    verdict: str
    loss_yuan: Decimal
    repeat_by_neglect: bool
    filed_at: dt.datetime
    responsible: int | None
    responsible_department: int | None
    acceptor: int
    acceptor_department: int | None
    acceptor_is_assignee: bool


_FACT_FIELDS = (
    "id", "case_id", "state", "grade", "verdict", "loss_yuan", "repeat_by_neglect",
    "filed_at", "responsible_id", "responsible__staff_profile__department",
    "case__assignee_id", "case__assignee__staff_profile__department",
    "case__first_contact_owner_id", "case__first_contact_owner__staff_profile__department",
)


def _facts(complaints: QuerySet[Complaint]) -> list[_Facts]:
    """The facts of the complaints, their case and the people who bear the charges, in one
    query."""
    facts = []
    for (pk, case_id, state, grade, verdict, loss, repeat, filed_at, responsible,
         responsible_department, assignee, assignee_department, first_owner,
         first_owner_department) in complaints.order_by("pk").values_list(*_FACT_FIELDS):
        facts.append(_Facts(
            complaint_id=pk, case_id=case_id, state=state, grade=grade, verdict=verdict,
            loss_yuan=loss, repeat_by_neglect=repeat, filed_at=filed_at,
            responsible=responsible, responsible_department=responsible_department,
            acceptor=assignee if assignee is not None else first_owner,
            acceptor_department=(assignee_department if assignee is not None
                                 else first_owner_department),
            acceptor_is_assignee=assignee is not None,
        ))
    return facts


@dataclass
class _Want:
    """One charge the facts call for."""

    key: str
    complaint_id: int
    rule: str
    person: int
    department: int | None
    rule_set: PenaltyRuleSet
    quoted: Decimal
    sanction: bool
    month: dt.date
    excused: bool
    evidence: dict[str, Any]


def _late_clock(clocks: list[_Clock], excused: set[int], now: dt.datetime,
                *, by_days: bool) -> _Clock | None:
    """The late clock a rule is charged from: an unexcused one if any (the latest by days
    late for acceptance, the first for resolution), else an excused one."""
    late = [c for c in clocks if c.late(now)]
    pool = [c for c in late if c.id not in excused] or late
    if not pool:
        return None
    if by_days:
        return max(pool, key=lambda c: (c.days(now), c.id))
    return pool[0]


def _wants(facts: _Facts, rules: PenaltyRuleSet, clocks: dict[str, list[_Clock]],
           excused: dict[int, int], now: dt.datetime) -> list[_Want]:
    """The charges the facts of one complaint call for under `rules`, through the one quote
    function (`penalty_quote`)."""
    acceptance = _late_clock(clocks.get(TimerKind.ACCEPTANCE, []), set(excused), now,
                             by_days=True)
    resolution = _late_clock(clocks.get(TimerKind.RESOLUTION, []), set(excused), now,
                             by_days=False)
    days = acceptance.days(now) if acceptance is not None else 0
    late_completion = resolution is not None and facts.responsible is not None
    quote = penalty_quote(
        rules, grade=facts.grade, loss_yuan=facts.loss_yuan, late_acceptance_days=days,
        completed_late_without_reason=late_completion,
        repeat_by_neglect=facts.repeat_by_neglect,
    )
    closed = facts.state == ComplaintState.CLOSED
    context = {
        "complaint": facts.complaint_id, "rule_version": rules.version,
        "grade": facts.grade, "verdict": facts.verdict,
        "loss_yuan": _money_text(facts.loss_yuan), "responsible": facts.responsible,
        "repeat_by_neglect": facts.repeat_by_neglect, "complaint_state": facts.state,
    }
    wants = []
    for charge in quote.charges:
        rule = str(charge.rule)
        evidence: dict[str, Any] = {"rule": rule, **context, **(charge.detail or {})}
        clock = None
        if rule == PenaltyRule.LATE_ACCEPTANCE:
            clock = acceptance
            person, department = facts.acceptor, facts.acceptor_department
            evidence["acceptor"] = facts.acceptor
            evidence["acceptor_is_assignee"] = facts.acceptor_is_assignee
        elif facts.responsible is None or (rule in CLOSURE_RULES and not closed):
            continue
        else:
            clock = resolution if rule == PenaltyRule.LATE_COMPLETION else None
            person, department = facts.responsible, facts.responsible_department
        excuse = excused.get(clock.id) if clock is not None else None
        if clock is not None:
            evidence["clock"] = clock.evidence(now)
            evidence["excuse"] = excuse
        wants.append(_Want(
            key=entry_key(facts.complaint_id, rule), complaint_id=facts.complaint_id,
            rule=rule, person=person, department=department, rule_set=rules,
            quoted=charge.amount.quantize(CENT), sanction=charge.administrative_sanction,
            month=month_of(facts.filed_at), excused=excuse is not None, evidence=evidence,
        ))
    return wants


def _relevant(rule: str, evidence: dict[str, Any]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for path in RELEVANT_EVIDENCE.get(rule, ()):
        head, _dot, tail = path.partition(".")
        value = evidence.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, dict) else None
        picked[path] = value
    return picked


# --- making the ledger say it ----------------------------------------------------------------


@dataclass(frozen=True)
class SyncReport:
    complaints: int = 0  # complaints looked at
    created: int = 0  # entries written by this run
    requoted: int = 0  # entries whose quote (or, while charged, amount) followed the facts
    excused: int = 0  # entries turned excused by an approved excuse
    unchanged: int = 0  # entries that already said what the facts say
    skipped: int = 0  # complaints without a rule set in force when they were filed

    def __add__(self, other: SyncReport) -> SyncReport:
        return SyncReport(
            complaints=self.complaints + other.complaints, created=self.created + other.created,
            requoted=self.requoted + other.requoted, excused=self.excused + other.excused,
            unchanged=self.unchanged + other.unchanged, skipped=self.skipped + other.skipped,
        )

    def __str__(self) -> str:
        return (f"complaints={self.complaints} created={self.created} "
                f"requoted={self.requoted} excused={self.excused} "
                f"unchanged={self.unchanged} skipped={self.skipped}")


def charges_sync(*, complaint_ids: Iterable[int], now: dt.datetime) -> SyncReport:
    """Make the ledger say exactly what the facts of these complaints charge as of `now`
    (see the module's docstring). Idempotent: run again, it changes nothing; run
    concurrently, one row per key (`key` is unique; inserts ignore conflicts and the rows
    are then locked and compared). A fixed number of queries for any batch, every write in
    the caller's transaction."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return SyncReport()
    return _sync(Complaint.objects.filter(pk__in=ids), now=now)


def charges_sync_cases(*, case_ids: Iterable[int], now: dt.datetime) -> SyncReport:
    """`charges_sync` for the complaints of these cases (cases without one are left out)."""
    ids = sorted(set(case_ids))
    if not ids:
        return SyncReport()
    return _sync(Complaint.objects.filter(case_id__in=ids), now=now)


@transaction.atomic(savepoint=False)
def _sync(complaints: QuerySet[Complaint], *, now: dt.datetime) -> SyncReport:
    facts = _facts(complaints)  # 1 query
    if not facts:
        return SyncReport()
    case_ids = [f.case_id for f in facts]
    clocks: dict[int, dict[str, list[_Clock]]] = defaultdict(lambda: defaultdict(list))
    excused: dict[int, int] = {}  # clock -> its approved excuse
    approved = SlaExcuse.objects.filter(timer_id=OuterRef("pk"), state=ExcuseState.APPROVED)
    for (pk, case_id, kind, state, due_at, stopped_at, paused_at, breached_at,
         excuse) in (  # 1 query: the clocks and their approved excuses
            timers_of_cases(case_ids)
            .annotate(excuse=Subquery(approved.values("id")[:1]))
            .values_list("id", "case_id", "kind", "state", "due_at", "stopped_at",
                         "paused_at", "breached_at", "excuse")):
        clock = _Clock(pk, case_id, kind, state, due_at, stopped_at, paused_at, breached_at)
        clocks[clock.case_id][clock.kind].append(clock)
        if excuse is not None:
            excused[clock.id] = excuse
    rule_sets = list(PenaltyRuleSet.objects.all())  # 1 query (a handful of versions)

    wants: dict[str, _Want] = {}
    decided: set[int] = set()
    skipped = 0
    for fact in facts:
        rules = rule_set_pick(rule_sets, fact.filed_at)
        if rules is None:
            skipped += 1
            continue
        decided.add(fact.complaint_id)
        for want in _wants(fact, rules, clocks[fact.case_id], excused, now):
            wants[want.key] = want

    rows = {row.key: row for row in PenaltyEntry.objects.select_for_update().filter(  # 1
        complaint_id__in=sorted(decided), rule__in=COMPLAINT_RULES).order_by("pk")}
    existed = set(rows)
    events: list[PenaltyEvent] = []
    created = _create_missing(wants, rows, now=now, events=events)  # 0 or 2 queries
    changed: list[PenaltyEntry] = []
    tally: dict[str, int] = defaultdict(int)
    for key, row in rows.items():
        outcome = _follow(row, wants.get(key), now=now, events=events)
        if key in existed or outcome != "unchanged":  # a new row counts as created
            tally[outcome] += 1
        if outcome != "unchanged":
            changed.append(row)
    if changed:  # 1 query per 500 rows: the rows are locked, so no one wrote them since
        _entries_rewrite(changed)
    if events:  # 1 query per 500 events: the new rows' and the re-quoted rows'
        PenaltyEvent.objects.bulk_create(events, ignore_conflicts=True, batch_size=BATCH)
    return SyncReport(complaints=len(facts), created=created, requoted=tally["requoted"],
                      excused=tally["excused"], unchanged=tally["unchanged"],
                      skipped=skipped)


# What a re-quote may change on a row, and the SQL type each value is cast to on
# PostgreSQL (the values travel in a VALUES list, where a NULL or a text has no type yet).
_REWRITTEN: dict[str, str] = {
    "state": "varchar", "amount": "numeric", "quoted_amount": "numeric",
    "person": "bigint", "department": "bigint", "rule_set": "bigint",
    "administrative_sanction": "boolean", "evidence": "jsonb", "updated_at": "timestamptz",
    "version": "bigint",
}


def _entries_rewrite(rows: Sequence[PenaltyEntry]) -> None:
    """Write the re-quoted rows back in one UPDATE per 500 rows, their new values joined by
    id from a VALUES list (Django's `bulk_update` builds a CASE per row and field, which
    costs more in Python than the whole ledger run). The caller holds the rows' locks."""
    opts = PenaltyEntry._meta
    fields = [cast(Field, opts.get_field(name)) for name in _REWRITTEN]  # concrete fields
    postgres = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    columns = [quote(cast(str, field.column)) for field in fields]
    assignments = ", ".join(
        f"{column} = v.{column}" + (f"::{_REWRITTEN[field.name]}" if postgres else "")
        for column, field in zip(columns, fields, strict=True))
    table = quote(opts.db_table)
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        params: list[Any] = []
        for row in batch:
            params.append(row.pk)
            params += [field.get_db_prep_save(getattr(row, field.attname), connection)
                       for field in fields]
        placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        # only quoted column names and placeholders are formatted in; values are parameters
        sql = (f"WITH v(id, {', '.join(columns)}) AS (VALUES "  # noqa: S608
               f"{', '.join([placeholder] * len(batch))}) "
               f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _create_missing(wants: dict[str, _Want], rows: dict[str, PenaltyEntry], *,
                    now: dt.datetime, events: list[PenaltyEvent]) -> int:
    """Insert the entries the ledger does not have yet (a concurrent run's insert wins the
    key: ours is then ignored), read them back locked into `rows`, and add each one's
    creation event to `events` (unique per entry: inserted ignoring conflicts, it is
    written once whichever run inserted the row). Returns how many keys were missing."""
    missing = [w for key, w in wants.items() if key not in rows]
    if not missing:
        return 0
    PenaltyEntry.objects.bulk_create([
        PenaltyEntry(
            key=w.key, person_id=w.person, department_id=w.department,
            complaint_id=w.complaint_id, rule=w.rule, rule_set=w.rule_set,
            quoted_amount=w.quoted, amount=ZERO if w.excused else w.quoted,
            administrative_sanction=w.sanction,
            state=EntryState.EXCUSED if w.excused else EntryState.CHARGED,
            month=w.month, evidence=w.evidence, created_at=now, updated_at=now, version=1,
        ) for w in missing
    ], ignore_conflicts=True, batch_size=BATCH)
    fresh = list(PenaltyEntry.objects.select_for_update().filter(
        key__in=[w.key for w in missing]).order_by("pk"))
    events.extend(
        PenaltyEvent(
            entry=row, at=row.created_at, actor=None,
            kind=(PenaltyEventKind.EXCUSED if row.state == EntryState.EXCUSED
                  else PenaltyEventKind.CHARGED),
            data={"amount": _money_text(row.amount),
                  "quoted_amount": _money_text(row.quoted_amount),
                  "rule_version": row.evidence.get("rule_version"),
                  "excuse": row.evidence.get("excuse")},
        ) for row in fresh
    )
    for row in fresh:
        rows[row.key] = row
    return len(missing)


def _follow(row: PenaltyEntry, want: _Want | None, *, now: dt.datetime,
            events: list[PenaltyEvent]) -> str:
    """Bring `row` in line with `want` (None: the charge no longer applies) in memory, with
    its event; "unchanged", "requoted" or "excused"."""
    old_amount, old_quoted, old_state, old_person = (row.amount, row.quoted_amount,
                                                    row.state, row.person_id)
    if want is None:
        if row.quoted_amount == ZERO and (row.state != EntryState.CHARGED
                                          or row.amount == ZERO):
            return "unchanged"
        row.quoted_amount = ZERO
        if row.state == EntryState.CHARGED:
            row.amount = ZERO
        row.evidence = {**row.evidence, "applies": False}
        reason = gettext("The charge no longer applies to the facts.")
        kind = PenaltyEventKind.REQUOTED
    else:
        same_facts = (
            row.quoted_amount == want.quoted and row.rule_set_id == want.rule_set.pk
            and row.evidence.get("applies", True) is not False
            and _relevant(row.rule, row.evidence) == _relevant(want.rule, want.evidence)
        )
        keeps_amount = row.state in (EntryState.ADJUSTED, EntryState.WAIVED)
        if want.excused and row.state in (EntryState.CHARGED, EntryState.ADJUSTED):
            kind, reason = PenaltyEventKind.EXCUSED, gettext(
                "An approved excuse (special reason) covers the clock.")
            row.state, row.amount = EntryState.EXCUSED, ZERO
        elif not want.excused and row.state == EntryState.EXCUSED:
            kind, reason = PenaltyEventKind.REQUOTED, gettext(
                "No approved excuse covers the late clock any more.")
            row.state, row.amount = EntryState.CHARGED, want.quoted
        elif same_facts and (keeps_amount or row.state == EntryState.EXCUSED or (
                row.amount == want.quoted and row.person_id == want.person
                and row.administrative_sanction == want.sanction)):
            return "unchanged"
        else:
            kind, reason = PenaltyEventKind.REQUOTED, gettext(
                "Amount recomputed from the facts.")
            if row.state == EntryState.CHARGED:
                row.amount = want.quoted
        if row.state in (EntryState.CHARGED, EntryState.EXCUSED):
            row.person_id, row.department_id = want.person, want.department
            row.administrative_sanction = want.sanction
        row.quoted_amount = want.quoted
        row.rule_set = want.rule_set
        row.evidence = want.evidence
    row.updated_at = now
    row.version += 1
    data: dict[str, Any] = {
        "quoted_from": _money_text(old_quoted), "quoted_to": _money_text(row.quoted_amount),
        "rule_version": row.evidence.get("rule_version"),
    }
    if row.amount != old_amount:
        data.update({"from": _money_text(old_amount), "to": _money_text(row.amount)})
    if row.state != old_state:
        data.update({"state_from": old_state, "state_to": row.state})
    if row.person_id != old_person:
        data.update({"person_from": old_person, "person_to": row.person_id})
    if row.evidence.get("excuse") is not None:
        data["excuse"] = row.evidence["excuse"]
    events.append(PenaltyEvent(entry=row, at=now, actor=None, kind=kind, reason=reason,
                               data=data))
    return "excused" if kind == PenaltyEventKind.EXCUSED else "requoted"


# --- from the sweep and on a schedule ----------------------------------------------------------


def crossings_charge(crossings: Sequence[Crossing], now: dt.datetime) -> None:
    """The sweep's listener (`tickets.sla.sweep.crossing_listen`): the breaches of the
    acceptance and resolution clocks of complaint cases charge their complaints, in the
    sweep's transaction. Offered a row again after a failed run, it charges nothing twice."""
    case_ids = {c.case_id for c in crossings
                if c.breaches and c.case_kind == Case.Kind.COMPLAINT
                and c.timer_kind in PENALTY_CLOCKS}
    if case_ids:
        charges_sync_cases(case_ids=case_ids, now=now)


def late_acceptance_requote(*, now: dt.datetime) -> SyncReport:
    """Late acceptance grows by the day while the clock runs: re-quote the complaints whose
    acceptance clock is still live past its due instant (the periodic job; a second run
    the same day changes nothing). In batches; a batch that fails is split until the
    failing case is alone and recorded (`servicedesk.jobs`), the others go through."""
    case_ids = list(
        CaseTimer.objects.filter(kind=TimerKind.ACCEPTANCE, state__in=LIVE_TIMER_STATES,
                                 due_at__lt=now, case__kind=Case.Kind.COMPLAINT)
        .order_by("case_id").values_list("case_id", flat=True).distinct()
    )

    def body(job: JobRun) -> SyncReport:
        reports = job.each(
            case_ids, lambda batch: charges_sync_cases(case_ids=batch, now=now),
            key=lambda pk: row_key(Case, pk), batch_size=BATCH,
        )
        job.resolve_unseen()
        return sum(reports, SyncReport())

    report, _job = job_run(SYNC_JOB, body, now=now)
    return report


# --- SLA excuses (特殊原因) ---------------------------------------------------------------------


def _notify(rows: list[NoteRow], *, now: dt.datetime) -> None:
    if rows:
        notifications_write(rows, run=uuid.uuid4().hex, now=now)


@transaction.atomic
def excuse_request(*, timer: CaseTimer, by: User, reason_kind: str, note: str,
                   now: dt.datetime | None = None) -> SlaExcuse:
    """A supervisor asks to excuse a late acceptance or resolution clock of a complaint case
    they see (customer unreachable, force majeure: seed 002's 特殊原因). One live excuse per
    clock; managers are told it waits for them."""
    now = now or timezone.now()
    if not is_excuse_requester(by):
        raise PermissionDenied
    current = CaseTimer.objects.select_related("case").filter(pk=timer.pk).first()
    if current is None or not cases_visible_to(user=by).filter(pk=current.case_id).exists():
        raise PermissionDenied
    errors = FieldErrors()
    note = text_clean(errors, "note", note, max_length=NOTE_MAX_LENGTH,
                      required=_("Explain the special reason."))
    if reason_kind not in ExcuseReason.values:
        errors.add("reason_kind", _("Choose the special reason."))
    if current.kind not in PENALTY_CLOCKS:
        errors.add("timer", _("Only the acceptance and resolution clocks can be excused."))
    elif current.case.kind != Case.Kind.COMPLAINT:
        errors.add("timer", _("Only the clocks of a complaint can be excused."))
    elif current.state == TimerState.CANCELLED:
        errors.add("timer", _("This clock was replaced by another one."))
    elif not timer_is_late(current, now=now):
        errors.add("timer", _("This clock is not late: there is nothing to excuse."))
    elif SlaExcuse.objects.filter(timer=current).exclude(state=ExcuseState.REJECTED).exists():
        errors.add("timer", _("This clock already has an excuse waiting or approved."))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            excuse = SlaExcuse.objects.create(
                timer=current, case_id=current.case_id, reason_kind=reason_kind, note=note,
                state=ExcuseState.REQUESTED, requested_by=by, requested_at=now,
            )
    except IntegrityError:  # a concurrent request for the same clock came first
        raise ValidationError({"timer": [_(
            "This clock already has an excuse waiting or approved.")]}) from None
    CaseEvent.objects.create(
        case_id=current.case_id, at=now, actor=by, kind=CaseEvent.Kind.COMPLAINT_STEP,
        reason=note, data={"step": "excuse_request", "excuse": excuse.pk,
                           "clock": current.kind, "reason_kind": reason_kind},
    )
    deciders = StaffProfile.objects.filter(
        role__in=[Role.MANAGER, Role.GENERAL_MANAGER], user__is_active=True,
    ).exclude(user_id=by.pk).values_list("user_id", flat=True)
    title = gettext("%(number)s: an SLA excuse waits for your approval") % {
        "number": current.case.number}
    url = reverse("complaints:sla-excuse", args=[excuse.pk])
    _notify([NoteRow(recipient_id=user_id, key=f"sla-excuse:{excuse.pk}:requested", at=now,
                     title=title, body=note, url=url) for user_id in deciders], now=now)
    return excuse


@transaction.atomic
def excuse_decide(*, excuse: SlaExcuse, by: User, approve: bool, note: str = "",
                  now: dt.datetime | None = None) -> SlaExcuse:
    """A manager, general manager or administrator who did not ask approves or rejects a
    waiting excuse (a rejection says why). Approved, the complaint's charges for that clock
    become excused at once (`charges_sync`)."""
    now = now or timezone.now()
    if not is_decider(by) or excuse.requested_by_id == by.pk:
        raise PermissionDenied
    if not excuses_visible_to(user=by).filter(pk=excuse.pk).exists():
        raise PermissionDenied
    errors = FieldErrors()
    note = text_clean(errors, "note", note, max_length=NOTE_MAX_LENGTH,
                      required=None if approve else _("Say why the excuse is rejected."))
    errors.raise_if_any()
    state = ExcuseState.APPROVED if approve else ExcuseState.REJECTED
    step_take(
        model=SlaExcuse, pk=excuse.pk, expect={"state": ExcuseState.REQUESTED},
        values={"state": state, "decided_by_id": by.pk, "decided_at": now,
                "decision_note": note},
        events=[CaseEvent(case_id=excuse.case_id, at=now, actor=by,
                          kind=CaseEvent.Kind.COMPLAINT_STEP, reason=note,
                          data={"step": f"excuse_{state}", "excuse": excuse.pk})],
        message=_("This excuse was already decided."), field="state", state="state",
    )
    if approve:
        charges_sync_cases(case_ids=[excuse.case_id], now=now)
    excuse.refresh_from_db()
    title = (gettext("Your SLA excuse was approved") if approve
             else gettext("Your SLA excuse was rejected"))
    _notify([NoteRow(recipient_id=excuse.requested_by_id,
                     key=f"sla-excuse:{excuse.pk}:decided", at=now, title=title, body=note,
                     url=reverse("complaints:sla-excuse", args=[excuse.pk]))], now=now)
    return excuse


# --- a manager's waiver or adjustment ------------------------------------------------------------


class EntryConflict(StaleVersion):
    """Someone else changed the entry since the caller read it."""

    def __init__(self, *, current_version: int | None = None) -> None:
        super().__init__(
            _("This ledger entry was changed by someone else; reload it and try again."),
            current_version=current_version,
        )


MAX_AMOUNT = Decimal("9999999999.99")  # what the column (12 digits, 2 decimals) holds


def amount_clean(errors: FieldErrors, field: str, value: object) -> Decimal | None:
    """Yuan as a Decimal ≥ 0 with at most two decimals (a float is refused: money never
    travels as one); else None with a field error."""
    if isinstance(value, float | bool):
        errors.add(field, _("Enter the amount in yuan as text, e.g. 50.00."))
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter the amount in yuan, e.g. 50.00."))
        return None
    if not amount.is_finite():
        errors.add(field, _("Enter the amount in yuan, e.g. 50.00."))
        return None
    if amount < 0:
        errors.add(field, _("The amount cannot be negative."))
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        errors.add(field, _("At most two decimal places (fen)."))
        return None
    if amount > MAX_AMOUNT:
        errors.add(field, _("This amount is too large."))
        return None
    return amount.quantize(CENT)


def _entry_step(*, entry: PenaltyEntry, by: User, expected_version: int | None,
                allowed: Sequence[str], values: dict[str, Any], kind: str, reason: str,
                message: Any, now: dt.datetime) -> PenaltyEntry:
    current = (PenaltyEntry.objects.select_for_update().filter(pk=entry.pk)
               .values_list("version", "state", "amount").first())
    if current is None:
        raise PermissionDenied
    version, state, amount = current
    if expected_version is not None and expected_version != version:
        raise EntryConflict(current_version=version)
    if state not in allowed:
        raise ValidationError({"state": [message]})
    data = {"from": _money_text(amount), "to": _money_text(values["amount"]),
            "state_from": state, "state_to": values["state"]}
    step_take(
        model=PenaltyEntry, pk=entry.pk, expect={"version": version, "state__in": allowed},
        values={**values, "updated_at": now, "version": F("version") + 1},
        events=[PenaltyEvent(entry_id=entry.pk, at=now, actor=by, kind=kind, reason=reason,
                             data=data)],
        state="version", refusal=lambda v: EntryConflict(current_version=v),
    )
    entry.refresh_from_db()
    return entry


def _may_change(entry: PenaltyEntry, by: User) -> None:
    if not may_waive(by) or not penalties_visible_to(user=by).filter(pk=entry.pk).exists():
        raise PermissionDenied


@transaction.atomic
def entry_waive(*, entry: PenaltyEntry, by: User, reason: str,
                expected_version: int | None = None,
                now: dt.datetime | None = None) -> PenaltyEntry:
    """A manager waives a charged or adjusted entry: 0 yuan, the reason on the record.
    Needs `complaints.waive_penaltyentry`; a stale `expected_version` is a conflict."""
    now = now or timezone.now()
    _may_change(entry, by)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("Give the reason for waiving this charge."))
    errors.raise_if_any()
    return _entry_step(
        entry=entry, by=by, expected_version=expected_version, allowed=WAIVABLE_STATES,
        values={"state": EntryState.WAIVED, "amount": ZERO}, kind=PenaltyEventKind.WAIVED,
        reason=reason, message=_("Only a charged or adjusted entry can be waived."),
        now=now,
    )


@transaction.atomic
def entry_adjust(*, entry: PenaltyEntry, by: User, amount: object, reason: str,
                 expected_version: int | None = None,
                 now: dt.datetime | None = None) -> PenaltyEntry:
    """A manager sets what is charged (yuan ≥ 0, two places), the reason on the record; the
    ledger run keeps this amount from then on. Needs `complaints.waive_penaltyentry`."""
    now = now or timezone.now()
    _may_change(entry, by)
    errors = FieldErrors()
    cleaned = amount_clean(errors, "amount", amount)
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("Give the reason for the adjustment."))
    errors.raise_if_any()
    return _entry_step(
        entry=entry, by=by, expected_version=expected_version, allowed=ADJUSTABLE_STATES,
        values={"state": EntryState.ADJUSTED, "amount": validated(cleaned)},
        kind=PenaltyEventKind.ADJUSTED, reason=reason,
        message=_("An excused entry cannot be adjusted."), now=now,
    )


# --- a new version of the rules ------------------------------------------------------------------

RULE_SET_FIELDS = ("fine_d", "fine_c", "fine_b", "fine_a", "loss_grades", "sanction_grades",
                   "late_completion_grade", "repeat_multiplier", "late_acceptance_per_day",
                   "note")
ADD_RULE_SET_PERMISSION = "complaints.add_penaltyruleset"


def rule_set_check(*, effective_from: dt.datetime | None, now: dt.datetime,
                   errors: FieldErrors) -> None:
    """A new version takes effect from now on, never before: the complaints already filed
    keep the version they were filed under, so their charges never change with it."""
    if effective_from is None:
        errors.add("effective_from", _("Give the instant the version takes effect."))
    elif effective_from < now:
        errors.add("effective_from", _(
            "A new version cannot take effect in the past: complaints already filed keep "
            "the rules they were filed under."))


@transaction.atomic
def rule_set_add(*, by: User, effective_from: dt.datetime, values: dict[str, Any],
                 now: dt.datetime | None = None) -> PenaltyRuleSet:
    """Save the next version of the penalty rules (administrators only). Saved versions are
    never edited: a ledger entry names the version it used."""
    now = now or timezone.now()
    if not by.has_perm(ADD_RULE_SET_PERMISSION):
        raise PermissionDenied
    unknown = set(values) - set(RULE_SET_FIELDS)
    if unknown:
        raise TypeError(f"rule_set_add() takes no {sorted(unknown)}")
    errors = FieldErrors()
    rule_set_check(effective_from=effective_from, now=now, errors=errors)
    errors.raise_if_any()
    latest = PenaltyRuleSet.objects.select_for_update().order_by("-version").first()
    rules = PenaltyRuleSet(
        version=(latest.version + 1) if latest is not None else 1,
        effective_from=effective_from, created_by=by,
        **{name: getattr(latest, name) for name in RULE_SET_FIELDS if latest is not None
           and name not in values},
        **values,
    )
    rules.full_clean(exclude=["created_by"])
    rules.save(force_insert=True)
    return rules

