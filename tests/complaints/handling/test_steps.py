"""The handling flow (`complaints.handling.services` steps): each step's happy path with
what it writes (the complaint, its records, the `complaint_step` row, the case's status,
handling department and clocks through the tickets services), and its refusals: the wrong
role or department (403), the wrong state (400 on `state`), bad fields (400) and a stale
version (409) — each leaving the complaint at the same version with no new event."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.handling.models import Complaint, FollowUp, GradeRecord, Proposal
from complaints.handling.selectors import (
    complaint_interim_due,
    complaint_steps_for,
    follow_up_due_on,
    responsible_candidates,
)
from complaints.handling.services import (
    ComplaintConflict,
    complaint_close,
    complaint_dispatch,
    complaint_escalate,
    complaint_follow_up,
    complaint_interim,
    complaint_propose,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)
from servicedesk.errors import StepRefused
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.complaints.handling.factories import (
    _staff,
    assessed,
    complaint_file_for_test,
    complaint_type,
    dispatched,
    followed_up,
    now_local,
    proposed,
    resolved,
)
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseEvent
from tickets.sla.models import CaseTimer

pytestmark = pytest.mark.django_db


def _steps(case):
    return list(CaseEvent.objects.filter(case=case, kind="complaint_step")
                .order_by("at", "id").values_list("data__step", flat=True))


def _state(complaint):
    """What must not move when a step is refused."""
    stored = Complaint.objects.get(pk=complaint.pk)
    case = Case.objects.get(pk=complaint.case_id)
    return (stored.state, stored.version, stored.grade, case.status, case.version,
            case.grade, CaseEvent.objects.filter(case=case).count(),
            Proposal.objects.count(), FollowUp.objects.count(), GradeRecord.objects.count(),
            Notification.objects.count())


def _timer(case, kind):
    return CaseTimer.objects.filter(case=case, kind=kind).exclude(state="cancelled").get()


# --- dispatch ---------------------------------------------------------------------------------


def test_dispatch_passes_the_complaint_to_the_owner_department_and_accepts_the_case(center):
    """受理 → 传递 by the agent of the case's department: dispatched to the type's owner
    department, the case gets it as handling department and moves to in progress, the
    acceptance clock is met; the follow-up falls due the day after."""
    complaint = complaint_file_for_test(center, now=now_local(2026, 11, 23, 10))
    at = now_local(2026, 11, 23, 10, 20)
    complaint = complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                                   now=at)
    assert (complaint.state, complaint.handling_department, complaint.dispatched_at,
            complaint.version) == ("dispatched", center.business, at, 2)
    case = complaint.case
    assert (case.handling_department, case.status) == (center.business, "in_progress")
    assert _timer(case, "acceptance").state == "met"
    event = CaseEvent.objects.get(case=case, kind="complaint_step", data__step="dispatch")
    assert event.data == {"step": "dispatch", "department": center.business.pk,
                          "default_department": center.business.pk}
    assert CaseEvent.objects.filter(case=case, kind="assigned",
                                    data__handling_department=[None, center.business.pk]
                                    ).exists()
    assert follow_up_due_on(complaint) == dt.date(2026, 11, 24)


def test_dispatch_elsewhere_needs_a_reason(center):
    """Another department than the type's owner needs a reason (field `reason`); with one
    it goes there."""
    complaint = complaint_file_for_test(center)
    before = _state(complaint)
    with pytest.raises(ValidationError) as error:
        complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                           department=center.other_business)
    assert set(error.value.message_dict) == {"reason"}
    assert _state(complaint) == before
    complaint = complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                                   department=center.other_business, reason="实为物流问题")
    assert complaint.handling_department == center.other_business
    event = CaseEvent.objects.get(case=complaint.case, data__step="dispatch")
    assert event.reason == "实为物流问题"


def test_dispatch_without_any_department_is_a_field_error(center):
    """A type without an owner department and none chosen: an error on `department`."""
    complaint = complaint_file_for_test(center, type=complaint_type("reception"))
    with pytest.raises(ValidationError) as error:
        complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1)
    assert set(error.value.message_dict) == {"department"}


# --- verdict ----------------------------------------------------------------------------------


def test_a_valid_verdict_names_the_responsible_person_and_the_fix(center):
    """The handling department's supervisor: valid, a member of the department as
    responsible person, the improvement measures."""
    complaint = dispatched(center, complaint_file_for_test(center))
    complaint = complaint_verdict(complaint=complaint, by=center.business_supervisor,
                                  expected_version=2, verdict="valid",
                                  responsible=center.business_member, fix="更换压缩机")
    assert (complaint.state, complaint.verdict, complaint.responsible, complaint.fix,
            complaint.grade) == ("assessed", "valid", center.business_member, "更换压缩机", "C")
    assert complaint.verdict_at is not None
    event = CaseEvent.objects.get(case=complaint.case, data__step="verdict")
    assert event.data["responsible"] == center.business_member.pk


def test_an_invalid_verdict_grades_d_and_the_case_follows(center):
    """Invalid → D: a grading decision of kind verdict (C → D), the case re-graded D with a
    "graded" row and its clocks of the D policy; the fix is the polite explanation."""
    complaint = dispatched(center, complaint_file_for_test(center))
    complaint = complaint_verdict(complaint=complaint, by=center.business_manager,
                                  expected_version=2, verdict="invalid",
                                  responsible=center.business_member,
                                  fix="已向客户耐心解释：属正常使用损耗")
    assert (complaint.grade, complaint.case.grade, complaint.verdict) == ("D", "D", "invalid")
    record = complaint.grade_records.get(kind="verdict")
    assert (record.previous_grade, record.grade, record.by) == ("C", "D",
                                                                center.business_manager)
    graded = CaseEvent.objects.get(case=complaint.case, kind="graded")
    assert graded.data == {"from": "C", "to": "D"}
    live = CaseTimer.objects.filter(case=complaint.case, state__in=["running", "paused"])
    assert all(t.policy.grade in ("D", "") for t in live)


def test_the_responsible_candidates_are_the_handling_departments_active_members(center):
    """What the verdict form offers: the handling department's active members only."""
    complaint = complaint_file_for_test(center)
    assert list(responsible_candidates(complaint)) == []
    complaint = dispatched(center, complaint)
    gone = _staff(Role.TIER2, center.business, "离职员工")
    gone.is_active = False
    gone.save()
    assert set(responsible_candidates(complaint)) == {
        center.business_member, center.business_supervisor, center.business_manager,
        center.business_head}


@pytest.mark.parametrize("who", ["other_agent", "agent", "business_head"])
def test_the_responsible_person_must_be_a_member_of_the_handling_department(center, who):
    """Someone of another department (or the head, whose staff profile is in it — allowed)
    as responsible person: an error on `responsible`, nothing changed."""
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _state(complaint)
    kwargs = {"complaint": complaint, "by": center.business_supervisor, "expected_version": 2,
              "verdict": "valid", "responsible": getattr(center, who), "fix": "整改"}
    if who == "business_head":
        assert complaint_verdict(**kwargs).responsible == center.business_head
        return
    with pytest.raises(ValidationError) as error:
        complaint_verdict(**kwargs)
    assert set(error.value.message_dict) == {"responsible"}
    assert _state(complaint) == before


def test_neglect_is_recorded_only_on_a_repeat_complaint(center):
    """`repeat_by_neglect` on a first complaint is an error; on a repeat it is kept."""
    customer = CustomerFactory()
    first = dispatched(center, complaint_file_for_test(center, customer=customer))
    with pytest.raises(ValidationError) as error:
        complaint_verdict(complaint=first, by=center.business_supervisor, expected_version=2,
                          verdict="valid", responsible=center.business_member, fix="整改",
                          repeat_by_neglect=True)
    assert set(error.value.message_dict) == {"repeat_by_neglect"}
    repeat = dispatched(center, complaint_file_for_test(center, customer=customer))
    repeat = complaint_verdict(complaint=repeat, by=center.business_supervisor,
                               expected_version=2, verdict="valid",
                               responsible=center.business_member, fix="整改",
                               repeat_by_neglect=True)
    assert repeat.repeat_by_neglect is True


def test_a_verdict_needs_its_fields(center):
    """No verdict, no fix: errors on `verdict` and `fix` together."""
    complaint = dispatched(center, complaint_file_for_test(center))
    with pytest.raises(ValidationError) as error:
        complaint_verdict(complaint=complaint, by=center.business_supervisor,
                          expected_version=None, verdict="maybe",
                          responsible=center.business_member, fix=" ")
    assert set(error.value.message_dict) == {"verdict", "fix"}


# --- proposal, escalation ---------------------------------------------------------------------


def test_an_accepted_proposal_tells_the_customer_and_meets_the_feedback_clock(center):
    """The proposal told to the customer, accepted: proposed, a proposal row, the case's
    feedback clock met with a "customer informed" row."""
    complaint = assessed(center, complaint_file_for_test(center))
    fix_by = complaint.filed_at + dt.timedelta(days=2)
    complaint = complaint_propose(complaint=complaint, by=center.business_supervisor,
                                  expected_version=3, text="三日内上门更换压缩机",
                                  response="accepted", fix_by=fix_by,
                                  response_note="客户同意", now=complaint.filed_at
                                  + dt.timedelta(hours=1))
    assert complaint.state == "proposed"
    proposal = Proposal.objects.get(complaint=complaint)
    assert (proposal.text, proposal.response, proposal.final, proposal.fix_by) == (
        "三日内上门更换压缩机", "accepted", False, fix_by)
    assert _timer(complaint.case, "feedback").state == "met"
    assert CaseEvent.objects.filter(case=complaint.case, kind="feedback",
                                    reason="三日内上门更换压缩机").exists()


def test_a_rejected_proposal_leaves_it_waiting_for_a_new_one(center):
    """Rejected by the customer: the state stays assessed, the proposal is on record; a new
    accepted proposal moves it on."""
    complaint = assessed(center, complaint_file_for_test(center))
    complaint = complaint_propose(complaint=complaint, by=center.business_manager,
                                  expected_version=3, text="赔偿 100 元",
                                  response="rejected")
    assert (complaint.state, complaint.version) == ("assessed", 4)
    complaint = complaint_propose(complaint=complaint, by=center.business_manager,
                                  expected_version=4, text="更换新机", response="accepted")
    assert complaint.state == "proposed"
    assert list(Proposal.objects.order_by("id").values_list("response", flat=True)) == [
        "rejected", "accepted"]


def test_escalation_goes_to_the_general_manager_whose_proposal_is_final(center):
    """The department's manager escalates with a reason (the general manager is told,
    urgent); then only the general manager proposes, and that proposal is the final one."""
    complaint = assessed(center, complaint_file_for_test(center))
    complaint = complaint_escalate(complaint=complaint, by=center.business_manager,
                                   expected_version=3, reason="客户要求赔偿超出部门权限")
    assert complaint.state == "escalated" and complaint.escalated_at is not None
    note = Notification.objects.get(recipient=center.general_manager)
    assert note.urgent and note.key.startswith(f"complaint:escalated:{complaint.pk}:")
    assert note.body == "客户要求赔偿超出部门权限"
    before = _state(complaint)
    with pytest.raises(PermissionDenied):
        complaint_propose(complaint=complaint, by=center.business_supervisor,
                          expected_version=4, text="部门方案", response="accepted")
    assert _state(complaint) == before
    complaint = complaint_propose(complaint=complaint, by=center.general_manager,
                                  expected_version=4, text="总经理协调：退货并赔偿",
                                  response="accepted")
    assert complaint.state == "proposed"
    assert Proposal.objects.get(complaint=complaint).final is True


def test_a_supervisor_does_not_escalate(center):
    """Escalation is the department manager's (or head's): its supervisor is refused."""
    complaint = assessed(center, complaint_file_for_test(center))
    before = _state(complaint)
    with pytest.raises(PermissionDenied):
        complaint_escalate(complaint=complaint, by=center.business_supervisor,
                           expected_version=3, reason="处理不了")
    assert _state(complaint) == before
    complaint = complaint_escalate(complaint=complaint, by=center.business_head,
                                   expected_version=3, reason="处理不了")
    assert complaint.state == "escalated"


# --- interim and final results -----------------------------------------------------------------


def test_an_interim_result_is_due_once_the_resolution_clock_warned(center):
    """Near the completion deadline without a result an interim result is due (the
    resolution clock warned); the responsible person records it, the state stays, and it is
    no longer due."""
    complaint = assessed(center, complaint_file_for_test(center))
    resolution = _timer(complaint.case, "resolution")
    assert complaint_interim_due(complaint=complaint, now=resolution.warn_at
                                 - dt.timedelta(minutes=1)) is False
    assert complaint_interim_due(complaint=complaint, now=resolution.warn_at) is True
    complaint = complaint_interim(complaint=complaint, by=center.business_member,
                                  expected_version=3, text="配件在途，预计明日到货")
    assert (complaint.state, complaint.interim_result) == ("assessed", "配件在途，预计明日到货")
    assert complaint_interim_due(complaint=complaint, now=resolution.warn_at) is False
    assert _steps(complaint.case)[-1] == "interim"


def test_resolving_records_the_final_result_and_resolves_the_case(center):
    """The final result with its hand-in time (交单时间): resolved; the case resolved and
    its resolution clock met."""
    complaint = proposed(center, complaint_file_for_test(center))
    handed_in = complaint.filed_at + dt.timedelta(minutes=30)
    complaint = complaint_resolve(complaint=complaint, by=center.business_member,
                                  expected_version=4, final_result="已更换压缩机",
                                  handed_in_at=handed_in,
                                  now=complaint.filed_at + dt.timedelta(hours=1))
    assert (complaint.state, complaint.final_result, complaint.handed_in_at) == (
        "resolved", "已更换压缩机", handed_in)
    assert complaint.case.status == "resolved"
    assert _timer(complaint.case, "resolution").state == "met"


@pytest.mark.parametrize("shift", [dt.timedelta(hours=2), -dt.timedelta(days=2)])
def test_a_hand_in_time_in_the_future_or_before_the_filing_is_refused(center, shift):
    """交单时间 never lies in the future, nor before the complaint was filed."""
    complaint = proposed(center, complaint_file_for_test(center))
    with pytest.raises(ValidationError) as error:
        complaint_resolve(complaint=complaint, by=center.business_member, expected_version=4,
                          final_result="已处理", handed_in_at=complaint.filed_at + shift,
                          now=complaint.filed_at + dt.timedelta(minutes=5))
    assert set(error.value.message_dict) == {"handed_in_at"}


# --- follow-up and close ------------------------------------------------------------------------


def test_a_satisfied_follow_up_tells_the_department_the_same_day(center):
    """满意 after the final result: followed up; the follow-up row says when the department
    was told, and its supervisor, manager and the responsible person are notified."""
    complaint = resolved(center, complaint_file_for_test(center))
    complaint = complaint_follow_up(complaint=complaint, by=center.agent2,
                                    expected_version=5, satisfaction="satisfied",
                                    note="客户很满意")
    assert (complaint.state, complaint.satisfaction) == ("followed_up", "satisfied")
    follow_up = FollowUp.objects.get(complaint=complaint)
    assert follow_up.department_told_at == follow_up.at == complaint.followed_up_at
    told = set(Notification.objects.filter(key=f"complaint:follow-up:{follow_up.pk}")
               .values_list("recipient_id", flat=True))
    assert told == {center.business_supervisor.pk, center.business_manager.pk,
                    center.business_member.pk}


def test_an_unsatisfied_follow_up_sends_it_back_for_a_new_proposal(center):
    """不满意: back to assessed for a new proposal, the resolved case reopens (in progress),
    the earlier final result is cleared (it stays on the timeline); the department is told
    urgently."""
    complaint = resolved(center, complaint_file_for_test(center))
    complaint = complaint_follow_up(complaint=complaint, by=center.agent, expected_version=5,
                                    satisfaction="unsatisfied", note="问题依旧")
    assert (complaint.state, complaint.final_result, complaint.handed_in_at) == (
        "assessed", "", None)
    assert complaint.case.status == "in_progress"
    assert Notification.objects.filter(key__startswith="complaint:follow-up:",
                                       urgent=True).count() == 3
    complaint = complaint_propose(complaint=complaint, by=center.business_supervisor,
                                  expected_version=6, text="换新机", response="accepted")
    assert complaint.state == "proposed"


def test_a_satisfied_customer_before_the_final_result_makes_resolving_followed_up(center):
    """A follow-up the day after acceptance, while the fix is under way: satisfied, the
    state stays proposed; the final result then makes it followed up at once."""
    complaint = proposed(center, complaint_file_for_test(center))
    complaint = complaint_follow_up(complaint=complaint, by=center.agent, expected_version=4,
                                    satisfaction="basically")
    assert complaint.state == "proposed"
    complaint = complaint_resolve(complaint=complaint, by=center.business_supervisor,
                                  expected_version=5, final_result="已整改")
    assert complaint.state == "followed_up"


def test_closing_a_followed_up_complaint_closes_its_case(center):
    """Management closes a followed-up complaint: closed, and the case closed."""
    complaint = followed_up(center, complaint_file_for_test(center))
    complaint = complaint_close(complaint=complaint, by=center.manager, expected_version=6)
    assert complaint.state == "closed" and complaint.closed_at is not None
    assert complaint.case.status == "closed"
    assert _steps(complaint.case) == ["filed", "dispatch", "verdict", "propose", "resolve",
                                      "follow-up", "close"]


def test_closing_straight_after_a_satisfied_follow_up_needs_a_final_result(center):
    """From proposed, once the customer is satisfied: a final result must be given (none is
    recorded yet); with it, the case is resolved and closed."""
    complaint = proposed(center, complaint_file_for_test(center))
    complaint = complaint_follow_up(complaint=complaint, by=center.agent, expected_version=4,
                                    satisfaction="satisfied")
    with pytest.raises(ValidationError) as error:
        complaint_close(complaint=complaint, by=center.general_manager, expected_version=5)
    assert set(error.value.message_dict) == {"final_result"}
    complaint = complaint_close(complaint=complaint, by=center.general_manager,
                                expected_version=5, final_result="客户认可，结案")
    assert (complaint.state, complaint.final_result) == ("closed", "客户认可，结案")
    assert complaint.handed_in_at is not None
    statuses = list(CaseEvent.objects.filter(case=complaint.case, kind="status_changed")
                    .order_by("id").values_list("data__to", flat=True))
    assert statuses[-2:] == ["resolved", "closed"]


def test_a_proposed_complaint_without_a_satisfied_follow_up_is_not_closed(center):
    """Closing from proposed before the customer said they are satisfied: 400 on
    `state`."""
    complaint = proposed(center, complaint_file_for_test(center))
    before = _state(complaint)
    with pytest.raises(StepRefused) as error:
        complaint_close(complaint=complaint, by=center.manager, expected_version=4,
                        final_result="结案")
    assert set(error.value.message_dict) == {"state"}
    assert _state(complaint) == before


# --- re-grade ------------------------------------------------------------------------------------


def test_a_regrade_keeps_its_reason_and_the_case_clocks_follow(center):
    """A supervisor of the handling department re-grades C → A with a reason: a grading
    decision of kind regrade, the complaint's and the case's grade, a "graded" row and the
    clocks replaced by the A policy's (an SLA row)."""
    complaint = dispatched(center, complaint_file_for_test(center))
    complaint = complaint_regrade(complaint=complaint, grade="A", reason="损失核实超过 3000 元",
                                  by=center.business_supervisor, expected_version=2)
    assert (complaint.grade, complaint.case.grade, complaint.grade_reason) == (
        "A", "A", "损失核实超过 3000 元")
    record = complaint.grade_records.get(kind="regrade")
    assert (record.previous_grade, record.grade, record.suggested_grade, record.reason) == (
        "C", "A", "C", "损失核实超过 3000 元")
    graded = CaseEvent.objects.get(case=complaint.case, kind="graded")
    assert (graded.data, graded.reason) == ({"from": "C", "to": "A"}, "损失核实超过 3000 元")
    assert CaseEvent.objects.filter(case=complaint.case, kind="sla").exists()
    live = CaseTimer.objects.filter(case=complaint.case, state__in=["running", "paused"])
    assert live and all(t.policy.grade in ("A", "") for t in live)


@pytest.mark.parametrize(("grade", "reason"), [("D", "无效"), ("C", "同级"), ("E", "理由"),
                                               ("B", " ")])
def test_a_regrade_refuses_d_the_same_grade_unknown_grades_and_no_reason(center, grade,
                                                                          reason):
    """D only by the verdict; the same grade; an unknown grade; no reason: field errors,
    nothing changed."""
    complaint = complaint_file_for_test(center)
    before = _state(complaint)
    with pytest.raises(ValidationError) as error:
        complaint_regrade(complaint=complaint, grade=grade, reason=reason,
                          by=center.service_supervisor, expected_version=1)
    assert set(error.value.message_dict) == ({"reason"} if reason.strip() == "" else {"grade"})
    assert _state(complaint) == before


def test_an_invalid_complaint_stays_d(center):
    """After the invalid verdict no re-grade leaves D, and the step is not offered."""
    complaint = assessed(center, complaint_file_for_test(center), verdict="invalid")
    assert "regrade" not in complaint_steps_for(user=center.manager, complaint=complaint)
    with pytest.raises(ValidationError) as error:
        complaint_regrade(complaint=complaint, grade="B", reason="复核", by=center.manager,
                          expected_version=3)
    assert set(error.value.message_dict) == {"grade"}


# --- refusals: role and department (403), state (400), version (409) ----------------------------


def _at(center, stage):
    complaint = complaint_file_for_test(center, customer=CustomerFactory())
    return {"received": lambda c: c, "dispatched": lambda c: dispatched(center, c),
            "assessed": lambda c: assessed(center, c), "proposed": lambda c: proposed(center, c),
            "resolved": lambda c: resolved(center, c),
            "followed_up": lambda c: followed_up(center, c)}[stage](complaint)


STEP_CALLS = {
    "dispatch": ("received", complaint_dispatch, {}),
    "verdict": ("dispatched", complaint_verdict,
                {"verdict": "valid", "responsible": "business_member", "fix": "整改"}),
    "propose": ("assessed", complaint_propose, {"text": "方案", "response": "accepted"}),
    "escalate": ("assessed", complaint_escalate, {"reason": "处理不了"}),
    "interim": ("assessed", complaint_interim, {"text": "中间结果"}),
    "resolve": ("proposed", complaint_resolve, {"final_result": "最终结果"}),
    "follow-up": ("resolved", complaint_follow_up, {"satisfaction": "satisfied"}),
    "close": ("followed_up", complaint_close, {}),
    "regrade": ("dispatched", complaint_regrade, {"grade": "B", "reason": "复核"}),
}
WRONG_PEOPLE = {
    # the case's department is the service center; the handling department after-sales
    "dispatch": ["business_supervisor", "other_agent", "business_head"],
    "verdict": ["agent", "service_supervisor", "other_supervisor", "business_member",
                "manager"],
    "propose": ["agent", "other_supervisor", "business_member", "manager"],
    "escalate": ["business_supervisor", "agent", "other_supervisor", "business_member"],
    "interim": ["agent", "other_supervisor", "service_supervisor"],
    "resolve": ["agent", "other_supervisor", "service_supervisor"],
    "follow-up": ["business_supervisor", "business_member", "other_agent"],
    "close": ["agent", "service_supervisor", "business_supervisor", "business_head"],
    "regrade": ["agent", "agent2", "other_supervisor", "business_member", "business_head"],
}
RIGHT_PEOPLE = {
    "dispatch": ["agent", "agent2", "service_supervisor", "manager", "general_manager",
                 "administrator"],
    "verdict": ["business_supervisor", "business_manager", "business_head",
                "general_manager", "administrator"],
    "propose": ["business_supervisor", "business_manager", "business_head",
                "general_manager"],
    "escalate": ["business_manager", "business_head", "general_manager"],
    "interim": ["business_member", "business_supervisor", "business_head",
                "general_manager"],
    "resolve": ["business_member", "business_manager", "administrator"],
    "follow-up": ["agent", "service_supervisor", "manager", "general_manager"],
    "close": ["manager", "general_manager", "administrator"],
    "regrade": ["service_supervisor", "business_supervisor", "manager", "general_manager"],
}


def _call(center, step, complaint, who, **extra):
    _stage, service, kwargs = STEP_CALLS[step]
    kwargs = {k: getattr(center, v) if k == "responsible" else v for k, v in kwargs.items()}
    return service(complaint=complaint, by=getattr(center, who),
                   expected_version=complaint.version, **{**kwargs, **extra})


@pytest.mark.parametrize(("step", "who"), [(s, w) for s, people in WRONG_PEOPLE.items()
                                           for w in people])
def test_the_wrong_role_or_department_is_refused_and_nothing_changes(center, step, who):
    """Every step refuses whoever its rule leaves out (another department, the wrong role,
    a member who is not responsible, a manager outside the handling department for the
    department's own steps): 403, the complaint at the same version, no new event."""
    complaint = _at(center, STEP_CALLS[step][0])
    assert step not in complaint_steps_for(user=getattr(center, who), complaint=complaint)
    before = _state(complaint)
    with pytest.raises(PermissionDenied):
        _call(center, step, complaint, who)
    assert _state(complaint) == before


@pytest.mark.parametrize(("step", "who"), [(s, w) for s, people in RIGHT_PEOPLE.items()
                                           for w in people])
def test_the_right_people_may_take_each_step(center, step, who):
    """The rule's people (and the general manager and administrator for the department's
    steps) are offered the step and take it: the version moves on."""
    complaint = _at(center, STEP_CALLS[step][0])
    assert step in complaint_steps_for(user=getattr(center, who), complaint=complaint)
    version = complaint.version
    assert _call(center, step, complaint, who).version == version + 1


@pytest.mark.parametrize(("step", "stage", "who"), [
    ("dispatch", "dispatched", "agent"),
    ("verdict", "received", "general_manager"),
    ("verdict", "assessed", "business_supervisor"),
    ("propose", "dispatched", "business_supervisor"),
    ("propose", "proposed", "business_supervisor"),
    ("escalate", "dispatched", "business_manager"),
    ("interim", "received", "general_manager"),
    ("interim", "resolved", "business_member"),
    ("resolve", "assessed", "business_member"),
    ("follow-up", "assessed", "agent"),
    ("close", "dispatched", "manager"),
    ("close", "resolved", "manager"),
])
def test_a_step_from_the_wrong_state_is_refused_on_state(center, step, stage, who):
    """A step its state does not allow: 400 on `state` (a Chinese message), nothing
    changed."""
    complaint = _at(center, stage)
    before = _state(complaint)
    with pytest.raises(StepRefused) as error:
        _call(center, step, complaint, who)
    assert set(error.value.message_dict) == {"state"}
    assert error.value.current == stage
    assert _state(complaint) == before


def test_a_closed_complaint_is_not_regraded(center):
    """Closed: no re-grade (400 on `state`)."""
    complaint = followed_up(center, complaint_file_for_test(center))
    complaint = complaint_close(complaint=complaint, by=center.manager, expected_version=6)
    with pytest.raises(StepRefused):
        complaint_regrade(complaint=complaint, grade="A", reason="复核", by=center.manager,
                          expected_version=7)


def test_a_stale_version_is_a_conflict_and_nothing_changes(center):
    """A step on a version the complaint no longer has: 409 with the current version;
    `expected_version=None` takes it as it is now."""
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _state(complaint)
    with pytest.raises(ComplaintConflict) as error:
        complaint_interim(complaint=complaint, by=center.business_supervisor,
                          expected_version=1, text="中间结果")
    assert error.value.current_version == 2
    assert _state(complaint) == before
    complaint = complaint_interim(complaint=complaint, by=center.business_supervisor,
                                  expected_version=None, text="中间结果")
    assert complaint.version == 3


def test_a_desk_only_complaint_is_not_dispatched_by_an_agent_who_cannot_see_it(center):
    """A media complaint (public-opinion desk) filed by the tier-1 agent: the agent no
    longer sees it and may not dispatch it (403); the public-opinion desk of the department
    may."""
    complaint = complaint_file_for_test(center, source="media")
    with pytest.raises(PermissionDenied):
        complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1)
    assert complaint_steps_for(user=center.agent, complaint=complaint) == frozenset()
    assert complaint_dispatch(complaint=complaint, by=center.opinion_desk,
                              expected_version=1).state == "dispatched"


def test_steps_offered_follow_the_state(center):
    """What `complaint_steps_for` offers the department's supervisor along the way."""
    complaint = dispatched(center, complaint_file_for_test(center, loss_yuan=Decimal("10")))
    assert complaint_steps_for(user=center.business_supervisor, complaint=complaint) == {
        "verdict", "interim", "regrade"}
    complaint = assessed(center, complaint)
    assert complaint_steps_for(user=center.business_supervisor, complaint=complaint) == {
        "propose", "interim", "regrade"}
    # a manager is management: re-grades as well
    assert complaint_steps_for(user=center.business_manager, complaint=complaint) == {
        "propose", "escalate", "interim", "regrade"}
