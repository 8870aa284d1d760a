"""/api/v1/complaints/ (issue 11 item 7): filing (201 and its exact shape; field-level
400s that write nothing; one complaint per Idempotency-Key), the grade preview, the list
(filters, masking, a query count that does not grow) and the detail (its exact shape), and
every step through the API (200 with the detail, 400 on fields and on `state`, 403, 404,
409 with the current version)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.handling.models import Complaint
from servicedesk.models import Notification
from tests.complaints.handling.factories import (
    assessed,
    complaint_file_for_test,
    complaint_type,
    dispatched,
    followed_up,
    proposed,
    resolved,
)
from tests.factories import UserFactory
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseEvent
from tickets.sla.services import cases_sla_refresh

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"

FILED_KEYS = {"id", "case", "suggested_grade", "grade", "department", "first_contact",
              "clocks", "state", "desk", "repeat_of"}
LIST_KEYS = {"id", "case", "customer", "type", "source", "desk", "suggested_grade", "grade",
             "state", "handling_department", "responsible", "repeat_of", "overdue",
             "sla_state", "sla_due_at", "filed_at", "version"}
DETAIL_KEYS = FILED_KEYS | LIST_KEYS | {
    "subject", "description", "temperament", "temperament_advice", "criteria",
    "grade_reason", "grade_records", "dispatched_at", "follow_up_due_on", "verdict", "fix",
    "verdict_at", "repeat_by_neglect", "proposals", "escalated_at", "interim_result",
    "interim_at", "interim_due", "final_result", "handed_in_at", "satisfaction",
    "followed_up_at", "follow_ups", "closed_at", "repeats", "filed_by", "timers", "timeline",
    "steps"}


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _body(center, **changes):
    body = {"customer": CustomerFactory(phone="13812345678").pk, "type": center.kind.pk,
            "source": "hotline", "description": "空调不制冷", "procedure": "none",
            "emotion": "calm", "loss_yuan": "0", "impact": "none"}
    body.update(changes)
    return body


def _counts():
    return (Complaint.objects.count(), Case.objects.count(), CaseEvent.objects.count(),
            Notification.objects.count())


# --- filing --------------------------------------------------------------------------------------


def test_filing_answers_201_with_what_to_tell_the_customer(center):
    """201 with exactly: id, case (id, number), suggested and decided grade, the handling
    department to tell the customer (id, name), first contact (department, contact person,
    phone), the live clocks (kind, due_at, state), state, desk and repeat_of."""
    response = _api(center.agent).post(URL, _body(center, loss_yuan="5000",
                                                  temperament="angry"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == FILED_KEYS
    complaint = Complaint.objects.get(pk=data["id"])
    assert data["case"] == {"id": complaint.case_id, "number": complaint.case.number}
    assert (data["suggested_grade"], data["grade"], data["state"], data["desk"],
            data["repeat_of"]) == ("A", "A", "received", "", None)
    assert data["department"] == {"id": center.business.pk, "name": "售后服务部"}
    assert data["first_contact"] == {
        "department": {"id": center.business.pk, "name": "售后服务部"},
        "contact_person": "售后部长", "phone": "0755-83216000"}
    assert data["clocks"] and all(set(c) == {"kind", "due_at", "state"}
                                  for c in data["clocks"])
    assert {c["kind"] for c in data["clocks"]} >= {"acceptance", "resolution"}
    assert {c["state"] for c in data["clocks"]} == {"running"}
    assert complaint.temperament == "angry"
    assert Notification.objects.filter(recipient=center.general_manager,
                                       key=f"complaint:grade-a:{complaint.pk}").exists()


def test_a_desk_complaint_answers_its_desk_and_a_repeat_its_first(center):
    """The answer names the desk of a media complaint and the first complaint a repeat
    links to."""
    customer = CustomerFactory()
    first = complaint_file_for_test(center, customer=customer)
    data = _api(center.opinion_desk).post(URL, _body(center, customer=customer.pk,
                                                     source="media"), format="json").json()
    assert (data["desk"], data["repeat_of"]) == ("public_opinion", first.pk)


@pytest.mark.parametrize(("changes", "fields"), [
    ({"emotion": "strong", "grade": "A"}, {"grade_reason"}),
    ({"grade": "D", "grade_reason": "无效"}, {"grade"}),
    ({"loss_yuan": "-1"}, {"loss_yuan"}),
    ({"loss_yuan": "12.345"}, {"loss_yuan"}),
    ({"loss_yuan": 12.5}, {"loss_yuan"}),
    ({"loss_yuan": "abc"}, {"loss_yuan"}),
    ({"procedure": "sloppy"}, {"procedure"}),
    ({"emotion": "mad", "impact": "global"}, {"emotion", "impact"}),
    ({"source": "twitter"}, {"source"}),
    ({"description": " "}, {"description"}),
    ({"type": 999999}, {"type"}),
])
def test_bad_filing_is_a_field_level_400_and_writes_nothing(center, changes, fields):
    """A grade differing from the suggestion without a reason, D at intake, a negative loss,
    more than two decimals, a float, unknown levels or source, no description, an unknown
    type: 400 with exactly those fields, nothing written."""
    body = _body(center, **changes)
    before = _counts()
    response = _api(center.agent).post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields, response.json()
    assert _counts() == before


def test_a_chosen_grade_with_a_reason_is_filed(center):
    """Another grade than the suggestion with a reason: 201, the suggestion and the
    decision both answered."""
    data = _api(center.agent).post(URL, _body(center, grade="B", grade_reason="客户情绪渐起"),
                                   format="json").json()
    assert (data["suggested_grade"], data["grade"]) == ("C", "B")


def test_filing_needs_the_add_permission(center):
    """A manager (no `complaints.add_complaint`) is refused 403; a user without a staff
    profile too."""
    for user in (center.manager, UserFactory(is_superuser=True)):
        assert _api(user).post(URL, _body(center), format="json").status_code == 403
    assert Complaint.objects.count() == 0


def test_a_retried_filing_files_once(center):
    """The same Idempotency-Key and body: one complaint, the first answer again."""
    api, body = _api(center.agent), _body(center)
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Complaint.objects.count() == 1


# --- grade preview -------------------------------------------------------------------------------


@pytest.mark.parametrize(("criteria", "grade", "reasons"), [
    ({}, "C", []),
    ({"loss_yuan": "2999.99"}, "B", [("loss_yuan", "B")]),
    ({"loss_yuan": "3000"}, "A", [("loss_yuan", "A")]),
    ({"loss_yuan": 3000}, "A", [("loss_yuan", "A")]),
    ({"procedure": "careless", "emotion": "strong"}, "B",
     [("procedure", "B"), ("emotion", "B")]),
    ({"impact": "wide", "emotion": "strong"}, "A", [("impact", "A")]),
])
def test_the_grade_preview_answers_the_suggestion_and_its_reasons(center, criteria, grade,
                                                                  reasons):
    """What the form's live grade uses: the suggested grade (A, B or C) and, for each
    criterion that reaches it, its field, grade and the words for it (Chinese)."""
    body = {"procedure": "none", "emotion": "calm", "loss_yuan": "0", "impact": "none",
            **criteria}
    response = _api(center.agent).post(f"{URL}grade-preview/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert set(data) == {"suggested_grade", "reasons"}
    assert data["suggested_grade"] == grade
    assert [(r["field"], r["grade"]) for r in data["reasons"]] == reasons
    assert all(set(r) == {"field", "grade", "text"} and r["text"] for r in data["reasons"])
    if reasons == [("loss_yuan", "A")]:
        assert data["reasons"][0]["text"] == "给公司造成 3000 元以上经济损失"


@pytest.mark.parametrize(("changes", "fields"), [
    ({"loss_yuan": "-0.01"}, {"loss_yuan"}),
    ({"loss_yuan": 1.5}, {"loss_yuan"}),
    ({"procedure": "x", "impact": ""}, {"procedure", "impact"}),
    ({"emotion": None}, {"emotion"}),
])
def test_a_bad_preview_is_a_field_level_400(center, changes, fields):
    body = {"procedure": "none", "emotion": "calm", "loss_yuan": "0", "impact": "none",
            **changes}
    response = _api(center.agent).post(f"{URL}grade-preview/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_every_staff_member_may_preview_but_no_one_else(center):
    """Managers preview too (any staff member); a user without a staff profile is 403;
    nothing is written either way."""
    body = {"procedure": "none", "emotion": "calm", "loss_yuan": "0", "impact": "none"}
    assert _api(center.manager).post(f"{URL}grade-preview/", body,
                                     format="json").status_code == 200
    assert _api(UserFactory()).post(f"{URL}grade-preview/", body,
                                    format="json").status_code == 403
    assert _counts() == (0, 0, 0, 0)


# --- list and detail -----------------------------------------------------------------------------


def test_the_list_shows_each_complaint_with_the_phone_masked_for_agents(center):
    """A list row has exactly its fields; the customer's phone is masked for a tier-1
    agent and shown to a supervisor."""
    complaint_file_for_test(center, customer=CustomerFactory(phone="13812345678"))
    row = _api(center.agent).get(URL).json()["results"][0]
    assert set(row) == LIST_KEYS
    assert set(row["customer"]) == {"id", "code", "name", "phone"}
    assert row["customer"]["phone"] == "138****5678"
    assert _api(center.service_supervisor).get(URL).json()["results"][0]["customer"][
        "phone"] == "13812345678"


def test_the_list_filters(center):
    """grade, state, department (handling), type, source, overdue, repeat."""
    customer = CustomerFactory()
    first = complaint_file_for_test(center, customer=customer)
    repeat = complaint_file_for_test(center, customer=customer, loss_yuan="5000")
    logistics = dispatched(center, complaint_file_for_test(
        center, type=complaint_type("logistics", owner=center.other_business),
        source="direct"))
    api = _api(center.manager)

    def ids(**query):
        response = api.get(URL, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(grade="A") == {repeat.pk}
    assert ids(state="dispatched") == {logistics.pk}
    assert ids(state=["received", "dispatched"]) == {first.pk, repeat.pk, logistics.pk}
    assert ids(department=center.other_business.pk) == {logistics.pk}
    assert ids(type=center.kind.pk) == {first.pk, repeat.pk}
    assert ids(source="direct") == {logistics.pk}
    assert ids(repeat="true") == {repeat.pk}
    assert ids(repeat="false") == {first.pk, logistics.pk}
    assert ids(overdue="true") == set()
    # the first complaint's running clocks fall due: it is overdue
    Case.objects.filter(pk=first.case_id).update(
        sla_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert ids(overdue="true") == {first.pk}
    assert first.pk not in ids(overdue="false")
    cases_sla_refresh([first.case_id])
    for bad in ({"grade": "E"}, {"overdue": "maybe"}, {"department": "x"}):
        assert api.get(URL, bad).status_code == 400


@pytest.mark.parametrize("rows", [1, 12])
def test_the_list_queries_do_not_grow_with_the_rows(center, rows, django_assert_max_num_queries):
    """A page of complaints costs the same few queries for 1 or 12 rows."""
    for _ in range(rows):
        complaint_file_for_test(center)
    api = _api(center.service_supervisor)
    api.get(URL)  # the permission cache of the user object is not what is measured
    with django_assert_max_num_queries(8):
        response = api.get(URL)
    assert len(response.json()["results"]) == rows


def test_the_detail_shows_the_whole_story_and_the_callers_steps(center):
    """The detail: criteria, suggestion vs decision and every grading record, the verdict,
    proposals, follow-ups, clocks, the case's timeline and the steps this caller may take
    (exactly its fields)."""
    complaint = complaint_file_for_test(center, emotion="strong", grade="A",
                                        grade_reason="媒体关注", temperament="threatening")
    complaint = followed_up(center, complaint)
    data = _api(center.manager).get(f"{URL}{complaint.pk}/").json()
    assert set(data) == DETAIL_KEYS
    assert data["criteria"] == {"procedure": "none", "emotion": "strong", "loss_yuan": "0.00",
                                "impact": "none"}
    assert (data["suggested_grade"], data["grade"], data["grade_reason"]) == ("B", "A",
                                                                              "媒体关注")
    assert [(r["kind"], r["suggested_grade"], r["grade"], r["by"]["name"])
            for r in data["grade_records"]] == [("intake", "B", "A", "李客服")]
    assert (data["verdict"], data["responsible"]["id"], data["state"]) == (
        "valid", center.business_member.pk, "followed_up")
    assert [p["response"] for p in data["proposals"]] == ["accepted"]
    assert [f["satisfaction"] for f in data["follow_ups"]] == ["satisfied"]
    assert data["follow_up_due_on"] == (timezone.localdate(complaint.dispatched_at)
                                        + dt.timedelta(days=1)).isoformat()
    steps = [e["data"].get("step") for e in data["timeline"] if e["kind"] == "complaint_step"]
    assert steps == ["filed", "dispatch", "verdict", "propose", "resolve", "follow-up"]
    assert data["steps"] == ["close", "follow-up", "regrade"]
    assert data["temperament_advice"].startswith("具体表现：要求满足诸多合理与不合理的要求")
    assert data["interim_due"] is False
    assert _api(center.agent).get(f"{URL}{complaint.pk}/").json()["steps"] == ["follow-up"]


# --- steps through the API ------------------------------------------------------------------------


def _post(user, complaint, step, body):
    return _api(user).post(f"{URL}{complaint.pk}/{step}/", body, format="json")


def test_the_whole_flow_through_the_api(center):
    """dispatch → verdict → propose → interim → resolve → follow-up → close, each answering
    200 with the detail; a re-grade on the way."""
    complaint = complaint_file_for_test(center)
    steps = [
        (center.agent, "dispatch", {"version": 1}),
        (center.business_supervisor, "regrade", {"grade": "B", "reason": "核实有损失"}),
        (center.business_supervisor, "verdict", {"verdict": "valid",
                                                 "responsible": center.business_member.pk,
                                                 "fix": "更换压缩机"}),
        (center.business_supervisor, "propose", {"text": "上门更换", "response": "accepted"}),
        (center.business_member, "interim", {"text": "配件在途"}),
        (center.business_member, "resolve", {"final_result": "已更换"}),
        (center.agent, "follow-up", {"satisfaction": "satisfied", "note": "满意"}),
        (center.manager, "close", {}),
    ]
    for user, step, body in steps:
        response = _post(user, complaint, step, body)
        assert response.status_code == 200, (step, response.json())
        assert set(response.json()) == DETAIL_KEYS
    data = response.json()
    assert (data["state"], data["grade"], data["version"]) == ("closed", "B", 9)
    assert Case.objects.get(pk=complaint.case_id).status == "closed"


def test_escalation_and_the_general_managers_final_proposal_through_the_api(center):
    complaint = assessed(center, complaint_file_for_test(center))
    assert _post(center.business_manager, complaint, "escalate",
                 {"reason": "超出权限"}).status_code == 200
    assert _post(center.business_supervisor, complaint, "propose",
                 {"text": "方案", "response": "accepted"}).status_code == 403
    data = _post(center.general_manager, complaint, "propose",
                 {"text": "总经理方案", "response": "accepted"}).json()
    assert data["state"] == "proposed" and data["proposals"][0]["final"] is True


def test_a_step_by_the_wrong_person_is_403_and_changes_nothing(center):
    """The supervisor of the complaint's own (service) department sees it but gives no
    verdict: 403 (before the body is even read), the complaint at the same version."""
    complaint = dispatched(center, complaint_file_for_test(center))
    response = _post(center.service_supervisor, complaint, "verdict", {"verdict": "nonsense"})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).version == 2


def test_a_step_on_a_complaint_not_visible_is_404(center):
    """A media complaint's steps are 404 for the agent who cannot see it."""
    complaint = complaint_file_for_test(center, by=center.opinion_desk, source="media")
    assert _post(center.agent, complaint, "dispatch", {}).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).state == "received"


def test_a_stale_version_is_409_with_the_current_version(center):
    complaint = dispatched(center, complaint_file_for_test(center))
    response = _post(center.business_supervisor, complaint, "interim",
                     {"text": "中间结果", "version": 1})
    assert response.status_code == 409
    assert response.json() == {"detail": "此投诉已被他人修改，请刷新后重试。",
                               "code": "conflict", "current_version": 2}


def test_a_step_from_the_wrong_state_is_400_on_state(center):
    complaint = proposed(center, complaint_file_for_test(center))
    response = _post(center.manager, complaint, "close", {"final_result": "结案"})
    assert response.status_code == 400
    assert response.json() == {"state": [
        "只有已回访的投诉，或回访时客户表示满意的投诉，才能结案。"]}


@pytest.mark.parametrize(("stage", "who", "step", "body", "fields"), [
    ("received", "agent", "dispatch", {"department": "other"}, {"reason"}),
    ("dispatched", "business_supervisor", "verdict",
     {"verdict": "valid", "responsible": None, "fix": ""}, {"responsible", "fix"}),
    ("assessed", "business_supervisor", "propose", {"text": "", "response": "maybe"},
     {"response"}),
    ("proposed", "business_member", "resolve",
     {"final_result": "已处理", "handed_in_at": "2026-11-23T09:00:00"}, {"handed_in_at"}),
    ("resolved", "agent", "follow-up", {"satisfaction": "so-so"}, {"satisfaction"}),
    ("dispatched", "manager", "regrade", {"grade": "D", "reason": "x"}, {"grade"}),
])
def test_bad_step_fields_are_field_level_400s(center, stage, who, step, body, fields):
    """Each step's fields are checked with field-level messages; nothing changes."""
    complaint = complaint_file_for_test(center)
    complaint = {"received": lambda c: c, "dispatched": lambda c: dispatched(center, c),
                 "assessed": lambda c: assessed(center, c),
                 "proposed": lambda c: proposed(center, c),
                 "resolved": lambda c: resolved(center, c)}[stage](complaint)
    if body.get("department") == "other":
        body = {**body, "department": center.other_business.pk}
    version = complaint.version
    response = _post(getattr(center, who), complaint, step, body)
    assert response.status_code == 400
    assert set(response.json()) == fields, response.json()
    assert Complaint.objects.get(pk=complaint.pk).version == version
