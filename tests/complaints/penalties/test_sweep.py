"""From the sweep's breaches (`tickets.sla.sweep.crossing_listen`): a complaint's late
acceptance and late completion are charged in the sweep's transaction, and a second sweep
over the same breached clocks changes nothing — also once the complaint has closed."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from complaints.penalties.models import PenaltyEntry, PenaltyEvent
from tests.complaints.penalties.factories import (
    DAY,
    FILED,
    H,
    clock,
    clock_due,
    complaint_for_test,
    team,
)
from tests.tickets.cases.factories import case_open_for_test
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def snapshot():
    return (
        sorted(PenaltyEntry.objects.values_list("key", "person_id", "amount", "quoted_amount",
                                                "state", "version")),
        sorted((key, kind, json.dumps(data, sort_keys=True)) for key, kind, data
               in PenaltyEvent.objects.values_list("entry__key", "kind", "data")),
    )


def test_the_sweeps_breach_of_the_acceptance_clock_charges_the_acceptor():
    people = team()
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    report = sla_sweep(now=FILED + H + MINUTE, deliver=False)
    assert report.breached >= 1
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.rule, entry.person_id, str(entry.amount)) == (
        "late_acceptance", people["agent"].pk, "100.00")
    assert clock(complaint, "acceptance").breached_at == FILED + H


def test_the_sweeps_breach_of_the_resolution_clock_charges_late_completion():
    people = team()
    complaint = complaint_for_test(by=people["agent"], grade="A", state="assessed",
                                   verdict="valid", responsible=people["member"])
    clock_due(complaint, "resolution", FILED + 8 * H)
    sla_sweep(now=FILED + 8 * H + H, deliver=False)
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.rule, entry.person_id, str(entry.amount)) == (
        "late_completion", people["member"].pk, "50.00")


def test_a_second_sweep_over_the_same_breaches_changes_nothing():
    people = team()
    complaints = [complaint_for_test(by=people["agent"], assignee=people["agent"],
                                     grade=grade, state="assessed", verdict="valid",
                                     responsible=people["member"], accepted=False)
                  for grade in "ABC"]
    for c in complaints:
        clock_due(c, "acceptance", FILED + H)
        clock_due(c, "resolution", FILED + 2 * H)
    sla_sweep(now=FILED + 3 * H, deliver=False)
    before = snapshot()
    assert len(before[0]) == 6  # late acceptance and late completion of each
    again = sla_sweep(now=FILED + 3 * H, deliver=False)
    assert again.breached == 0
    assert snapshot() == before
    sla_sweep(now=FILED + 4 * H, deliver=False)
    assert snapshot() == before


def test_breaches_of_other_cases_charge_nothing():
    """A consultation's breach is no complaint: the ledger stays empty."""
    people = team()
    case = case_open_for_test(by=people["agent"], assignee=people["agent"], now=FILED)
    assert case.timers.exists()
    sla_sweep(now=FILED + 2 * DAY, deliver=False)
    assert not PenaltyEntry.objects.exists()


def test_sweeps_over_the_breaches_of_a_complaint_that_later_closes_change_nothing():
    """A complaint moved through the real handling steps: the sweep charges its late
    acceptance while it waits (and the dispatch fixes it), the verdict its late completion
    once a person is named, the closure its grade fine and loss. Sweeping again over the
    same breaches after the closure, and re-quoting late acceptances, change nothing."""
    from complaints.handling.services import (
        complaint_close,
        complaint_dispatch,
        complaint_follow_up,
        complaint_propose,
        complaint_resolve,
        complaint_verdict,
    )
    from complaints.penalties.services import late_acceptance_requote
    from tests.complaints.handling.factories import (
        center_build,
        complaint_file_for_test,
        now_local,
    )

    center = center_build()
    filed = now_local(2026, 11, 23, 10)  # Monday; acceptance due 11:00, completion 18:00
    complaint = complaint_file_for_test(center, now=filed, emotion="extreme",
                                        loss_yuan=Decimal("5000"))
    assert complaint.grade == "A"

    def rules():
        return {e.rule: (e.person_id, str(e.amount), e.state)
                for e in PenaltyEntry.objects.filter(complaint_id=complaint.pk)}

    sla_sweep(now=filed + H + 5 * MINUTE, deliver=False)
    assert rules() == {"late_acceptance": (center.agent.pk, "100.00", "charged")}
    complaint = complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                                   now=filed + 2 * H)
    sla_sweep(now=filed + 8 * H + 5 * MINUTE, deliver=False)  # the completion limit passes
    assert set(rules()) == {"late_acceptance"}  # no one is responsible yet
    steps = [
        (complaint_verdict, {"by": center.business_supervisor, "verdict": "valid",
                             "responsible": center.business_member, "fix": "更换压缩机"}),
        (complaint_propose, {"by": center.business_supervisor, "text": "上门更换压缩机",
                             "response": "accepted"}),
        (complaint_resolve, {"by": center.business_member, "final_result": "已更换压缩机"}),
        (complaint_follow_up, {"by": center.agent, "satisfaction": "satisfied"}),
        (complaint_close, {"by": center.manager}),
    ]
    for minutes, (service, kwargs) in zip(range(30, 300, 30), steps, strict=False):
        complaint = service(complaint=complaint, expected_version=complaint.version,
                            now=filed + 8 * H + minutes * MINUTE, **kwargs)
    assert complaint.state == "closed"
    member = center.business_member.pk
    assert rules() == {
        "late_acceptance": (center.agent.pk, "100.00", "charged"),
        "late_completion": (member, "50.00", "charged"),
        "grade_fine": (member, "500.00", "charged"),
        "economic_loss": (member, "5000.00", "charged"),
    }
    before = snapshot()
    for now in (filed + 14 * H, filed + 14 * H, filed + 3 * DAY):
        sla_sweep(now=now, deliver=False)
        late_acceptance_requote(now=now)
        assert snapshot() == before
