"""A manager waives or adjusts a ledger entry, the reason on the record
(`complaints.waive_penaltyentry`: managers, general managers, administrators); anyone
else is refused and nothing changes; a stale version is a conflict."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.handling.models import Complaint
from complaints.penalties.models import EntryState, PenaltyEntry
from complaints.penalties.services import (
    EntryConflict,
    charges_sync,
    entry_adjust,
    entry_waive,
)
from servicedesk.roles import Role
from tests.complaints.penalties.factories import DAY, FILED, complaint_for_test, team
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return team()


@pytest.fixture
def entry(people):
    complaint = complaint_for_test(by=people["agent"], grade="B", state=Complaint.State.CLOSED,
                                   verdict="valid", responsible=people["member"])
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    return PenaltyEntry.objects.get(complaint=complaint)


def unchanged(entry):
    fresh = PenaltyEntry.objects.get(pk=entry.pk)
    return (fresh.state, fresh.amount, fresh.version, fresh.events.count()) == (
        EntryState.CHARGED, Decimal("200.00"), 1, 1)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMINISTRATOR])
def test_management_waives_with_a_reason(entry, role):
    manager = StaffFactory(role=role).user
    entry_waive(entry=entry, by=manager, reason="客户主动撤诉", expected_version=1)
    entry.refresh_from_db()
    assert (entry.state, entry.amount, entry.quoted_amount, entry.version) == (
        EntryState.WAIVED, Decimal("0.00"), Decimal("200.00"), 2)
    event = entry.events.get(kind="waived")
    assert (event.actor_id, event.reason) == (manager.pk, "客户主动撤诉")
    assert (event.data["from"], event.data["to"]) == ("200.00", "0.00")


def test_an_adjustment_sets_the_amount_on_the_record(people, entry):
    entry_adjust(entry=entry, by=people["manager"], amount=Decimal("120.5"),
                 reason="情节较轻")
    entry.refresh_from_db()
    assert (entry.state, entry.amount) == (EntryState.ADJUSTED, Decimal("120.50"))
    event = entry.events.get(kind="adjusted")
    assert (event.data["from"], event.data["to"], event.reason) == ("200.00", "120.50",
                                                                    "情节较轻")
    entry_waive(entry=entry, by=people["manager"], reason="最终免罚")
    entry.refresh_from_db()
    assert (entry.state, entry.amount) == (EntryState.WAIVED, Decimal("0.00"))


@pytest.mark.parametrize("reason", ["", "   ", "\u200b"])
def test_no_reason_no_waiver(people, entry, reason):
    with pytest.raises(ValidationError) as refused:
        entry_waive(entry=entry, by=people["manager"], reason=reason)
    assert "reason" in refused.value.message_dict
    assert unchanged(entry)


@pytest.mark.parametrize(("amount", "field"), [
    ("-1", "amount"), ("12.345", "amount"), ("abc", "amount"), ("NaN", "amount"),
    (12.5, "amount"), ("99999999999", "amount"),
])
def test_an_adjustment_is_yuan_at_least_zero_with_two_places(people, entry, amount, field):
    with pytest.raises(ValidationError) as refused:
        entry_adjust(entry=entry, by=people["manager"], amount=amount, reason="调整")
    assert field in refused.value.message_dict
    assert unchanged(entry)


def test_an_adjustment_needs_a_reason(people, entry):
    with pytest.raises(ValidationError) as refused:
        entry_adjust(entry=entry, by=people["manager"], amount="10", reason="")
    assert set(refused.value.message_dict) == {"reason"}
    assert unchanged(entry)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.TIER1, Role.TIER2, Role.TEAM_LEAD])
def test_no_one_else_waives_or_adjusts(people, entry, role):
    someone = StaffFactory(role=role, department=people["department"]).user
    with pytest.raises(PermissionDenied):
        entry_waive(entry=entry, by=someone, reason="免罚")
    with pytest.raises(PermissionDenied):
        entry_adjust(entry=entry, by=someone, amount="1", reason="调整")
    assert unchanged(entry)


def test_the_charged_person_cannot_waive_their_own_charge(people, entry):
    with pytest.raises(PermissionDenied):
        entry_waive(entry=entry, by=people["member"], reason="我不服")
    assert unchanged(entry)


def test_a_stale_version_is_a_conflict(people, entry):
    entry_adjust(entry=entry, by=people["manager"], amount="100", reason="第一次")
    with pytest.raises(EntryConflict) as conflict:
        entry_waive(entry=entry, by=people["manager"], reason="第二次", expected_version=1)
    assert conflict.value.current_version == 2
    entry.refresh_from_db()
    assert (entry.state, entry.amount) == (EntryState.ADJUSTED, Decimal("100.00"))


def test_a_waived_entry_is_not_waived_again_and_an_excused_one_not_adjusted(people, entry):
    entry_waive(entry=entry, by=people["manager"], reason="免罚")
    with pytest.raises(ValidationError) as refused:
        entry_waive(entry=entry, by=people["manager"], reason="再免")
    assert "state" in refused.value.message_dict
    PenaltyEntry.objects.filter(pk=entry.pk).update(state=EntryState.EXCUSED)
    with pytest.raises(ValidationError) as refused:
        entry_adjust(entry=entry, by=people["manager"], amount="10", reason="调整")
    assert "state" in refused.value.message_dict
