"""The penalty ledger from the facts (`charges_sync`): who is charged what under which
rule version, idempotently, with evidence; what a manager adjusted or waived is kept; a
charge the facts no longer call for is quoted at 0; a bounded number of queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from complaints.handling.models import Complaint
from complaints.penalties.models import EntryState, PenaltyEntry, PenaltyEvent, PenaltyRuleSet
from complaints.penalties.services import (
    charges_sync,
    entry_adjust,
    entry_waive,
    late_acceptance_requote,
)
from tests.complaints.penalties.factories import (
    DAY,
    FILED,
    H,
    clock_due,
    clock_stop,
    complaint_for_test,
    team,
)
from tests.tickets.sla.factories import bj

pytestmark = pytest.mark.django_db
CLOSED = Complaint.State.CLOSED
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def people():
    return team()


def ledger(complaint):
    """{rule: (person id, amount, quoted, state)} of the complaint's entries."""
    return {e.rule: (e.person_id, e.amount, e.quoted_amount, e.state)
            for e in PenaltyEntry.objects.filter(complaint=complaint)}


def snapshot():
    """Everything the ledger holds, to compare two runs."""
    return (
        sorted(PenaltyEntry.objects.values_list("key", "person_id", "amount", "quoted_amount",
                                                "state", "version", "rule_set_id")),
        sorted((key, kind, json.dumps(data, sort_keys=True), at) for key, kind, data, at
               in PenaltyEvent.objects.values_list("entry__key", "kind", "data", "at")),
    )


@pytest.mark.parametrize(("grade", "loss", "repeat", "expected", "sanction"), [
    ("D", "0", False, {"grade_fine": "50.00"}, False),
    ("C", "0", False, {"grade_fine": "100.00"}, False),
    ("C", "500", False, {"grade_fine": "100.00"}, False),
    ("B", "0", False, {"grade_fine": "200.00"}, False),
    ("B", "1200.50", False, {"grade_fine": "200.00", "economic_loss": "1200.50"}, False),
    ("A", "5000", False, {"grade_fine": "500.00", "economic_loss": "5000.00"}, True),
    ("A", "5000", True, {"grade_fine": "1000.00", "economic_loss": "5000.00"}, True),
    ("D", "0", True, {"grade_fine": "100.00"}, False),
])
def test_closure_charges_the_grade_fine_and_the_loss_to_the_responsible_person(
        people, grade, loss, repeat, expected, sanction):
    """Rules 1 and 3 from the closure: the responsible person bears the grade's fine
    (doubled for a repeat caused by neglect) and, for B and A, the loss; A carries the
    administrative sanction."""
    complaint = complaint_for_test(by=people["agent"], grade=grade, state=CLOSED,
                                   verdict="valid" if grade != "D" else "",
                                   responsible=people["member"], loss_yuan=Decimal(loss),
                                   repeat_by_neglect=repeat)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    assert ledger(complaint) == {
        rule: (people["member"].pk, Decimal(amount), Decimal(amount), EntryState.CHARGED)
        for rule, amount in expected.items()}
    fine = PenaltyEntry.objects.get(complaint=complaint, rule="grade_fine")
    assert fine.administrative_sanction is sanction
    assert fine.key == f"complaint:{complaint.pk}:grade_fine"
    assert fine.department_id == people["department"].pk
    assert fine.rule_set.version == 1
    assert PenaltyEvent.objects.filter(entry=fine, kind="charged").count() == 1


def test_nothing_of_the_grade_is_charged_before_the_closure(people):
    """The grade fine and the loss come from the closure: an open complaint has none."""
    complaint = complaint_for_test(by=people["agent"], grade="A", state="resolved",
                                   verdict="valid", responsible=people["member"],
                                   loss_yuan=Decimal("5000"))
    report = charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    assert ledger(complaint) == {}
    assert report.complaints == 1 and report.created == 0


def test_a_closed_complaint_without_a_responsible_person_charges_no_one(people):
    complaint = complaint_for_test(by=people["agent"], grade="C", state=CLOSED,
                                   verdict="valid")
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    assert ledger(complaint) == {}


@pytest.mark.parametrize(("late_by", "days"), [
    (MINUTE, 1), (H, 1), (DAY - SECOND, 1), (DAY, 1), (DAY + SECOND, 2), (2 * DAY, 2),
    (2 * DAY + MINUTE, 3), (5 * DAY + H, 6),
])
def test_late_acceptance_is_100_per_started_day_once_stopped(people, late_by, days):
    """Rule 4: 1 minute late is a day, exactly 24 h one day, 24 h and 1 s two days; the
    figure is fixed once acceptance stops the clock."""
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    due = FILED + H
    clock_due(complaint, "acceptance", due)
    clock_stop(complaint, "acceptance", due + late_by)
    charges_sync(complaint_ids=[complaint.pk], now=due + late_by + 30 * DAY)
    amount = Decimal(100 * days).quantize(Decimal("0.01"))
    assert ledger(complaint) == {
        "late_acceptance": (people["agent"].pk, amount, amount, EntryState.CHARGED)}
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert entry.evidence["clock"]["days_late"] == days
    assert entry.evidence["clock"]["stopped_at"] == (due + late_by).astimezone(dt.UTC).isoformat()


def test_acceptance_on_time_charges_nothing(people):
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    due = FILED + H
    clock_due(complaint, "acceptance", due)
    clock_stop(complaint, "acceptance", due)  # at the due instant itself: on time
    charges_sync(complaint_ids=[complaint.pk], now=due + DAY)
    assert ledger(complaint) == {}


def test_late_acceptance_without_an_assignee_charges_the_first_contact_owner(people):
    """Whoever should have accepted it: the case's assignee, else its first-contact owner."""
    complaint = complaint_for_test(by=people["agent"], accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * H)
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.person_id, entry.amount) == (people["agent"].pk, Decimal("100.00"))
    assert entry.evidence["acceptor_is_assignee"] is False


def test_late_acceptance_grows_while_the_clock_runs_and_is_fixed_when_it_stops(people):
    """Counted up to now while the clock runs late (re-quoted as the days grow, with an
    event), fixed once acceptance (the dispatch) stops it."""
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    due = FILED + H
    clock_due(complaint, "acceptance", due)
    charges_sync(complaint_ids=[complaint.pk], now=due + MINUTE)
    assert ledger(complaint)["late_acceptance"][1] == Decimal("100.00")
    charges_sync(complaint_ids=[complaint.pk], now=due + DAY + H)
    assert ledger(complaint)["late_acceptance"][1] == Decimal("200.00")
    clock_stop(complaint, "acceptance", due + DAY + 2 * H)
    charges_sync(complaint_ids=[complaint.pk], now=due + 9 * DAY)
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.amount, entry.quoted_amount) == (Decimal("200.00"), Decimal("200.00"))
    assert entry.evidence["clock"]["running"] is False
    events = list(entry.events.order_by("at", "id"))
    # charged at 100, re-quoted to 200, then re-quoted at the stop (same amount, the
    # clock's stop now in the evidence)
    assert [e.kind for e in events] == ["charged", "requoted", "requoted"]
    assert events[1].data["to"] == "200.00" and "to" not in events[2].data


def test_the_periodic_requote_follows_the_days_of_running_late_acceptances(people):
    """The periodic job re-quotes late acceptances still running; a second run the same
    day changes nothing."""
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    due = FILED + H
    clock_due(complaint, "acceptance", due)
    first = late_acceptance_requote(now=due + 3 * H)
    assert first.created == 1
    assert ledger(complaint)["late_acceptance"][1] == Decimal("100.00")
    report = late_acceptance_requote(now=due + 2 * DAY + H)
    assert report.requoted == 1
    assert ledger(complaint)["late_acceptance"][1] == Decimal("300.00")
    before = snapshot()
    again = late_acceptance_requote(now=due + 2 * DAY + 2 * H)
    assert again.requoted == 0 and snapshot() == before


@pytest.mark.parametrize("responsible", [True, False])
def test_late_completion_is_a_d_fine_once_a_responsible_person_is_named(people, responsible):
    """Rule 2: a breached resolution clock charges the responsible person 50 (as a D);
    without a responsible person named, nobody yet."""
    complaint = complaint_for_test(
        by=people["agent"], grade="B", state="assessed", verdict="valid",
        responsible=people["member"] if responsible else None)
    clock_due(complaint, "resolution", FILED + 24 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 25 * H)
    expected = ({"late_completion": (people["member"].pk, Decimal("50.00"), Decimal("50.00"),
                                     EntryState.CHARGED)} if responsible else {})
    assert ledger(complaint) == expected


def test_a_late_closed_a_complaint_charges_everything_the_facts_call_for(people):
    """All rules at once: late acceptance to the acceptor; grade fine, loss and late
    completion to the responsible person; each keyed once."""
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"], grade="A",
                                   state=CLOSED, verdict="valid",
                                   responsible=people["member"], loss_yuan=Decimal("5000"),
                                   accepted=False, resolved=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_stop(complaint, "acceptance", FILED + 3 * H)
    clock_due(complaint, "resolution", FILED + 8 * H)
    clock_stop(complaint, "resolution", FILED + 10 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * DAY)
    member, agent = people["member"].pk, people["agent"].pk
    assert {rule: (p, a) for rule, (p, a, _q, _s) in ledger(complaint).items()} == {
        "late_acceptance": (agent, Decimal("100.00")),
        "late_completion": (member, Decimal("50.00")),
        "grade_fine": (member, Decimal("500.00")),
        "economic_loss": (member, Decimal("5000.00")),
    }


def test_twice_leaves_the_ledger_as_it_was(people):
    """A retried run charges nothing twice: same rows, amounts, versions and events."""
    complaints = [
        complaint_for_test(by=people["agent"], assignee=people["agent"], grade=grade,
                           state=CLOSED, verdict="valid", responsible=people["member"],
                           loss_yuan=Decimal("100"), accepted=False, resolved=False)
        for grade in "ABC"]
    for c in complaints:
        clock_due(c, "acceptance", FILED + H)
        clock_stop(c, "acceptance", FILED + 30 * H)
        clock_due(c, "resolution", FILED + 8 * H)
    ids = [c.pk for c in complaints]
    first = charges_sync(complaint_ids=ids, now=FILED + 3 * DAY)
    assert first.created == 3 * 3 + 2  # fine, late acceptance, late completion; 2 losses
    before = snapshot()
    second = charges_sync(complaint_ids=ids, now=FILED + 3 * DAY)
    assert (second.created, second.requoted, second.excused) == (0, 0, 0)
    assert second.unchanged == first.created
    assert snapshot() == before


def test_the_rule_version_in_force_when_the_complaint_was_filed_is_used(people):
    """Deterministic: a version that takes effect later never changes the charges of a
    complaint filed before it, however late the run; a complaint filed after it is
    charged under it."""
    v1 = PenaltyRuleSet.objects.get(version=1)
    PenaltyRuleSet.objects.create(
        version=2, effective_from=FILED + DAY, fine_d=v1.fine_d, fine_c=Decimal("150"),
        fine_b=v1.fine_b, fine_a=v1.fine_a, late_acceptance_per_day=v1.late_acceptance_per_day)
    before = complaint_for_test(by=people["agent"], state=CLOSED, verdict="valid",
                                responsible=people["member"])
    after = complaint_for_test(by=people["agent"], state=CLOSED, verdict="valid",
                               responsible=people["member"], filed_at=FILED + 2 * DAY)
    charges_sync(complaint_ids=[before.pk, after.pk], now=FILED + 40 * DAY)
    old = PenaltyEntry.objects.get(complaint=before, rule="grade_fine")
    new = PenaltyEntry.objects.get(complaint=after, rule="grade_fine")
    assert (old.amount, old.rule_set.version) == (Decimal("100.00"), 1)
    assert (new.amount, new.rule_set.version) == (Decimal("150.00"), 2)


def test_the_month_is_the_beijing_month_of_the_filing(people):
    """Filed at 00:30 on 1 December Beijing time (still 30 November in UTC): December."""
    complaint = complaint_for_test(by=people["agent"], state=CLOSED, verdict="valid",
                                   responsible=people["member"],
                                   filed_at=bj(2026, 12, 1, 0, 30))
    charges_sync(complaint_ids=[complaint.pk], now=bj(2026, 12, 3))
    assert PenaltyEntry.objects.get(complaint=complaint).month == dt.date(2026, 12, 1)


def test_the_evidence_names_the_facts_the_charge_rests_on(people):
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"], grade="B",
                                   state=CLOSED, verdict="valid",
                                   responsible=people["member"], loss_yuan=Decimal("80.5"),
                                   resolved=False)
    clock_due(complaint, "resolution", FILED + 24 * H)
    clock_stop(complaint, "resolution", FILED + 26 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * DAY)
    late = PenaltyEntry.objects.get(complaint=complaint, rule="late_completion").evidence
    assert late["rule"] == "late_completion" and late["rule_version"] == 1
    assert late["grade"] == "B" and late["verdict"] == "valid"
    assert late["loss_yuan"] == "80.50" and late["responsible"] == people["member"].pk
    assert late["clock"]["due_at"] == (FILED + 24 * H).astimezone(dt.UTC).isoformat()
    assert late["clock"]["stopped_at"] == (FILED + 26 * H).astimezone(dt.UTC).isoformat()
    assert late["clock"]["days_late"] == 1 and late["excuse"] is None
    loss = PenaltyEntry.objects.get(complaint=complaint, rule="economic_loss")
    assert loss.amount == Decimal("80.50")


def test_a_changed_fact_requotes_a_charged_entry_with_an_event(people):
    """The responsible person named changes: the charge follows to the new person."""
    complaint = complaint_for_test(by=people["agent"], state=CLOSED, verdict="valid",
                                   responsible=people["member"])
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    Complaint.objects.filter(pk=complaint.pk).update(responsible=people["supervisor"],
                                                     grade="B")
    report = charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * DAY)
    entry = PenaltyEntry.objects.get(complaint=complaint, rule="grade_fine")
    assert report.requoted == 1
    assert (entry.person_id, entry.amount, entry.version) == (
        people["supervisor"].pk, Decimal("200.00"), 2)
    event = entry.events.get(kind="requoted")
    assert (event.data["from"], event.data["to"]) == ("100.00", "200.00")
    assert event.data["person_to"] == people["supervisor"].pk


@pytest.mark.parametrize("manager_step", ["adjust", "waive"])
def test_an_adjusted_or_waived_entry_keeps_its_amount_and_only_the_quote_follows(
        people, manager_step):
    complaint = complaint_for_test(by=people["agent"], state=CLOSED, verdict="valid",
                                   responsible=people["member"])
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    entry = PenaltyEntry.objects.get(complaint=complaint)
    if manager_step == "adjust":
        entry_adjust(entry=entry, by=people["manager"], amount="30.00", reason="初犯从轻")
        kept = (EntryState.ADJUSTED, Decimal("30.00"))
    else:
        entry_waive(entry=entry, by=people["manager"], reason="客户撤诉")
        kept = (EntryState.WAIVED, Decimal("0.00"))
    Complaint.objects.filter(pk=complaint.pk).update(grade="B")
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * DAY)
    entry.refresh_from_db()
    assert (entry.state, entry.amount) == kept
    assert entry.quoted_amount == Decimal("200.00")
    event = entry.events.get(kind="requoted")
    assert (event.data["quoted_from"], event.data["quoted_to"]) == ("100.00", "200.00")
    assert "to" not in event.data  # the amount charged did not move
    before = snapshot()
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 3 * DAY)
    assert snapshot() == before


def test_a_charge_the_facts_no_longer_call_for_is_quoted_at_zero(people):
    """A closed B complaint re-graded C no longer bears its loss: that row goes to 0 with
    an event (never deleted: the ledger keeps its history)."""
    complaint = complaint_for_test(by=people["agent"], grade="B", state=CLOSED,
                                   verdict="valid", responsible=people["member"],
                                   loss_yuan=Decimal("900"))
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    Complaint.objects.filter(pk=complaint.pk).update(grade="C")
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 2 * DAY)
    loss = PenaltyEntry.objects.get(complaint=complaint, rule="economic_loss")
    assert (loss.amount, loss.quoted_amount) == (Decimal("0.00"), Decimal("0.00"))
    assert loss.evidence["applies"] is False
    assert loss.events.filter(kind="requoted").count() == 1
    before = snapshot()
    charges_sync(complaint_ids=[complaint.pk], now=FILED + 3 * DAY)
    assert snapshot() == before


@pytest.mark.parametrize("n", [1, 12])
def test_a_batch_takes_a_bounded_number_of_queries(people, n, django_assert_max_num_queries):
    """Set-based: the first run (inserts) and a re-quoting run take the same few queries
    whatever the number of complaints."""
    complaints = []
    for _i in range(n):
        c = complaint_for_test(by=people["agent"], assignee=people["agent"], grade="B",
                               state=CLOSED, verdict="valid", responsible=people["member"],
                               loss_yuan=Decimal("10"), accepted=False, resolved=False)
        clock_due(c, "acceptance", FILED + H)
        clock_due(c, "resolution", FILED + 2 * H)
        complaints.append(c)
    ids = [c.pk for c in complaints]
    # complaints, clocks with their excuses, rule sets, entries; insert, read back, events
    with django_assert_max_num_queries(7):
        report = charges_sync(complaint_ids=ids, now=FILED + 3 * H)
    assert report.created == 4 * n
    # complaints, clocks with their excuses, rule sets, entries; one update, events
    with django_assert_max_num_queries(6):
        report = charges_sync(complaint_ids=ids, now=FILED + 3 * DAY)
    assert report.requoted == n  # the late acceptance of each grew to 300
