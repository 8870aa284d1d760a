"""The layout on the floor's screens (issue 10, item 17): at 1440 px the top bar is one row
for every role (the navigation grouped into menus per area); at 390 × 844 (a phone) the
main pages fit — the page body never scrolls sideways and no table cell is squeezed to a
character per line (tables scroll inside their card instead)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from servicedesk.roles import Role
from tests.e2e.test_login_navigation import log_in
from tests.floor import PASSWORD, floor_for_test

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: keep a screenshot of every page

MAIN_PAGES = ["/", "/tickets/incoming/?phone=13812345678", "/tickets/queue/",
              "/tickets/cases/", "case", "case_late", "/tickets/registrations/",
              "registration", "/tickets/feedback/", "feedback", "/tickets/delays/", "delay",
              "/reporting/sla/", "/reporting/sla/cases/?state=breached", "/tickets/exports/",
              "/notifications/", "/org/", "/calendars/", "/health/"]

# How a page fits: the document is no wider than the window, and no table cell wraps its
# text into a column of single characters (a cell taller than 3 lines of its own text).
FIT = """() => {
  const doc = document.documentElement;
  const squeezed = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const text = cell.innerText.trim();
    if (text.length < 4 || cell.offsetParent === null) continue;
    const line = parseFloat(getComputedStyle(cell).lineHeight) || 20;
    if (cell.clientHeight > 3.5 * line + 16) squeezed.push(text.slice(0, 20));
  }
  return {scrollWidth: doc.scrollWidth, width: window.innerWidth,
          bodyWidth: document.body.scrollWidth, squeezed: squeezed.slice(0, 5)};
}"""

TOPBAR_ROWS = """() => {
  const bar = document.querySelector("header.topbar");
  const tops = new Set();
  const items = [bar.querySelector(".brand"),
                 ...bar.querySelectorAll("#main-nav > ul > li"),
                 ...bar.querySelectorAll(".topbar-right > *")];
  for (const el of items) {
    const box = el.getBoundingClientRect();
    if (box.width) tops.add(Math.round((box.top + box.bottom) / 2 / 8));
  }
  return {rows: tops.size, height: bar.getBoundingClientRect().height};
}"""


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        path = Path(SHOTS) / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.TIER1])
def test_the_main_pages_fit_a_phone(page: Page, live_server, role):
    floor = floor_for_test(usernames="phone")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, f"phone-{role.value}", PASSWORD)
    checked = 0
    for target in MAIN_PAGES:
        url = floor.urls.get(target, target)
        response = page.goto(live_server.url + url)
        if response.status in (403, 404):  # not this role's page
            continue
        assert response.status in (200, 503), (url, response.status)  # 503: health degraded
        expect(page.locator("main#content")).to_be_visible()
        fit = page.evaluate(FIT)
        _shot(page, f"390-{role.value}-{url}")
        assert fit["scrollWidth"] <= fit["width"], (url, fit)
        assert fit["squeezed"] == [], (url, fit)
        checked += 1
    assert checked >= (15 if role == Role.ADMINISTRATOR else 8)


def test_the_case_list_scrolls_inside_its_card_on_a_phone(page: Page, live_server):
    floor_for_test(usernames="phone")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "phone-supervisor", PASSWORD)
    page.goto(live_server.url + "/tickets/cases/")
    table = page.locator("table#cases")
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls, sideways
    subject = page.locator("table#cases td", has_text="系统故障无法下单")
    assert subject.evaluate("td => td.getBoundingClientRect().width") > 100


def test_the_top_bar_is_one_row_at_1440_for_every_role(page: Page, live_server):
    floor_for_test(usernames="wide")
    page.set_viewport_size({"width": 1440, "height": 900})
    for role in Role:
        page.context.clear_cookies()
        log_in(page, live_server.url, f"wide-{role.value}", PASSWORD)
        page.goto(live_server.url + "/tickets/cases/")
        bar = page.evaluate(TOPBAR_ROWS)
        _shot(page, f"1440-{role.value}")
        assert bar["rows"] == 1, (role, bar)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440


def test_the_menus_open_with_the_keyboard_and_close_with_escape(page: Page, live_server):
    floor_for_test(usernames="keys")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "keys-administrator", PASSWORD)
    nav = page.locator("nav#main-nav")
    system = nav.locator("summary", has_text="系统")
    health = nav.get_by_role("link", name="系统状态")
    expect(health).to_be_hidden()
    system.focus()
    page.keyboard.press("Enter")
    expect(health).to_be_visible()
    page.keyboard.press("Escape")
    expect(health).to_be_hidden()
    expect(system).to_be_focused()
    system.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="组织架构")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/org/$"))
    expect(nav.locator("summary", has_text="系统")).to_have_class("active")
