"""An agent files a customer registration in the browser and is refused, with the first
filer named, when filing the same phone again; the general manager approves a relative
filing on its page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.test_login_navigation import PASSWORD, log_in, nav_click
from tests.factories import StaffFactory
from tests.tickets.registrations.factories import registration_for_test
from tickets.registrations.models import CustomerRegistration


def _file(page: Page, id_number: str, visit: str) -> None:
    form = page.locator("#registration-form")
    form.get_by_label("姓名").fill("赵敏")
    form.get_by_label("电话").fill("133 0013 3000")
    form.get_by_label("身份证号").fill(id_number)
    form.get_by_label("预计到访").fill(visit)
    form.get_by_role("button", name="提交").click()


def test_filing_the_same_phone_twice_is_refused(page: Page, live_server):
    agent = StaffFactory(role="tier1", user__username="baobei", password=PASSWORD)
    log_in(page, live_server.url, "baobei")
    nav_click(page, "客户报备")
    visit = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    _file(page, "11010519491231002X", visit)
    expect(page.locator(".message.success")).to_contain_text("报备成功")
    expect(page.locator("#registrations tbody tr").first).to_contain_text("保护中")

    _file(page, "110101199003070011", visit)
    expect(page.locator(".field-error")).to_contain_text(f"已由 {agent.display_name}")
    assert CustomerRegistration.objects.count() == 1


def test_general_manager_approves_a_relative_filing_on_its_page(page: Page, live_server):
    registration = registration_for_test(is_relative=True, name="周芷若")
    StaffFactory(role="general_manager", user__username="zongjingli", password=PASSWORD)
    log_in(page, live_server.url, "zongjingli")
    nav_click(page, "客户报备")
    page.locator("#registrations").get_by_role("link", name="周芷若").click()
    expect(page.locator("#registration-state")).to_have_text("待审批")

    page.locator("#registration-actions").get_by_role("button", name="通过").click()
    expect(page.locator("#registration-state")).to_have_text("保护中")
    expect(page.locator("#registration-history")).to_contain_text("已审批")
    expect(page.get_by_role("button", name="通过")).to_have_count(0)  # decided once
    registration.refresh_from_db()
    assert registration.status == CustomerRegistration.Status.PROTECTED
