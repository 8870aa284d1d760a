"""The complaint clocks as seed 002 writes them (issue 11, item 2): completion in clock hours
on `24x7`, acceptance 1 h on the line's hours, feedback by midnight (C/D) or within 72 h
(A/B) but never after completion, the earlier of a category limit and a grade limit, and
migration 0018 that moves the seeded policies. Fixed clocks: every service call gets `now`.
"""

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.duration import duration_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.calendars import calendar_engine
from servicedesk.models import BusinessCalendar, WorkingPeriod
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.sla.factories import bj, complaint_type_without_limit
from tickets.cases.models import Case
from tickets.cases.services import case_regrade, case_transition
from tickets.sla.models import CaseTimer, SlaEvent, SlaPolicy
from tickets.sla.services import elapsed, timer_plans, timers_reschedule_unscheduled

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
BJ = zoneinfo.ZoneInfo("Asia/Shanghai")
QUALITY, ATTITUDE, LOGISTICS = (
    "complaint-product-quality", "complaint-service-attitude", "complaint-logistics")
MIGRATION = importlib.import_module("tickets.migrations.0019_complaint_clocks_24x7")
SEED = importlib.import_module("tickets.migrations.0009_seed_sla_policies")


def complaint(*, at, grade="C", code=QUALITY, by=None) -> Case:
    if code == LOGISTICS:
        complaint_type_without_limit()
    return case_open_for_test(code=code, grade=grade, now=at, by=by, subject="客户投诉")


def timers(case, *, live_only=False):
    qs = CaseTimer.objects.filter(case=case).select_related("policy", "calendar")
    if live_only:
        qs = qs.filter(state__in=["running", "paused"])
    return {t.kind: t for t in qs.order_by("id")}


# --- the acceptance examples of the issue ---------------------------------------------------


def test_an_a_complaint_filed_at_2124_is_due_for_acceptance_at_2224_and_done_by_0524():
    """Seed 002: A within 8 clock hours (not 10:00 the next morning as on office hours);
    acceptance 1 h while the line is open; the 72 h feedback would fall after completion,
    so feedback is due at completion."""
    t = timers(complaint(at=bj(2026, 11, 23, 21, 24), grade="A"))
    assert t["acceptance"].due_at == bj(2026, 11, 23, 22, 24)
    assert t["acceptance"].calendar.name == "line_0900_2300_7d"
    assert t["resolution"].due_at == bj(2026, 11, 24, 5, 24)
    assert t["resolution"].calendar.name == "24x7"
    assert t["feedback"].due_at <= t["resolution"].due_at
    assert t["feedback"].due_at == bj(2026, 11, 24, 5, 24)


def test_a_c_complaint_filed_at_ten_is_due_for_feedback_at_midnight_and_done_48_h_later():
    """C: feedback by the end of the day of acceptance (24:00 Beijing on `24x7`),
    completion 48 clock hours (a type without a limit of its own: the grade's)."""
    t = timers(complaint(at=bj(2026, 11, 23, 10), grade="C", code=LOGISTICS))
    assert t["feedback"].due_at == bj(2026, 11, 24, 0, 0)
    assert t["feedback"].policy.name == "C 类一般投诉"
    assert t["resolution"].due_at == bj(2026, 11, 25, 10)


def test_a_b_complaint_about_attitude_completes_in_the_categorys_12_hours():
    """服务态度 12 h against B's 24 h: the earlier deadline wins, and the timer records the
    category policy it came from; feedback (B: 72 h) comes no later than completion."""
    t = timers(complaint(at=bj(2026, 11, 23, 9), grade="B", code=ATTITUDE))
    assert (t["resolution"].policy.name, t["resolution"].target) == ("投诉·服务态度", 12 * H)
    assert t["resolution"].due_at == bj(2026, 11, 23, 21)
    assert t["feedback"].due_at == bj(2026, 11, 23, 21)
    # Both give acceptance 1 h on the line: a tie goes to the grade's policy.
    assert t["acceptance"].policy.name == "B 类严重投诉"


def test_an_a_complaint_about_attitude_completes_in_the_grades_8_hours():
    t = timers(complaint(at=bj(2026, 11, 23, 9), grade="A", code=ATTITUDE))
    assert (t["resolution"].policy.name, t["resolution"].target) == ("A 类重大投诉", 8 * H)
    assert t["resolution"].due_at == bj(2026, 11, 23, 17)


def test_acceptance_at_2250_runs_across_the_closed_line_into_the_next_morning():
    """The line is open 09:00–23:00: 10 minutes that evening, 50 from 09:00."""
    acceptance = timers(complaint(at=bj(2026, 11, 23, 22, 50), grade="B"))["acceptance"]
    assert acceptance.due_at == bj(2026, 11, 24, 9, 50)
    assert elapsed(acceptance, bj(2026, 11, 24, 8, 0)) == 10 * M
    assert elapsed(acceptance, bj(2026, 11, 24, 9, 50)) == H


def test_regrading_c_to_a_keeps_the_start_and_the_hours_used():
    """C opened 09:00 and accepted 09:20; re-graded A at 12:00 (3 clock hours used): A's
    8 h leave 5, so due 17:00; the met acceptance clock stays met; feedback follows."""
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="C", code=LOGISTICS, by=agent)
    case = case_transition(case=case, to_status=Case.Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 9, 20))
    accepted = timers(case)["acceptance"]
    case = case_regrade(case=case, by=agent, expected_version=case.version, grade="A",
                       reason="客户情绪极度强烈", now=bj(2026, 11, 23, 12))
    live = timers(case, live_only=True)
    assert set(live) == {"feedback", "resolution"}
    resolution = live["resolution"]
    assert resolution.started_at == bj(2026, 11, 23, 9)
    assert elapsed(resolution, bj(2026, 11, 23, 12)) == 3 * H
    assert resolution.due_at == bj(2026, 11, 23, 17)
    assert live["feedback"].due_at == bj(2026, 11, 23, 17)
    assert CaseTimer.objects.get(pk=accepted.pk).state == "met"


def test_a_regrade_replaces_only_the_clocks_whose_plan_changes():
    """服务态度 B → C: completion stays the category's 12 h and feedback stays due with
    it (B's 72 h and C's midnight both fall later), so those clocks run on untouched; only
    acceptance moves from B's policy to C's (same hour on the line), and only it is on the
    timeline."""
    from tickets.cases.models import CaseEvent

    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="B", code=ATTITUDE, by=agent)
    before = timers(case)
    case = case_regrade(case=case, by=agent, expected_version=case.version, grade="C",
                       reason="复核后降级", now=bj(2026, 11, 23, 10))
    after = timers(case, live_only=True)
    assert after["resolution"].pk == before["resolution"].pk
    assert after["feedback"].pk == before["feedback"].pk
    assert after["acceptance"].pk != before["acceptance"].pk
    assert after["acceptance"].policy.name == "C 类一般投诉"
    assert after["acceptance"].due_at == bj(2026, 11, 23, 10)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.SLA)
    assert [d["kind"] for d in event.data["deadlines"]] == ["acceptance"]


# --- who competes for which clock -------------------------------------------------------------


def test_a_category_policy_without_a_feedback_rule_leaves_feedback_to_the_grade():
    """产品质量 sets completion (24 h before C's 48 h) but has no feedback rule: C's
    midnight feedback applies."""
    t = timers(complaint(at=bj(2026, 11, 23, 10), grade="C", code=QUALITY))
    assert t["resolution"].policy.name == "投诉·产品质量"
    assert t["resolution"].due_at == bj(2026, 11, 24, 10)
    assert t["feedback"].policy.name == "C 类一般投诉"
    assert t["feedback"].due_at == bj(2026, 11, 24, 0, 0)


def test_an_ungraded_complaint_of_a_category_gets_feedback_from_the_default_policy():
    """No grade and a category policy without feedback: no grade or category policy sets
    feedback, so the kind's default does (same day); completion is the category's."""
    plans = timer_plans(kind="complaint", category=category(QUALITY), grade="",
                        start=bj(2026, 11, 23, 10))
    assert plans["resolution"].policy.name == "投诉·产品质量"
    assert plans["feedback"].policy.name == "投诉（未定级）"
    assert plans["feedback"].target == 14 * H


@pytest.mark.parametrize(("grade", "policy"), [("A", "A 类重大投诉"), ("", "投诉（未定级）")])
def test_the_default_complaint_policy_applies_only_without_grade_and_category_policies(
        grade, policy):
    """A type without a limit of its own: a graded complaint follows its grade alone (the
    default's 48 h does not compete with A's 8 h); an ungraded one the default."""
    plans = timer_plans(kind="complaint", category=complaint_type_without_limit(),
                        grade=grade, start=bj(2026, 11, 23, 10))
    assert {kind: plan.policy.name for kind, plan in plans.items()} == {
        "acceptance": policy, "feedback": policy, "resolution": policy}


def test_a_category_limit_on_office_hours_competes_by_its_deadline_not_its_length():
    """A center moved 服务态度 to office hours: 12 business hours from Fri 17:00 end Tue
    11:00, later than B's 24 clock hours (Sat 17:00): the grade's deadline wins."""
    SlaPolicy.objects.filter(name="投诉·服务态度").update(
        calendar=BusinessCalendar.objects.get(name="work_0900_1800_cn"))
    t = timers(complaint(at=bj(2026, 11, 20, 17), grade="B", code=ATTITUDE))
    assert t["resolution"].policy.name == "B 类严重投诉"
    assert t["resolution"].due_at == bj(2026, 11, 21, 17)


def test_feedback_is_never_due_after_resolution_for_other_kinds_too():
    """A suggestion policy with 8 business hours to resolve (Mon 10:00 → 18:00) and
    feedback by the third working day (Thu 18:00): feedback takes resolution's deadline."""
    SlaPolicy.objects.filter(name="建议（默认）").update(resolution_target=8 * H)
    case = case_open_for_test(code="suggestion-feedback", now=bj(2026, 11, 23, 10),
                              subject="建议")
    t = timers(case)
    assert t["resolution"].due_at == bj(2026, 11, 23, 18)
    assert t["feedback"].due_at == bj(2026, 11, 23, 18)
    assert (t["feedback"].policy_id, t["feedback"].target) == (
        t["resolution"].policy_id, t["resolution"].target)


# --- the property -------------------------------------------------------------------------------

GRADE_HOURS = {"A": 8 * H, "B": 24 * H, "C": 48 * H, "D": 48 * H}
CATEGORY_HOURS = {QUALITY: 24 * H, ATTITUDE: 12 * H, LOGISTICS: None}
FEEDBACK_72H = {"A", "B"}


def _midnight_after(start: dt.datetime) -> dt.datetime:
    day = start.astimezone(BJ).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=BJ)


def _line_hour_after(start: dt.datetime) -> dt.datetime:
    """1 h of line time (09:00–23:00 every day), worked out by hand."""
    local = start.astimezone(BJ)
    opening = local.replace(hour=9, minute=0, second=0, microsecond=0)
    closing = local.replace(hour=23, minute=0, second=0, microsecond=0)
    if local < opening:
        return opening + H
    if local < closing:
        left = closing - local
        if left >= H:
            return local + H
        return opening + dt.timedelta(days=1) + (H - left)
    return opening + dt.timedelta(days=1) + H


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(
        min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(BJ),
    ),
    grade=st.sampled_from(["A", "B", "C", "D", ""]),
    code=st.sampled_from([QUALITY, ATTITUDE, LOGISTICS]),
)
def test_feedback_never_after_resolution_and_each_due_the_earliest_competitor(
        start, grade, code):
    """For any start instant, grade and type: each clock is due at the earliest of the
    competing limits (the grade's and the type's, or the default's when neither applies),
    computed here from seed 002's table by hand; feedback is never due after resolution."""
    if code == LOGISTICS:
        complaint_type_without_limit()
    plans = timer_plans(kind="complaint", category=category(code), grade=grade, start=start)
    due = {kind: calendar_engine(plan.calendar.name).add(start, plan.target)
           for kind, plan in plans.items()}
    assert set(due) == {"acceptance", "feedback", "resolution"}
    assert due["feedback"] <= due["resolution"]

    resolution_limits = [GRADE_HOURS[grade]] if grade else []
    if CATEGORY_HOURS[code]:
        resolution_limits.append(CATEGORY_HOURS[code])
    resolution_due = start + min(resolution_limits or [48 * H])
    feedback_due = start + 72 * H if grade in FEEDBACK_72H else _midnight_after(start)
    assert due["resolution"] == resolution_due
    assert due["feedback"] == min(feedback_due, resolution_due)
    assert due["acceptance"] == _line_hour_after(start)


# --- calendars per clock --------------------------------------------------------------------------


def test_rescheduling_an_unscheduled_clock_uses_the_calendar_of_that_clock():
    """A's acceptance moved to a calendar without working time: its clock has no deadline
    (and says so) while completion runs on `24x7`. Once the calendar opens 07:00–08:00, the
    reschedule counts on it, not on the policy's `24x7` (which would give 11:00)."""
    closed = BusinessCalendar.objects.create(name="early", label="早班")
    SlaPolicy.objects.filter(name="A 类重大投诉").update(acceptance_calendar=closed)
    case = complaint(at=bj(2026, 11, 23, 10), grade="A", code=LOGISTICS)
    t = timers(case)
    assert t["acceptance"].due_at is None and t["acceptance"].calendar_id == closed.pk
    assert SlaEvent.objects.filter(timer=t["acceptance"], kind="no_deadline").exists()
    assert t["resolution"].due_at == bj(2026, 11, 23, 18)
    for weekday in range(7):
        WorkingPeriod.objects.create(calendar=closed, weekday=weekday,
                                     start=dt.time(7), end=dt.time(8))
    assert timers_reschedule_unscheduled(now=bj(2026, 11, 23, 10, 5)) == {case.pk}
    assert timers(case)["acceptance"].due_at == bj(2026, 11, 24, 8)
    assert timers(case)["resolution"].due_at == bj(2026, 11, 23, 18)


def test_an_acceptance_calendar_needs_an_acceptance_target_and_working_time():
    empty = BusinessCalendar.objects.create(name="never", label="无工作时间")
    policy = SlaPolicy(name="只有完成时限", kind="complaint", grade="",
                       calendar=BusinessCalendar.objects.get(name="24x7"),
                       acceptance_calendar=empty, resolution_target=48 * H)
    with pytest.raises(ValidationError) as err:
        policy.full_clean(validate_constraints=False)
    messages = err.value.message_dict["acceptance_calendar"]
    assert len(messages) == 2 and "60" in messages[1]


def test_a_center_switches_a_complaint_policy_to_office_hours_in_the_admin(client):
    """The admin form (with the acceptance-calendar assumption in its help text) moves
    grade C to office hours with the holidays: a C complaint opened on the eve of National
    Day completes on 14 October; its acceptance still runs on the line."""
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.cn", "x"))
    policy = SlaPolicy.objects.get(name="C 类一般投诉")
    url = reverse("admin:tickets_slapolicy_change", args=[policy.pk])
    page = client.get(url)
    # the site speaks Chinese first: "on the assumption that the center accepts complaints
    # while its line is open"
    assert "假定客服中心在热线开通期间受理投诉" in page.content.decode()
    office = BusinessCalendar.objects.get(name="work_0900_1800_cn")
    response = client.post(url, {
        "name": policy.name, "active": "on", "kind": "complaint", "category": "",
        "grade": "C", "calendar": office.pk, "acceptance_calendar": policy.acceptance_calendar_id,
        "acceptance_target": duration_string(policy.acceptance_target),
        "feedback_target": "", "feedback_working_days": "0",
        "resolution_target": duration_string(policy.resolution_target),
        "warn_percent": "75", "warn_before": "00:30:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    t = timers(complaint(at=bj(2026, 9, 30, 17), grade="C", code=LOGISTICS))
    assert t["resolution"].due_at == bj(2026, 10, 14, 11)
    assert t["resolution"].calendar == office
    assert t["acceptance"].due_at == bj(2026, 9, 30, 18)
    assert t["acceptance"].calendar.name == "line_0900_2300_7d"


# --- migration 0018 ---------------------------------------------------------------------------

CLOCK_HOURS = {  # name: (calendar, acceptance calendar, acceptance, feedback, feedback days,
    #                    resolution) after 0018
    "投诉（未定级）": ("24x7", "line_0900_2300_7d", H, None, 0, 48 * H),
    "投诉·产品质量": ("24x7", "line_0900_2300_7d", H, None, None, 24 * H),
    "投诉·服务态度": ("24x7", "line_0900_2300_7d", H, None, None, 12 * H),
    "A 类重大投诉": ("24x7", "line_0900_2300_7d", H, 72 * H, None, 8 * H),
    "B 类严重投诉": ("24x7", "line_0900_2300_7d", H, 72 * H, None, 24 * H),
    "C 类一般投诉": ("24x7", "line_0900_2300_7d", H, None, 0, 48 * H),
    "D 类告诫": ("24x7", "line_0900_2300_7d", H, None, 0, 48 * H),
}


def _complaint_policies() -> dict:
    return {
        p.name: (p.calendar.name, p.acceptance_calendar.name if p.acceptance_calendar else None,
                 p.acceptance_target, p.feedback_target, p.feedback_working_days,
                 p.resolution_target)
        for p in SlaPolicy.objects.filter(kind="complaint").select_related(
            "calendar", "acceptance_calendar")
    }


def _as_seeded_by_0009() -> dict:
    return {name: (calendar, None, acc, fb, fb_days, res)
            for name, kind, _, _, calendar, acc, fb, fb_days, res in SEED.POLICIES
            if kind == "complaint"}


def test_the_migrations_leave_the_complaint_policies_on_clock_hours():
    assert _complaint_policies() == CLOCK_HOURS


def test_migration_0019_reverses_to_the_seeded_office_hours_and_forward_again():
    MIGRATION.complaint_clocks_to_office_hours(apps, None)
    assert _complaint_policies() == _as_seeded_by_0009()
    MIGRATION.complaint_clocks_to_24x7(apps, None)
    assert _complaint_policies() == CLOCK_HOURS


def test_migration_0019_keeps_the_policies_an_installation_edited():
    """Back to the seeded values, then an installation gives B 20 h and moves 服务态度 to
    its line: forward, those two rows stay as they were edited; the rest move."""
    MIGRATION.complaint_clocks_to_office_hours(apps, None)
    SlaPolicy.objects.filter(name="B 类严重投诉").update(resolution_target=20 * H)
    SlaPolicy.objects.filter(name="投诉·服务态度").update(
        calendar=BusinessCalendar.objects.get(name="line_0900_2300_7d"))
    MIGRATION.complaint_clocks_to_24x7(apps, None)
    policies = _complaint_policies()
    seeded = _as_seeded_by_0009()
    assert policies["B 类严重投诉"] == seeded["B 类严重投诉"][:5] + (20 * H,)
    assert policies["投诉·服务态度"] == ("line_0900_2300_7d",) + seeded["投诉·服务态度"][1:]
    kept = {"B 类严重投诉", "投诉·服务态度"}
    assert {n: v for n, v in policies.items() if n not in kept} == {
        n: v for n, v in CLOCK_HOURS.items() if n not in kept}
    # and reversing leaves the edited rows alone too
    MIGRATION.complaint_clocks_to_office_hours(apps, None)
    assert _complaint_policies()["B 类严重投诉"] == policies["B 类严重投诉"]
