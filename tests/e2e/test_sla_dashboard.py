"""A supervisor watches the live SLA dashboard: a case breaches while the page is open and
the breached count goes up by itself (the htmx refresh), without reloading the page; the
number leads to the case."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.roles import Role
from tests.e2e.test_login_navigation import PASSWORD, log_in, nav_click
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import Case
from tickets.sla.sweep import sla_sweep


def test_a_new_breach_appears_on_the_open_dashboard_without_a_reload(
    page: Page, live_server, settings
):
    settings.SLA_DASHBOARD_REFRESH_SECONDS = 1
    seed_sla_policies()  # a live-server test starts from a flushed database
    department = DepartmentFactory()
    StaffFactory(role=Role.SUPERVISOR, department=department, user__username="zhuguan-sla",
                 password=PASSWORD)
    agent = StaffFactory(role=Role.TIER2, department=department).user
    elsewhere = StaffFactory(role=Role.TIER2, department=DepartmentFactory()).user

    log_in(page, live_server.url, "zhuguan-sla")
    nav_click(page, 'a[href="/reporting/sla/"]')
    breached = page.locator("#sla-breached-count strong")
    expect(breached).to_have_text("0")
    expect(page.locator("#sla-figures")).to_have_attribute("hx-trigger", "every 1s")
    page.evaluate("window.__sameDocument = 'still here'")  # lost if the page reloads

    # Outside the browser: urgent cases (acceptance 2 min, resolution 5 min, around the
    # clock) opened ten minutes ago, one here and one in another department; the sweep
    # records their breaches.
    ten_minutes_ago = timezone.now() - dt.timedelta(minutes=10)
    case = case_open_for_test(code="urgent-system-failure", by=agent, assignee=agent,
                              now=ten_minutes_ago)
    case_open_for_test(code="urgent-system-failure", by=elsewhere, now=ten_minutes_ago)
    assert sla_sweep(deliver=False).breached == 4
    assert Case.objects.get(pk=case.pk).sla_state == "breached"

    expect(breached).to_have_text("1")  # the other department's breach is not counted
    expect(page.locator("#sla-breached")).to_contain_text(case.number)
    assert page.evaluate("window.__sameDocument") == "still here"

    page.locator("#sla-breached-count").click()
    expect(page).to_have_url(f"{live_server.url}/reporting/sla/cases/?state=breached")
    rows = page.locator("#sla-cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    expect(rows.first.locator("time[data-countdown]")).to_have_class("overdue")
