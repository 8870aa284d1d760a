"""The handling steps keep the penalty ledger in line, in their own transaction
(`complaints.penalties.services.charges_sync` called by the steps): the dispatch fixes a
late acceptance's charge, the verdict charges late completion once a person is named, the
re-grade moves it with the clocks, the final result fixes it, the closure charges the grade
fine and the economic loss — and a second closure, refused, leaves the ledger as it was."""

import json
from decimal import Decimal

import pytest

from complaints.handling.services import (
    complaint_close,
    complaint_dispatch,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)
from complaints.penalties.models import PenaltyEntry, PenaltyEvent
from complaints.penalties.services import charges_sync, late_acceptance_requote
from servicedesk.errors import StepRefused
from tests.complaints.handling.factories import (
    assessed,
    complaint_file_for_test,
    dispatched,
    followed_up,
    now_local,
    proposed,
)
from tickets.sla.models import CaseTimer

pytestmark = pytest.mark.django_db

FILED = now_local(2026, 11, 23, 10)  # a Monday, 10:00 Beijing: the line is open


def ledger(complaint):
    """{rule: (person id, amount, quoted amount, state)} of the complaint's entries."""
    return {e.rule: (e.person_id, e.amount, e.quoted_amount, e.state)
            for e in PenaltyEntry.objects.filter(complaint_id=complaint.pk)}


def snapshot():
    """Everything the ledger holds: rows and events."""
    return (
        sorted(PenaltyEntry.objects.values_list("key", "person_id", "amount", "quoted_amount",
                                                "state", "version", "rule_set_id")),
        sorted((key, kind, json.dumps(data, sort_keys=True), at) for key, kind, data, at
               in PenaltyEvent.objects.values_list("entry__key", "kind", "data", "at")),
    )


def money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def test_a_late_dispatch_charges_the_late_acceptance_and_the_charge_stays_fixed(center):
    """Rule 4 from the dispatch: accepted a day and a half after its 1-hour limit (no sweep
    ran meanwhile), the dispatch itself charges 2 started days (200) to who should have
    accepted it (the first-contact owner, no one being assigned); later runs of the ledger
    and of the daily re-quote change nothing, as acceptance stopped the clock."""
    complaint = complaint_file_for_test(center, now=FILED)
    due = CaseTimer.objects.get(case=complaint.case, kind="acceptance").due_at
    assert due == now_local(2026, 11, 23, 11)
    complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                       now=now_local(2026, 11, 24, 23))
    assert ledger(complaint) == {
        "late_acceptance": (center.agent.pk, money(200), money(200), "charged")}
    before = snapshot()
    charges_sync(complaint_ids=[complaint.pk], now=now_local(2026, 11, 30, 12))
    late_acceptance_requote(now=now_local(2026, 11, 30, 12))
    assert snapshot() == before


def test_a_dispatch_in_time_charges_nothing(center):
    complaint = complaint_file_for_test(center, now=FILED)
    complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                       now=now_local(2026, 11, 23, 10, 30))
    assert ledger(complaint) == {}


def test_the_verdict_charges_late_completion_once_the_resolution_clock_is_late(center):
    """Rule 2 from the verdict: an A complaint (8 h to complete) judged valid 9 h after its
    filing names the person responsible, who is charged as for a D complaint (50)."""
    complaint = complaint_file_for_test(center, now=FILED, emotion="extreme")
    complaint = dispatched(center, complaint, now=now_local(2026, 11, 23, 10, 10))
    complaint_verdict(complaint=complaint, by=center.business_supervisor,
                      expected_version=complaint.version, verdict="valid",
                      responsible=center.business_member, fix="更换压缩机",
                      now=now_local(2026, 11, 23, 19))
    assert ledger(complaint) == {
        "late_completion": (center.business_member.pk, money(50), money(50), "charged")}


def test_a_verdict_in_time_charges_nothing(center):
    complaint = assessed(center, complaint_file_for_test(center, now=FILED),
                         now=now_local(2026, 11, 23, 11))
    assert complaint.responsible == center.business_member
    assert ledger(complaint) == {}


def test_the_ledger_follows_a_regrade_both_ways(center):
    """Re-graded A → C after the A limit passed, the resolution clock follows the C policy
    (48 h): the late completion no longer applies and is quoted at 0; re-graded back to A,
    it is charged again — one row per key all along."""
    complaint = complaint_file_for_test(center, now=FILED, emotion="extreme")
    complaint = dispatched(center, complaint, now=now_local(2026, 11, 23, 10, 10))
    complaint = assessed(center, complaint, now=now_local(2026, 11, 23, 19))
    assert ledger(complaint)["late_completion"][1] == money(50)
    complaint = complaint_regrade(complaint=complaint, grade="C", reason="核实后客户情绪平稳",
                                  by=center.business_supervisor,
                                  expected_version=complaint.version,
                                  now=now_local(2026, 11, 23, 20))
    assert ledger(complaint) == {
        "late_completion": (center.business_member.pk, money(0), money(0), "charged")}
    complaint_regrade(complaint=complaint, grade="A", reason="客户再次来电，情绪极度强烈",
                      by=center.business_supervisor, expected_version=complaint.version,
                      now=now_local(2026, 11, 23, 21))
    assert ledger(complaint) == {
        "late_completion": (center.business_member.pk, money(50), money(50), "charged")}
    assert PenaltyEntry.objects.filter(complaint_id=complaint.pk).count() == 1


def test_a_late_final_result_charges_late_completion(center):
    """Rule 2 from the final result: a C complaint (48 h) resolved on the third day; the
    resolution clock stops late, and the late completion is charged by the step itself."""
    complaint = proposed(center, complaint_file_for_test(center, now=FILED),
                         now=now_local(2026, 11, 23, 11))
    assert ledger(complaint) == {}
    complaint_resolve(complaint=complaint, by=center.business_member,
                      expected_version=complaint.version, final_result="已更换压缩机",
                      now=now_local(2026, 11, 25, 12))
    timer = CaseTimer.objects.get(case=complaint.case, kind="resolution", state="met")
    assert timer.breached_at is not None
    assert ledger(complaint) == {
        "late_completion": (center.business_member.pk, money(50), money(50), "charged")}


@pytest.mark.parametrize(("overrides", "expected", "sanction"), [
    ({"loss_yuan": Decimal("5000")},
     {"grade_fine": "500", "economic_loss": "5000"}, True),
    ({"emotion": "strong", "loss_yuan": Decimal("1200.50")},
     {"grade_fine": "200", "economic_loss": "1200.50"}, False),
    ({}, {"grade_fine": "100"}, False),
])
def test_the_closure_charges_the_grade_fine_and_the_loss(center, overrides, expected,
                                                         sanction):
    """Rules 1 and 3 from the closure: nothing of the grade before it; at the closure the
    responsible person bears the grade's fine and, for B and A, the economic loss; A
    carries the administrative sanction."""
    complaint = followed_up(center, complaint_file_for_test(center, now=FILED, **overrides),
                            now=now_local(2026, 11, 23, 11))
    assert ledger(complaint) == {}
    complaint = complaint_close(complaint=complaint, by=center.manager,
                                expected_version=complaint.version,
                                now=now_local(2026, 11, 23, 12))
    assert complaint.state == "closed"
    assert ledger(complaint) == {
        rule: (center.business_member.pk, money(amount), money(amount), "charged")
        for rule, amount in expected.items()}
    fine = PenaltyEntry.objects.get(complaint_id=complaint.pk, rule="grade_fine")
    assert fine.administrative_sanction is sanction
    assert fine.rule_set.version == 1
    assert fine.evidence["complaint_state"] == "closed"


def test_closing_twice_leaves_the_ledger_as_it_was(center):
    """The second closure is refused (400 on `state`) and writes nothing to the ledger:
    the same rows, amounts, versions and events."""
    complaint = followed_up(center, complaint_file_for_test(center, now=FILED,
                                                            loss_yuan=Decimal("5000")),
                            now=now_local(2026, 11, 23, 11))
    version = complaint.version
    complaint_close(complaint=complaint, by=center.manager, expected_version=version,
                    now=now_local(2026, 11, 23, 12))
    before = snapshot()
    assert len(before[0]) == 2
    for expected_version in (None, version + 1):
        with pytest.raises(StepRefused):
            complaint_close(complaint=complaint, by=center.manager,
                            expected_version=expected_version,
                            now=now_local(2026, 11, 24, 12))
    assert snapshot() == before


def test_a_step_refused_changes_nothing_in_the_ledger(center):
    """A refused step rolls back with everything it would have written (the verdict of
    someone outside the department after the A limit passed: no late completion)."""
    from django.core.exceptions import PermissionDenied

    complaint = complaint_file_for_test(center, now=FILED, emotion="extreme")
    complaint = dispatched(center, complaint, now=now_local(2026, 11, 23, 10, 10))
    with pytest.raises(PermissionDenied):
        complaint_verdict(complaint=complaint, by=center.other_supervisor,
                          expected_version=complaint.version, verdict="valid",
                          responsible=center.business_member, fix="更换压缩机",
                          now=now_local(2026, 11, 23, 19))
    assert ledger(complaint) == {}
