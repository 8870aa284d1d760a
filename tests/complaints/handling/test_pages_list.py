"""The complaint list page (`/complaints/`): per role (desk-only complaints only for their
desk, supervisors and above), filtered like the API's list, masked per role, paginated
without a count, and a fixed number of queries whatever the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.handling.views import listing
from tests.complaints.handling.factories import (
    assessed,
    complaint_file_for_test,
    complaint_type,
    dispatched,
)
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import seed_sla_policies

pytestmark = pytest.mark.django_db

URL = reverse("complaints:list")


@pytest.fixture(autouse=True)
def _policies():
    seed_sla_policies()


def _numbers(response) -> list[str]:
    return [row.complaint.case.number for row in response.context["rows"]]


def test_the_list_shows_a_complaint_with_its_grade_clock_and_masked_phone(client, center):
    """A row: case number, customer (phone masked for a tier-1 agent), type, source,
    suggested vs decided grade when they differ, state, and the live countdown."""
    customer = CustomerFactory(name="陈先生", phone="13812340001")
    complaint = complaint_file_for_test(center, customer=customer, emotion="strong",
                                        grade="A", grade_reason="客户扬言找媒体")
    client.force_login(center.agent)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert complaint.case.number in html
    assert "138****0001" in html and "13812340001" not in html
    row = response.context["rows"][0]
    assert (row.complaint.grade, row.complaint.suggested_grade) == ("A", "B")
    assert "建议 B" in html
    assert "data-countdown" in html  # the acceptance clock runs
    client.force_login(center.service_supervisor)
    assert "13812340001" in client.get(URL).content.decode()  # personal data permission


def test_a_desk_only_complaint_is_listed_only_for_its_desk_and_supervisors(client, center):
    """A media complaint belongs to the public-opinion desk: absent from an agent's list,
    and its page is a 404 for them; the desk and the supervisor see it."""
    media = complaint_file_for_test(center, by=center.opinion_desk, source="media")
    plain = complaint_file_for_test(center)
    client.force_login(center.agent)
    assert _numbers(client.get(URL)) == [plain.case.number]
    assert client.get(reverse("complaints:complaint", args=[media.pk])).status_code == 404
    for user in (center.opinion_desk, center.service_supervisor, center.general_manager):
        client.force_login(user)
        assert media.case.number in _numbers(client.get(URL))
    client.force_login(center.safety_desk)  # another desk
    assert media.case.number not in _numbers(client.get(URL))


def test_another_department_sees_a_complaint_only_once_dispatched_to_it(client, center):
    """The handling department's staff see the complaints passed to them, not before."""
    complaint = complaint_file_for_test(center)
    client.force_login(center.business_supervisor)
    assert _numbers(client.get(URL)) == []
    dispatched(center, complaint)
    assert _numbers(client.get(URL)) == [complaint.case.number]
    client.force_login(center.other_supervisor)
    assert _numbers(client.get(URL)) == []


@pytest.mark.parametrize(("query", "expected"), [
    ("grade=A", {"a"}),
    ("grade=B&grade=C", {"b", "repeat", "dispatched"}),
    ("state=dispatched", {"dispatched"}),
    ("state=received", {"a", "b", "repeat"}),
    ("source=direct", {"b"}),
    ("repeat=true", {"repeat"}),
    ("repeat=false", {"a", "b", "dispatched"}),
    ("overdue=true", {"a"}),
    ("overdue=false", {"b", "repeat", "dispatched"}),
    ("", {"a", "b", "repeat", "dispatched"}),
])
def test_each_filter_narrows_the_list(client, center, query, expected):
    """Grade, state, source, repeat and overdue (a running clock past due) filter as the
    API's list does (ComplaintFilter)."""
    now = timezone.now()
    customer = CustomerFactory()
    made = {
        # filed 3 days ago: its acceptance and completion clocks are past due
        "a": complaint_file_for_test(center, loss_yuan=Decimal("5000"),
                                     now=now - dt.timedelta(days=3)),
        "b": complaint_file_for_test(center, source="direct", emotion="strong",
                                     customer=customer),
        "repeat": complaint_file_for_test(center, customer=customer),
        "dispatched": dispatched(center, complaint_file_for_test(center)),
    }
    assert made["repeat"].repeat_of_id == made["b"].pk
    client.force_login(center.service_supervisor)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    names = {name for name, c in made.items() if c.case.number in _numbers(response)}
    assert names == expected


def test_the_department_and_type_filters(client, center):
    """The handling department (after dispatch) and the complaint type."""
    logistics = complaint_type("logistics", owner=center.other_business)
    ours = dispatched(center, complaint_file_for_test(center))
    theirs = complaint_file_for_test(center, type=logistics)
    client.force_login(center.general_manager)
    assert _numbers(client.get(f"{URL}?department={center.business.pk}")) == [ours.case.number]
    assert _numbers(client.get(f"{URL}?type={logistics.pk}")) == [theirs.case.number]
    html = client.get(f"{URL}?type={logistics.pk}").content.decode()
    assert f'<option value="{logistics.pk}" selected>' in html  # the filter shows its choice


def test_an_invalid_filter_is_a_400_with_its_message(client, center):
    client.force_login(center.agent)
    response = client.get(f"{URL}?grade=Z")
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert 'class="errors"' in response.content.decode()


def test_the_list_pages_without_counting(client, center, monkeypatch):
    """A page at a time, newest first; "next" while more follow, "previous" after page 1."""
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    made = [complaint_file_for_test(center) for _ in range(5)]
    newest_first = [c.case.number for c in reversed(made)]
    client.force_login(center.agent)
    first = client.get(URL)
    assert _numbers(first) == newest_first[:2] and first.context["has_next"]
    assert 'rel="next"' in first.content.decode()
    last = client.get(f"{URL}?page=3")
    assert _numbers(last) == newest_first[4:] and not last.context["has_next"]
    assert 'rel="prev"' in last.content.decode()
    assert _numbers(client.get(f"{URL}?page=abc")) == newest_first[:2]


@pytest.mark.parametrize("n", [1, 25])
def test_the_list_queries_do_not_grow_with_the_rows(client, center, n,
                                                    django_assert_max_num_queries):
    """However many complaints (repeats, dispatched, verdicts given), one page costs the
    same bounded number of queries."""
    customer = CustomerFactory()
    for i in range(n):
        complaint = complaint_file_for_test(
            center, **({"customer": customer} if i % 2 else {}))  # repeats among them
        if i % 3 == 0:
            assessed(center, complaint)
    client.force_login(center.service_supervisor)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["rows"]) == n


def test_the_navigation_has_the_complaint_list(client, center):
    """"投诉" in the case-work menu for whoever may see complaints."""
    client.force_login(center.agent)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'<a href="{URL}"' in html and ">投诉</a>" in html
