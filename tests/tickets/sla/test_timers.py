"""SLA timers on the business calendar (issue 5): which policy sets each clock, due instants
on the calendar, pauses, grade and category changes, met/late states. Fixed clocks
throughout: every service call gets `now`. Complaint clocks follow seed 002 since issue 11
(clock hours on `24x7`, acceptance on the line's hours; tests/tickets/sla/
test_complaint_clocks.py has the rules of that issue)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from servicedesk.models import BusinessCalendar
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.sla.factories import bj, complaint_type_without_limit
from tickets.cases.models import Case, CaseEvent, SlaState
from tickets.cases.services import (
    case_feedback_record,
    case_regrade,
    case_transition,
    case_update,
)
from tickets.sla.models import CaseTimer, SlaEvent, SlaPolicy
from tickets.sla.services import elapsed, timer_plans, timers_start

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
Status = Case.Status


def timers(case, state=None):
    qs = CaseTimer.objects.filter(case=case)
    if state:
        qs = qs.filter(state=state)
    return {t.kind: t for t in qs.order_by("id")}


def live(case):
    return {k: t for k, t in timers(case).items() if t.state in ("running", "paused")}


def complaint(*, at, grade="C", code="complaint-product-quality", by=None):
    if code == "complaint-logistics":
        complaint_type_without_limit()
    return case_open_for_test(code=code, grade=grade, now=at, by=by)


# --- which policy ------------------------------------------------------------------------


def test_a_graded_complaint_takes_its_grade_limit_when_it_ends_before_the_category_limit():
    """产品质量 allows 24 h, grade A 8 h: the grade's earlier deadline wins."""
    plans = timer_plans(kind="complaint", category=category("complaint-product-quality"),
                        grade="A", start=bj(2026, 11, 23, 9))
    resolution = plans["resolution"]
    assert (resolution.policy.grade, resolution.target) == ("A", 8 * H)


def test_an_ungraded_complaint_follows_its_category_limit():
    plans = timer_plans(kind="complaint", category=category("complaint-service-attitude"),
                        start=bj(2026, 11, 23, 9))
    assert plans["resolution"].target == 12 * H


def test_a_category_without_a_policy_of_its_own_falls_back_to_the_kind():
    from tickets.cases.models import CaseCategory

    parent = category("consultation")
    leaf = CaseCategory.objects.create(parent=parent, kind="consultation", name="售后政策",
                                       code="consultation-after-sales")
    at = bj(2026, 11, 23, 10)
    assert timer_plans(kind="consultation", category=leaf, start=at)[
        "resolution"].policy.name == "咨询（默认）"
    assert timer_plans(kind="consultation", category=category("consultation-logistics-query"),
                       start=at)["resolution"].target == dt.timedelta(minutes=3)


# --- due instants on the calendar ---------------------------------------------------------


def test_a_complaint_policy_switched_to_office_hours_skips_the_holiday_week():
    """A center switched grade C to office hours with the holidays (acceptance too). Opened
    Wed 30 Sep 2026 17:00: 1 h that evening, then 8, 9, 10 (adjusted working Saturday), 12
    and 13 October at 9 h each = 46 h; the 48th hour ends at 11:00 on 14 October.
    Acceptance (1 h) and same-day feedback end at 18:00."""
    SlaPolicy.objects.filter(name="C 类一般投诉").update(
        calendar=BusinessCalendar.objects.get(name="work_0900_1800_cn"),
        acceptance_calendar=None)
    case = complaint(at=bj(2026, 9, 30, 17), grade="C", code="complaint-logistics")
    t = timers(case)
    assert t["resolution"].due_at == bj(2026, 10, 14, 11)
    assert t["acceptance"].due_at == bj(2026, 9, 30, 18)
    assert t["feedback"].due_at == bj(2026, 9, 30, 18)
    assert case.sla_state == SlaState.ON_TRACK
    assert case.sla_due_at == bj(2026, 9, 30, 18)


def test_the_warning_comes_at_75_percent_or_30_minutes_before_whichever_is_first():
    case = complaint(at=bj(2026, 11, 23, 9), grade="A")
    resolution = timers(case)["resolution"]  # 8 h: 75 % = 6 h < 7.5 h
    assert resolution.warn_at == bj(2026, 11, 23, 15)
    acceptance = timers(case)["acceptance"]  # 1 h: 30 min before (30 min) < 45 min
    assert acceptance.warn_at == bj(2026, 11, 23, 9, 30)


def test_a_five_minute_consultation_warns_at_75_percent_not_at_its_start():
    case = case_open_for_test(now=bj(2026, 11, 23, 10))
    resolution = timers(case)["resolution"]
    assert resolution.due_at == bj(2026, 11, 23, 10, 5)
    assert resolution.warn_at == bj(2026, 11, 23, 10, 3, 45)


def test_a_case_paused_over_the_weekend_resumes_with_its_remaining_business_time():
    """Fri 20 Nov 10:00, grade C on office hours (a center's choice: 48 business hours).
    Accepted 10:30; waiting for the customer from 16:00 (6 h used) to Mon 10:00; the 3
    business hours of the pause (Fri 16–18, Mon 9–10) push the due instant from Fri 27 Nov
    13:00 to 16:00."""
    SlaPolicy.objects.filter(name="C 类一般投诉").update(
        calendar=BusinessCalendar.objects.get(name="work_0900_1800_cn"))
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 20, 10), grade="C", by=agent, code="complaint-logistics")
    assert timers(case)["resolution"].due_at == bj(2026, 11, 27, 13)
    case = case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 20, 10, 30))
    case = case_transition(case=case, to_status=Status.WAITING_CUSTOMER, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 20, 16))
    paused = timers(case)["resolution"]
    assert paused.state == "paused"
    assert case.sla_state == SlaState.PAUSED
    assert elapsed(paused, bj(2026, 11, 23, 9, 30)) == 6 * H  # the clock stood still
    case = case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 10))
    resumed = timers(case)["resolution"]
    assert resumed.state == "running"
    assert resumed.paused_business == 3 * H
    assert resumed.due_at == bj(2026, 11, 27, 16)
    assert elapsed(resumed, bj(2026, 11, 23, 11)) == 7 * H


def test_a_complaint_paused_on_clock_hours_resumes_with_its_remaining_hours():
    """Fri 20 Nov 10:00, grade C in clock hours (48 h: due Sun 22 Nov 10:00). Waiting for
    the customer from 16:00 (6 h used) to Sat 10:00: the 18 h of the pause push the due
    instant to Mon 23 Nov 04:00."""
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 20, 10), grade="C", by=agent, code="complaint-logistics")
    assert timers(case)["resolution"].due_at == bj(2026, 11, 22, 10)
    case = case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 20, 10, 30))
    case = case_transition(case=case, to_status=Status.WAITING_CUSTOMER, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 20, 16))
    assert elapsed(timers(case)["resolution"], bj(2026, 11, 21, 9)) == 6 * H
    case = case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 21, 10))
    resumed = timers(case)["resolution"]
    assert resumed.paused_business == 18 * H
    assert resumed.due_at == bj(2026, 11, 23, 4)
    assert elapsed(resumed, bj(2026, 11, 21, 11)) == 7 * H


def test_a_grade_change_from_c_to_a_keeps_the_time_used_and_goes_on_the_timeline():
    """Opened Mon 09:00 as C (due Wed 09:00: 48 h); re-graded A at 14:00 (5 h used): A
    allows 8 h, so the new due is 17:00 the same day; feedback moves from midnight to A's
    three days, which would be after completion: so 17:00 as well."""
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="C", by=agent, code="complaint-logistics")
    old_due = timers(case)["resolution"].due_at
    assert old_due == bj(2026, 11, 25, 9)
    case = case_regrade(case=case, by=agent, expected_version=case.version, grade="A",
                       reason="客户情绪极其激动", now=bj(2026, 11, 23, 14))
    current = live(case)
    assert current["resolution"].due_at == bj(2026, 11, 23, 17)
    assert current["resolution"].policy.grade == "A"
    assert elapsed(current["resolution"], bj(2026, 11, 23, 14)) == 5 * H
    assert current["feedback"].due_at == bj(2026, 11, 23, 17)
    assert CaseTimer.objects.filter(case=case, state="cancelled").count() == 3
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.SLA)
    resolution_change = next(d for d in event.data["deadlines"] if d["kind"] == "resolution")
    assert resolution_change["old_due"] == old_due.isoformat()
    assert dt.datetime.fromisoformat(resolution_change["new_due"]) == bj(2026, 11, 23, 17)
    assert event.reason == "客户情绪极其激动"


def test_a_regrade_that_makes_the_case_overdue_is_due_in_the_past_at_its_true_instant():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="C", by=agent, code="complaint-logistics")
    case = case_regrade(case=case, by=agent, expected_version=case.version, grade="A",
                       reason="升级", now=bj(2026, 11, 23, 19))  # 10 h used, A allows 8
    assert live(case)["resolution"].due_at == bj(2026, 11, 23, 17)


def test_a_category_change_of_an_ungraded_complaint_changes_its_limit():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="", by=agent)
    assert timers(case)["resolution"].target == 24 * H
    case = case_update(case=case, by=agent, expected_version=case.version,
                       category=category("complaint-service-attitude"),
                       now=bj(2026, 11, 23, 10))
    assert live(case)["resolution"].target == 12 * H
    assert live(case)["resolution"].due_at == bj(2026, 11, 23, 21)


def test_an_edit_that_changes_neither_grade_nor_category_leaves_the_timers_alone():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), by=agent)
    before = set(CaseTimer.objects.filter(case=case).values_list("pk", flat=True))
    case_update(case=case, by=agent, expected_version=case.version, subject="新的标题",
                now=bj(2026, 11, 23, 10))
    assert set(CaseTimer.objects.filter(case=case).values_list("pk", flat=True)) == before


# --- meeting targets ----------------------------------------------------------------------


def test_leaving_new_meets_acceptance_and_late_acceptance_counts_started_days():
    """Acceptance due Mon 10:00 (1 h on the line's hours); accepted Tue 09:00 (23 h late)
    → 1 day; the breach the sweep never saw is recorded at its true instant."""
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), by=agent)
    case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                    expected_version=case.version, now=bj(2026, 11, 24, 9))
    acceptance = timers(case)["acceptance"]
    assert acceptance.state == "met"
    assert acceptance.days_late == 1
    assert acceptance.breached_at == bj(2026, 11, 23, 10)
    assert SlaEvent.objects.get(timer=acceptance, kind="breached").at == bj(2026, 11, 23, 10)


def test_accepting_three_days_late_and_a_minute_counts_four_days():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), by=agent)
    case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                    expected_version=case.version, now=bj(2026, 11, 26, 10, 1))
    assert timers(case)["acceptance"].days_late == 4


def test_an_accepted_on_time_case_is_zero_days_late():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), by=agent)
    case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                    expected_version=case.version, now=bj(2026, 11, 23, 9, 20))
    assert timers(case)["acceptance"].days_late == 0
    assert timers(case)["acceptance"].late is False


def test_telling_the_customer_meets_the_feedback_timer():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), by=agent)
    case = case_feedback_record(case=case, by=agent, note="已告知处理部门与联系人",
                                expected_version=case.version, now=bj(2026, 11, 23, 11))
    assert timers(case)["feedback"].state == "met"
    assert CaseEvent.objects.filter(case=case, kind="feedback").count() == 1
    with pytest.raises(ValidationError) as err:
        case_feedback_record(case=case, by=agent, note=" ", expected_version=case.version)
    assert "note" in err.value.message_dict


def test_resolving_meets_resolution_and_a_late_resolution_is_met_late():
    agent = StaffFactory().user
    case = case_open_for_test(by=agent, now=bj(2026, 11, 23, 10))  # 5 min consultation
    case = case_transition(case=case, to_status=Status.RESOLVED, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 10, 7))
    resolution = timers(case)["resolution"]
    assert resolution.state == "met" and resolution.late
    assert case.sla_state == SlaState.MET_LATE
    assert case.sla_due_at is None


def test_a_reopened_case_gets_a_new_resolution_clock():
    agent = StaffFactory().user
    case = case_open_for_test(by=agent, now=bj(2026, 11, 23, 10))
    case = case_transition(case=case, to_status=Status.RESOLVED, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 10, 2))
    assert case.sla_state == SlaState.MET
    case = case_transition(case=case, to_status=Status.IN_PROGRESS, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 12))
    assert live(case)["resolution"].due_at == bj(2026, 11, 23, 12, 5)
    assert CaseTimer.objects.filter(case=case, kind="resolution").count() == 2
    assert case.sla_state == SlaState.ON_TRACK


# --- policies and calendars without working time -------------------------------------------


def test_a_policy_on_a_calendar_without_working_time_is_refused():
    empty = BusinessCalendar.objects.create(name="never", label="无工作时间")
    policy = SlaPolicy(name="坏策略", kind="urgent", calendar=empty,
                       resolution_target=10 * dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as err:
        policy.full_clean()
    assert "calendar" in err.value.message_dict
    assert "60" in err.value.message_dict["calendar"][0]


def test_a_policy_needs_a_target_and_a_category_of_its_kind():
    calendar = BusinessCalendar.objects.get(name="24x7")
    policy = SlaPolicy(name="空", kind="urgent", calendar=calendar,
                       category=category("complaint-product-quality"))
    with pytest.raises(ValidationError) as err:
        policy.full_clean()
    assert {"resolution_target", "category"} <= set(err.value.message_dict)


def test_a_timer_that_meets_a_calendar_gap_raises_an_alert_instead_of_a_silent_gap():
    empty = BusinessCalendar.objects.create(name="closed", label="停业")
    SlaPolicy.objects.filter(kind="urgent").update(active=False)
    SlaPolicy.objects.create(name="停业策略", kind="urgent", calendar=empty,
                             resolution_target=10 * dt.timedelta(minutes=1))
    case = case_open_for_test(code="urgent-system-failure", now=bj(2026, 11, 23, 10))
    resolution = timers(case)["resolution"]
    assert resolution.due_at is None and resolution.state == "running"
    alert = SlaEvent.objects.get(timer=resolution, kind="no_deadline")
    assert "closed" in alert.reason


def test_timers_start_without_a_policy_starts_nothing():
    SlaPolicy.objects.filter(kind="suggestion").delete()
    case = case_open_for_test(code="suggestion-feedback", now=bj(2026, 11, 23, 10))
    assert timers_start(case=case, now=bj(2026, 11, 23, 10)) == []
    assert case.sla_state == SlaState.NONE


def test_regrading_a_resolved_complaint_starts_no_new_clock():
    agent = StaffFactory().user
    case = complaint(at=bj(2026, 11, 23, 9), grade="C", by=agent)
    case = case_transition(case=case, to_status=Status.RESOLVED, by=agent,
                           expected_version=case.version, now=bj(2026, 11, 23, 11))
    before = set(CaseTimer.objects.filter(case=case).values_list("pk", "state"))
    case = case_regrade(case=case, by=agent, expected_version=case.version, grade="A",
                       reason="复核后升级", now=bj(2026, 11, 23, 12))
    assert case.grade == "A"
    assert set(CaseTimer.objects.filter(case=case).values_list("pk", "state")) == before
    assert case.sla_state == SlaState.MET_LATE  # accepted only on resolving, at 11:00
