"""A complaint's page and its penalties: the ledger entries of the complaint as the viewer
may see them (person, rule, amount, state, rule version, a link to the entry), the quote
of the closure in the close form before a manager confirms it (each charge, who bears it,
the total — what the ledger then charges), and a supervisor's request to excuse a late
clock, posted to the excuses page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.handling.services import complaint_close
from complaints.penalties.models import PenaltyEntry, SlaExcuse
from tests.complaints.handling.factories import (
    assessed,
    complaint_file_for_test,
    dispatched,
    followed_up,
    now_local,
)
from tickets.sla.models import CaseTimer

pytestmark = pytest.mark.django_db
FILED = now_local(2026, 11, 23, 10)  # Monday; A: acceptance 11:00, completion 18:00


def _page(client, complaint):
    return client.get(reverse("complaints:complaint", args=[complaint.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans")


def _late_a_complaint(center, *, closed=True):
    """An A complaint with a 5000-yuan loss, dispatched 2 h late (100 to the agent who
    took it), judged after its 8-hour limit (50 to the responsible member), then followed
    up and — unless told otherwise — closed (500 + 5000 to the member)."""
    complaint = complaint_file_for_test(center, now=FILED, loss_yuan=Decimal("5000"))
    complaint = dispatched(center, complaint, now=now_local(2026, 11, 23, 12))
    complaint = assessed(center, complaint, now=now_local(2026, 11, 23, 19))
    complaint = followed_up(center, complaint, now=now_local(2026, 11, 23, 20))
    if closed:
        complaint = complaint_close(complaint=complaint, by=center.manager,
                                    expected_version=complaint.version,
                                    now=now_local(2026, 11, 23, 21))
    return complaint


def _rows(response):
    return {(e.rule, e.person_id, e.amount, e.state, e.rule_set.version)
            for e in response.context["penalties"]}


def test_management_sees_every_charge_of_the_complaint_with_its_details(client, center):
    """A manager sees the four entries: the person, the rule, the amount, the state, the
    rule version and the link to each entry's page, and their total."""
    complaint = _late_a_complaint(center)
    client.force_login(center.manager)
    response = _page(client, complaint)
    assert response.status_code == 200
    member, agent = center.business_member.pk, center.agent.pk
    assert _rows(response) == {
        ("late_acceptance", agent, Decimal("100.00"), "charged", 1),
        ("late_completion", member, Decimal("50.00"), "charged", 1),
        ("grade_fine", member, Decimal("500.00"), "charged", 1),
        ("economic_loss", member, Decimal("5000.00"), "charged", 1),
    }
    assert response.context["penalties_total"] == Decimal("5650.00")
    html = response.content.decode()
    section = html[html.index('id="complaint-penalties"'):html.index("</section>",
                                                                      html.index('id="complaint-penalties"'))]
    for entry in PenaltyEntry.objects.filter(complaint=complaint):
        assert reverse("complaints:penalty", args=[entry.pk]) in section
    for text in ("维修员", "李客服", "5000.00", "500.00", "5650.00", "v1", "行政处罚"):
        assert text in section, text


@pytest.mark.parametrize(("who", "rules"), [
    ("business_member", {"late_completion", "grade_fine", "economic_loss"}),
    ("agent", {"late_acceptance"}),
    ("business_supervisor", {"late_completion", "grade_fine", "economic_loss"}),
    ("service_supervisor", {"late_acceptance"}),
])
def test_each_viewer_sees_the_charges_they_may_see(client, center, who, rules):
    """As the ledger's own rule (`penalties_visible_to`): each person their own charges, a
    supervisor those of their department's people."""
    complaint = _late_a_complaint(center)
    client.force_login(getattr(center, who))
    response = _page(client, complaint)
    assert response.status_code == 200
    assert {row[0] for row in _rows(response)} == rules


def test_the_close_form_shows_what_the_closure_will_charge(client, center):
    """Before the manager confirms, the close form lists each charge, who bears it and the
    total under the rule version of the ledger; once closed, the ledger charges exactly
    that."""
    complaint = _late_a_complaint(center, closed=False)
    client.force_login(center.manager)
    response = _page(client, complaint)
    quote = response.context["closure_quote"]
    assert [(c["rule"], c["person"], c["amount"]) for c in quote["charges"]] == [
        ("grade_fine", center.business_member, Decimal("500.00")),
        ("economic_loss", center.business_member, Decimal("5000.00")),
        ("late_completion", center.business_member, Decimal("50.00")),
        ("late_acceptance", center.agent, Decimal("100.00")),
    ]
    assert (quote["total"], quote["rule_version"]) == (Decimal("5650.00"), 1)
    html = response.content.decode()
    form = html[html.index('data-step="close"'):html.index("</form>",
                                                          html.index('data-step="close"'))]
    assert 'id="closure-quote"' in form
    for text in ("5650.00", "维修员", "李客服", "责任人", "应受理人", "v1"):
        assert text in form, text
    response = client.post(reverse("complaints:step", args=[complaint.pk, "close"]),
                           {"expected_version": complaint.version, "final_result": ""})
    assert response.status_code == 302
    charged = {(e.rule, e.person_id, e.amount)
               for e in PenaltyEntry.objects.filter(complaint=complaint)}
    assert charged == {(c["rule"], c["person"].pk, c["amount"]) for c in quote["charges"]}


def test_only_who_may_close_sees_the_quote(client, center):
    complaint = _late_a_complaint(center, closed=False)
    client.force_login(center.business_supervisor)
    response = _page(client, complaint)
    assert response.context["closure_quote"] is None
    assert 'id="closure-quote"' not in response.content.decode()


def test_a_supervisor_asks_to_excuse_a_late_clock_from_the_complaint_page(client, center):
    """The handling department's supervisor is offered the late clocks without an excuse;
    the form posts to the excuses page, which records the request; back on the complaint
    page it is listed and that clock is no longer offered. An agent is offered nothing."""
    complaint = _late_a_complaint(center, closed=False)
    client.force_login(center.agent)
    assert _page(client, complaint).context["excusable"] == []
    client.force_login(center.business_supervisor)
    response = _page(client, complaint)
    assert {t.kind for t in response.context["excusable"]} == {"acceptance", "resolution"}
    html = response.content.decode()
    assert f'action="{reverse("complaints:sla-excuses")}"' in html
    assert 'data-clock="resolution"' in html
    response = client.post(reverse("complaints:sla-excuses"), {
        "case_number": complaint.case.number, "clock": "resolution",
        "reason_kind": "customer_unreachable", "note": "客户出差，连续三天联系不上"})
    excuse = SlaExcuse.objects.get(case=complaint.case)
    assert response.status_code == 302
    assert response.url == reverse("complaints:sla-excuse", args=[excuse.pk])
    assert (excuse.timer.kind, excuse.state, excuse.requested_by) == (
        "resolution", "requested", center.business_supervisor)
    assert excuse.timer == CaseTimer.objects.get(case=complaint.case, kind="resolution",
                                                 state="met")
    response = _page(client, complaint)
    assert [e.pk for e in response.context["excuses"]] == [excuse.pk]
    assert {t.kind for t in response.context["excusable"]} == {"acceptance"}
    assert reverse("complaints:sla-excuse", args=[excuse.pk]) in response.content.decode()


def test_a_complaint_without_charges_says_so(client, center):
    complaint = complaint_file_for_test(center)
    client.force_login(center.agent)
    response = _page(client, complaint)
    assert response.context["penalties"] == []
    assert "本投诉没有罚款" in response.content.decode()


@pytest.mark.parametrize("closed", [False, True])
def test_the_page_with_its_penalties_costs_a_bounded_number_of_queries(
        client, center, closed, django_assert_max_num_queries):
    complaint = _late_a_complaint(center, closed=closed)
    client.force_login(center.manager)
    with django_assert_max_num_queries(20):
        response = _page(client, complaint)
    assert response.status_code == 200
