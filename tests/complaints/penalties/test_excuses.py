"""SLA excuses (seed 002 特殊原因): a supervisor asks to excuse a late acceptance or
resolution clock of a complaint they see, a manager who did not ask approves or rejects;
approved, the clock's charges are excused (0 yuan) and nothing is charged for it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.penalties.models import EntryState, PenaltyEntry, SlaExcuse
from complaints.penalties.selectors import excused_timer_ids
from complaints.penalties.services import charges_sync, excuse_decide, excuse_request
from servicedesk.models import Notification
from servicedesk.roles import Role
from servicedesk.services import staff_set_role
from tests.complaints.penalties.factories import (
    DAY,
    FILED,
    H,
    clock,
    clock_due,
    clock_stop,
    complaint_for_test,
    team,
)
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import CaseEvent

pytestmark = pytest.mark.django_db
NOW = FILED + 2 * DAY


@pytest.fixture
def people():
    return team()


@pytest.fixture
def late(people):
    """A complaint whose acceptance was a day late (charged 200) and whose resolution
    clock breached with a responsible person named (charged 50)."""
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   grade="B", state="assessed", verdict="valid",
                                   responsible=people["member"], accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_due(complaint, "resolution", FILED + 5 * H)
    clock_stop(complaint, "acceptance", FILED + DAY + 2 * H)
    charges_sync(complaint_ids=[complaint.pk], now=NOW)
    return complaint


def request(people, complaint, kind="acceptance", **kwargs):
    kwargs.setdefault("reason_kind", "customer_unreachable")
    kwargs.setdefault("note", "客户电话停机，无法联系")
    return excuse_request(timer=clock(complaint, kind), by=people["supervisor"], now=NOW,
                          **kwargs)


def test_an_approved_excuse_turns_the_clocks_charge_excused(people, late):
    excuse = request(people, late)
    assert excuse.state == "requested"
    entry = PenaltyEntry.objects.get(complaint=late, rule="late_acceptance")
    assert entry.amount == 200  # still charged while it waits
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, note="属实", now=NOW)
    entry.refresh_from_db()
    assert (entry.state, str(entry.amount), str(entry.quoted_amount)) == (
        EntryState.EXCUSED, "0.00", "200.00")
    event = entry.events.get(kind="excused")
    assert event.data["excuse"] == excuse.pk and entry.evidence["excuse"] == excuse.pk
    other = PenaltyEntry.objects.get(complaint=late, rule="late_completion")
    assert (other.state, str(other.amount)) == (EntryState.CHARGED, "50.00")
    assert excused_timer_ids(case_ids=[late.case_id]) == {clock(late, "acceptance").pk}
    steps = list(CaseEvent.objects.filter(case_id=late.case_id, kind="complaint_step")
                 .values_list("data__step", flat=True))
    assert steps == ["excuse_request", "excuse_approved"]


def test_an_excuse_approved_before_any_charge_means_nothing_is_charged(people):
    """The excuse came first: the sweep's run then writes the row excused, 0 yuan."""
    complaint = complaint_for_test(by=people["agent"], grade="A", state="assessed",
                                   verdict="valid", responsible=people["member"])
    clock_due(complaint, "resolution", FILED + 8 * H)
    excuse = excuse_request(timer=clock(complaint, "resolution"), by=people["supervisor"],
                            reason_kind="force_majeure", note="台风停工", now=FILED + 9 * H)
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, now=FILED + 9 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.rule, entry.state, str(entry.amount)) == (
        "late_completion", EntryState.EXCUSED, "0.00")
    assert list(entry.events.values_list("kind", flat=True)) == ["excused"]


def test_a_rejected_excuse_charges_on_and_may_be_asked_again(people, late):
    excuse = request(people, late)
    with pytest.raises(ValidationError) as refused:
        excuse_decide(excuse=excuse, by=people["manager"], approve=False, note="", now=NOW)
    assert "note" in refused.value.message_dict
    excuse_decide(excuse=excuse, by=people["manager"], approve=False, note="有通话记录",
                  now=NOW)
    entry = PenaltyEntry.objects.get(complaint=late, rule="late_acceptance")
    assert (entry.state, str(entry.amount)) == (EntryState.CHARGED, "200.00")
    again = request(people, late, note="补充：客户出国")
    assert again.pk != excuse.pk


def test_one_live_excuse_per_clock(people, late):
    request(people, late)
    with pytest.raises(ValidationError) as refused:
        request(people, late)
    assert "timer" in refused.value.message_dict
    assert SlaExcuse.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TIER2, Role.MANAGER, Role.TEAM_LEAD])
def test_only_a_supervisor_asks(people, late, role):
    someone = StaffFactory(role=role, department=people["department"]).user
    with pytest.raises(PermissionDenied):
        excuse_request(timer=clock(late, "acceptance"), by=someone,
                       reason_kind="other", note="x", now=NOW)
    assert not SlaExcuse.objects.exists()


def test_a_supervisor_of_another_department_may_not_ask(late):
    stranger = StaffFactory(role=Role.SUPERVISOR).user
    with pytest.raises(PermissionDenied):
        excuse_request(timer=clock(late, "acceptance"), by=stranger, reason_kind="other",
                       note="x", now=NOW)


def test_only_a_late_clock_of_a_complaint_is_excused(people):
    on_time = complaint_for_test(by=people["agent"])  # accepted a minute after filing
    with pytest.raises(ValidationError) as refused:
        excuse_request(timer=clock(on_time, "acceptance"), by=people["supervisor"],
                       reason_kind="other", note="x", now=NOW)
    assert "timer" in refused.value.message_dict
    consultation = case_open_for_test(by=people["agent"], now=FILED)
    timer = consultation.timers.get(kind="resolution")
    with pytest.raises(ValidationError) as refused:
        excuse_request(timer=timer, by=people["supervisor"], reason_kind="other",
                       note="x", now=NOW)
    assert "timer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        excuse_request(timer=clock(on_time, "feedback"), by=people["supervisor"],
                       reason_kind="other", note="x", now=NOW)
    assert "timer" in refused.value.message_dict


def test_a_request_needs_a_reason_and_an_explanation(people, late):
    with pytest.raises(ValidationError) as refused:
        request(people, late, reason_kind="weather", note="   ")
    assert set(refused.value.message_dict) == {"reason_kind", "note"}
    assert not SlaExcuse.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.TIER2])
def test_only_management_decides(people, late, role):
    excuse = request(people, late)
    someone = StaffFactory(role=role, department=people["department"]).user
    with pytest.raises(PermissionDenied):
        excuse_decide(excuse=excuse, by=someone, approve=True, now=NOW)
    excuse.refresh_from_db()
    assert excuse.state == "requested"


def test_nobody_decides_their_own_excuse(people, late):
    """A supervisor who asked and is then made manager still cannot approve it."""
    excuse = request(people, late)
    profile = people["supervisor"].staff_profile
    staff_set_role(profile=profile, role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        excuse_decide(excuse=excuse, by=type(people["supervisor"]).objects.get(
            pk=people["supervisor"].pk), approve=True, now=NOW)
    excuse.refresh_from_db()
    assert excuse.state == "requested"


def test_a_decided_excuse_is_not_decided_again(people, late):
    excuse = request(people, late)
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, now=NOW)
    general = StaffFactory(role=Role.GENERAL_MANAGER).user
    with pytest.raises(ValidationError) as refused:
        excuse_decide(excuse=excuse, by=general, approve=False, note="不同意", now=NOW)
    assert "state" in refused.value.message_dict
    excuse.refresh_from_db()
    assert (excuse.state, excuse.decided_by_id) == ("approved", people["manager"].pk)


def test_managers_hear_of_a_request_and_the_requester_of_the_decision(people, late):
    excuse = request(people, late)
    assert Notification.objects.filter(recipient=people["manager"],
                                       key=f"sla-excuse:{excuse.pk}:requested").exists()
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, now=NOW)
    assert Notification.objects.filter(recipient=people["supervisor"],
                                       key=f"sla-excuse:{excuse.pk}:decided").exists()
