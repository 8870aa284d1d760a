"""Exports of customers, cases and contacts (page links and `/api/v1/<list>/export/`):
who may export, masking exactly as on the page and in the API, the list's scope and
filters, a bounded number of queries, and the export log."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework.test import APIClient

from servicedesk.models import ExportLog
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.contacts.factories import contact_log_for_test
from tests.tickets.customers.factories import CustomerFactory
from tickets.customers.services import customer_create

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
MASKED_PHONE = "138****5678"
MASKED_ID = "110105********002X"
NAIVE_BEIJING_MORNING = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC).replace(tzinfo=None)


def _col(header: list, msgid: str) -> int:
    """The index of the column headed `msgid` in the active language (Chinese first)."""
    return header.index(gettext(msgid))


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[list[str]]:
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _rows(response, fmt) -> list[list]:
    assert response.status_code == 200, response.content
    return _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def supervisor(department):
    """Exports, and sees personal data."""
    return StaffFactory(role=Role.SUPERVISOR, department=department).user


@pytest.fixture
def masked_exporter(department):
    """A team lead (no personal-data permission) given the export permissions by hand."""
    user = StaffFactory(role=Role.TEAM_LEAD, department=department).user
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="tickets",
        codename__in=["export_customer", "export_case", "export_contact"],
    ))
    return user


@pytest.fixture
def agent(department):
    return StaffFactory(role=Role.TIER2, department=department).user


@pytest.fixture
def customer(agent):
    return customer_create(name="王小明", phone=PHONE, id_number=ID_NUMBER, by=agent)


def test_export_permission_goes_to_supervisors_and_management_only():
    for role in Role:
        user = StaffFactory(role=role).user
        may = role in {Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMINISTRATOR}
        for perm in ("tickets.export_customer", "tickets.export_case", "tickets.export_contact"):
            assert user.has_perm(perm) is may, (role, perm)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_export_masks_phone_and_id_without_the_personal_data_permission(
    masked_exporter, customer, fmt
):
    rows = _rows(_api(masked_exporter).get("/api/v1/customers/export/", {"format": fmt}), fmt)
    header, *body = rows
    assert header[1:4] == ["姓名", "电话", "身份证号"]  # Chinese first
    assert [r[:4] for r in body] == [[customer.code, "王小明", MASKED_PHONE, MASKED_ID]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_export_is_unmasked_with_the_personal_data_permission(supervisor, customer, fmt):
    rows = _rows(_api(supervisor).get("/api/v1/customers/export/", {"format": fmt}), fmt)
    assert [r[:4] for r in rows[1:]] == [[customer.code, "王小明", PHONE, ID_NUMBER]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_case_export_masks_the_customer_phone_like_the_case_page(
    client, masked_exporter, agent, customer, fmt
):
    case = case_open_for_test(by=agent, customer=customer)
    page = client.get  # the page shows the same mask
    client.force_login(masked_exporter)
    assert MASKED_PHONE in page(reverse("tickets:case", args=[case.pk])).content.decode()
    rows = _rows(client.get(reverse("tickets:export", args=["cases"]), {"format": fmt}), fmt)
    header, *body = rows
    phone_col = _col(header, "Customer phone")
    assert [r[phone_col] for r in body] == [MASKED_PHONE]
    assert PHONE not in str(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contact_export_masks_the_customer_phone(masked_exporter, agent, customer, fmt):
    contact_log_for_test(agent=agent, customer=customer)
    rows = _rows(_api(masked_exporter).get("/api/v1/contacts/export/", {"format": fmt}), fmt)
    header, *body = rows
    assert [r[_col(header, "Customer phone")] for r in body] == [MASKED_PHONE]
    assert PHONE not in str(rows)


def test_xlsx_writes_phone_numbers_as_text_and_times_in_beijing(supervisor, agent):
    landline = customer_create(name="李四", phone="010-62345678", by=agent)
    opened = dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
    case_open_for_test(by=agent, customer=landline, now=opened)
    response = _api(supervisor).get("/api/v1/cases/export/", {"format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    phone = sheet.cell(row=2, column=_col(header, "Customer phone") + 1)
    assert (phone.value, phone.data_type) == ("010-62345678", "s")
    opened_cell = sheet.cell(row=2, column=header.index("受理时间") + 1)
    assert opened_cell.value == NAIVE_BEIJING_MORNING


def test_csv_escapes_formulas_typed_into_text_fields(supervisor, agent):
    customer_create(name="=HYPERLINK(\"http://evil\")", phone=PHONE, company="+1 公司",
                    notes="@SUM(A1)", by=agent)
    rows = _rows(_api(supervisor).get("/api/v1/customers/export/"), "csv")
    header, row = rows
    assert row[header.index("姓名")] == "'=HYPERLINK(\"http://evil\")"
    assert row[header.index("公司")] == "'+1 公司"
    assert row[header.index("备注")] == "'@SUM(A1)"


def test_xlsx_stores_formula_text_as_a_string_never_a_formula(supervisor, agent):
    customer_create(name="=1+1", phone=PHONE, by=agent)
    response = _api(supervisor).get("/api/v1/customers/export/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+1", "s")


@pytest.mark.parametrize("url", ["/api/v1/cases/export/", "/tickets/exports/cases/"])
def test_case_export_holds_only_the_exporters_department(client, supervisor, agent, url):
    mine = case_open_for_test(by=agent)
    other = case_open_for_test(by=StaffFactory(role=Role.TIER2).user)  # another department
    client.force_login(supervisor)
    rows = _rows(client.get(url, {"format": "csv"}), "csv")
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [mine.number]
    assert other.number not in str(rows)


def test_contact_export_holds_only_the_exporters_department(supervisor, agent):
    contact_log_for_test(agent=agent)
    contact_log_for_test(agent=StaffFactory(role=Role.TIER2).user)
    rows = _rows(_api(supervisor).get("/api/v1/contacts/export/"), "csv")
    department = rows[0].index("部门")
    assert [r[department] for r in rows[1:]] == [supervisor.staff_profile.department.name]


def test_manager_exports_every_department(agent):
    manager = StaffFactory(role=Role.MANAGER).user
    case_open_for_test(by=agent)
    case_open_for_test(by=StaffFactory(role=Role.TIER2).user)
    assert len(_rows(_api(manager).get("/api/v1/cases/export/"), "csv")) == 3


def test_case_export_honours_the_list_filters(supervisor, agent):
    complaint = case_open_for_test(by=agent, code="complaint-product-quality", grade="C")
    case_open_for_test(by=agent)
    api = _api(supervisor)
    listed = [c["number"] for c in api.get("/api/v1/cases/", {"kind": "complaint"}).json()
              ["results"]]
    exported = [r[0] for r in _rows(api.get("/api/v1/cases/export/",
                                            {"kind": "complaint", "format": "csv"}), "csv")[1:]]
    assert listed == exported == [complaint.number]


def test_an_invalid_filter_or_format_is_a_400(supervisor):
    api = _api(supervisor)
    assert api.get("/api/v1/cases/export/", {"customer_phone": "abc"}).status_code == 400
    assert api.get("/api/v1/cases/export/", {"format": "pdf"}).status_code == 400
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("dataset", ["customers", "cases", "contacts"])
def test_agents_may_not_export(client, agent, dataset):
    assert _api(agent).get(f"/api/v1/{dataset}/export/").status_code == 403
    client.force_login(agent)
    assert client.get(reverse("tickets:export", args=[dataset])).status_code == 403
    assert not ExportLog.objects.exists()


def test_anonymous_callers_are_refused():
    assert APIClient().get("/api/v1/cases/export/").status_code in (401, 403)


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_case_export_queries_do_not_grow_with_rows(
    client, supervisor, agent, n, fmt, django_assert_num_queries
):
    customer = CustomerFactory()
    for _ in range(n):
        case_open_for_test(by=agent, customer=customer)
    client.force_login(supervisor)
    url = reverse("tickets:export", args=["cases"])
    client.get(url, {"format": fmt})  # warm the session and permission caches alike
    # session, user, staff profile, two permission queries, log insert, rows, log update
    with django_assert_num_queries(8):
        rows = _rows(client.get(url, {"format": fmt}), fmt)
    assert len(rows) == n + 1


@pytest.mark.parametrize("n", [5, 50])
def test_contact_export_queries_do_not_grow_with_rows(
    supervisor, agent, n, django_assert_num_queries
):
    for _ in range(n):
        contact_log_for_test(agent=agent)
    api = _api(supervisor)
    # two permission queries (user, groups), log insert, the rows, log update
    with django_assert_num_queries(5):
        rows = _rows(api.get("/api/v1/contacts/export/"), "csv")
    assert len(rows) == n + 1


def test_every_export_is_logged_with_who_what_filters_and_row_count(supervisor, agent):
    case_open_for_test(by=agent, code="complaint-product-quality", grade="B")
    case_open_for_test(by=agent)
    response = _api(supervisor).get("/api/v1/cases/export/",
                                    {"kind": "complaint", "format": "xlsx"})
    _body(response)
    log = ExportLog.objects.get()
    assert (log.user, log.dataset, log.format, log.channel) == (supervisor, "cases", "xlsx", "api")
    assert log.filters == {"kind": "complaint"}
    assert log.personal_data_unmasked is True
    assert log.row_count == 1 and log.finished_at is not None


def test_a_streamed_csv_records_its_row_count_after_the_last_row(client, masked_exporter, agent):
    case_open_for_test(by=agent)
    client.force_login(masked_exporter)
    response = client.get(reverse("tickets:export", args=["cases"]), {"status": "new"})
    log = ExportLog.objects.get()
    assert (log.channel, log.personal_data_unmasked, log.row_count) == ("page", False, None)
    _body(response)
    log.refresh_from_db()
    assert log.row_count == 1 and log.filters == {"status": "new"}


def test_queue_page_links_to_the_export_of_the_queue(client, supervisor, agent):
    mine = case_open_for_test(by=supervisor, assignee=supervisor)
    case_open_for_test(by=agent, assignee=agent)
    client.force_login(supervisor)
    page = client.get(reverse("tickets:queue")).content.decode()
    start = page.index('id="queue-exports"')
    href = page[page.index('href="', start) + 6:page.index('"', page.index('href="', start) + 6)]
    rows = _rows(client.get(href.replace("&amp;", "&")), "csv")
    assert [r[0] for r in rows[1:]] == [mine.number]


def test_agents_see_no_export_links(client, agent):
    client.force_login(agent)
    assert "queue-exports" not in client.get(reverse("tickets:queue")).content.decode()
    assert "case-exports" not in client.get(reverse("tickets:cases")).content.decode()
    assert client.get(reverse("tickets:exports")).status_code == 403


def test_case_list_page_filters_and_offers_the_filtered_export(client, supervisor, agent):
    complaint = case_open_for_test(by=agent, code="complaint-product-quality", grade="A")
    other = case_open_for_test(by=agent)
    client.force_login(supervisor)
    page = client.get(reverse("tickets:cases"), {"kind": "complaint"}).content.decode()
    assert complaint.number in page and other.number not in page
    assert "kind=complaint&amp;format=xlsx" in page


def test_exports_page_offers_each_list(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("tickets:exports")).content.decode()
    for form in ("export-customers", "export-cases", "export-contacts"):
        assert form in page


def test_administrators_read_the_export_log_in_the_admin(client, supervisor, agent):
    case_open_for_test(by=agent)
    _body(_api(supervisor).get("/api/v1/cases/export/"))
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    client.force_login(admin)
    changelist = client.get(reverse("admin:servicedesk_exportlog_changelist"))
    assert changelist.status_code == 200
    assert supervisor.username in changelist.content.decode()
    log = ExportLog.objects.get()
    assert client.post(reverse("admin:servicedesk_exportlog_delete", args=[log.pk]),
                       {"post": "yes"}).status_code == 403
    assert ExportLog.objects.filter(pk=log.pk).exists()


@pytest.mark.parametrize(("role", "sees"), [(Role.SUPERVISOR, True), (Role.TIER1, False)])
def test_exports_are_in_the_navigation_of_exporting_roles(client, role, sees):
    client.force_login(StaffFactory(role=role).user)
    page = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("tickets:exports")}"' in page) is sees


@pytest.mark.parametrize("n", [1, 30])
def test_case_list_page_queries_do_not_grow_with_cases(
    client, supervisor, agent, n, django_assert_num_queries
):
    customer = CustomerFactory()
    for _ in range(n):
        case_open_for_test(by=agent, customer=customer, assignee=agent)
    client.force_login(supervisor)
    client.get(reverse("tickets:cases"))
    with django_assert_num_queries(6):
        response = client.get(reverse("tickets:cases"), {"status": "new"})
    assert len(re.findall(r'href="/tickets/cases/\d+/"', response.content.decode())) == n
