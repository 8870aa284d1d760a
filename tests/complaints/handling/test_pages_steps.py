"""The step forms of a complaint's page (`/complaints/<id>/<step>/`): each step taken by
its person moves the complaint on; by the wrong person it is a 403 with nothing changed;
bad input comes back on the step's form (400, nothing changed); a step on a complaint that
moved on since the page was read is a 409 that says so; an unknown step is a 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from complaints.handling.models import Complaint
from complaints.handling.services import complaint_regrade
from tests.complaints.handling.factories import (
    Center,
    assessed,
    complaint_file_for_test,
    dispatched,
    followed_up,
    proposed,
    resolved,
)
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policies():
    seed_sla_policies()


def _url(complaint: Complaint, step: str) -> str:
    return reverse("complaints:step", args=[complaint.pk, step])


def _snapshot(complaint: Complaint) -> tuple:
    complaint.refresh_from_db()
    return (complaint.version, complaint.state, complaint.grade,
            CaseEvent.objects.filter(case_id=complaint.case_id).count())


def _received(center: Center, complaint: Complaint) -> Complaint:
    return complaint


@dataclass(frozen=True)
class Step:
    name: str
    prepare: Callable[[Center, Complaint], Complaint]
    who: str  # the Center attribute of the person who takes it
    data: Callable[[Center], dict]
    wrong: str  # someone who sees the complaint but may not take the step
    check: Callable[[Complaint], bool]


STEPS = [
    Step("dispatch", _received, "agent",
         lambda c: {"department": c.business.pk, "reason": ""}, "",
         lambda x: x.state == "dispatched" and x.handling_department.name == "售后服务部"),
    Step("verdict", dispatched, "business_supervisor",
         lambda c: {"verdict": "valid", "responsible": c.business_member.pk,
                    "fix": "更换压缩机，加强出厂检测", "reason": ""}, "agent",
         lambda x: x.state == "assessed" and x.responsible.first_name == "维修员"),
    Step("propose", assessed, "business_supervisor",
         lambda c: {"text": "上门更换压缩机", "response": "accepted", "fix_by": "",
                    "response_note": "客户同意"}, "business_member",
         lambda x: x.state == "proposed" and x.proposals.get().response == "accepted"),
    Step("escalate", assessed, "business_manager",
         lambda c: {"reason": "客户要求赔偿金额超出部门权限"}, "business_supervisor",
         lambda x: x.state == "escalated" and x.escalated_at is not None),
    Step("interim", dispatched, "business_supervisor",
         lambda c: {"text": "已安排技术员明早上门检测"}, "agent",
         lambda x: x.state == "dispatched" and x.interim_result == "已安排技术员明早上门检测"),
    Step("resolve", proposed, "business_member",
         lambda c: {"final_result": "已更换压缩机，客户确认制冷正常", "handed_in_at": ""},
         "agent", lambda x: x.state == "resolved" and x.handed_in_at is not None),
    Step("follow-up", resolved, "agent",
         lambda c: {"satisfaction": "satisfied", "note": "客户满意"}, "business_supervisor",
         lambda x: x.state == "followed_up" and x.follow_ups.get().satisfaction == "satisfied"),
    Step("close", followed_up, "manager", lambda c: {}, "business_supervisor",
         lambda x: x.state == "closed" and x.closed_at is not None),
    Step("regrade", _received, "service_supervisor",
         lambda c: {"grade": "B", "reason": "客户情绪比记录的更强烈"}, "agent",
         lambda x: x.grade == "B" and x.grade_records.count() == 2),
]


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_each_step_taken_by_its_person_moves_the_complaint_on(client, center, step):
    complaint = step.prepare(center, complaint_file_for_test(center))
    client.force_login(getattr(center, step.who))
    page = client.get(reverse("complaints:complaint", args=[complaint.pk]))
    assert step.name in [s["name"] for s in page.context["steps"]]
    response = client.post(_url(complaint, step.name),
                           {**step.data(center), "expected_version": complaint.version})
    assert response.status_code == 302, getattr(response, "context", None) and [
        s["form"].errors for s in response.context["steps"]]
    assert response.url == reverse("complaints:complaint", args=[complaint.pk])
    complaint.refresh_from_db()
    assert step.check(complaint)
    event = CaseEvent.objects.filter(case_id=complaint.case_id).order_by("-at", "-id").first()
    assert event is not None
    followed = client.get(response.url)
    assert followed.status_code == 200
    assert any(m.level_tag == "success" for m in followed.context["messages"])


@pytest.mark.parametrize("step", [s for s in STEPS if s.wrong],
                         ids=[s.name for s in STEPS if s.wrong])
def test_a_step_by_the_wrong_person_is_403_and_changes_nothing(client, center, step):
    complaint = step.prepare(center, complaint_file_for_test(center))
    before = _snapshot(complaint)
    client.force_login(getattr(center, step.wrong))
    assert client.get(reverse("complaints:complaint", args=[complaint.pk])).status_code == 200
    response = client.post(_url(complaint, step.name),
                           {**step.data(center), "expected_version": complaint.version})
    assert response.status_code == 403
    assert _snapshot(complaint) == before


def test_a_step_from_the_wrong_state_is_refused_on_the_page(client, center):
    """Dispatching a complaint already dispatched: 400, the refusal shown, nothing
    changed."""
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _snapshot(complaint)
    client.force_login(center.agent)
    response = client.post(_url(complaint, "dispatch"),
                           {"department": center.business.pk,
                            "expected_version": complaint.version},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.context["step_errors"]  # no dispatch form on the page any more
    assert 'class="errors"' in response.content.decode()
    assert _snapshot(complaint) == before


def test_the_services_field_errors_come_back_on_the_steps_form(client, center):
    """Another department than the type's without a reason: the dispatch form shows the
    service's error on its reason field; nothing changed."""
    complaint = complaint_file_for_test(center)
    before = _snapshot(complaint)
    client.force_login(center.agent)
    response = client.post(_url(complaint, "dispatch"),
                           {"department": center.other_business.pk, "reason": "",
                            "expected_version": complaint.version},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "dispatch")
    assert "reason" in form.errors
    assert str(center.other_business.pk) in form["department"].value()  # kept as posted
    assert _snapshot(complaint) == before


def test_a_verdict_without_a_fix_or_with_an_outsider_is_refused(client, center):
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _snapshot(complaint)
    client.force_login(center.business_supervisor)
    response = client.post(_url(complaint, "verdict"),
                           {"verdict": "valid", "responsible": center.other_agent.pk,
                            "fix": "", "expected_version": complaint.version})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "verdict")
    assert set(form.errors) >= {"responsible", "fix"}
    assert _snapshot(complaint) == before


def test_a_stale_version_says_so_over_the_current_page(client, center):
    """The page was read at version v; someone re-graded since: the dispatch is a 409, the
    message says what happened, the page shows the complaint as it is now."""
    complaint = complaint_file_for_test(center)
    read_version = complaint.version
    complaint = complaint_regrade(complaint=complaint, grade="B", reason="核实",
                                  by=center.service_supervisor,
                                  expected_version=complaint.version)
    before = _snapshot(complaint)
    client.force_login(center.agent)
    response = client.post(_url(complaint, "dispatch"),
                           {"department": center.business.pk,
                            "expected_version": read_version},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    html = response.content.decode()
    assert "他人" in html  # someone else changed it
    assert response.context["complaint"].grade == "B"
    dispatch = next(s["form"] for s in response.context["steps"] if s["name"] == "dispatch")
    assert dispatch["expected_version"].value() == complaint.version  # a fresh form
    assert _snapshot(complaint) == before


def test_an_unknown_step_is_404(client, center):
    complaint = complaint_file_for_test(center)
    client.force_login(center.agent)
    assert client.post(_url(complaint, "approve"), {}).status_code == 404


def test_a_repeat_complaints_verdict_may_blame_neglect(client, center):
    """Only on a repeat complaint: the verdict form offers "caused by neglect" and it is
    recorded."""
    from tests.tickets.customers.factories import CustomerFactory

    customer = CustomerFactory()
    complaint_file_for_test(center, customer=customer)
    repeat = dispatched(center, complaint_file_for_test(center, customer=customer))
    client.force_login(center.business_supervisor)
    page = client.get(reverse("complaints:complaint", args=[repeat.pk]))
    verdict = next(s["form"] for s in page.context["steps"] if s["name"] == "verdict")
    assert "repeat_by_neglect" in verdict.fields
    response = client.post(_url(repeat, "verdict"), {
        "verdict": "valid", "responsible": center.business_member.pk, "fix": "加强回访",
        "repeat_by_neglect": "on", "expected_version": repeat.version})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.repeat_by_neglect is True
