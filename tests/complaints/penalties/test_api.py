"""The penalties API: the quote contract (decimal strings, the ledger's rule code and
version, 400 with field errors), the ledger list (who sees what, the filters, a bounded
number of queries), an entry with its history, a manager's waiver and adjustment, and the
SLA excuses."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from complaints.handling.models import Complaint
from complaints.penalties.models import PenaltyEntry, PenaltyRuleSet
from complaints.penalties.services import charges_sync
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
from tests.tickets.sla.factories import bj

pytestmark = pytest.mark.django_db
QUOTE = "/api/v1/penalties/quote/"
LIST = "/api/v1/penalties/"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER1).user


# --- the quote --------------------------------------------------------------------------------


def test_the_quote_of_an_a_complaint_with_a_loss_of_5000(agent):
    response = api_as(agent).post(QUOTE, {"grade": "A", "loss_yuan": "5000"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "charges": [{"rule": "grade_fine", "amount": "500.00"},
                    {"rule": "economic_loss", "amount": "5000.00"}],
        "total": "5500.00", "rule_version": 1, "administrative_sanction": True,
    }


@pytest.mark.parametrize(("body", "charges", "total"), [
    ({"grade": "D"}, [("grade_fine", "50.00")], "50.00"),
    ({"grade": "C", "loss_yuan": "999.99"}, [("grade_fine", "100.00")], "100.00"),
    ({"grade": "B", "loss_yuan": "2999.99", "repeat_by_neglect": True},
     [("grade_fine", "400.00"), ("economic_loss", "2999.99")], "3399.99"),
    ({"grade": "C", "completed_late_without_reason": True, "late_acceptance_days": 3},
     [("grade_fine", "100.00"), ("late_completion", "50.00"), ("late_acceptance", "300.00")],
     "450.00"),
])
def test_the_quote_charges_by_rule(agent, body, charges, total):
    response = api_as(agent).post(QUOTE, body, format="json")
    data = response.json()
    assert [(c["rule"], c["amount"]) for c in data["charges"]] == charges
    assert data["total"] == total


def test_the_quote_uses_the_version_in_force_then(agent):
    v1 = PenaltyRuleSet.objects.get(version=1)
    PenaltyRuleSet.objects.create(
        version=2, effective_from=bj(2027, 1, 1), fine_d=v1.fine_d, fine_c=v1.fine_c,
        fine_b=v1.fine_b, fine_a=Decimal("600"), late_acceptance_per_day=Decimal("100"))
    later = api_as(agent).post(QUOTE, {"grade": "A", "at": "2027-01-02T09:00:00+08:00"},
                               format="json").json()
    earlier = api_as(agent).post(QUOTE, {"grade": "A", "at": "2026-12-31T09:00:00+08:00"},
                                 format="json").json()
    assert (later["rule_version"], later["total"]) == (2, "600.00")
    assert (earlier["rule_version"], earlier["total"]) == (1, "500.00")


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"grade"}),
    ({"grade": "E"}, {"grade"}),
    ({"grade": "A", "loss_yuan": "-1"}, {"loss_yuan"}),
    ({"grade": "A", "loss_yuan": 5000}, {"loss_yuan"}),
    ({"grade": "A", "loss_yuan": "12.345"}, {"loss_yuan"}),
    ({"grade": "A", "late_acceptance_days": -1}, {"late_acceptance_days"}),
    ({"grade": "A", "late_acceptance_days": "two"}, {"late_acceptance_days"}),
    ({"grade": "A", "repeat_by_neglect": "perhaps"}, {"repeat_by_neglect"}),
    ({"grade": "A", "at": "2026-11-23T09:00:00"}, {"at"}),
    ({"grade": "A", "at": "1999-01-01T00:00:00+08:00"}, {"at"}),
])
def test_a_bad_quote_request_is_a_400_naming_the_fields(agent, body, fields):
    response = api_as(agent).post(QUOTE, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_the_quote_needs_a_staff_member():
    from tests.factories import UserFactory

    response = api_as(UserFactory()).post(QUOTE, {"grade": "A"}, format="json")
    assert response.status_code == 403


# --- the ledger --------------------------------------------------------------------------------


@pytest.fixture
def ledger():
    """Two departments' complaints closed and charged: in one, grade A (500 + 2000 loss)
    to its member; in the other, grade C (100) to its member, filed a month earlier."""
    one, two = team(), team()
    a = complaint_for_test(by=one["agent"], grade="A", state=Complaint.State.CLOSED,
                           verdict="valid", responsible=one["member"],
                           loss_yuan=Decimal("2000"))
    c = complaint_for_test(by=two["agent"], grade="C", state=Complaint.State.CLOSED,
                           verdict="valid", responsible=two["member"],
                           filed_at=bj(2026, 10, 23, 9))
    charges_sync(complaint_ids=[a.pk, c.pk], now=bj(2026, 11, 25))
    return {"one": one, "two": two, "a": a, "c": c}


def test_management_sees_every_entry(ledger):
    response = api_as(ledger["one"]["manager"]).get(LIST)
    assert len(response.json()["results"]) == 3


def test_a_supervisor_sees_their_departments_entries(ledger):
    rows = api_as(ledger["one"]["supervisor"]).get(LIST).json()["results"]
    assert {r["person"] for r in rows} == {ledger["one"]["member"].pk}
    assert len(rows) == 2


def test_anyone_else_sees_their_own(ledger):
    assert api_as(ledger["one"]["agent"]).get(LIST).json()["results"] == []
    rows = api_as(ledger["two"]["member"]).get(LIST).json()["results"]
    assert [(r["rule"], r["amount"], r["month"]) for r in rows] == [
        ("grade_fine", "100.00", "2026-10")]
    other = PenaltyEntry.objects.filter(complaint=ledger["a"]).first()
    assert api_as(ledger["two"]["member"]).get(f"{LIST}{other.pk}/").status_code == 404


@pytest.mark.parametrize(("query", "expected"), [
    ("month=2026-11", {"grade_fine@a", "economic_loss@a"}),
    ("month=2026-10", {"grade_fine@c"}),
    ("rule=economic_loss", {"economic_loss@a"}),
    ("rule=economic_loss&rule=grade_fine", {"grade_fine@a", "economic_loss@a", "grade_fine@c"}),
    ("state=waived", set()),
    ("state=charged", {"grade_fine@a", "economic_loss@a", "grade_fine@c"}),
])
def test_the_ledger_filters(ledger, query, expected):
    names = {ledger["a"].pk: "a", ledger["c"].pk: "c"}
    rows = api_as(ledger["one"]["manager"]).get(f"{LIST}?{query}").json()["results"]
    assert {f"{r['rule']}@{names[r['complaint']]}" for r in rows} == expected


def test_the_ledger_filters_by_person_department_and_complaint(ledger):
    manager = api_as(ledger["one"]["manager"])
    by_person = manager.get(f"{LIST}?person={ledger['two']['member'].pk}").json()["results"]
    assert [r["complaint"] for r in by_person] == [ledger["c"].pk]
    department = ledger["one"]["department"].pk
    by_department = manager.get(f"{LIST}?department={department}").json()["results"]
    assert {r["complaint"] for r in by_department} == {ledger["a"].pk}
    by_complaint = manager.get(f"{LIST}?complaint={ledger['a'].pk}").json()["results"]
    assert len(by_complaint) == 2


@pytest.mark.parametrize("query", ["month=2026-13", "month=26-11", "month=2026-1",
                                   "rule=bribery", "state=lost", "person=0", "person=x"])
def test_a_bad_filter_is_a_400(ledger, query):
    response = api_as(ledger["one"]["manager"]).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_an_entry_shows_its_history_and_the_steps_open_to_the_caller(ledger):
    entry = PenaltyEntry.objects.get(complaint=ledger["a"], rule="grade_fine")
    data = api_as(ledger["one"]["manager"]).get(f"{LIST}{entry.pk}/").json()
    assert data["actions"] == ["waive", "adjust"]
    assert [h["kind"] for h in data["history"]] == ["charged"]
    assert (data["amount"], data["rule_version"], data["administrative_sanction"]) == (
        "500.00", 1, True)
    assert data["case_number"] == ledger["a"].case.number
    supervisor = api_as(ledger["one"]["supervisor"]).get(f"{LIST}{entry.pk}/").json()
    assert supervisor["actions"] == []


@pytest.mark.parametrize("n", [1, 15])
def test_the_list_takes_a_fixed_number_of_queries(n, django_assert_max_num_queries):
    people = team()
    complaints = [complaint_for_test(by=people["agent"], grade="B",
                                     state=Complaint.State.CLOSED, verdict="valid",
                                     responsible=people["member"], loss_yuan=Decimal("1"))
                  for _ in range(n)]
    charges_sync(complaint_ids=[c.pk for c in complaints], now=FILED + DAY)
    client = api_as(people["manager"])
    client.get(LIST)  # warm the caches of permissions and profiles
    with django_assert_max_num_queries(4):
        response = client.get(LIST)
    assert len(response.json()["results"]) == 2 * n


# --- waive and adjust --------------------------------------------------------------------------


def test_a_manager_waives_through_the_api(ledger):
    entry = PenaltyEntry.objects.get(complaint=ledger["a"], rule="economic_loss")
    response = api_as(ledger["one"]["manager"]).post(
        f"{LIST}{entry.pk}/waive/", {"reason": "公司承担", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["state"], data["amount"], data["version"]) == ("waived", "0.00", 2)
    assert [h["kind"] for h in data["history"]] == ["charged", "waived"]


def test_an_adjustment_through_the_api_and_its_conflict(ledger):
    entry = PenaltyEntry.objects.get(complaint=ledger["a"], rule="economic_loss")
    manager = api_as(ledger["one"]["manager"])
    ok = manager.post(f"{LIST}{entry.pk}/adjust/",
                      {"amount": "1000.00", "reason": "按一半承担", "version": 1}, format="json")
    assert ok.json()["amount"] == "1000.00"
    stale = manager.post(f"{LIST}{entry.pk}/adjust/",
                         {"amount": "10.00", "reason": "再调", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert PenaltyEntry.objects.get(pk=entry.pk).amount == Decimal("1000.00")


@pytest.mark.parametrize(("body", "fields"), [
    ({"reason": "", "amount": "10"}, {"reason"}),
    ({"reason": "调整"}, {"amount"}),
    ({"reason": "调整", "amount": 10.5}, {"amount"}),
    ({"reason": "调整", "amount": "-3"}, {"amount"}),
])
def test_a_bad_adjustment_is_a_400_and_changes_nothing(ledger, body, fields):
    entry = PenaltyEntry.objects.get(complaint=ledger["a"], rule="grade_fine")
    response = api_as(ledger["one"]["manager"]).post(f"{LIST}{entry.pk}/adjust/", body,
                                                     format="json")
    assert response.status_code == 400
    assert fields <= set(response.json())
    assert PenaltyEntry.objects.get(pk=entry.pk).version == 1


def test_a_supervisor_may_not_waive_through_the_api(ledger):
    entry = PenaltyEntry.objects.get(complaint=ledger["a"], rule="grade_fine")
    response = api_as(ledger["one"]["supervisor"]).post(
        f"{LIST}{entry.pk}/waive/", {"reason": "免"}, format="json")
    assert response.status_code == 403
    assert PenaltyEntry.objects.get(pk=entry.pk).state == "charged"


# --- SLA excuses ---------------------------------------------------------------------------------


def test_excuses_through_the_api():
    people = team()
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_stop(complaint, "acceptance", FILED + 3 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    timer = clock(complaint, "acceptance")
    supervisor = api_as(people["supervisor"])
    created = supervisor.post("/api/v1/sla-excuses/", {
        "timer": timer.pk, "reason_kind": "customer_unreachable", "note": "客户失联"},
        format="json")
    assert created.status_code == 201, created.content
    excuse = created.json()
    assert (excuse["state"], excuse["case_number"], excuse["timer_kind"]) == (
        "requested", complaint.case.number, "acceptance")
    again = supervisor.post("/api/v1/sla-excuses/", {
        "timer": timer.pk, "reason_kind": "other", "note": "再次"}, format="json")
    assert again.status_code == 400 and "timer" in again.json()
    manager = api_as(people["manager"])
    assert manager.post(f"/api/v1/sla-excuses/{excuse['id']}/reject/", {},
                        format="json").status_code == 400  # a rejection says why
    assert supervisor.post(f"/api/v1/sla-excuses/{excuse['id']}/approve/", {},
                           format="json").status_code == 403
    approved = manager.post(f"/api/v1/sla-excuses/{excuse['id']}/approve/", {"note": "属实"},
                            format="json")
    assert approved.json()["state"] == "approved"
    entry = PenaltyEntry.objects.get(complaint=complaint)
    assert (entry.state, entry.amount) == ("excused", Decimal("0.00"))
    listed = manager.get("/api/v1/sla-excuses/?state=approved").json()["results"]
    assert [e["id"] for e in listed] == [excuse["id"]]
    outsider = api_as(StaffFactory(role=Role.SUPERVISOR).user)
    assert outsider.get(f"/api/v1/sla-excuses/{excuse['id']}/").status_code == 404
    hidden = outsider.post("/api/v1/sla-excuses/", {
        "timer": timer.pk, "reason_kind": "other", "note": "x"}, format="json")
    assert hidden.status_code == 400 and "timer" in hidden.json()


def test_an_agent_may_not_ask_for_an_excuse_through_the_api():
    people = team()
    complaint = complaint_for_test(by=people["agent"], accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    response = api_as(people["agent"]).post("/api/v1/sla-excuses/", {
        "timer": clock(complaint, "acceptance").pk, "reason_kind": "other", "note": "x"},
        format="json")
    assert response.status_code == 403

