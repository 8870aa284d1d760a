"""A complaint's page (`/complaints/<id>/`): criteria, suggestion against decision and every
grading decision, temperament advice, what the customer is told, the clocks, the interim
warning, proposals, follow-ups, repeats both ways and the case's timeline; the steps this
user may take now; a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.handling.services import complaint_regrade
from tests.complaints.handling.factories import (
    complaint_file_for_test,
    dispatched,
    followed_up,
)
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import seed_sla_policies

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policies():
    seed_sla_policies()


def _page(client, complaint, **kwargs):
    return client.get(reverse("complaints:complaint", args=[complaint.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def _steps(response) -> list[str]:
    return [step["name"] for step in response.context["steps"]]


def test_the_page_shows_the_grading_and_its_history(client, center):
    """Criteria, the suggestion against the decision, each grading decision with who and
    why (intake and a later re-grade), and the temperament's advice."""
    complaint = complaint_file_for_test(center, emotion="strong", loss_yuan=Decimal("1200"),
                                        temperament="threatening", grade="A",
                                        grade_reason="客户要求高额赔偿并威胁曝光")
    complaint = complaint_regrade(complaint=complaint, grade="B", reason="核实后损失较小",
                                  by=center.service_supervisor,
                                  expected_version=complaint.version)
    client.force_login(center.agent)
    response = _page(client, complaint)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1200.00" in html and "强烈" in html
    records = response.context["grade_records"]
    assert [(r.kind, r.grade, r.reason) for r in records] == [
        ("intake", "A", "客户要求高额赔偿并威胁曝光"), ("regrade", "B", "核实后损失较小")]
    assert "客户要求高额赔偿并威胁曝光" in html and "核实后损失较小" in html
    assert response.context["advice"] and str(response.context["advice"]) in html
    assert "威胁型" in html


def test_the_page_says_what_to_tell_the_customer_and_shows_the_clocks(client, center):
    complaint = complaint_file_for_test(center)
    client.force_login(center.agent)
    response = _page(client, complaint)
    html = response.content.decode()
    assert "售后服务部" in html and "售后部长" in html and "0755-83216000" in html
    kinds = {row["timer"].kind for row in response.context["timers"]}
    assert "acceptance" in kinds
    assert "data-countdown" in html
    assert '<small class="complaint-step">登记</small>' in html  # the timeline


def test_the_steps_offered_follow_the_user_and_the_state(client, center):
    """Before dispatch: the center's agent may dispatch, the business department does not
    see it yet (404); after: its supervisor may give the verdict (and re-grade), the agent
    no longer dispatches."""
    complaint = complaint_file_for_test(center)
    client.force_login(center.agent)
    assert "dispatch" in _steps(_page(client, complaint))
    client.force_login(center.business_supervisor)
    assert _page(client, complaint).status_code == 404
    complaint = dispatched(center, complaint)
    assert set(_steps(_page(client, complaint))) >= {"verdict", "interim", "regrade"}
    client.force_login(center.agent)
    assert "dispatch" not in _steps(_page(client, complaint))
    client.force_login(center.business_member)  # a member, not a decider
    assert "verdict" not in _steps(_page(client, complaint))


def test_the_verdict_form_offers_the_handling_departments_people(client, center):
    complaint = dispatched(center, complaint_file_for_test(center))
    client.force_login(center.business_supervisor)
    response = _page(client, complaint)
    verdict = next(s for s in response.context["steps"] if s["name"] == "verdict")
    people = set(verdict["form"].fields["responsible"].queryset)
    assert center.business_member in people and center.business_supervisor in people
    assert center.agent not in people and center.other_agent not in people
    assert "repeat_by_neglect" not in verdict["form"].fields  # not a repeat


def test_an_interim_result_is_asked_for_near_the_deadline(client, center):
    """A complaint whose completion clock has warned without an interim result: the page
    asks for one."""
    long_ago = timezone.now() - dt.timedelta(days=4)
    complaint = complaint_file_for_test(center, loss_yuan=Decimal("5000"), now=long_ago)
    complaint = dispatched(center, complaint, now=long_ago + dt.timedelta(minutes=10))
    client.force_login(center.business_supervisor)
    response = _page(client, complaint)
    assert response.context["interim_due"] is True
    assert 'id="interim-warning"' in response.content.decode()


def test_proposals_follow_ups_and_final_result_are_shown(client, center):
    complaint = followed_up(center, complaint_file_for_test(center))
    client.force_login(center.agent)
    html = _page(client, complaint).content.decode()
    assert "上门更换压缩机并赔偿运费" in html  # the proposal
    assert "客户表示满意" in html and "满意" in html  # the follow-up
    assert "已更换压缩机" in html  # the final result


def test_repeats_link_both_ways(client, center):
    """The repeat shows its first complaint; the first lists its repeats."""
    customer = CustomerFactory()
    first = complaint_file_for_test(center, customer=customer)
    repeat = complaint_file_for_test(center, customer=customer)
    assert repeat.repeat_of_id == first.pk
    client.force_login(center.agent)
    assert _page(client, repeat).context["repeat_first"] == first
    assert list(_page(client, first).context["repeats"]) == [repeat]
    html = _page(client, first).content.decode()
    assert reverse("complaints:complaint", args=[repeat.pk]) in html


def test_the_page_costs_a_bounded_number_of_queries(client, center,
                                                     django_assert_max_num_queries):
    complaint = followed_up(center, complaint_file_for_test(center))
    client.force_login(center.manager)
    with django_assert_max_num_queries(20):
        response = _page(client, complaint)
    assert response.status_code == 200


def test_an_outsider_gets_404_on_the_page_and_its_steps(client, center):
    complaint = complaint_file_for_test(center)
    client.force_login(center.other_agent)
    assert _page(client, complaint).status_code == 404
    url = reverse("complaints:step", args=[complaint.pk, "dispatch"])
    assert client.post(url, {"department": center.business.pk}).status_code == 404


def test_the_complaint_pages_read_chinese(client, center):
    """Issue 10, item 14's rule on pages full of records: the list, a complaint's page at
    each stage (its forms and timeline too) and the intake form after a refusal hold no
    English word and no raw stored value, for every role that opens them."""
    from tests.servicedesk.test_pages_in_chinese import _codes, foreign_words

    customer = CustomerFactory()
    first = followed_up(center, complaint_file_for_test(
        center, customer=customer, temperament="talkative", emotion="extreme"))
    repeat = dispatched(center, complaint_file_for_test(center, customer=customer,
                                                        grade="A", grade_reason="媒体关注"))
    media = complaint_file_for_test(center, by=center.opinion_desk, source="media")
    urls = [reverse("complaints:list"), reverse("complaints:complaint", args=[first.pk]),
            reverse("complaints:complaint", args=[repeat.pk]),
            reverse("complaints:complaint", args=[media.pk])]
    codes = _codes()
    findings = {}
    for user in (center.agent, center.opinion_desk, center.business_supervisor,
                 center.business_member, center.manager, center.general_manager):
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code == 200:
                words = foreign_words(response.content.decode(), codes)
                if words:
                    findings[f"{url} {user.username}"] = words
    client.force_login(center.agent)
    refused = client.post(reverse("complaints:new"), {"customer": "nobody", "loss_yuan": "-5"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400
    words = foreign_words(refused.content.decode(), codes)
    if words:
        findings["intake refused"] = words
    assert findings == {}
