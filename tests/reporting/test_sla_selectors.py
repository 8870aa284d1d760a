"""The SLA dashboard's figures (issue 5, item 5) on a small fixed scenario, as of Monday
23 November 2026 11:00 Beijing time: counts per grade, kind and SLA state, what is due
within the hour, how late the breached cases are, exact on-time rates, the no-deadline
alert, scope by department, filters, and a fixed number of queries at any size."""

import datetime as dt
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model

from reporting.sla_selectors import SlaFilters, sla_dashboard
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.reporting.scenario import NOW, build
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import bj
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return build()


def states(row):
    return {code: cell.count for code, cell in row.states.items()} | {"total": row.total.count}


def by_key(rows):
    return {row.key: row for row in rows}


def test_open_cases_are_counted_per_grade_and_state(s):
    board = sla_dashboard(user=s.supervisor, now=NOW)
    grades = by_key(board.by_grade)
    assert states(grades["A"]) == {"on_track": 0, "warned": 1, "breached": 1, "paused": 0,
                                   "none": 0, "total": 2}
    assert states(grades["B"]) == {"on_track": 1, "warned": 0, "breached": 0, "paused": 0,
                                   "none": 0, "total": 1}
    assert states(grades["C"])["paused"] == 1
    assert states(grades["D"])["total"] == 0
    # urgent u1 (breached), consultation k1 and suggestion s1 (on track)
    assert states(grades["ungraded"]) == {"on_track": 2, "warned": 0, "breached": 1,
                                          "paused": 0, "none": 0, "total": 3}
    assert states(board.totals) == {"on_track": 3, "warned": 1, "breached": 2, "paused": 1,
                                    "none": 0, "total": 7}


def test_open_cases_are_counted_per_kind_and_state(s):
    kinds = by_key(sla_dashboard(user=s.supervisor, now=NOW).by_kind)
    assert states(kinds["complaint"]) == {"on_track": 1, "warned": 1, "breached": 1,
                                          "paused": 1, "none": 0, "total": 4}
    assert states(kinds["urgent"])["breached"] == 1
    assert states(kinds["consultation"])["on_track"] == 1
    assert states(kinds["suggestion"])["on_track"] == 1


def test_due_within_the_hour_lists_the_soonest_first(s):
    board = sla_dashboard(user=s.supervisor, now=NOW)
    assert board.due_soon.count == 3
    assert [c.pk for c in board.due_soon_cases] == [
        s.cases["k1"].pk, s.cases["a2"].pk, s.cases["b1"].pk  # 11:03, 11:30, 11:45
    ]
    assert board.due_soon.params == {"due_within": "60"}


def test_breached_cases_come_longest_overdue_first_with_how_late(s):
    board = sla_dashboard(user=s.supervisor, now=NOW)
    assert [(row.case.pk, row.late) for row in board.breached_cases] == [
        (s.cases["a1"].pk, dt.timedelta(hours=1)),  # acceptance due 10:00
        (s.cases["u1"].pk, dt.timedelta(minutes=58)),  # acceptance due 10:02
    ]
    assert board.breached_cases[0].breached_since == bj(2026, 11, 23, 10)


def test_the_breached_list_is_limited(s):
    assert len(sla_dashboard(user=s.supervisor, now=NOW, limit=1).breached_cases) == 1


def test_on_time_rates_are_exact_fractions_per_grade_team_and_overall(s):
    board = sla_dashboard(user=s.supervisor, now=NOW)
    total = board.rates_total
    # today: r1 on time, r2 late; this month also r3 on time; r4 (October) not counted
    assert (total.today.on_time.count, total.today.total.count) == (1, 2)
    assert total.today.fraction == Fraction(1, 2) and total.today.percent == "50.0%"
    assert total.month.fraction == Fraction(2, 3) and total.month.percent == "66.7%"

    grades = by_key(board.rates_by_grade)
    assert grades["A"].month.fraction == Fraction(0) and grades["A"].month.total.count == 1
    assert grades["ungraded"].today.fraction == Fraction(1)
    assert grades["ungraded"].month.fraction == Fraction(2, 2)
    assert grades["B"].month.fraction is None and grades["B"].month.percent == "—"

    teams = by_key(board.rates_by_team)
    assert list(teams) == [str(s.t1.pk), str(s.t2.pk), "none"]
    assert teams[str(s.t1.pk)].today.fraction == Fraction(1)
    assert teams[str(s.t2.pk)].today.fraction == Fraction(0)
    assert teams["none"].today.total.count == 0 and teams["none"].month.fraction == 1


def test_a_rate_exactly_on_a_boundary_is_not_rounded_away():
    from reporting.sla_selectors import Cell, Rate

    assert Rate(on_time=Cell(1999), total=Cell(2000)).percent == "100.0%"  # 99.95 → 100.0
    assert Rate(on_time=Cell(1998), total=Cell(2000)).percent == "99.9%"
    assert Rate(on_time=Cell(1), total=Cell(3)).fraction == Fraction(1, 3)


def test_live_timers_without_a_deadline_raise_an_alert(s):
    board = sla_dashboard(user=s.supervisor, now=NOW)
    assert board.no_deadline.count == 1  # s1, on a calendar without working time
    assert board.no_deadline.params == {"state": "no_deadline"}


def test_a_supervisor_sees_only_the_figures_of_their_department(s):
    other = sla_dashboard(user=s.other_supervisor, now=NOW)
    assert states(other.totals)["total"] == 1
    assert states(by_key(other.by_grade)["A"])["breached"] == 1
    assert [row.case.pk for row in other.breached_cases] == [s.cases["y1"].pk]
    assert (other.rates_total.today.on_time.count, other.rates_total.today.total.count) == (1, 1)
    assert other.no_deadline.count == 0 and other.due_soon.count == 0


def test_a_department_filter_cannot_widen_a_supervisors_scope(s):
    board = sla_dashboard(user=s.supervisor, now=NOW, filters=SlaFilters(department=s.y.pk))
    assert board.totals.total.count == 0 and board.rates_total.month.total.count == 0


def test_management_sees_every_department_and_may_pick_one(s):
    board = sla_dashboard(user=s.manager, now=NOW)
    assert states(board.totals)["total"] == 8
    assert states(by_key(board.by_grade)["A"])["breached"] == 2
    assert board.rates_total.today.fraction == Fraction(2, 3)
    only_y = sla_dashboard(user=s.manager, now=NOW, filters=SlaFilters(department=s.y.pk))
    assert only_y.totals.total.count == 1
    assert only_y.totals.total.params == {"department": str(s.y.pk), "state": "open"}


def test_agents_and_people_without_a_profile_see_nothing(s):
    agent_board = sla_dashboard(user=s.agent, now=NOW)  # the pages refuse them anyway
    assert agent_board.totals.total.count == 7  # the rule of cases: their department
    nobody = get_user_model().objects.create_user("nobody")
    assert sla_dashboard(user=nobody, now=NOW).totals.total.count == 0


@pytest.mark.parametrize(
    ("filters", "total", "breached", "month"),
    [
        (lambda s: SlaFilters(team=str(s.t1.pk)), 1, 1, (1, 1)),
        (lambda s: SlaFilters(team="none"), 5, 1, (1, 1)),
        (lambda s: SlaFilters(kind="urgent"), 1, 1, (2, 2)),
        (lambda s: SlaFilters(grade="A"), 2, 1, (0, 1)),
        (lambda s: SlaFilters(grade="ungraded"), 3, 1, (2, 2)),
        (lambda s: SlaFilters(agent=s.agent.pk), 7, 2, (2, 3)),
        (lambda s: SlaFilters(agent=s.supervisor.pk), 0, 0, (0, 0)),
        (lambda s: SlaFilters(kind="complaint", grade="A", team=str(s.t2.pk)), 1, 0, (0, 1)),
    ],
)
def test_filters_narrow_every_figure(s, filters, total, breached, month):
    board = sla_dashboard(user=s.supervisor, now=NOW, filters=filters(s))
    assert board.totals.total.count == total
    assert board.totals.states["breached"].count == breached
    assert len(board.breached_cases) == breached
    rate = board.rates_total.month
    assert (rate.on_time.count, rate.total.count) == month


def test_a_grade_or_kind_filter_keeps_only_its_row(s):
    board = sla_dashboard(user=s.supervisor, now=NOW, filters=SlaFilters(grade="B",
                                                                        kind="complaint"))
    assert [row.key for row in board.by_grade] == ["B"]
    assert [row.key for row in board.by_kind] == ["complaint"]
    assert board.by_grade[0].states["on_track"].params == {
        "kind": "complaint", "grade": "B", "state": "on_track"
    }


@pytest.mark.parametrize("n", [1, 12])
def test_the_dashboard_takes_seven_queries_whatever_the_number_of_cases(
    n, django_assert_num_queries
):
    s = build()
    grades = ["A", "B", "C", "D"]
    for i in range(n):
        case_open_for_test(code="complaint-product-quality", grade=grades[i % 4], by=s.agent,
                           assignee=s.agent, department=s.x, team=[s.t1, s.t2, None][i % 3],
                           now=bj(2026, 11, 23, 9, i))
        case_open_for_test(code="urgent-system-failure", by=s.agent, department=s.x,
                           now=bj(2026, 11, 23, 10, 30 + i))
    sla_sweep(now=NOW, deliver=False)
    StaffFactory(role=Role.MANAGER)
    for who in (s.supervisor, s.manager):
        user = get_user_model().objects.get(pk=who.pk)  # staff profile not loaded yet
        with django_assert_num_queries(7):
            board = sla_dashboard(user=user, now=NOW)
        assert board.totals.total.count >= 7 + 2 * n
