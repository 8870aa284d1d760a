"""`/api/v1/reporting/sla-dashboard/`: the page's figures as JSON, from the same selector,
with the same filters and scope; each figure's `cases_url` lists exactly its cases."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting.sla_selectors import SlaFilters, sla_dashboard
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.reporting.scenario import NOW, build

pytestmark = pytest.mark.django_db

URL = "/api/v1/reporting/sla-dashboard/"
CASES_URL = "/api/v1/reporting/sla-dashboard/cases/"


@pytest.fixture
def s(monkeypatch):
    scenario = build()
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return scenario


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def state_counts(row):
    return {key: row[key]["count"]
            for key in ("total", "on_track", "warned", "breached", "paused", "none")}


def selector_counts(row):
    return {"total": row.total.count} | {code: c.count for code, c in row.states.items()}


def test_anonymous_callers_and_agents_are_refused():
    assert APIClient().get(URL).status_code in (401, 403)
    agent = StaffFactory(role=Role.TIER1).user
    assert api_for(agent).get(URL).status_code == 403
    assert api_for(agent).get(CASES_URL).status_code == 403


def test_a_token_works_as_elsewhere(s):
    token = Token.objects.create(user=s.supervisor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(URL).json()["open_total"]["total"]["count"] == 7


@pytest.mark.parametrize(
    ("who", "query", "filters"),
    [
        ("supervisor", "", SlaFilters()),
        ("supervisor", "grade=A", SlaFilters(grade="A")),
        ("manager", "", SlaFilters()),
        ("manager", "kind=urgent&team=none", SlaFilters(kind="urgent", team="none")),
        ("other_supervisor", "", SlaFilters()),
    ],
)
def test_the_api_returns_the_same_figures_as_the_pages_selector(s, who, query, filters):
    user = getattr(s, who)
    body = api_for(user).get(f"{URL}?{query}").json()
    board = sla_dashboard(user=user, now=NOW, filters=filters)
    assert [state_counts(r) for r in body["open_by_grade"]] == [
        selector_counts(r) for r in board.by_grade]
    assert [state_counts(r) for r in body["open_by_kind"]] == [
        selector_counts(r) for r in board.by_kind]
    assert state_counts(body["open_total"]) == selector_counts(board.totals)
    assert body["due_soon"]["count"] == board.due_soon.count
    assert [c["id"] for c in body["due_soon_cases"]] == [c.pk for c in board.due_soon_cases]
    assert [(r["case"]["id"], r["late_seconds"]) for r in body["breached_cases"]] == [
        (r.case.pk, r.late.total_seconds()) for r in board.breached_cases]
    assert [(r["key"], r["month"]["on_time"], r["month"]["total"])
            for r in body["on_time_by_team"]] == [
        (r.key, r.month.on_time.count, r.month.total.count) for r in board.rates_by_team]
    assert body["no_deadline"]["count"] == board.no_deadline.count


def test_rates_are_given_exactly_and_as_a_percentage(s):
    body = api_for(s.supervisor).get(URL).json()
    total = body["on_time_total"]
    assert total["today"] | {"on_time_cases_url": "", "cases_url": ""} == {
        "on_time": 1, "total": 2, "excused": 0, "fraction": "1/2", "percent": "50.0",
        "on_time_cases_url": "", "cases_url": "",
    }
    assert (total["month"]["fraction"], total["month"]["percent"]) == ("2/3", "66.7")
    grade_b = next(r for r in body["on_time_by_grade"] if r["key"] == "B")
    assert grade_b["month"]["fraction"] is None and grade_b["month"]["percent"] is None


def test_breached_cases_say_how_late_they_are(s):
    body = api_for(s.supervisor).get(URL).json()
    first = body["breached_cases"][0]
    assert first["case"]["number"] == s.cases["a1"].number
    assert first["late_seconds"] == 3600
    assert first["case"]["customer_name"] == s.cases["a1"].customer.name


def _cells(body):
    for row in [*body["open_by_grade"], *body["open_by_kind"], body["open_total"]]:
        for key in ("total", "on_track", "warned", "breached", "paused", "none"):
            yield row[key]["count"], row[key]["cases_url"]
    for row in [*body["on_time_by_grade"], *body["on_time_by_team"], body["on_time_total"]]:
        for period in ("today", "month"):
            yield row[period]["on_time"], row[period]["on_time_cases_url"]
            yield row[period]["total"], row[period]["cases_url"]
    yield body["due_soon"]["count"], body["due_soon"]["cases_url"]
    yield body["no_deadline"]["count"], body["no_deadline"]["cases_url"]


@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_every_cases_url_lists_exactly_the_counted_cases(s, who):
    api = api_for(getattr(s, who))
    cells = list(_cells(api.get(URL).json()))
    assert len(cells) > 60
    for count, url in cells:
        assert url.startswith(CASES_URL)
        page = api.get(url)
        assert page.status_code == 200, url
        assert page.json()["count"] == count, url


def test_the_cases_endpoint_lists_cases_soonest_due_first(s):
    body = api_for(s.supervisor).get(f"{CASES_URL}?due_within=60").json()
    assert [c["number"] for c in body["results"]] == [
        s.cases[k].number for k in ("k1", "a2", "b1")]
    assert body["results"][0]["sla_due_at"] == "2026-11-23T11:03:00+08:00"


def test_the_cases_endpoint_keeps_to_the_callers_department(s):
    body = api_for(s.other_supervisor).get(f"{CASES_URL}?state=breached&department={s.x.pk}")
    assert body.json()["count"] == 0
    body = api_for(s.other_supervisor).get(f"{CASES_URL}?state=breached").json()
    assert [c["number"] for c in body["results"]] == [s.cases["y1"].number]


@pytest.mark.parametrize("query", ["grade=E", "kind=x", "team=abc", "state=late",
                                   "due_within=0", "resolved=year", "on_time=maybe"])
def test_bad_parameters_get_400(s, query):
    assert api_for(s.supervisor).get(f"{CASES_URL}?{query}").status_code == 400
