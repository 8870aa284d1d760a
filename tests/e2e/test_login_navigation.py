"""Signing in through the real login page and seeing the navigation of one's role, in
Chinese (the browser asks for zh-CN; the site answers in zh-hans)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import StaffFactory

PASSWORD = "demo-pass-123"
LOGIN_PATH = "/accounts/login/"


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base_url + LOGIN_PATH)
    # The login page itself is served in Simplified Chinese.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit], input[type=submit], button:not([type])").first.click()

    # A successful login leaves the login page (to the home page).
    expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))


def nav_click(page: Page, link: str) -> None:
    """Follow the top bar's link `link` (its text, or a css selector starting with "a["),
    opening its area's menu first as a user would (issue 10, item 17)."""
    nav = page.locator("nav#main-nav")
    inner = page.locator(link) if link.startswith("a[") else page.locator("a", has_text=link)
    target = nav.locator(link) if link.startswith("a[") else nav.locator("a", has_text=link)
    menu = nav.locator("details", has=inner)
    if menu.count() and not target.is_visible():
        menu.locator("summary").click()
    target.click()


def test_supervisor_logs_in_and_sees_role_navigation_in_chinese(page: Page, live_server):
    StaffFactory(role="supervisor", user__username="zhuguan", password=PASSWORD)

    log_in(page, live_server.url, "zhuguan")

    nav = page.locator("nav#main-nav")
    expect(nav).to_be_visible()
    for label in ("工作台", "组织架构", "工作日历", "系统状态"):
        expect(nav).to_contain_text(label)
    # A supervisor is not is_staff: no link to the Django admin.
    expect(nav).not_to_contain_text("管理后台")


def test_tier1_agent_sees_workbench_but_not_org_or_system_status(page: Page, live_server):
    StaffFactory(role="tier1", user__username="yixian", password=PASSWORD)

    log_in(page, live_server.url, "yixian")

    nav = page.locator("nav#main-nav")
    expect(nav).to_be_visible()
    expect(nav).to_contain_text("工作台")
    for label in ("组织架构", "系统状态", "管理后台"):
        expect(nav).not_to_contain_text(label)
