"""The SLA dashboard is scoped by the access rule of cases (`cases_scoped`): a desk-only
complaint (a media complaint: the public-opinion desk's) counts for no floor lead outside
that desk — not in the numbers, the lists, the drill-downs, the on-time rates or the API —
while supervisors and management see it; the business department a complaint was passed
to sees it, in its numbers and behind them alike."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.handling.services import (
    complaint_dispatch,
    complaint_propose,
    complaint_resolve,
    complaint_verdict,
)
from reporting.sla_selectors import OPEN, Figure, sla_dashboard, sla_figure_cases
from servicedesk.roles import Role
from tests.complaints.handling.factories import (
    _staff,
    center_build,
    complaint_file_for_test,
    dispatched,
    resolved,
)
from tests.reporting.test_sla_api import CASES_URL, URL, _cells
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.services import case_transition
from tickets.sla.models import ResolutionTally

pytestmark = pytest.mark.django_db


def _media_resolved(center):
    """A media complaint (public-opinion desk only) handled by the business department
    through to its final result, by people who may see it."""
    complaint = complaint_file_for_test(center, by=center.opinion_desk, source="media")
    complaint = complaint_dispatch(complaint=complaint, by=center.opinion_desk,
                                   expected_version=complaint.version)
    complaint = complaint_verdict(complaint=complaint, by=center.business_supervisor,
                                  expected_version=complaint.version, verdict="valid",
                                  responsible=center.business_member, fix="公开致歉")
    complaint = complaint_propose(complaint=complaint, by=center.business_supervisor,
                                  expected_version=complaint.version, text="登门致歉并赔偿",
                                  response="accepted")
    return complaint_resolve(complaint=complaint, by=center.business_supervisor,
                             expected_version=complaint.version, final_result="已赔偿")


@pytest.fixture
def floor():
    """Open: a media complaint, a complaint passed to the business department, a
    consultation. Resolved this month: the same three kinds."""
    center = center_build()
    center.team_lead = _staff(Role.TEAM_LEAD, center.service, "班长")
    center.business_lead = _staff(Role.TEAM_LEAD, center.business, "售后班长")
    consultation = case_open_for_test(by=center.agent, code="consultation-product-function")
    done = case_open_for_test(by=center.agent, code="consultation-product-function")
    done = case_transition(case=done, to_status="resolved", by=center.agent,
                           expected_version=done.version)
    cases = {
        "media": complaint_file_for_test(center, by=center.opinion_desk,
                                         source="media").case_id,
        "handled": dispatched(center, complaint_file_for_test(center)).case_id,
        "consultation": consultation.pk,
        "media_done": _media_resolved(center).case_id,
        "handled_done": resolved(center, complaint_file_for_test(center)).case_id,
        "consultation_done": done.pk,
    }
    return center, cases


SEES = {
    # the service department's floor lead: not the desk's media complaints
    "team_lead": {"handled", "consultation", "handled_done", "consultation_done"},
    # supervisors and above: the desk's too
    "service_supervisor": {"media", "handled", "consultation", "media_done", "handled_done",
                           "consultation_done"},
    "manager": {"media", "handled", "consultation", "media_done", "handled_done",
                "consultation_done"},
    # the business department: what was passed to it (a desk's too, for its supervisor)
    "business_supervisor": {"handled", "media_done", "handled_done"},
    "business_lead": {"handled", "handled_done"},
}


def _names(cases, ids):
    return {name for name, pk in cases.items() if pk in set(ids)}


@pytest.mark.parametrize("who", list(SEES))
def test_every_figure_counts_exactly_the_cases_the_viewer_may_see(floor, who):
    """Open cases and this month's resolutions, in the numbers and behind them: the same
    cases, those the access rule of cases shows the viewer."""
    center, cases = floor
    user = getattr(center, who)
    now = timezone.now()
    board = sla_dashboard(user=user, now=now)
    open_cases = sla_figure_cases(user=user, now=now, figure=Figure(state=OPEN))
    resolved_cases = sla_figure_cases(user=user, now=now, figure=Figure(resolved="month"))
    expected_open = {n for n in SEES[who] if not n.endswith("_done")}
    expected_resolved = SEES[who] - expected_open
    assert _names(cases, open_cases.values_list("pk", flat=True)) == expected_open
    assert _names(cases, resolved_cases.values_list("pk", flat=True)) == expected_resolved
    assert board.totals.total.count == open_cases.count()
    assert board.rates_total.month.total.count == resolved_cases.count()
    listed = {c.pk for c in board.due_soon_cases} | {r.case.pk for r in board.breached_cases}
    assert _names(cases, listed) <= expected_open


def test_the_tallies_keep_the_scope_of_their_cases(floor):
    center, _cases = floor
    assert set(ResolutionTally.objects.values_list("desk", "handling_department_id")) == {
        ("public_opinion", center.business.pk), ("", center.business.pk), ("", None)}


@pytest.mark.parametrize("who", ["team_lead", "business_supervisor"])
def test_the_api_and_each_of_its_cases_urls_keep_to_the_same_cases(floor, who):
    """The reporting API's figures and every `cases_url` behind them agree, for the floor
    lead (without the desk's complaints) and the business department's supervisor (with
    what was passed to it)."""
    center, cases = floor
    api = APIClient()
    api.force_authenticate(getattr(center, who))
    body = api.get(URL).json()
    expected_open = {n for n in SEES[who] if not n.endswith("_done")}
    assert body["open_total"]["total"]["count"] == len(expected_open)
    assert body["on_time_total"]["month"]["total"] == len(SEES[who]) - len(expected_open)
    for count, url in _cells(body):
        assert api.get(url).json()["count"] == count, url
    listed = api.get(f"{CASES_URL}?state=open").json()["results"]
    assert _names(cases, [c["id"] for c in listed]) == expected_open
