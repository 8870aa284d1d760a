"""The SLA dashboard page and the cases behind each of its numbers: who may open them,
the self-refreshing figures (htmx), links that lead to exactly the counted cases, scope,
pagination and a fixed number of queries."""

import re
from html import unescape

import pytest
from django.urls import reverse

from reporting import views
from reporting.sla_selectors import sla_dashboard
from servicedesk.roles import Role
from servicedesk.selectors import navigation_for
from tests.factories import StaffFactory
from tests.reporting.scenario import NOW, build
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.sla.factories import bj
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db

DASHBOARD = "/reporting/sla/"
CASES = "/reporting/sla/cases/"


@pytest.fixture
def s(monkeypatch):
    scenario = build()
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return scenario


def all_cells(board):
    for row in [*board.by_grade, *board.by_kind, board.totals]:
        yield row.total
        yield from row.cells
    for row in [*board.rates_by_grade, *board.rates_by_team, board.rates_total]:
        for rate in row.periods:
            yield rate.on_time
            yield rate.total
    yield board.due_soon
    yield board.no_deadline


def case_numbers(html):
    return re.findall(r'<a href="/tickets/cases/\d+/">(K\d+)</a>', html)


def test_the_urls_are_where_the_issue_says():
    assert reverse("reporting:sla") == DASHBOARD
    assert reverse("reporting:sla-cases") == CASES


@pytest.mark.parametrize("role", [Role.TIER1, Role.TIER2, Role.PUBLIC_OPINION])
def test_agents_get_403(client, role):
    client.force_login(StaffFactory(role=role).user)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(CASES + "?state=breached").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "listed"),
    [(Role.TIER1, False), (Role.TEAM_LEAD, True), (Role.SHIFT_LEAD, True),
     (Role.SUPERVISOR, True), (Role.MANAGER, True), (Role.GENERAL_MANAGER, True),
     (Role.ADMINISTRATOR, True)],
)
def test_the_dashboard_is_in_the_navigation_of_leads_and_management(client, role, listed):
    user = StaffFactory(role=role).user
    assert (DASHBOARD in [item.url for item in navigation_for(user=user)]) is listed
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == (200 if listed else 403)


def test_the_page_shows_the_figures_and_refreshes_them_with_htmx(client, s):
    client.force_login(s.supervisor)
    html = client.get(DASHBOARD).content.decode()
    assert '<form method="get" id="sla-filters"' in html
    assert 'hx-get="/reporting/sla/"' in html and 'hx-trigger="every 30s"' in html
    breached = re.search(r'id="sla-breached-count"[^>]*>[^<]*<strong>(\d+)</strong>', html)
    assert breached.group(1) == "2"
    # the breached list, longest overdue first, and the due-soon list, soonest first
    numbers = case_numbers(html)
    due = [s.cases[k].number for k in ("k1", "a2", "b1")]
    late = [s.cases[k].number for k in ("a1", "u1")]
    assert numbers == due + late
    assert f'datetime="{s.cases["k1"].sla_due_at.isoformat()}"' in html
    assert "50.0%" in html and "66.7%" in html
    assert 'id="sla-no-deadline"' in html
    assert s.cases["y1"].number not in html


def test_an_htmx_refresh_gets_only_the_figures(client, s):
    client.force_login(s.supervisor)
    html = client.get(DASHBOARD + f"?team={s.t1.pk}", headers={"HX-Request": "true"}).content
    html = html.decode()
    assert html.lstrip().startswith('<div id="sla-figures"')
    assert "<html" not in html and 'id="sla-filters"' not in html
    assert f'hx-get="/reporting/sla/?team={s.t1.pk}"' in html  # keeps its filters


@pytest.mark.parametrize(("configured", "used"), [(5, 5), (30, 30), (120, 30), (0, 1)])
def test_the_refresh_interval_comes_from_the_setting_and_never_exceeds_30s(
    client, settings, configured, used
):
    settings.SLA_DASHBOARD_REFRESH_SECONDS = configured
    client.force_login(StaffFactory(role=Role.SUPERVISOR).user)
    assert f'hx-trigger="every {used}s"' in client.get(DASHBOARD).content.decode()


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_every_number_links_to_exactly_the_cases_behind_it(client, s, who):
    user = getattr(s, who)
    client.force_login(user)
    html = unescape(client.get(DASHBOARD).content.decode())
    board = sla_dashboard(user=user, now=NOW)
    cells = list(all_cells(board))
    assert len(cells) > 60
    for cell in cells:
        href = f"{CASES}?{cell.query}"
        assert f'href="{href}"' in html, href
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.context["page"].paginator.count == cell.count, href


def test_the_cases_behind_a_number_are_the_right_ones(client, s):
    client.force_login(s.supervisor)
    html = client.get(CASES + "?state=breached").content.decode()
    assert case_numbers(html) == [s.cases["a1"].number, s.cases["u1"].number]
    assert f'href="/tickets/cases/{s.cases["a1"].pk}/"' in html
    assert s.cases["a1"].customer.name in html
    html = client.get(CASES + "?due_within=60").content.decode()
    assert case_numbers(html) == [s.cases[k].number for k in ("k1", "a2", "b1")]
    assert html.count("<time data-countdown") == 3
    html = client.get(CASES + "?resolved=today&on_time=no").content.decode()
    assert case_numbers(html) == [s.cases["r2"].number]
    html = client.get(CASES + "?state=no_deadline").content.decode()
    assert case_numbers(html) == [s.cases["s1"].number]
    html = client.get(CASES + f"?team={s.t2.pk}&state=warned").content.decode()
    assert case_numbers(html) == [s.cases["a2"].number]


def test_another_departments_cases_are_never_listed(client, s):
    client.force_login(s.other_supervisor)
    html = client.get(CASES + "?state=open").content.decode()
    assert case_numbers(html) == [s.cases["y1"].number]
    # a team of another department is not even a valid choice
    assert client.get(CASES + f"?team={s.t1.pk}").status_code == 400
    assert client.get(DASHBOARD + f"?team={s.t1.pk}").status_code == 400
    # only management chooses a department: for the others the parameter means nothing
    html = client.get(CASES + f"?department={s.x.pk}&state=open").content.decode()
    assert case_numbers(html) == [s.cases["y1"].number]


def test_management_may_choose_a_department(client, s):
    client.force_login(s.manager)
    html = client.get(CASES + f"?department={s.y.pk}&state=breached").content.decode()
    assert case_numbers(html) == [s.cases["y1"].number]
    html = client.get(DASHBOARD + f"?department={s.x.pk}").content.decode()
    assert s.cases["a1"].number in html and s.cases["y1"].number not in html


def test_bad_parameters_are_refused_with_400(client, s):
    client.force_login(s.supervisor)
    for query in ("state=late", "due_within=abc", "resolved=year", "grade=E", "kind=x"):
        assert client.get(f"{CASES}?{query}").status_code == 400, query


def test_the_cases_list_is_paginated(client, s, monkeypatch):
    monkeypatch.setattr(views, "CASES_PER_PAGE", 2)
    client.force_login(s.supervisor)
    first = client.get(CASES + "?state=open")
    assert first.context["page"].paginator.count == 7
    assert len(case_numbers(first.content.decode())) == 2
    assert 'href="?state=open&amp;page=2"' in first.content.decode()
    last = client.get(CASES + "?state=open&page=4")
    assert len(case_numbers(last.content.decode())) == 1


@pytest.mark.parametrize("n", [1, 12])
def test_the_pages_take_a_fixed_number_of_queries(client, n, django_assert_num_queries,
                                                   monkeypatch):
    s = build()
    for i in range(n):
        case_open_for_test(code="complaint-product-quality", grade="ABCD"[i % 4], by=s.agent,
                           assignee=s.agent, department=s.x, team=[s.t1, s.t2, None][i % 3],
                           now=bj(2026, 11, 23, 9, i))
    sla_sweep(now=NOW, deliver=False)
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    client.force_login(s.supervisor)
    # session, user, two for permissions, profile, team and agent choices, then the
    # dashboard's six
    with django_assert_num_queries(13):
        client.get(DASHBOARD)
    # the same seven, then a count and one page of cases
    with django_assert_num_queries(9):
        response = client.get(CASES + "?state=breached")
    assert response.context["page"].paginator.count >= 2


def test_unassigned_cases_due_soon_and_breached_show_a_dash_for_the_assignee(client,
                                                                            monkeypatch):
    """A case nobody has taken yet is on the dashboard like any other (it used to break
    the page): its assignee reads "—"."""
    supervisor = StaffFactory(role=Role.SUPERVISOR).user
    department = supervisor.staff_profile.department
    agent = StaffFactory(role=Role.TIER1, department=department).user
    breached = case_open_for_test(by=agent, department=department, now=bj(2026, 11, 23, 10))
    due_soon = case_open_for_test(by=agent, department=department, code="urgent-system-failure",
                                  now=bj(2026, 11, 23, 10, 4))
    sla_sweep(now=bj(2026, 11, 23, 10, 5), deliver=False)
    client.force_login(supervisor)
    monkeypatch.setattr("django.utils.timezone.now", lambda: bj(2026, 11, 23, 10, 5))
    html = client.get(DASHBOARD).content.decode()
    assert breached.number in html and due_soon.number in html
    assert "<td>—</td>" in html
