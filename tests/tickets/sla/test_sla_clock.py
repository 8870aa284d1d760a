"""One SLA state per case and per clock (issue 10, item 13): the badge and the countdown's
colour come from the same state, computed as of the page's moment (the sweep may not have
run yet), and the page carries the instants at which it moves on."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import SlaState
from tickets.sla.models import CaseTimer
from tickets.sla.selectors import sla_state_at
from tickets.sla.services import cases_sla_refresh

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER2).user


@pytest.mark.parametrize(("recorded", "warn", "due", "shown"), [
    (SlaState.ON_TRACK, NOW + S, NOW + 2 * S, SlaState.ON_TRACK),
    (SlaState.ON_TRACK, NOW, NOW + 9 * S, SlaState.WARNED),  # the warning instant is now
    (SlaState.ON_TRACK, NOW - S, NOW, SlaState.BREACHED),  # due exactly now: breached
    (SlaState.WARNED, None, NOW - S, SlaState.BREACHED),
    (SlaState.WARNED, None, NOW + S, SlaState.WARNED),
    (SlaState.BREACHED, None, NOW + 16 * 3600 * S, SlaState.BREACHED),  # never goes back
    (SlaState.PAUSED, None, None, SlaState.PAUSED),
    (SlaState.MET, None, None, SlaState.MET),
])
def test_the_recorded_state_moves_on_at_the_warning_and_due_instants(recorded, warn, due, shown):
    assert sla_state_at(state=recorded, warn_at=warn, due_at=due, now=NOW) == shown


def _clock_times(case, *, warn_in: dt.timedelta, due_in: dt.timedelta):
    now = timezone.now()
    CaseTimer.objects.filter(case=case).update(warn_at=now + warn_in, due_at=now + due_in)
    cases_sla_refresh([case.pk])  # the summary: on track, nothing swept yet


def _queue_row(client, case) -> str:
    html = client.get(reverse("tickets:queue")).content.decode()
    return re.search(rf'<tr [^>]*data-case="{case.number}".*?</tr>', html, re.S).group(0)


def test_a_case_past_its_warning_instant_shows_due_soon_before_the_sweep(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure")
    _clock_times(case, warn_in=-dt.timedelta(seconds=50), due_in=dt.timedelta(seconds=9))
    client.force_login(agent)
    row = _queue_row(client, case)
    assert 'data-sla-state="warned"' in row
    assert '<span class="sla-badge sla-warned" data-sla-badge>即将超时</span>' in row
    assert 'class="due-soon"' in row and "正常" not in row


def test_a_case_past_its_due_instant_is_breached_in_badge_and_countdown(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure")
    _clock_times(case, warn_in=-dt.timedelta(minutes=2), due_in=-dt.timedelta(seconds=5))
    client.force_login(agent)
    row = _queue_row(client, case)
    assert 'class="sla-breached"' in row
    assert "sla-badge sla-breached" in row and 'class="overdue"' in row


def test_an_on_track_case_carries_the_instants_at_which_it_moves_on(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure")
    _clock_times(case, warn_in=dt.timedelta(minutes=1), due_in=dt.timedelta(minutes=2))
    timer = CaseTimer.objects.filter(case=case).order_by("warn_at").first()
    client.force_login(agent)
    row = _queue_row(client, case)
    assert "sla-badge sla-on_track" in row
    assert f'data-warn-at="{timer.warn_at.isoformat()}"' in row
    assert 'data-due-at="' in row and "due-soon" not in row and "overdue" not in row


def test_a_paused_breached_case_does_not_show_a_green_countdown(client, agent):
    """Breached but without a running clock (waiting for the customer, with a promised
    call-back): the badge says breached and no countdown contradicts it."""
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure",
                              promised_callback_at=timezone.now() + dt.timedelta(hours=16))
    now = timezone.now()
    CaseTimer.objects.filter(case=case).update(state="paused", paused_at=now,
                                               breached_at=now - dt.timedelta(minutes=1))
    cases_sla_refresh([case.pk])
    client.force_login(agent)
    row = _queue_row(client, case)
    assert "sla-badge sla-breached" in row
    assert "data-countdown" not in row


def test_each_clock_on_the_case_page_has_its_own_state(client, agent):
    case = case_open_for_test(by=agent, assignee=agent, code="complaint-product-quality",
                              grade="B")
    now = timezone.now()
    CaseTimer.objects.filter(case=case, kind="acceptance").update(
        warn_at=now - dt.timedelta(minutes=1), due_at=now + dt.timedelta(minutes=1))
    cases_sla_refresh([case.pk])
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    acceptance = re.search(r'<tr [^>]*data-timer="acceptance".*?</tr>', html, re.S).group(0)
    resolution = re.search(r'<tr [^>]*data-timer="resolution".*?</tr>', html, re.S).group(0)
    assert "sla-badge sla-warned" in acceptance and 'class="due-soon"' in acceptance
    assert "sla-badge sla-on_track" in resolution and "due-soon" not in resolution
    # the case's own badge: the worst of its clocks, as of now
    assert re.search(r'id="case-sla-state"><span class="sla-badge sla-warned"', html)
