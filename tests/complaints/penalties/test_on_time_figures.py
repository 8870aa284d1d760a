"""Excused breaches show apart in the on-time figures: the SLA dashboard's on-time table
counts, of the late resolutions, those a manager excused (`excused_timer_ids` and the
dashboard's one extra grouped query)."""

import pytest
from django.urls import reverse

from complaints.penalties.selectors import excused_timer_ids
from complaints.penalties.services import excuse_decide, excuse_request
from reporting.sla_selectors import sla_dashboard
from tests.complaints.penalties.factories import (
    FILED,
    H,
    clock,
    clock_due,
    clock_stop,
    complaint_for_test,
    team,
)

pytestmark = pytest.mark.django_db
NOW = FILED + 5 * H


@pytest.fixture
def people():
    return team()


def late_resolutions(people, n):
    made = []
    for _ in range(n):
        complaint = complaint_for_test(by=people["agent"], grade="B", state="resolved",
                                       verdict="valid", responsible=people["member"],
                                       resolved=False)
        clock_due(complaint, "resolution", FILED + 2 * H)
        clock_stop(complaint, "resolution", FILED + 3 * H)
        made.append(complaint)
    return made


def test_an_excused_late_resolution_is_counted_apart(people, client):
    excused, late = late_resolutions(people, 2)
    excuse = excuse_request(timer=clock(excused, "resolution"), by=people["supervisor"],
                            reason_kind="customer_unreachable", note="客户失联", now=FILED + 4 * H)
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, now=FILED + 4 * H)
    assert excused_timer_ids(timer_ids=[clock(excused, "resolution").pk,
                                        clock(late, "resolution").pk]) == {
        clock(excused, "resolution").pk}
    board = sla_dashboard(user=people["supervisor"], now=NOW)
    month = board.rates_total.month
    assert (month.on_time.count, month.total.count, month.excused) == (0, 2, 1)
    grade_b = next(row for row in board.rates_by_grade if row.key == "B")
    assert (grade_b.today.excused, grade_b.month.excused) == (1, 1)
    grade_a = next(row for row in board.rates_by_grade if row.key == "A")
    assert grade_a.month.excused == 0


def test_the_dashboard_page_shows_the_excused_count(people, client, monkeypatch):
    excused, = late_resolutions(people, 1)
    excuse = excuse_request(timer=clock(excused, "resolution"), by=people["supervisor"],
                            reason_kind="force_majeure", note="停电", now=FILED + 4 * H)
    excuse_decide(excuse=excuse, by=people["manager"], approve=True, now=FILED + 4 * H)
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    client.force_login(people["supervisor"])
    html = client.get(reverse("reporting:sla"), headers={"HX-Request": "true"}).content.decode()
    assert "已豁免 1" in html
