"""The top bar groups the navigation into menus per area (issue 10, item 17): the apps file
each menu entry under an area when they register it; an area with one link for a role is
that link, one with more is a <details> menu (keyboard-accessible without a script)."""

import re

import pytest
from django.urls import reverse

from servicedesk.registry import registry
from servicedesk.roles import Role
from servicedesk.selectors import NAV_AREAS, navigation_menus
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _bar(user):
    return [(g.key, [item.url for item in g.items]) for g in navigation_menus(user=user)]


def test_every_registered_menu_entry_names_a_known_area():
    assert {entry.area for entry in registry.navigation()} <= {"", *NAV_AREAS}


def test_an_administrators_bar_is_three_links_and_three_menus():
    assert _bar(StaffFactory(role=Role.ADMINISTRATOR).user) == [
        ("", [reverse("home")]),
        ("", [reverse("tickets:incoming")]),
        ("", [reverse("tickets:queue")]),
        ("work", [reverse(n) for n in ("tickets:cases", "complaints:list",
                                       "tickets:registrations", "tickets:feedback-filings",
                                       "tickets:delay-filings", "complaints:sla-excuses",
                                       "complaints:person-checks")]),
        ("reports", [reverse("reporting:sla"), reverse("tickets:exports"),
                     reverse("complaints:penalties")]),
        ("system", [reverse(n) for n in ("org", "calendars", "health", "admin:index")]),
    ]


def test_an_area_with_a_single_link_for_a_role_is_that_link():
    # a tier-1 agent's only report is their own penalty ledger
    groups = navigation_menus(user=StaffFactory(role=Role.TIER1).user)
    reports = next(g for g in groups if g.key == "reports")
    assert [i.url for i in reports.items] == [reverse("complaints:penalties")]
    assert not reports.is_menu


def test_the_bar_renders_menus_as_details_with_the_current_area_marked(client):
    client.force_login(StaffFactory(role=Role.SUPERVISOR).user)
    html = client.get(reverse("tickets:cases")).content.decode()
    nav = re.search(r'<nav id="main-nav".*?</nav>', html, re.S).group(0)
    assert nav.count("<details>") == 3
    assert '<summary class="active">业务办理</summary>' in nav
    assert f'<a href="{reverse("tickets:cases")}" aria-current="page">工单</a>' in nav
    assert "<summary>报表</summary>" in nav and "<summary>系统</summary>" in nav
