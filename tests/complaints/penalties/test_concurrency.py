"""Two ledger runs at once (PostgreSQL: two threads, each with its own connection and
transaction): one row per key, each row's creation event once, whatever the interleaving.
SQLite serialises write transactions, so there is no concurrency to test there."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from complaints.handling.models import Complaint
from complaints.penalties.models import PenaltyEntry, PenaltyEvent
from complaints.penalties.services import charges_sync
from tests.complaints.penalties.factories import DAY, FILED, H, clock_due, complaint_for_test, team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises write transactions: two runs cannot overlap"),
]


def run_together(*nows):
    """One thread per `now`, each running `charges_sync` over every complaint in its own
    transaction, released at the same instant."""
    ids = list(Complaint.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(len(nows))
    reports, errors = [], []

    def work(now):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                reports.append(charges_sync(complaint_ids=ids, now=now))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(now,)) for now in nows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return reports


def complaints(n):
    people = team()
    made = []
    for i in range(n):
        c = complaint_for_test(by=people["agent"], assignee=people["agent"], grade="AB"[i % 2],
                               state=Complaint.State.CLOSED, verdict="valid",
                               responsible=people["member"], loss_yuan=Decimal("300"),
                               accepted=False, resolved=False)
        clock_due(c, "acceptance", FILED + H)
        clock_due(c, "resolution", FILED + 2 * H)
        made.append(c)
    return made


def test_two_runs_at_once_write_one_row_per_key():
    made = complaints(30)
    reports = run_together(FILED + DAY, FILED + DAY)
    expected = 4 * len(made)  # fine, loss, late acceptance, late completion
    assert PenaltyEntry.objects.count() == expected
    assert len(set(PenaltyEntry.objects.values_list("key", flat=True))) == expected
    assert PenaltyEvent.objects.filter(kind="charged").count() == expected
    assert PenaltyEvent.objects.count() == expected  # nothing re-quoted: the same facts
    assert sum(r.created for r in reports) >= expected
    assert {e.amount for e in PenaltyEntry.objects.filter(rule="late_acceptance")} == {
        Decimal("100.00")}


def test_two_runs_at_once_on_other_days_agree_on_one_row_per_key():
    """The runs see the late acceptance at 1 and at 3 days: whichever commits last, each
    key has one row, one creation event, and its amount is one the facts gave."""
    complaints(10)
    run_together(FILED + 2 * H, FILED + 2 * DAY + 2 * H)
    rows = PenaltyEntry.objects.filter(rule="late_acceptance")
    assert rows.count() == 10
    assert PenaltyEvent.objects.filter(kind="charged").count() == PenaltyEntry.objects.count()
    assert {e.amount for e in rows} <= {Decimal("100.00"), Decimal("300.00")}
    for entry in rows:
        requotes = entry.events.filter(kind="requoted").count()
        assert requotes == (0 if entry.version == 1 else 1)
