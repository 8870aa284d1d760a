"""The case list as a new user finds it (issue 10, item 16): one search box for the case
number, the customer's name, code or phone; the SLA state and the next due instant in the
list and in the case export; every status to tick without scrolling."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case
from tickets.sla.models import CaseTimer
from tickets.sla.services import cases_sla_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def supervisor(department):
    return StaffFactory(role=Role.SUPERVISOR, department=department).user


@pytest.fixture
def agent(department):
    return StaffFactory(role=Role.TIER2, department=department).user


@pytest.fixture
def two_cases(agent):
    wang = CustomerFactory(name="王小明", phone="13812345678")
    li = CustomerFactory(name="李娜", phone="13900139000")
    return (case_open_for_test(by=agent, customer=wang, subject="净水器漏水"),
            case_open_for_test(by=agent, customer=li, subject="咨询滤芯"))


def _listed(client, **params) -> set[str]:
    html = client.get(reverse("tickets:cases"), params).content.decode()
    return set(re.findall(r'data-case="([^"]+)"', html))


@pytest.mark.parametrize("by", ["number", "number_prefix", "name", "name_part", "code",
                                "code_lower", "phone"])
def test_one_search_box_finds_a_case_by_number_customer_name_code_or_phone(
    client, supervisor, two_cases, by
):
    wang_case, li_case = two_cases
    text = {
        "number": wang_case.number, "number_prefix": None,
        "name": "王小明", "name_part": "小明", "code": wang_case.customer.code,
        "code_lower": wang_case.customer.code.lower(), "phone": "138 1234 5678",
    }[by]
    if by == "number_prefix":  # both were opened today: the day's prefix finds both
        text = wang_case.number[:9]
        client.force_login(supervisor)
        assert _listed(client, q=text) == {wang_case.number, li_case.number}
        return
    client.force_login(supervisor)
    assert _listed(client, q=text) == {wang_case.number}


def test_the_api_list_searches_the_same_way(supervisor, two_cases):
    wang_case, _ = two_cases
    api = APIClient()
    api.force_authenticate(supervisor)
    found = api.get("/api/v1/cases/", {"q": "王小明"}).json()["results"]
    assert [c["number"] for c in found] == [wang_case.number]
    assert api.get("/api/v1/cases/", {"q": "无此人"}).json()["results"] == []


def test_the_search_stays_within_the_users_department(client, supervisor):
    outsider = case_open_for_test(by=StaffFactory(role=Role.TIER2).user)
    client.force_login(supervisor)
    assert _listed(client, q=outsider.number) == set()


def test_the_status_filter_offers_every_status_as_a_checkbox(client, supervisor, two_cases):
    client.force_login(supervisor)
    html = client.get(reverse("tickets:cases"), {"status": ["new", "closed"]}).content.decode()
    form = re.search(r'<form method="get" id="case-filter".*?</form>', html, re.S).group(0)
    assert "<select multiple" not in form and 'name="status" multiple' not in form
    boxes = re.findall(r'<input type="checkbox" name="status" value="(\w+)"( checked)?>', form)
    assert [value for value, _ in boxes] == list(Case.Status.values)
    assert {value for value, checked in boxes if checked} == {"new", "closed"}
    assert _listed(client, status="closed") == set()


def test_the_list_shows_each_cases_sla_state_and_due_instant(client, supervisor, agent):
    late = case_open_for_test(by=agent, code="urgent-system-failure")
    CaseTimer.objects.filter(case=late).update(due_at=timezone.now() - dt.timedelta(seconds=5))
    cases_sla_refresh([late.pk])
    calm = case_open_for_test(by=agent)
    client.force_login(supervisor)
    html = client.get(reverse("tickets:cases")).content.decode()
    assert "<th>时限状态</th><th>到期</th>" in html
    row = {n: re.search(rf'<tr [^>]*data-case="{n}".*?</tr>', html, re.S).group(0)
           for n in (late.number, calm.number)}
    assert "sla-badge sla-breached" in row[late.number] and 'class="overdue"' in row[late.number]
    calm.refresh_from_db()
    assert "sla-badge sla-on_track" in row[calm.number]
    assert f'datetime="{calm.sla_due_at.isoformat()}"' in row[calm.number]


def test_the_case_export_has_the_sla_state_and_next_due_columns(supervisor, agent):
    late = case_open_for_test(by=agent, code="urgent-system-failure")
    CaseTimer.objects.filter(case=late).update(due_at=timezone.now() - dt.timedelta(seconds=5))
    cases_sla_refresh([late.pk])  # recorded as on track: the sweep has not run
    api = APIClient()
    api.force_authenticate(supervisor)
    response = api.get("/api/v1/cases/export/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    header, row = list(csv.reader(io.StringIO(text)))
    state = row[header.index(gettext("SLA"))]
    due = row[header.index(gettext("next due"))]
    assert state == "已超时"
    late.refresh_from_db()
    assert due == timezone.localtime(late.sla_due_at).strftime("%Y-%m-%d %H:%M:%S")
