"""The one date-time filter of every FilterSet (servicedesk.api.filtering.InstantFilter):
an RFC 3339 instant goes to the query in UTC; an offset beyond −12:00…+14:00, a year the
databases cannot hold in UTC, or (in the API) a time without an offset is a 400 naming the
parameter, before any query runs or any file starts — on every list, its exports and the
pages and downloads that share the FilterSets."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicedesk.api.filtering import INSTANT_PATTERN, FilterSet, InstantField, InstantFilter
from servicedesk.models import ExportLog
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.api import CaseFilter
from tickets.contacts.api import ContactFilter
from tickets.customers.api import CustomerFilter
from tickets.filings.api.delays import DelayFilter
from tickets.filings.api.feedback import FeedbackFilter
from tickets.registrations.api import RegistrationFilter

BAD_INSTANTS = [
    "2026-12-01T00:00:00+16:00",  # PostgreSQL: DataError (a 500 before)
    "2026-12-01T00:00:00-15:00",
    "2026-12-01T00:00:00+14:30",
    "0001-01-01T00:00:00+08:00",  # year 0 in UTC: OverflowError (a 500 before)
    "9999-12-31T23:00:00-05:00",  # year 10000 in UTC
]
LISTS = [
    ("/api/v1/cases/", "opened_after"),
    ("/api/v1/cases/", "due_before"),
    ("/api/v1/contacts/", "queued_after"),
    ("/api/v1/customers/", "created_before"),
    ("/api/v1/registrations/", "filed_after"),
    ("/api/v1/feedback-filings/", "filed_after"),
    ("/api/v1/delay-filings/", "filed_before"),
]


@pytest.mark.parametrize("value", BAD_INSTANTS)
def test_an_out_of_range_instant_is_a_field_error(value):
    with pytest.raises(Exception) as caught:
        InstantField().clean(value)
    assert caught.value.code == "range"


@pytest.mark.parametrize(("value", "utc"), [
    ("2026-12-01T08:00:00+08:00", dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)),
    ("2026-12-01T00:00:00+14:00", dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)),
    ("2026-12-01T00:00:00.5-12:00", dt.datetime(2026, 12, 1, 12, 0, 0, 500000, tzinfo=dt.UTC)),
    ("0002-01-01T00:00:00+14:00", dt.datetime(1, 12, 31, 10, 0, tzinfo=dt.UTC)),
    ("2026-12-01T00:00:00Z", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
])
def test_an_instant_reaches_the_query_in_utc(value, utc):
    cleaned = InstantField().clean(value)
    assert cleaned == utc and cleaned.utcoffset() == dt.timedelta(0)


def test_the_api_refuses_a_time_without_offset_and_a_page_reads_it_as_beijing_time():
    with pytest.raises(Exception) as caught:
        InstantField().clean("2026-12-01T09:30")
    assert caught.value.code == "naive"
    field = InstantField()
    field.local_times = True
    assert field.clean("2026-12-01T09:30") == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("filterset", [CaseFilter, ContactFilter, CustomerFilter,
                                       RegistrationFilter, FeedbackFilter, DelayFilter])
def test_every_filterset_uses_the_kernel_filter_for_every_date_time(filterset):
    assert issubclass(filterset, FilterSet)
    instants = [f for f in filterset.base_filters.values()
                if f.field_class.__name__.endswith("DateTimeField") or isinstance(
                    f, InstantFilter)]
    assert instants and all(isinstance(f, InstantFilter) for f in instants)


@pytest.fixture
def supervisor():
    return StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user


@pytest.fixture
def api(supervisor):
    client = APIClient()
    client.force_authenticate(supervisor)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "param"), LISTS)
@pytest.mark.parametrize("value", BAD_INSTANTS[:1] + BAD_INSTANTS[3:4])
def test_every_list_answers_400_naming_the_parameter(api, url, param, value):
    response = api.get(url, {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", ["/api/v1/cases/export/", "/api/v1/contacts/export/",
                                 "/api/v1/customers/export/"])
def test_an_export_with_a_bad_filter_is_a_400_before_the_file_starts(api, url, fmt):
    param = {"cases": "opened_after", "contacts": "queued_after",
             "customers": "created_after"}[url.split("/")[3]]
    response = api.get(url, {param: "2026-12-01T00:00:00+16:00", "format": fmt})
    assert response.status_code == 400
    assert list(response.json()) == [param]
    assert not ExportLog.objects.exists()


@pytest.mark.django_db
def test_the_page_download_names_the_refused_parameter(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("tickets:export", args=["cases"]),
                          {"opened_after": "2026-12-01T00:00:00+16:00", "format": "csv"})
    assert response.status_code == 400
    assert response.content.decode().startswith("opened_after: ")
    assert not ExportLog.objects.exists()


@pytest.mark.django_db
def test_the_case_page_reads_its_datetime_local_inputs_as_beijing_time(client, supervisor):
    case = case_open_for_test(by=supervisor)
    opened = case.opened_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    client.force_login(supervisor)
    before = (opened + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    after = (opened + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    assert case.number in client.get(reverse("tickets:cases"),
                                     {"opened_before": before}).content.decode()
    assert case.number not in client.get(reverse("tickets:cases"),
                                         {"opened_after": after}).content.decode()


def test_the_schema_pattern_is_the_rule_the_field_applies():
    import re

    pattern = re.compile(INSTANT_PATTERN)
    assert pattern.match("2026-12-01T00:00:00+08:00")
    assert not pattern.match("2026-12-01T00:00:00+16:00")
    assert not pattern.match("0001-01-01T00:00:00Z")
