"""Two managers close the same complaint at the same moment (PostgreSQL: two threads, each
with its own connection and transaction): exactly one closure, and the penalty ledger it
writes has one row per key with the right amounts and one creation event each. SQLite
serialises write transactions, so there is no concurrency to test there."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.handling.models import Complaint
from complaints.handling.services import ComplaintConflict, complaint_close
from complaints.penalties.models import PenaltyEntry, PenaltyEvent
from servicedesk.errors import StepRefused
from servicedesk.roles import Role
from tests.complaints.handling.factories import (
    _staff,
    center_build,
    complaint_file_for_test,
    followed_up,
    now_local,
    seed_complaint_types,
)
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import CaseEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises write transactions: two closings cannot "
                              "overlap"),
]

FILED = now_local(2026, 11, 23, 10)


def close_together(complaint, managers, *, expected_version):
    """Each manager closes the complaint in their own thread, released at the same
    instant; (closed, refused, unexpected)."""
    barrier = threading.Barrier(len(managers))
    closed, refused, unexpected = [], [], []

    def work(manager):
        try:
            barrier.wait(timeout=10)
            closed.append(complaint_close(
                complaint=complaint, by=manager, expected_version=expected_version,
                final_result="已更换压缩机，客户确认制冷正常", now=now_local(2026, 11, 23, 12)))
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return closed, refused, unexpected


@pytest.fixture
def center():
    seed_sla_policies()  # a transactional test starts from a flushed database
    seed_complaint_types()
    return center_build()


@pytest.mark.parametrize("read_version", [False, True])
def test_two_closings_at_once_close_once_and_charge_once(center, read_version):
    """An A complaint with a 5000-yuan loss: whether both managers send the version they
    read or none, one closes it and the other is refused (on `state`, or as a conflict);
    the ledger holds the grade fine (500) and the loss (5000) once each, charged to the
    person responsible, each with one creation event."""
    complaint = followed_up(center, complaint_file_for_test(
        center, now=FILED, loss_yuan=Decimal("5000")), now=now_local(2026, 11, 23, 11))
    managers = [center.manager, _staff(Role.MANAGER, None, "值班经理")]
    closed, refused, unexpected = close_together(
        complaint, managers, expected_version=complaint.version if read_version else None)
    assert unexpected == []
    assert (len(closed), len(refused)) == (1, 1)
    assert isinstance(refused[0], ComplaintConflict if read_version else StepRefused)
    assert Complaint.objects.get(pk=complaint.pk).state == "closed"
    assert CaseEvent.objects.filter(case=complaint.case, data__step="close").count() == 1
    rows = PenaltyEntry.objects.filter(complaint_id=complaint.pk)
    assert sorted(rows.values_list("key", "person_id", "amount", "state")) == [
        (f"complaint:{complaint.pk}:economic_loss", center.business_member.pk,
         Decimal("5000.00"), "charged"),
        (f"complaint:{complaint.pk}:grade_fine", center.business_member.pk,
         Decimal("500.00"), "charged"),
    ]
    assert PenaltyEvent.objects.filter(entry__complaint_id=complaint.pk).count() == 2
    assert PenaltyEvent.objects.filter(entry__complaint_id=complaint.pk,
                                       kind="charged").count() == 2
