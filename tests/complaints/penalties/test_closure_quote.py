"""The closure's quote (`complaint_closure_quote`, shown in the close form before a manager
confirms): the same rule code and version as the ledger, from the complaint's grade, loss,
repeat by neglect, the days its acceptance was late and its late completion without an
excuse — so what the form says is exactly what the ledger charges once it is closed."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.handling.models import Complaint
from complaints.penalties.models import PenaltyEntry, SlaExcuse
from complaints.penalties.selectors import NoRuleSet, complaint_closure_quote
from complaints.penalties.services import charges_sync, rule_set_add
from servicedesk.roles import Role
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

pytestmark = pytest.mark.django_db
CLOSED = Complaint.State.CLOSED
MINUTE = dt.timedelta(minutes=1)
NOW = FILED + 10 * DAY


def charged(complaint):
    """{rule: (person id, amount)} of what the ledger charges the complaint (entries
    excused or no longer applying charge 0 and are left out, as the quote leaves them)."""
    return {e.rule: (e.person_id, e.amount)
            for e in PenaltyEntry.objects.filter(complaint=complaint) if e.amount}


def quoted(quote):
    return {c.rule: (c.person_id, c.amount) for c in quote.charges}


def excuse_approved(complaint, kind, people):
    SlaExcuse.objects.create(
        timer=clock(complaint, kind), case_id=complaint.case_id, reason_kind="force_majeure",
        note="台风停运", state="approved", requested_by=people["supervisor"],
        requested_at=FILED + DAY, decided_by=people["manager"], decided_at=FILED + DAY)


def test_an_a_complaint_with_a_loss_is_quoted_500_plus_the_loss():
    """Rules 1: A charges 500 and the loss to the responsible person, with the sanction;
    rule version 1, the totals as Decimal."""
    people = team()
    complaint = complaint_for_test(by=people["agent"], grade="A", state="followed_up",
                                   verdict="valid", responsible=people["member"],
                                   loss_yuan=Decimal("5000"))
    quote = complaint_closure_quote(complaint=complaint, now=NOW)
    member = people["member"].pk
    assert quoted(quote) == {"grade_fine": (member, Decimal("500.00")),
                             "economic_loss": (member, Decimal("5000.00"))}
    assert quote.total == Decimal("5500.00")
    assert quote.rule_version == 1
    assert quote.administrative_sanction is True
    assert [c.bearer for c in quote.charges] == ["responsible", "responsible"]


def test_late_acceptance_goes_to_who_should_have_accepted_and_late_completion_to_the_responsible():
    """Rules 2 and 4: accepted 25 h late (2 started days, 200) by the assignee; the
    resolution clock stopped late (50, as a D): each borne by its person."""
    people = team()
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"], grade="C",
                                   state="followed_up", verdict="valid",
                                   responsible=people["member"], accepted=False,
                                   resolved=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_stop(complaint, "acceptance", FILED + 26 * H)
    clock_due(complaint, "resolution", FILED + 2 * H)
    clock_stop(complaint, "resolution", FILED + 30 * H)
    quote = complaint_closure_quote(complaint=complaint, now=NOW)
    assert quote.late_acceptance_days == 2 and quote.completed_late_without_reason
    assert quoted(quote) == {
        "grade_fine": (people["member"].pk, Decimal("100.00")),
        "late_completion": (people["member"].pk, Decimal("50.00")),
        "late_acceptance": (people["agent"].pk, Decimal("200.00")),
    }
    assert {c.rule: c.bearer for c in quote.charges}["late_acceptance"] == "acceptor"


def test_an_approved_excuse_leaves_its_clock_out_of_the_quote():
    people = team()
    complaint = complaint_for_test(by=people["agent"], grade="B", state="followed_up",
                                   verdict="valid", responsible=people["member"],
                                   resolved=False)
    clock_due(complaint, "resolution", FILED + 2 * H)
    clock_stop(complaint, "resolution", FILED + 30 * H)
    assert "late_completion" in quoted(complaint_closure_quote(complaint=complaint, now=NOW))
    excuse_approved(complaint, "resolution", people)
    quote = complaint_closure_quote(complaint=complaint, now=NOW)
    assert quoted(quote) == {"grade_fine": (people["member"].pk, Decimal("200.00"))}
    assert not quote.completed_late_without_reason


def test_without_a_responsible_person_only_the_late_acceptance_is_quoted():
    people = team()
    complaint = complaint_for_test(by=people["agent"], grade="B", state="followed_up",
                                   accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_stop(complaint, "acceptance", FILED + 2 * H)
    assert quoted(complaint_closure_quote(complaint=complaint, now=NOW)) == {
        "late_acceptance": (people["agent"].pk, Decimal("100.00"))}


def test_the_quote_uses_the_rules_in_force_at_the_filing():
    """A later version of the rules (A 800) does not change what a complaint filed before
    it is quoted (the ledger's rule); none in force at the filing: NoRuleSet."""
    people = team()
    complaint = complaint_for_test(by=people["agent"], grade="A", state="followed_up",
                                   verdict="valid", responsible=people["member"])
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    rule_set_add(by=admin, effective_from=FILED + DAY, values={"fine_a": Decimal("800")},
                 now=FILED + DAY)
    quote = complaint_closure_quote(complaint=complaint, now=NOW)
    assert (quote.rule_version, quote.total) == (1, Decimal("500.00"))
    Complaint.objects.filter(pk=complaint.pk).update(filed_at=dt.datetime(1999, 1, 1,
                                                                          tzinfo=dt.UTC))
    complaint.refresh_from_db()
    with pytest.raises(NoRuleSet):
        complaint_closure_quote(complaint=complaint, now=NOW)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    grade=st.sampled_from("ABCD"),
    loss=st.decimals(min_value=0, max_value=99999, places=2),
    repeat=st.booleans(),
    responsible=st.booleans(),
    acceptance_late=st.one_of(st.none(), st.integers(min_value=-60, max_value=5 * 24 * 60)),
    resolution_late=st.one_of(st.none(), st.integers(min_value=-60, max_value=3 * 24 * 60)),
    excused=st.sets(st.sampled_from(["acceptance", "resolution"])),
)
def test_what_the_quote_says_is_what_the_closure_charges(grade, loss, repeat, responsible,
                                                          acceptance_late, resolution_late,
                                                          excused):
    """Whatever the facts (grade, loss, repeat by neglect, a person named or not, each
    clock on time, a minute late or days late, excused or not), the ledger written for
    the closed complaint charges exactly what its quote said: the same rules, people and
    amounts, the same total."""
    people = team()
    complaint = complaint_for_test(
        by=people["agent"], assignee=people["agent"], grade=grade, state=CLOSED,
        verdict="valid" if grade != "D" else "", loss_yuan=loss, repeat_by_neglect=repeat,
        responsible=people["member"] if responsible else None,
        accepted=acceptance_late is None, resolved=resolution_late is None)
    for kind, late in (("acceptance", acceptance_late), ("resolution", resolution_late)):
        if late is not None:
            clock_due(complaint, kind, FILED + H)
            clock_stop(complaint, kind, FILED + H + late * MINUTE)
            if kind in excused and late > 0:
                excuse_approved(complaint, kind, people)
    quote = complaint_closure_quote(complaint=complaint, now=NOW)
    charges_sync(complaint_ids=[complaint.pk], now=NOW)
    assert charged(complaint) == {rule: value for rule, value in quoted(quote).items()
                                  if value[1]}
    assert sum((amount for _person, amount in charged(complaint).values()),
               Decimal("0.00")) == quote.total
