"""My queue agrees with itself (issue 10, item 13): the SLA badge and the countdown's colour
come from one state, and as time passes they move on together — at the warning instant to
"即将超时", at the due instant to "已超时" — without a reload and without the sweep."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.test_login_navigation import PASSWORD, log_in
from tests.factories import StaffFactory


def test_badge_and_countdown_move_on_together_at_the_warning_and_due_instants(
    page: Page, live_server
):
    from tests.tickets.cases.factories import case_open_for_test
    from tests.tickets.sla.factories import seed_sla_policies
    from tickets.sla.models import CaseTimer
    from tickets.sla.services import cases_sla_refresh

    seed_sla_policies()  # a live-server test starts from a flushed database
    agent = StaffFactory(role="tier2", user__username="agent-sla", password=PASSWORD).user
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure")
    log_in(page, live_server.url, "agent-sla")

    now = timezone.now()
    CaseTimer.objects.filter(case=case).update(warn_at=now + dt.timedelta(seconds=6),
                                               due_at=now + dt.timedelta(seconds=12))
    cases_sla_refresh([case.pk])
    page.goto(live_server.url + "/tickets/queue/")
    page.evaluate("window.__sameDocument = true")

    row = page.locator(f'#queue tr[data-case="{case.number}"]')
    badge, countdown = row.locator("[data-sla-badge]"), row.locator("time[data-countdown]")
    expect(badge).to_have_text("正常")
    expect(countdown).to_contain_text("剩余")
    expect(countdown).not_to_have_class("due-soon")

    expect(badge).to_have_text("即将超时", timeout=15_000)
    expect(badge).to_have_class("sla-badge sla-warned")
    expect(countdown).to_have_class("due-soon")
    expect(countdown).to_contain_text("剩余")

    expect(badge).to_have_text("已超时", timeout=15_000)
    expect(countdown).to_have_class("overdue")
    expect(countdown).to_contain_text("已超时")
    expect(row).to_have_class("sla-breached")
    assert page.evaluate("window.__sameDocument") is True


def test_a_case_rendered_after_its_warning_instant_is_never_green(page: Page, live_server):
    from tests.tickets.cases.factories import case_open_for_test
    from tests.tickets.sla.factories import seed_sla_policies
    from tickets.sla.models import CaseTimer
    from tickets.sla.services import cases_sla_refresh

    seed_sla_policies()
    agent = StaffFactory(role="tier2", user__username="agent-sla2", password=PASSWORD).user
    case = case_open_for_test(by=agent, assignee=agent, code="urgent-system-failure")
    now = timezone.now()
    CaseTimer.objects.filter(case=case).update(warn_at=now - dt.timedelta(seconds=30),
                                               due_at=now + dt.timedelta(minutes=30))
    cases_sla_refresh([case.pk])  # recorded on track: the sweep has not run
    log_in(page, live_server.url, "agent-sla2")
    page.goto(live_server.url + f"/tickets/cases/{case.pk}/")
    expect(page.locator("#case-sla-state [data-sla-badge]")).to_have_text("即将超时")
    clock = page.locator('tr[data-timer="acceptance"]')
    expect(clock.locator("[data-sla-badge]")).to_have_text("即将超时")
    expect(clock.locator("time[data-countdown]")).to_have_class("due-soon")
