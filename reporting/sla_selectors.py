"""The supervisors' live SLA dashboard: what is open per grade and kind in each SLA state,
what falls due in the next hour, what has breached and by how long, the on-time rate of
resolutions today and this month, and the live timers without a deadline.

Every figure is a `Cell`: a count and the query string of the cases behind it, which
`sla_figure_cases` turns back into exactly those cases (same scope, same filters), for the
page's links and the API's `cases_url`.

Set-based: `sla_dashboard` issues a fixed number of queries (grouped counts with
`Count(filter=...)`, two short lists, one timer count) whatever the number of cases.
Scope is the access rule of cases, `tickets.cases.selectors.cases_scoped`, on the cases, on
the timers (through their case) and on the resolution tallies (which keep the fields the
rule reads): floor leads and supervisors see their department's cases and those passed to
it for handling, management everything; a desk-only case (a media or safety complaint)
counts only for that desk, supervisors and above — in every number, list and drill-down.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.penalties.selectors import approved_excuses
from servicedesk.models import Department, StaffProfile, Team
from servicedesk.roles import MANAGEMENT_ROLES
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser, StrOrPromise
from tickets.cases.models import Case, CaseGrade, CaseKind, SlaState
from tickets.cases.selectors import cases_scoped, department_scoped
from tickets.sla.models import LIVE_TIMER_STATES, CaseTimer, ResolutionTally, TimerKind, TimerState

UNGRADED = "ungraded"
NO_TEAM = "none"
DUE_SOON_MINUTES = 60
LIST_LIMIT = 10

# The SLA states of an open case, in column order ("none": no time limit at all).
STATE_COLUMNS: list[tuple[str, object]] = [
    (SlaState.ON_TRACK, SlaState.ON_TRACK.label),
    (SlaState.WARNED, SlaState.WARNED.label),
    (SlaState.BREACHED, SlaState.BREACHED.label),
    (SlaState.PAUSED, SlaState.PAUSED.label),
    ("none", SlaState.NONE.label),
]
OPEN = "open"  # every open case, whatever its SLA state
NO_DEADLINE = "no_deadline"  # open cases with a running timer that has no due instant
FIGURE_STATES = [OPEN, *(code for code, _label in STATE_COLUMNS), NO_DEADLINE]
PERIODS = ("today", "month")


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaFilters:
    """Narrow the dashboard (never widen it: the scope of the user always applies).
    `team` is a team id or "none"; `grade` is A–D or "ungraded"; `agent` is the assignee's
    user id; `department` matters only to management (others see one department anyway)."""

    department: int | None = None
    team: str = ""
    agent: int | None = None
    kind: str = ""
    grade: str = ""

    def params(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) not in (None, "")}

    def case_q(self, prefix: str = "") -> Q:
        """These filters as a condition on cases (`prefix="case__"` from a timer)."""
        q = Q()
        if self.department is not None:
            q &= Q(**{f"{prefix}department_id": self.department})
        if self.team == NO_TEAM:
            q &= Q(**{f"{prefix}team__isnull": True})
        elif self.team:
            q &= Q(**{f"{prefix}team_id": int(self.team)})
        if self.agent is not None:
            q &= Q(**{f"{prefix}assignee_id": self.agent})
        if self.kind:
            q &= Q(**{f"{prefix}kind": self.kind})
        if self.grade == UNGRADED:
            q &= Q(**{f"{prefix}grade": ""})
        elif self.grade:
            q &= Q(**{f"{prefix}grade": self.grade})
        return q


@dataclass(frozen=True)
class Figure:
    """Which cases stand behind a number: open cases in an SLA `state` (or with a live timer
    without deadline), open cases due within `due_within` minutes, or cases whose resolution
    was met in `resolved` ("today" / "month"), on time or late (`on_time` "yes" / "no")."""

    state: str = ""
    due_within: int | None = None
    resolved: str = ""
    on_time: str = ""

    def params(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) not in (None, "")}


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int
    params: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> str:
        return urlencode(self.params)


@dataclass(frozen=True)
class StateRow:
    key: str
    label: str
    total: Cell
    states: dict[str, Cell]

    @property
    def cells(self) -> list[Cell]:
        return [self.states[code] for code, _label in STATE_COLUMNS]


@dataclass(frozen=True)
class Rate:
    """On-time resolutions over all resolutions met in a period: an exact fraction, shown
    as a percentage only at the end. `excused`: of the late ones, how many a manager
    excused for a special reason (seed 002 特殊原因; they charge nothing, and are shown
    apart, not counted on time)."""

    on_time: Cell
    total: Cell
    excused: int = 0

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.on_time.count, self.total.count) if self.total.count else None

    @property
    def percent(self) -> str:
        value = self.fraction
        if value is None:
            return "—"
        shown = (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        return f"{shown}%"


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    today: Rate
    month: Rate

    @property
    def periods(self) -> list[Rate]:
        return [self.today, self.month]


@dataclass(frozen=True)
class LateCase:
    case: Case
    breached_since: dt.datetime
    late: dt.timedelta


@dataclass(frozen=True)
class SlaDashboard:
    now: dt.datetime
    filters: SlaFilters
    by_grade: list[StateRow]
    by_kind: list[StateRow]
    totals: StateRow
    due_soon: Cell
    due_soon_cases: list[Case]
    breached_cases: list[LateCase]
    rates_by_grade: list[RateRow]
    rates_by_team: list[RateRow]
    rates_total: RateRow
    no_deadline: Cell


# --- scope and periods --------------------------------------------------------------------


def sla_dashboard_cases_scope(*, user: AnyUser) -> QuerySet[Case]:
    return cases_scoped(user=user, queryset=Case.objects.all())


def _timers_scope(*, user: AnyUser) -> QuerySet[CaseTimer]:
    return cases_scoped(user=user, queryset=CaseTimer.objects.all(), prefix="case__")


def _tallies_scope(*, user: AnyUser) -> QuerySet[ResolutionTally]:
    # a tally keeps its cases' department, handling department and desk
    return cases_scoped(user=user, queryset=ResolutionTally.objects.all())


def _period_bounds(now: dt.datetime, period: str) -> tuple[dt.datetime, dt.datetime]:
    """Today or this month as Beijing days (TIME_ZONE), as [start, end) instants."""
    local = timezone.localtime(now)
    tz = local.tzinfo
    day = local.date()
    if period == "today":
        start, end = day, day + dt.timedelta(days=1)
    else:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def _open_state_q(state: str) -> Q:
    return Q(sla_state="") if state == "none" else Q(sla_state=state)


# --- the dashboard --------------------------------------------------------------------------


def sla_dashboard(
    *, user: AnyUser, now: dt.datetime, filters: SlaFilters | None = None,
    limit: int = LIST_LIMIT,
) -> SlaDashboard:
    """The live SLA dashboard of `user` as of `now`, narrowed by `filters`. Six queries
    (seven if the user's staff profile is not loaded yet), whatever the number of cases."""
    filters = filters or SlaFilters()
    base = filters.params()

    def cell(count: int, **figure: Any) -> Cell:
        return Cell(count=count, params={**base, **Figure(**figure).params()})

    cases = sla_dashboard_cases_scope(user=user).filter(filters.case_q())
    open_cases = cases.filter(status__in=Case.OPEN_STATUSES)
    soon_end = now + dt.timedelta(minutes=DUE_SOON_MINUTES)
    due_soon_q = Q(sla_due_at__gte=now, sla_due_at__lt=soon_end)

    # 1. Open cases by kind and grade × SLA state, and those due within the hour.
    counts = {code: Count("pk", filter=_open_state_q(code)) for code, _label in STATE_COLUMNS}
    # (rows as plain mappings: their count columns are looked up by name below)
    groups: list[Mapping[str, Any]] = list(
        open_cases.order_by().values("kind", "grade")
        .annotate(total=Count("pk"), due_soon=Count("pk", filter=due_soon_q), **counts)
    )
    by_grade_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_kind_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    all_counts: dict[str, int] = defaultdict(int)
    for group in groups:  # at most one row per (kind, grade): a handful
        grade = group["grade"] or UNGRADED
        for key in ["total", "due_soon", *counts]:
            by_grade_counts[grade][key] += group[key]
            by_kind_counts[group["kind"]][key] += group[key]
            all_counts[key] += group[key]

    def state_row(key: str, label: StrOrPromise, numbers: dict[str, int],
                  **narrow: str) -> StateRow:
        def row_cell(count: int, **figure: Any) -> Cell:
            return Cell(count=count,
                        params={**base, **narrow, **Figure(**figure).params()})
        return StateRow(
            key=key, label=str(label),
            total=row_cell(numbers.get("total", 0), state=OPEN),
            states={code: row_cell(numbers.get(code, 0), state=code)
                    for code, _label in STATE_COLUMNS},
        )

    grade_rows = [(g.value, g.label) for g in CaseGrade] + [(UNGRADED, _("Ungraded"))]
    by_grade = [
        state_row(key, label, by_grade_counts.get(key, {}), grade=key)
        for key, label in grade_rows
        if not filters.grade or filters.grade == key
    ]
    by_kind = [
        state_row(k.value, k.label, by_kind_counts.get(k.value, {}), kind=k.value)
        for k in CaseKind
        if not filters.kind or filters.kind == k.value
    ]
    totals = state_row("all", _("All open cases"), all_counts)

    # 2. Due within the hour, soonest first.
    due_soon_cases = list(
        open_cases.filter(due_soon_q)
        .select_related("customer", "assignee", "team")
        .order_by("sla_due_at", "id")[:limit]
    )

    # 3. Breached open cases, the longest overdue first. A running breached clock is the
    # case's earliest due instant (`sla_due_at`), so the order comes from an index; a case
    # breached only on a paused clock has no `sla_due_at` and gets its breach from the
    # timers (a subquery on the ten rows shown).
    first_breach = CaseTimer.objects.filter(
        case=OuterRef("pk"), state__in=LIVE_TIMER_STATES, breached_at__isnull=False,
    ).order_by("breached_at").values("breached_at")[:1]
    breached = list(
        open_cases.filter(sla_state=SlaState.BREACHED)
        .select_related("customer", "assignee", "team")
        .order_by(F("sla_due_at").asc(nulls_last=True), "id")[:limit]
        .annotate(first_breach=Subquery(first_breach))
    )
    breached_cases = []
    for case in breached:
        since = case.sla_due_at if case.sla_due_at and case.sla_due_at <= now \
            else case.first_breach
        if since is not None:
            breached_cases.append(LateCase(case=case, breached_since=since, late=now - since))

    # 4. On-time rates of resolutions met today and this month, per grade and team, from
    # the daily tallies (a few hundred rows a month, whatever the number of cases).
    today = timezone.localdate(now)
    month_first = today.replace(day=1)
    today_q = Q(day=today)
    rate_groups: list[Mapping[str, Any]] = [
        {key: value or 0 for key, value in group.items()}
        | {"grade": group["grade"], "team_id": group["team_id"],
           "team__name": group["team__name"]}
        for group in _tallies_scope(user=user)
        .filter(filters.case_q(), day__gte=month_first, day__lte=today)
        .order_by().values("grade", "team_id", "team__name")
        .annotate(
            month=Sum("met"), month_on_time=Sum("on_time"),
            today=Sum("met", filter=today_q), today_on_time=Sum("on_time", filter=today_q),
        )
    ]
    rate_keys = ("today", "today_on_time", "month", "month_on_time")
    grade_rates: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    team_rates: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    team_names: dict[str, str] = {}
    all_rates: dict[str, int] = defaultdict(int)
    for rate_group in rate_groups:  # one row per (grade, team)
        grade = rate_group["grade"] or UNGRADED
        team = str(rate_group["team_id"]) if rate_group["team_id"] else NO_TEAM
        team_names[team] = rate_group["team__name"] or str(_("No team"))
        for key in rate_keys:
            grade_rates[grade][key] += rate_group[key]
            team_rates[team][key] += rate_group[key]
            all_rates[key] += rate_group[key]

    def rate_row(key: str, label: StrOrPromise, numbers: dict[str, int],
                 **narrow: str) -> RateRow:
        def rate(period: str) -> Rate:
            params = {**base, **narrow}
            return Rate(
                on_time=Cell(numbers.get(f"{period}_on_time", 0),
                             {**params, **Figure(resolved=period, on_time="yes").params()}),
                total=Cell(numbers.get(period, 0),
                           {**params, **Figure(resolved=period).params()}),
                excused=numbers.get(f"{period}_excused", 0),
            )
        return RateRow(key=key, label=str(label), today=rate("today"), month=rate("month"))

    # 4b. Of the late resolutions, those excused by an approved SLA excuse (complaints), per
    # grade and team of the case, in one query over the period's late resolution clocks.
    month_start, month_end = _period_bounds(now, "month")
    today_start, _today_end = _period_bounds(now, "today")
    excused_groups: list[Mapping[str, Any]] = list(
        _timers_scope(user=user).filter(
            filters.case_q("case__"), kind=TimerKind.RESOLUTION, state=TimerState.MET,
            stopped_at__gte=month_start, stopped_at__lt=month_end,
            breached_at__isnull=False,
        ).filter(Exists(approved_excuses().filter(timer_id=OuterRef("pk"))))
        .order_by().values("case__grade", "case__team_id")
        .annotate(month_excused=Count("pk"),
                  today_excused=Count("pk", filter=Q(stopped_at__gte=today_start)))
    )
    for excused_group in excused_groups:
        grade = excused_group["case__grade"] or UNGRADED
        team = str(excused_group["case__team_id"]) if excused_group["case__team_id"] \
            else NO_TEAM
        for key in ("today_excused", "month_excused"):
            grade_rates[grade][key] += excused_group[key]
            all_rates[key] += excused_group[key]
            if team in team_rates:
                team_rates[team][key] += excused_group[key]

    rates_by_grade = [
        rate_row(key, label, grade_rates.get(key, {}), grade=key)
        for key, label in grade_rows
        if not filters.grade or filters.grade == key
    ]
    rates_by_team = [
        rate_row(key, team_names[key], team_rates[key], team=key)
        for key in sorted(team_rates, key=lambda k: (k == NO_TEAM, team_names[k], k))
    ]
    rates_total = rate_row("all", _("All"), all_rates)

    # 5. Live timers that have no deadline (a calendar without working time): an alert.
    no_deadline = _timers_scope(user=user).filter(
        filters.case_q("case__"), state=TimerState.RUNNING, due_at__isnull=True,
        breached_at__isnull=True,  # never set without a due instant; lets the sweep's index serve
        case__status__in=Case.OPEN_STATUSES,
    ).count()

    return SlaDashboard(
        now=now, filters=filters, by_grade=by_grade, by_kind=by_kind, totals=totals,
        due_soon=cell(all_counts["due_soon"], due_within=DUE_SOON_MINUTES),
        due_soon_cases=due_soon_cases, breached_cases=breached_cases,
        rates_by_grade=rates_by_grade, rates_by_team=rates_by_team, rates_total=rates_total,
        no_deadline=cell(no_deadline, state=NO_DEADLINE),
    )


# --- the cases behind a figure ---------------------------------------------------------------


def sla_figure_cases(
    *, user: AnyUser, now: dt.datetime, filters: SlaFilters | None = None,
    figure: Figure | None = None,
) -> QuerySet[Case]:
    """The cases behind one figure of `sla_dashboard` (same scope, same filters), soonest
    due first, cases without a due instant last."""
    filters = filters or SlaFilters()
    figure = figure or Figure()
    cases = sla_dashboard_cases_scope(user=user).filter(filters.case_q())
    if figure.resolved:
        start, end = _period_bounds(now, figure.resolved)
        met = CaseTimer.objects.filter(
            case=OuterRef("pk"), kind=TimerKind.RESOLUTION, state=TimerState.MET,
            stopped_at__gte=start, stopped_at__lt=end,
        )
        if figure.on_time == "yes":
            met = met.filter(breached_at__isnull=True)
        elif figure.on_time == "no":
            met = met.filter(breached_at__isnull=False)
        cases = cases.filter(Exists(met))
    else:
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    if figure.state == NO_DEADLINE:
        cases = cases.filter(Exists(CaseTimer.objects.filter(
            case=OuterRef("pk"), state=TimerState.RUNNING, due_at__isnull=True)))
    elif figure.state and figure.state != OPEN:
        cases = cases.filter(_open_state_q(figure.state))
    if figure.due_within is not None:
        cases = cases.filter(sla_due_at__gte=now,
                             sla_due_at__lt=now + dt.timedelta(minutes=figure.due_within))
    return cases.select_related("customer", "assignee", "team").order_by(
        F("sla_due_at").asc(nulls_last=True), "id"
    )


# --- filter choices -------------------------------------------------------------------------


def sla_dashboard_filter_choices(*, user: AnyUser) -> dict[str, list[tuple[str, str]]]:
    """The teams, agents and (for management) departments `user` may filter by."""
    profile = staff_profile_of(user)
    teams = department_scoped(user=user, queryset=Team.objects.all())
    agents = department_scoped(user=user, queryset=StaffProfile.objects.all())
    choices = {
        "team": [(str(pk), name) for pk, name in
                 teams.order_by("name", "pk").values_list("pk", "name")],
        "agent": [(str(user_id), name) for user_id, name in
                  agents.order_by("display_name", "pk").values_list("user_id", "display_name")],
        "department": [],
    }
    if profile is not None and profile.role in MANAGEMENT_ROLES:
        choices["department"] = [
            (str(pk), name)
            for pk, name in Department.objects.order_by("name", "pk").values_list("pk", "name")
        ]
    return choices


REFRESH_SECONDS_MAX = 30


def sla_dashboard_refresh_seconds() -> int:
    """How often the page refreshes its figures: `SLA_DASHBOARD_REFRESH_SECONDS`, between
    1 and 30 seconds (a supervisor never looks at numbers older than half a minute)."""
    return max(1, min(int(settings.SLA_DASHBOARD_REFRESH_SECONDS), REFRESH_SECONDS_MAX))
