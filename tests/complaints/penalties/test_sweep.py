"""From the sweep's breaches (`tickets.sla.sweep.crossing_listen`): a complaint's late
acceptance and late completion are charged in the sweep's transaction, and a second sweep
over the same breached clocks changes nothing."""

import datetime as dt
import json

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
