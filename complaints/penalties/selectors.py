"""Read-side queries of the penalties package: which rule set is in force, how late a
clock is, who sees which ledger entries and SLA excuses, and which steps a user may take
on them. Rules that write live in `complaints.penalties.services`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from complaints.handling.models import Complaint
from complaints.penalties.models import (
    EntryState,
    ExcuseState,
    PenaltyEntry,
    PenaltyEvent,
    PenaltyRuleSet,
    SlaExcuse,
)
from complaints.penalties.rules import CENT, Quote, penalty_quote
from servicedesk.roles import MANAGEMENT_ROLES, Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser
from tickets.cases.models import Case
from tickets.cases.selectors import cases_scoped
from tickets.sla.models import CaseTimer, TimerKind, TimerState

# The clocks a penalty is charged from, and so the clocks an excuse may cover.
PENALTY_CLOCKS = (TimerKind.ACCEPTANCE, TimerKind.RESOLUTION)
# Who decides an excuse, and who waives or adjusts a ledger entry (the permission
# `complaints.waive_penaltyentry` is granted to the same roles).
DECIDER_ROLES = MANAGEMENT_ROLES
WAIVE_PERMISSION = "complaints.waive_penaltyentry"
EXPORT_PERMISSION = "complaints.export_penaltyentry"
# Entry states a manager may still waive, and adjust.
WAIVABLE_STATES = (EntryState.CHARGED, EntryState.ADJUSTED)
ADJUSTABLE_STATES = (EntryState.CHARGED, EntryState.ADJUSTED, EntryState.WAIVED)
DAY = dt.timedelta(days=1)


class NoRuleSet(PenaltyRuleSet.DoesNotExist):
    """No penalty rule set was in force at that instant (every version starts later)."""


# --- rule sets -----------------------------------------------------------------------------


def rule_set_pick(rule_sets: Iterable[PenaltyRuleSet], at: dt.datetime) -> PenaltyRuleSet | None:
    """Among `rule_sets`, the highest version whose `effective_from` is at or before `at`."""
    best: PenaltyRuleSet | None = None
    for rules in rule_sets:
        if rules.effective_from <= at and (best is None or rules.version > best.version):
            best = rules
    return best


def rule_set_in_force(at: dt.datetime) -> PenaltyRuleSet:
    """The rule set in force at `at`: the highest version whose `effective_from` ≤ `at`.
    One query. Raises `NoRuleSet` when none was."""
    rules = (PenaltyRuleSet.objects.filter(effective_from__lte=at)
             .order_by("-version").first())
    if rules is None:
        raise NoRuleSet(f"no penalty rule set is in force at {at.isoformat()}")
    return rules


def rule_set_latest() -> PenaltyRuleSet | None:
    return PenaltyRuleSet.objects.order_by("-version").first()


def penalty_quote_at(
    *, at: dt.datetime, grade: str, loss_yuan: Decimal = Decimal("0"),
    late_acceptance_days: int = 0, completed_late_without_reason: bool = False,
    repeat_by_neglect: bool = False,
) -> Quote:
    """What a complaint of `grade` charges under the rule set in force at `at`: the same
    rule code and version the ledger uses (the quote endpoint, the closing page)."""
    return penalty_quote(
        rule_set_in_force(at), grade=grade, loss_yuan=loss_yuan,
        late_acceptance_days=late_acceptance_days,
        completed_late_without_reason=completed_late_without_reason,
        repeat_by_neglect=repeat_by_neglect,
    )


# --- how late a clock is --------------------------------------------------------------------


def days_late_at(*, due_at: dt.datetime | None, state: str, stopped_at: dt.datetime | None,
                 paused_at: dt.datetime | None, now: dt.datetime) -> int:
    """`CaseTimer.days_late` as of `now`: started days (24 h each) between the due instant
    and the stop (a stopped clock: fixed), the pause (a paused one) or `now` (a running
    one). 1 minute late is 1 day, exactly 24 h is 1 day, 24 h and 1 s are 2 days."""
    if due_at is None:
        return 0
    end = stopped_at if state not in (TimerState.RUNNING, TimerState.PAUSED) else None
    if end is None:
        end = paused_at if state == TimerState.PAUSED and paused_at is not None else now
    late = end - due_at
    if late <= dt.timedelta(0):
        return 0
    return math.ceil(late / DAY)


def timer_days_late(timer: CaseTimer, *, now: dt.datetime) -> int:
    return days_late_at(due_at=timer.due_at, state=timer.state, stopped_at=timer.stopped_at,
                        paused_at=timer.paused_at, now=now)


def timer_is_late(timer: CaseTimer, *, now: dt.datetime) -> bool:
    """Breached (recorded by the sweep or at its stop), or past its due instant now."""
    return timer.breached_at is not None or timer_days_late(timer, now=now) > 0


# --- the ledger ------------------------------------------------------------------------------


def penalties_visible_to(*, user: AnyUser) -> QuerySet[PenaltyEntry]:
    """Management sees every entry; a supervisor the entries of their department's people
    and their own; anyone else their own; a user without a staff profile none."""
    profile = staff_profile_of(user)
    entries = PenaltyEntry.objects.all()
    if profile is None:
        return entries.none()
    if profile.role in MANAGEMENT_ROLES:
        return entries
    if profile.role == Role.SUPERVISOR and profile.department_id is not None:
        return entries.filter(Q(department_id=profile.department_id) | Q(person_id=user.pk))
    return entries.filter(person_id=user.pk)


def ledger_rows(queryset: QuerySet[PenaltyEntry]) -> QuerySet[PenaltyEntry]:
    """The entries with what a list shows of them, newest first (one query)."""
    return queryset.select_related(
        "person", "department", "rule_set", "complaint", "complaint__case",
    ).order_by("-created_at", "-id")


def complaint_penalties(*, complaint_id: int, user: AnyUser) -> QuerySet[PenaltyEntry]:
    """The entries of one complaint that `user` may see (the complaint page's penalties)."""
    return ledger_rows(penalties_visible_to(user=user).filter(complaint_id=complaint_id))


class LedgerTotals(TypedDict):
    count: int
    amount: Decimal
    quoted_amount: Decimal


def ledger_totals(queryset: QuerySet[PenaltyEntry]) -> LedgerTotals:
    """Count and sums of the (filtered) entries, in one query: what is charged (`amount`)
    and what the rules gave (`quoted_amount`)."""
    row = queryset.order_by().aggregate(count=Count("pk"), amount=Sum("amount"),
                                        quoted_amount=Sum("quoted_amount"))
    return {"count": row["count"] or 0,
            "amount": (row["amount"] or Decimal("0")).quantize(Decimal("0.01")),
            "quoted_amount": (row["quoted_amount"] or Decimal("0")).quantize(Decimal("0.01"))}


def get_entry_for_user(*, user: AnyUser, entry_id: int) -> PenaltyEntry:
    """The entry, if `user` may see it (404 otherwise), with what its page shows."""
    return get_object_or_404(ledger_rows(penalties_visible_to(user=user)), pk=entry_id)


def entry_history(*, entry: PenaltyEntry) -> QuerySet[PenaltyEvent]:
    """The entry's events, oldest first, with their actors."""
    return (PenaltyEvent.objects.filter(entry=entry)
            .select_related("actor").order_by("at", "id"))


def may_waive(user: AnyUser) -> bool:
    """Waiving and adjusting need a staff profile and `complaints.waive_penaltyentry`
    (managers, general managers, administrators)."""
    return staff_profile_of(user) is not None and user.has_perm(WAIVE_PERMISSION)


def may_export_ledger(user: AnyUser) -> bool:
    return staff_profile_of(user) is not None and user.has_perm(EXPORT_PERMISSION)


def entry_actions_for(*, entry: PenaltyEntry, user: AnyUser) -> list[str]:
    """The steps `user` may take on `entry` now: "waive", "adjust"."""
    if not may_waive(user):
        return []
    actions = []
    if entry.state in WAIVABLE_STATES:
        actions.append("waive")
    if entry.state in ADJUSTABLE_STATES:
        actions.append("adjust")
    return actions


def ledger_people(queryset: QuerySet[PenaltyEntry]) -> list[tuple[int, str]]:
    """(user id, display name) of the people charged in `queryset` (the page's person
    filter), by name. One query."""
    rows = (queryset.order_by().values_list("person_id", "person__first_name",
                                            "person__username").distinct())
    return sorted(((pk, first or username) for pk, first, username in rows),
                  key=lambda row: (row[1], row[0]))


# --- SLA excuses -----------------------------------------------------------------------------


def excuses_visible_to(*, user: AnyUser) -> QuerySet[SlaExcuse]:
    """The excuses on the cases `user` sees (`cases_visible_to`'s rule through the case)."""
    return cases_scoped(user=user, queryset=SlaExcuse.objects.all(), prefix="case__")


def excuse_rows(queryset: QuerySet[SlaExcuse]) -> QuerySet[SlaExcuse]:
    return queryset.select_related(
        "case", "timer", "requested_by", "decided_by",
    ).order_by("-requested_at", "-id")


def get_excuse_for_user(*, user: AnyUser, excuse_id: int) -> SlaExcuse:
    return get_object_or_404(excuse_rows(excuses_visible_to(user=user)), pk=excuse_id)


def is_decider(user: AnyUser) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and profile.role in DECIDER_ROLES


def is_excuse_requester(user: AnyUser) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and profile.role == Role.SUPERVISOR


def excuse_actions_for(*, excuse: SlaExcuse, user: AnyUser) -> list[str]:
    """"approve" and "reject" while the excuse waits, for a decider who did not ask."""
    if (excuse.state != ExcuseState.REQUESTED or not is_decider(user)
            or excuse.requested_by_id == user.pk):
        return []
    return ["approve", "reject"]


def approved_excuses() -> QuerySet[SlaExcuse]:
    """Approved excuses (a subquery for the on-time figures: `timer_id` is the clock)."""
    return SlaExcuse.objects.filter(state=ExcuseState.APPROVED)


def excused_timer_ids(*, timer_ids: Iterable[int] | None = None,
                      case_ids: Iterable[int] | None = None) -> set[int]:
    """The clocks (among `timer_ids`, or of `case_ids`) whose breach an approved excuse
    covers: they charge nothing and count as excused in the on-time figures. One query."""
    excuses = approved_excuses()
    if timer_ids is not None:
        excuses = excuses.filter(timer_id__in=list(timer_ids))
    if case_ids is not None:
        excuses = excuses.filter(case_id__in=list(case_ids))
    return set(excuses.values_list("timer_id", flat=True))


def excusable_timers(*, case: Case, now: dt.datetime) -> list[CaseTimer]:
    """The late acceptance and resolution clocks of a complaint case that have no live
    excuse yet (what a supervisor may ask to excuse), oldest first."""
    timers = list(
        CaseTimer.objects.filter(case=case, kind__in=PENALTY_CLOCKS)
        .exclude(state=TimerState.CANCELLED)
        .exclude(excuses__state__in=[ExcuseState.REQUESTED, ExcuseState.APPROVED])
        .order_by("started_at", "id")
    )
    return [t for t in timers if timer_is_late(t, now=now)]


def timers_of_cases(case_ids: Sequence[int]) -> QuerySet[CaseTimer]:
    """The acceptance and resolution clocks of these cases that count (not cancelled)."""
    return (CaseTimer.objects.filter(case_id__in=list(case_ids), kind__in=PENALTY_CLOCKS)
            .exclude(state=TimerState.CANCELLED).order_by("started_at", "id"))



# --- what a closure will charge ----------------------------------------------------------------


@dataclass(frozen=True)
class QuotedCharge:
    """One charge of a closure's quote: the rule, its amount, and who bears it — `bearer`
    "responsible" (the complaint's responsible person) or "acceptor" (who should have
    accepted it: the case's assignee, else its first-contact owner), `person_id` that
    person's user id."""

    rule: str
    amount: Decimal
    bearer: str
    person_id: int
    administrative_sanction: bool


@dataclass(frozen=True)
class ClosureQuote:
    """What closing a complaint charges (`complaint_closure_quote`): each charge, the
    total, the rule version, and the facts it was quoted from."""

    charges: tuple[QuotedCharge, ...]
    rule_version: int
    grade: str
    loss_yuan: Decimal
    late_acceptance_days: int
    completed_late_without_reason: bool
    repeat_by_neglect: bool

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00")).quantize(CENT)

    @property
    def administrative_sanction(self) -> bool:
        return any(c.administrative_sanction for c in self.charges)


def complaint_closure_quote(*, complaint: Complaint, now: dt.datetime) -> ClosureQuote:
    """What the ledger will say of `complaint` once it is closed now: `penalty_quote_at`
    under the rule set in force when it was filed (the rule code and version the ledger
    uses), with its grade, loss and repeat by neglect, the days its acceptance was late
    (the latest late acceptance clock no approved excuse covers) and whether it was
    completed late without a special reason (a late resolution clock no approved excuse
    covers, a responsible person named). The charges of the responsible person are left
    out while no one is named, as the ledger leaves them. Two queries. Raises `NoRuleSet`
    when no rules were in force at the filing."""
    clocks = list(
        timers_of_cases([complaint.case_id])
        .annotate(excused=Exists(approved_excuses().filter(timer_id=OuterRef("pk"))))
    )
    unexcused_late = [t for t in clocks if not t.excused and timer_is_late(t, now=now)]
    days = max((timer_days_late(t, now=now) for t in unexcused_late
                if t.kind == TimerKind.ACCEPTANCE), default=0)
    responsible = complaint.responsible_id
    late_completion = responsible is not None and any(
        t.kind == TimerKind.RESOLUTION for t in unexcused_late)
    quote = penalty_quote_at(
        at=complaint.filed_at, grade=complaint.grade, loss_yuan=complaint.loss_yuan,
        late_acceptance_days=days, completed_late_without_reason=late_completion,
        repeat_by_neglect=complaint.repeat_by_neglect,
    )
    case = complaint.case
    acceptor = case.assignee_id if case.assignee_id is not None else case.first_contact_owner_id
    charges = []
    for charge in quote.charges:
        person = acceptor if charge.bearer == "acceptor" else responsible
        if person is None:
            continue
        charges.append(QuotedCharge(
            rule=str(charge.rule), amount=charge.amount, bearer=charge.bearer,
            person_id=person, administrative_sanction=charge.administrative_sanction,
        ))
    return ClosureQuote(
        charges=tuple(charges), rule_version=quote.rule_set.version, grade=complaint.grade,
        loss_yuan=complaint.loss_yuan, late_acceptance_days=days,
        completed_late_without_reason=late_completion,
        repeat_by_neglect=complaint.repeat_by_neglect,
    )
