"""A complaint's case moves only through its complaint: the case page offers no status
actions or feedback form (it links to the complaint page instead) and refuses them when
posted; `POST /api/v1/cases/{id}/transition/` and `feedback/` answer 400 with a Chinese
field message pointing to the complaint page — nothing changes. The complaint's own steps
still move the case through the tickets services; a complaint-kind case without a
complaint record moves as before."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.handling.services import complaint_close
from tests.complaints.handling.factories import (
    complaint_file_for_test,
    dispatched,
    followed_up,
)
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _stored(case_id):
    case = Case.objects.get(pk=case_id)
    return case.status, case.version, CaseEvent.objects.filter(case_id=case_id).count()


@pytest.mark.parametrize(("action", "body", "field"), [
    ("transition", {"to_status": "resolved", "reason": ""}, "to_status"),
    ("feedback", {"note": "已告知客户处理进度"}, "note"),
])
@pytest.mark.parametrize("who", ["agent", "business_supervisor", "manager"])
def test_the_cases_api_refuses_to_move_a_complaints_case(center, action, body, field, who):
    """Whoever may change the case otherwise: 400 on the request's field, in Chinese, with
    the complaint page's address; the case as it was."""
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _stored(complaint.case_id)
    response = _api(getattr(center, who)).post(
        f"/api/v1/cases/{complaint.case_id}/{action}/",
        {**body, "version": before[1]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.json()
    [message] = response.json()[field]
    assert "投诉" in message and f"/complaints/{complaint.pk}/" in message
    assert _stored(complaint.case_id) == before


def test_a_complaint_kind_case_without_a_complaint_record_still_moves(center):
    case = case_open_for_test(by=center.agent, code="complaint-product-quality", grade="C")
    response = _api(center.agent).post(f"/api/v1/cases/{case.pk}/transition/",
                                       {"to_status": "in_progress", "version": 1},
                                       format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress"


def test_the_case_page_links_to_the_complaint_instead_of_moving_the_case(client, center):
    """No status buttons and no feedback form on a complaint's case page, a link to the
    complaint page instead; a plain case keeps both."""
    complaint = dispatched(center, complaint_file_for_test(center))
    client.force_login(center.agent)
    response = client.get(reverse("tickets:case", args=[complaint.case_id]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.context["transitions"] == [] and not response.context["feedback_open"]
    assert reverse("tickets:case-transition", args=[complaint.case_id]) not in html
    assert reverse("tickets:case-feedback", args=[complaint.case_id]) not in html
    assert 'id="case-moved-elsewhere"' in html
    assert html.count(f'href="/complaints/{complaint.pk}/"') == 2
    plain = case_open_for_test(by=center.agent, code="consultation-product-function")
    response = client.get(reverse("tickets:case", args=[plain.pk]))
    assert response.context["transitions"] and 'id="case-moved-elsewhere"' not in \
        response.content.decode()


@pytest.mark.parametrize(("url_name", "body"), [
    ("tickets:case-transition", {"to_status": "resolved"}),
    ("tickets:case-feedback", {"note": "已告知客户处理进度"}),
])
def test_posting_a_status_or_feedback_on_the_case_page_is_refused(client, center, url_name,
                                                                   body):
    """Posted anyway (an old tab): the case page says why, in Chinese, and the case is as
    it was."""
    complaint = dispatched(center, complaint_file_for_test(center))
    before = _stored(complaint.case_id)
    client.force_login(center.agent)
    response = client.post(reverse(url_name, args=[complaint.case_id]),
                           {**body, "version": before[1]}, HTTP_ACCEPT_LANGUAGE="zh-hans",
                           follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("投诉" in m and f"/complaints/{complaint.pk}/" in m for m in messages), messages
    assert _stored(complaint.case_id) == before


def test_the_complaint_steps_still_move_its_case(center):
    """Dispatch (new → in progress, the feedback of the proposal, the final result and the
    closure (resolved → closed) go through the tickets services on the complaint's behalf."""
    complaint = followed_up(center, complaint_file_for_test(center))
    assert complaint.case.status == "resolved"
    assert CaseEvent.objects.filter(case=complaint.case, kind="feedback").count() == 1
    complaint = complaint_close(complaint=complaint, by=center.manager,
                                expected_version=complaint.version)
    assert Case.objects.get(pk=complaint.case_id).status == "closed"
