"""Complaint rows for the benchmarks, written in bulk (COPY or `demo.intake.fast_writer`), not
by the services, but as the services leave them: the complaint with its grading decisions,
proposals, follow-ups and timeline rows (`complaint_step`, and the case's own `assigned`,
`status_changed`, `feedback`, `graded`), the case's clocks from `demo.sla_planner` (the SLA
services' own functions), and the ledger entries `complaints.penalties.services.charges_sync`
would keep for the facts (the charges through the same `penalty_quote`, keyed, with the
evidence it writes) with their `charged` events. `tests/bench/` holds the ledger part to
that: `charges_sync` over generated complaints changes nothing.

Two simplifications, said here once: a complaint judged invalid has its clocks planned on D
from its opening (the services re-plan them at the verdict with the time already used; C and
D have the same limits), and nothing is excused."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from complaints.handling.grading import Criteria, grade_suggest
from complaints.handling.models import SOURCE_DESK, ComplaintType, Source, State
from complaints.penalties.models import PenaltyEntry, PenaltyRule, PenaltyRuleSet
from complaints.penalties.rules import CENT, penalty_quote
from complaints.penalties.selectors import days_late_at, rule_set_pick
from servicedesk.calendars import calendar_engine
from servicedesk.models import BusinessCalendar, Department, StaffProfile
from servicedesk.models.events import change_data
from servicedesk.months import month_of
from servicedesk.roles import Role
from tickets.cases.models import Case, CaseCategory
from tickets.sla.models import LIVE_TIMER_STATES, TimerKind, TimerState

MINUTE = dt.timedelta(minutes=1)

SOURCES = [(Source.HOTLINE, 35), (Source.CALL_LETTER, 25), (Source.DIRECT, 15),
           (Source.OPINION_BOARD, 10), (Source.MEDIA, 5), (Source.SKIP_LEVEL, 5),
           (Source.SAFETY, 5)]
PROCEDURES = [("none", 70), ("careless", 25), ("serious", 5)]
EMOTIONS = [("calm", 60), ("strong", 33), ("extreme", 7)]
IMPACTS = [("none", 85), ("some", 12), ("wide", 3)]
TEMPERAMENTS = [("", 40), ("passive", 15), ("angry", 20), ("talkative", 15),
                ("threatening", 10)]
LOSSES = [Decimal("0")] * 14 + [Decimal(v) for v in ("120", "350", "800", "1500", "2999.99",
                                                      "3000", "5000")]
OPEN_STATES = [State.RECEIVED, State.DISPATCHED, State.ASSESSED, State.PROPOSED,
               State.ESCALATED, State.RESOLVED, State.FOLLOWED_UP]
CASE_STATUS: dict[str, str] = {
    State.RECEIVED: Case.Status.NEW, State.DISPATCHED: Case.Status.IN_PROGRESS,
    State.ASSESSED: Case.Status.IN_PROGRESS, State.PROPOSED: Case.Status.IN_PROGRESS,
    State.ESCALATED: Case.Status.IN_PROGRESS, State.RESOLVED: Case.Status.RESOLVED,
    State.FOLLOWED_UP: Case.Status.RESOLVED, State.CLOSED: Case.Status.CLOSED,
}
# The steps each state has been through, in order.
STEPS_TO: dict[str, tuple[str, ...]] = {
    State.RECEIVED: (),
    State.DISPATCHED: ("dispatch",),
    State.ASSESSED: ("dispatch", "verdict"),
    State.PROPOSED: ("dispatch", "verdict", "propose"),
    State.ESCALATED: ("dispatch", "verdict", "rejected", "escalate"),
    State.RESOLVED: ("dispatch", "verdict", "propose", "resolve"),
    State.FOLLOWED_UP: ("dispatch", "verdict", "propose", "resolve", "follow-up"),
    State.CLOSED: ("dispatch", "verdict", "propose", "resolve", "follow-up", "close"),
}
INVALID_SHARE, ESCALATED_SHARE, REPEAT_SHARE, OTHER_DEPARTMENT_SHARE = 0.08, 0.05, 0.03, 0.05


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Callable[[], Any]:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return lambda: rng.choices(values, weights)[0]


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


@dataclass
class Org:
    """Who files, decides and is charged: the demo organisation (`demo.org.seed_org`)."""

    service: int  # the service center's department
    filers: list[int]  # its agents (tier 1 and 2)
    desks: dict[str, list[int]]  # desk role -> its agents
    supervisors: dict[int, list[int]]  # department -> its supervisors
    managers: dict[int, list[int]]  # department -> its managers
    members: dict[int, list[int]]  # department -> who may be named responsible
    department_of: dict[int, int | None]
    closer: int  # a manager of the service center
    general_manager: int
    types: list[ComplaintType]
    general_category: int
    rule_sets: list[PenaltyRuleSet]
    calendars: dict[int, str] = field(default_factory=dict)  # id -> name


def load_org() -> Org:
    profiles = list(StaffProfile.objects.filter(user__is_active=True).order_by("user_id"))
    service = Department.objects.get(code="cs").pk
    by_department: dict[int, list[StaffProfile]] = {}
    for profile in profiles:
        if profile.department_id is not None:
            by_department.setdefault(profile.department_id, []).append(profile)

    def of(department: int, *roles: str) -> list[int]:
        return [p.user_id for p in by_department.get(department, []) if p.role in roles]

    types = list(ComplaintType.objects.filter(active=True).order_by("ordering", "code"))
    if any(t.owner_department_id is None for t in types):
        raise RuntimeError("Complaint types without an owner department: run seed_demo.")
    owners = {t.owner_department_id for t in types if t.owner_department_id is not None}
    owners.add(service)
    members = {}
    for department in owners:
        if department == service:
            members[department] = of(department, Role.TIER1, Role.TIER2)
        else:
            members[department] = of(department, Role.TIER2) or of(department, Role.SUPERVISOR)
    return Org(
        service=service,
        filers=of(service, Role.TIER1, Role.TIER2),
        desks={Role.PUBLIC_OPINION: of(service, Role.PUBLIC_OPINION),
               Role.MAJOR_SAFETY: of(service, Role.MAJOR_SAFETY)},
        supervisors={d: of(d, Role.SUPERVISOR) or of(service, Role.SUPERVISOR)
                     for d in owners},
        managers={d: of(d, Role.MANAGER) or of(service, Role.MANAGER) for d in owners},
        members=members,
        department_of={p.user_id: p.department_id for p in profiles},
        closer=of(service, Role.MANAGER)[0],
        general_manager=next(p.user_id for p in profiles
                             if p.role == Role.GENERAL_MANAGER),
        types=types,
        general_category=CaseCategory.objects.get(code="complaint", kind="complaint").pk,
        rule_sets=list(PenaltyRuleSet.objects.all()),
        calendars=dict(BusinessCalendar.objects.values_list("pk", "name")),
    )


@dataclass
class Story:
    """What happened to one complaint, and when (None: not yet)."""

    complaint_id: int
    case_id: int
    customer_id: int
    type: ComplaintType
    source: str
    temperament: str
    criteria: Criteria
    suggested: str
    intake_grade: str  # decided at intake (A–C)
    grade: str  # in force (D after an invalid verdict)
    grade_reason: str
    state: str
    filer: int
    filed_at: dt.datetime
    department: int
    default_department: int
    dispatched_at: dt.datetime | None = None
    verdict: str = ""
    verdict_at: dt.datetime | None = None
    responsible: int | None = None
    decider: int | None = None
    rejected_at: dt.datetime | None = None  # a first proposal the customer rejected
    escalated_at: dt.datetime | None = None
    proposed_at: dt.datetime | None = None  # the accepted proposal (final after escalation)
    handed_in_at: dt.datetime | None = None
    followed_up_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    repeat_of: int | None = None
    neglect: bool = False

    @property
    def desk(self) -> str:
        return SOURCE_DESK.get(self.source, "")

    @property
    def category(self) -> int:
        return self.type.category_id or 0

    @property
    def first_feedback_at(self) -> dt.datetime | None:
        return self.rejected_at or self.proposed_at


class StoryMaker:
    """Complaint stories from a seeded random generator: the grade from the criteria (a few
    chosen otherwise, with a reason; D from an invalid verdict), the source, the desk and
    the handling department (the type's owner, a few elsewhere), and the steps' times."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org, self.rng = org, rng
        self.source = weighted(rng, SOURCES)
        self.procedure = weighted(rng, PROCEDURES)
        self.emotion = weighted(rng, EMOTIONS)
        self.impact = weighted(rng, IMPACTS)
        self.temperament = weighted(rng, TEMPERAMENTS)
        self.recent: list[Story] = []  # candidates for a repeat

    def story(self, *, complaint_id: int, case_id: int, customer_id: int,
              filed_at: dt.datetime, state: str, filer: int | None = None,
              grade: str | None = None, type: ComplaintType | None = None) -> Story:
        rng, org = self.rng, self.org
        repeat = None
        if grade is None and self.recent and rng.random() < REPEAT_SHARE:
            repeat = rng.choice(self.recent)
            customer_id, type = repeat.customer_id, repeat.type
        kind = type or rng.choice(org.types)
        source = self.source()
        desk = SOURCE_DESK.get(source, "")
        if filer is None:
            filer = rng.choice(org.desks.get(desk) or org.filers)
        criteria = Criteria(procedure=self.procedure(), emotion=self.emotion(),
                            loss_yuan=rng.choice(LOSSES).quantize(CENT),
                            impact=self.impact())
        suggested = grade_suggest(criteria).grade
        chosen, reason = suggested, ""
        if grade is not None and grade != "D":
            chosen, reason = grade, ("" if grade == suggested else "按客户情况调整等级")
        elif grade is None and rng.random() < 0.03:
            chosen = rng.choice([g for g in "ABC" if g != suggested])
            reason = "客户为重点客户，按实际影响调整等级"
        owner = kind.owner_department_id or org.service
        department = owner
        if rng.random() < OTHER_DEPARTMENT_SHARE:
            department = rng.choice(sorted(org.members))
        story = Story(
            complaint_id=complaint_id, case_id=case_id, customer_id=customer_id, type=kind,
            source=source, temperament=self.temperament(), criteria=criteria,
            suggested=suggested, intake_grade=chosen, grade=chosen, grade_reason=reason,
            state=state,
            filer=filer, filed_at=filed_at, department=department, default_department=owner,
        )
        invalid = grade == "D" or (grade is None and rng.random() < INVALID_SHARE)
        if "verdict" in STEPS_TO[state] and invalid:
            story.verdict, story.grade = "invalid", "D"
        elif "verdict" in STEPS_TO[state]:
            story.verdict = "valid"
        if repeat is not None:
            story.repeat_of = repeat.repeat_of or repeat.complaint_id
            story.neglect = story.verdict == "valid" and rng.random() < 0.3
        self.recent.append(story)
        del self.recent[:-50]
        return story

    def times(self, story: Story, *, now: dt.datetime, accepted: dt.datetime | None = None,
              resolved: dt.datetime | None = None, closed: dt.datetime | None = None) -> None:
        """The steps' instants: a usual pace for a closed complaint (some late), squeezed
        between filing and `now` for an open one. `accepted`, `resolved` and `closed` are
        given when the case's history says them already (the SLA bench's cases): the
        department's steps then fall between acceptance and resolution."""
        rng, org = self.rng, self.org
        steps = STEPS_TO[story.state]
        if story.state == State.CLOSED and rng.random() < ESCALATED_SHARE:
            steps = ("dispatch", "verdict", "rejected", "escalate", "propose", "resolve",
                     "follow-up", "close")
        limit = now - MINUTE
        # minutes after the previous step, by step
        pace = {"dispatch": (5, 50) if rng.random() < 0.9 else (70, 900),
                "verdict": (30, 240), "rejected": (20, 180), "escalate": (20, 90),
                "propose": (20, 180),
                "resolve": (60, 420) if story.grade == "A" else (60, 1500),
                "follow-up": (60, 1440), "close": (60, 480)}
        if story.state != State.CLOSED:  # squeezed into the time since filing
            span = (limit - story.filed_at) / (len(steps) + 1)
            pace = {step: (0, max(1, span // MINUTE)) for step in pace}
        at = story.filed_at
        instants: dict[str, dt.datetime] = {}
        for step in steps:
            low, high = pace[step]
            at = min(at + dt.timedelta(minutes=rng.uniform(low, high)), limit)
            instants[step] = at
        known = {"dispatch": accepted, "resolve": resolved, "close": closed}
        for anchor, value in known.items():
            if value is not None and anchor in instants:
                instants[anchor] = value
        # the steps between two given instants, evenly between them
        order = list(instants)
        fixed = [i for i, step in enumerate(order) if known.get(step) is not None]
        for a, b in zip(fixed, fixed[1:], strict=False):
            start, end = instants[order[a]], instants[order[b]]
            for k in range(a + 1, b):
                instants[order[k]] = start + (end - start) * (k - a) / (b - a)
        if fixed and fixed[-1] < len(order) - 1:  # after the last given one: at its pace
            at = instants[order[fixed[-1]]]
            for step in order[fixed[-1] + 1:]:
                at = max(at, instants[step])
                instants[step] = at
        story.dispatched_at = instants.get("dispatch")
        story.verdict_at = instants.get("verdict")
        story.rejected_at = instants.get("rejected")
        story.escalated_at = instants.get("escalate")
        story.proposed_at = instants.get("propose")
        story.handed_in_at = instants.get("resolve")
        story.followed_up_at = instants.get("follow-up")
        story.closed_at = instants.get("close")
        if story.verdict_at is not None:
            story.decider = rng.choice(org.supervisors[story.department])
            story.responsible = rng.choice(org.members[story.department])


@dataclass
class Ids:
    """The next id of each table (the rows get explicit ids)."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def case_status(state: str) -> str:
    return CASE_STATUS[state]


def complaint_rows(story: Story, *, ids: Ids, org: Org, timers: list[dict],
                   now: dt.datetime) -> Iterator[tuple[str, dict]]:
    """(table, row) of everything the services write for the story, but the case and its
    timers (given: `timers` as `demo.sla_planner` planned them, with ids). Also fixes the
    feedback timer, met by the first proposal told to the customer."""
    s = story
    rules = rule_set_pick(org.rule_sets, s.filed_at)
    if rules is None:
        raise RuntimeError("no penalty rule set in force")
    _feedback_met(s, timers, org=org)
    final_state = s.state
    last = s.closed_at or s.followed_up_at or s.handed_in_at or s.proposed_at or \
        s.escalated_at or s.rejected_at or s.verdict_at or s.dispatched_at or s.filed_at
    dispatched = s.dispatched_at is not None
    version = 1 + sum(t is not None for t in (
        s.dispatched_at, s.verdict_at, s.rejected_at, s.escalated_at, s.proposed_at,
        s.handed_in_at, s.followed_up_at, s.closed_at))
    yield "complaint", {
        "id": s.complaint_id, "case_id": s.case_id, "customer_id": s.customer_id,
        "type_id": s.type.pk, "source": s.source, "desk": s.desk, "temperament": s.temperament,
        "procedure": s.criteria.procedure, "emotion": s.criteria.emotion,
        "loss_yuan": s.criteria.loss_yuan, "impact": s.criteria.impact,
        "suggested_grade": s.suggested, "grade": s.grade,
        "grade_reason": "投诉无效" if s.verdict == "invalid" else s.grade_reason,
        "state": final_state, "handling_department_id": s.department if dispatched else None,
        "dispatched_at": s.dispatched_at, "verdict": s.verdict, "responsible_id": s.responsible,
        "fix": "按规范整改并向客户说明" if s.verdict else "", "verdict_at": s.verdict_at,
        "escalated_at": s.escalated_at, "interim_result": "", "interim_at": None,
        "final_result": "已处理完毕" if s.handed_in_at else "",
        "handed_in_at": s.handed_in_at,
        "satisfaction": "satisfied" if s.followed_up_at else "",
        "followed_up_at": s.followed_up_at, "closed_at": s.closed_at,
        "repeat_of_id": s.repeat_of, "repeat_by_neglect": s.neglect, "filed_at": s.filed_at,
        "filed_by_id": s.filer, "version": version, "updated_at": last,
    }
    criteria = s.criteria.as_json()
    yield "graderecord", {
        "id": ids.take("graderecord"), "complaint_id": s.complaint_id, "kind": "intake",
        "at": s.filed_at, "by_id": s.filer, "criteria": criteria, "suggested_grade": s.suggested,
        "previous_grade": "", "grade": s.intake_grade, "reason": s.grade_reason,
    }
    if s.verdict == "invalid":
        yield "graderecord", {
            "id": ids.take("graderecord"), "complaint_id": s.complaint_id, "kind": "verdict",
            "at": s.verdict_at, "by_id": s.decider, "criteria": criteria,
            "suggested_grade": s.suggested, "previous_grade": s.intake_grade, "grade": "D",
            "reason": "投诉无效",
        }
    proposals = []
    if s.rejected_at is not None:
        proposals.append((s.rejected_at, s.decider, "rejected", False))
    if s.proposed_at is not None:
        final = s.escalated_at is not None
        proposals.append((s.proposed_at, org.general_manager if final else s.decider,
                          "accepted", final))
    proposal_ids = []
    for at, by, response, final in proposals:
        proposal_ids.append(ids.take("proposal"))
        yield "proposal", {
            "id": proposal_ids[-1], "complaint_id": s.complaint_id, "at": at, "by_id": by,
            "text": "处理意见", "fix_by": None, "final": final, "response": response,
            "response_note": "",
        }
    if s.followed_up_at is not None:
        yield "followup", {
            "id": ids.take("followup"), "complaint_id": s.complaint_id, "at": s.followed_up_at,
            "by_id": s.filer, "satisfaction": "satisfied", "note": "",
            "department_told_at": s.followed_up_at,
        }
    yield from _ledger_rows(s, ids=ids, org=org, rules=rules, timers=timers, now=now)


def _feedback_met(s: Story, timers: list[dict], *, org: Org) -> None:
    """The feedback clock stops when the customer is first told a proposal (the planner
    stops it at the resolution, as for any case)."""
    stop = s.first_feedback_at
    if stop is None:
        return
    for row in timers:
        if row["kind"] != TimerKind.FEEDBACK or row["state"] == TimerState.CANCELLED or (
                row["state"] == TimerState.MET and row["stopped_at"] <= stop):
            continue
        engine = calendar_engine(org.calendars[row["calendar_id"]])
        due, warn = row["due_at"], row["warn_at"]
        row.update(state=TimerState.MET, stopped_at=stop, paused_at=None,
                   elapsed_at_stop=engine.between(row["started_at"], stop),
                   warned_at=warn if warn is not None and warn <= stop else None,
                   breached_at=due if due is not None and due <= stop else None)


def case_events(s: Story, *, ids: Ids, org: Org, category: int) -> tuple[list[dict], int]:
    """The case's timeline as the services write it, and the case's version."""
    events: list[dict] = []
    version = 0

    def add(at: dt.datetime | None, actor: int | None, kind: str, data: dict,
            versioned: bool, reason: str = "") -> None:
        nonlocal version
        events.append({"id": ids.take("caseevent"), "case_id": s.case_id, "at": at,
                       "actor_id": actor, "kind": kind, "data": data, "reason": reason})
        version += versioned

    initial = s.intake_grade
    add(s.filed_at, s.filer, "opened", change_data(
        "", "new", category=category, assignee=None, team=None,
        department=org.department_of.get(s.filer), grade=initial), True)
    add(s.filed_at, s.filer, "complaint_step", {
        "step": "filed", "suggested_grade": s.suggested, "grade": initial,
        "source": s.source, "type": s.type.pk,
        **({"repeat_of": s.repeat_of} if s.repeat_of else {})}, False, s.grade_reason)
    if s.dispatched_at:
        add(s.dispatched_at, s.filer, "complaint_step", {
            "step": "dispatch", "department": s.department,
            "default_department": s.default_department}, False)
        add(s.dispatched_at, s.filer, "assigned",
            {"handling_department": [None, s.department]}, True)
        add(s.dispatched_at, s.filer, "status_changed", change_data("new", "in_progress"),
            True)
    if s.verdict_at:
        add(s.verdict_at, s.decider, "complaint_step", {
            "step": "verdict", "verdict": s.verdict, "responsible": s.responsible,
            "fix": "按规范整改并向客户说明", "repeat_by_neglect": s.neglect}, False)
        if s.verdict == "invalid" and initial != "D":
            add(s.verdict_at, s.decider, "graded", change_data(initial, "D"), True)
    for at, final, response in ((s.rejected_at, False, "rejected"),
                                (s.escalated_at, None, None),
                                (s.proposed_at, s.escalated_at is not None, "accepted")):
        if at is None:
            continue
        if response is None:
            add(at, s.decider, "complaint_step", {"step": "escalate"}, False, "部门无法处理")
            continue
        add(at, s.decider, "complaint_step", {
            "step": "propose", "response": response, "final": final, "fix_by": None,
            "response_note": ""}, False, "处理意见")
        add(at, s.decider, "feedback", {}, True, "处理意见")
    if s.handed_in_at:
        # a desk's complaint: its department's supervisor (the person cannot see it)
        by = s.decider if s.desk else s.responsible
        add(s.handed_in_at, by, "complaint_step", {
            "step": "resolve", "handed_in_at": _instant(s.handed_in_at), "to": "resolved"},
            False)
        add(s.handed_in_at, by, "status_changed", change_data("in_progress", "resolved"),
            True)
    if s.followed_up_at:
        add(s.followed_up_at, s.filer, "complaint_step", {
            "step": "follow-up", "satisfaction": "satisfied", "to": "followed_up"}, False)
    if s.closed_at:
        add(s.closed_at, org.closer, "complaint_step", {"step": "close"}, False)
        add(s.closed_at, org.closer, "status_changed", change_data("resolved", "closed"),
            True)
    return events, version


# --- the ledger: what charges_sync keeps for these facts ------------------------------------

def _clock(timers: list[dict], kind: str, now: dt.datetime) -> tuple[dict, int] | None:
    """The clock of `kind` if it is late (breached, or past due now), with its days late."""
    for row in timers:
        if row["kind"] != kind or row["state"] == TimerState.CANCELLED:
            continue
        days = days_late_at(due_at=row["due_at"], state=row["state"],
                            stopped_at=row["stopped_at"], paused_at=row["paused_at"], now=now)
        if row["breached_at"] is not None or days > 0:
            return row, days
    return None


def _clock_evidence(row: dict, days: int) -> dict[str, Any]:
    return {
        "timer": row["id"], "kind": row["kind"], "due_at": _instant(row["due_at"]),
        "breached_at": _instant(row["breached_at"]),
        "stopped_at": _instant(row["stopped_at"]) if row["state"] == TimerState.MET else None,
        "running": row["state"] in LIVE_TIMER_STATES, "days_late": days,
    }


def _ledger_rows(s: Story, *, ids: Ids, org: Org, rules: PenaltyRuleSet, timers: list[dict],
                 now: dt.datetime) -> Iterator[tuple[str, dict]]:
    acceptance = _clock(timers, TimerKind.ACCEPTANCE, now)
    resolution = _clock(timers, TimerKind.RESOLUTION, now)
    late_completion = resolution is not None and s.responsible is not None
    quote = penalty_quote(rules, grade=s.grade, loss_yuan=s.criteria.loss_yuan,
                          late_acceptance_days=acceptance[1] if acceptance else 0,
                          completed_late_without_reason=late_completion,
                          repeat_by_neglect=s.neglect)
    context = {
        "complaint": s.complaint_id, "rule_version": rules.version, "grade": s.grade,
        "verdict": s.verdict, "loss_yuan": str(s.criteria.loss_yuan.quantize(CENT)),
        "responsible": s.responsible, "repeat_by_neglect": s.neglect,
        "complaint_state": s.state,
    }
    closed = s.state == State.CLOSED
    for charge in quote.charges:
        rule = str(charge.rule)
        evidence: dict[str, Any] = {"rule": rule, **context, **(charge.detail or {})}
        clock = None
        if rule == PenaltyRule.LATE_ACCEPTANCE:
            clock, person = acceptance, s.filer  # no assignee: the first-contact owner
            evidence.update(acceptor=s.filer, acceptor_is_assignee=False)
        elif s.responsible is None or (
                rule in (PenaltyRule.GRADE_FINE, PenaltyRule.ECONOMIC_LOSS) and not closed):
            continue
        else:
            person = s.responsible
            clock = resolution if rule == PenaltyRule.LATE_COMPLETION else None
        # charged at the closure, or when the clock was found late (its stop, or the sweep
        # at its breach; late completion once a person is named)
        at: dt.datetime = s.closed_at or now
        if clock is not None:
            at = clock[0]["stopped_at"] or clock[0]["breached_at"] or clock[0]["due_at"]
            if rule == PenaltyRule.LATE_COMPLETION and s.verdict_at is not None:
                at = max(at, s.verdict_at)
        if clock is not None:
            evidence["clock"] = _clock_evidence(*clock)
            evidence["excuse"] = None
        entry = ids.take("penaltyentry")
        amount = charge.amount.quantize(CENT)
        yield "penaltyentry", {
            "id": entry, "key": f"complaint:{s.complaint_id}:{rule}", "person_id": person,
            "department_id": org.department_of.get(person), "complaint_id": s.complaint_id,
            "rule": rule, "rule_set_id": rules.pk, "quoted_amount": amount, "amount": amount,
            "administrative_sanction": charge.administrative_sanction, "state": "charged",
            "month": month_of(s.filed_at), "evidence": evidence, "created_at": at,
            "updated_at": at, "version": 1,
        }
        yield "penaltyevent", {
            "id": ids.take("penaltyevent"), "entry_id": entry, "at": at, "actor_id": None,
            "kind": "charged", "reason": "",
            "data": {"amount": str(amount), "quoted_amount": str(amount),
                     "rule_version": rules.version, "excuse": None},
        }


TABLE_MODELS = {
    "complaint": "complaints.Complaint", "graderecord": "complaints.GradeRecord",
    "proposal": "complaints.Proposal", "followup": "complaints.FollowUp",
    "penaltyentry": "complaints.PenaltyEntry", "penaltyevent": "complaints.PenaltyEvent",
    "caseevent": "tickets.CaseEvent",
}


def ledger_keys_of(complaint_ids: list[int]) -> list[str]:
    return list(PenaltyEntry.objects.filter(complaint_id__in=complaint_ids)
                .values_list("key", flat=True))
