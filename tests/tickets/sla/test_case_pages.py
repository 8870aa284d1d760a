"""SLA on the agent's pages (issue 5, item 4): the queue is ordered by the business-calendar
due instant and coloured by state; the case page shows each clock with a live countdown,
records feedback and shows how a re-grade moved the deadlines."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import Case, CaseEvent
from tickets.cases.services import case_regrade
from tickets.sla.models import CaseTimer
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER2).user


def test_the_queue_puts_the_soonest_business_deadline_first_and_colours_breaches(client, agent):
    now = timezone.now()
    later = case_open_for_test(by=agent, assignee=agent, code="consultation-product-function",
                               subject="五分钟", now=now)
    sooner = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure",
                                subject="系统故障", now=now - dt.timedelta(minutes=4))
    sla_sweep(now=now, deliver=False)  # the urgent case's 2-minute acceptance has passed
    client.force_login(agent)
    html = client.get(reverse("tickets:queue")).content.decode()
    assert html.index(sooner.number) < html.index(later.number)
    assert f'class="sla-breached" data-case="{sooner.number}"' in html
    due = Case.objects.get(pk=later.pk).sla_due_at
    assert f'datetime="{due.isoformat()}"' in html


def test_the_case_page_shows_each_clock_with_its_countdown(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                              grade="B")
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    for label in ("受理", "答复客户", "办结"):
        assert label in html
    assert html.count("data-countdown") == 3
    assert "data-warn-at" in html


def test_recording_feedback_from_the_page_meets_the_feedback_clock(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                              grade="C")
    client.force_login(agent)
    client.post(reverse("tickets:case-feedback", args=[case.pk]),
                {"note": "已告知处理部门和联系电话", "version": case.version})
    assert CaseTimer.objects.get(case=case, kind="feedback").state == "met"


def test_the_case_page_no_longer_grades(client, agent):
    """Grading left the case page (complaints are graded on their complaint): no grade
    form, and the old grade address is gone."""
    case = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                              grade="C")
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    assert f"/tickets/cases/{case.pk}/grade/" not in html and 'name="grade"' not in html
    response = client.post(f"/tickets/cases/{case.pk}/grade/",
                           {"grade": "A", "reason": "x", "version": case.version})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).grade == "C"


def test_a_regrade_shows_how_the_deadlines_moved_on_the_case_page(client, agent):
    """A re-grade (`case_regrade`, as the complaints app calls it) moves the deadlines; the
    case page's timeline says how."""
    case = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                              grade="C")
    case_regrade(case=case, by=agent, grade="A", reason="媒体关注")
    case.refresh_from_db()
    assert case.grade == "A"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.SLA).exists()
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    assert "时限已调整" in html and 'class="deadline-change">办结: ' in html
    assert CaseTimer.objects.get(case=case, kind="resolution",
                                 state="running").target == dt.timedelta(hours=8)
