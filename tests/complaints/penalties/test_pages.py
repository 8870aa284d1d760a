"""The penalty pages: the ledger with its filters and the totals of the filtered rows, its
CSV and Excel export (UTF-8 with BOM, formula starters neutralised), an entry's page with
its evidence, history and a manager's waiver, and the SLA excuses (a supervisor asks, a
manager approves). Chinese first."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from complaints.handling.models import Complaint
from complaints.penalties.models import PenaltyEntry, SlaExcuse
from complaints.penalties.services import charges_sync
from servicedesk.models import ExportLog
from servicedesk.roles import Role
from tests.complaints.penalties.factories import (
    DAY,
    FILED,
    H,
    clock_due,
    clock_stop,
    complaint_for_test,
    team,
)
from tests.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db
LEDGER = reverse("complaints:penalties")
EXPORT = reverse("complaints:penalties-export")


@pytest.fixture
def people():
    # a department whose name starts like a formula: a spreadsheet must never evaluate it
    return team(DepartmentFactory(name="=HYPERLINK(\"http://x\")"))


@pytest.fixture
def charged(people):
    complaint = complaint_for_test(by=people["agent"], grade="A",
                                   state=Complaint.State.CLOSED, verdict="valid",
                                   responsible=people["member"], loss_yuan=Decimal("5000"))
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    return complaint


def login(client, user):
    client.force_login(user)
    return client


def test_the_ledger_shows_the_rows_and_the_totals_of_the_filter(client, people, charged):
    page = login(client, people["manager"]).get(LEDGER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "罚款台账" in html and "5500.00" in html
    assert page.context["totals"] == {"count": 2, "amount": Decimal("5500.00"),
                                      "quoted_amount": Decimal("5500.00")}
    only_loss = client.get(LEDGER, {"rule": "economic_loss"})
    assert only_loss.context["totals"]["amount"] == Decimal("5000.00")
    assert [e.rule for e in only_loss.context["entries"]] == ["economic_loss"]
    other_month = client.get(LEDGER, {"month": "2026-10"})
    assert other_month.context["totals"]["count"] == 0


def test_a_bad_filter_on_the_page_is_a_400_with_the_message(client, people, charged):
    page = login(client, people["manager"]).get(LEDGER, {"month": "2026-13"})
    assert page.status_code == 400
    assert "YYYY-MM" in page.content.decode()


def test_an_agent_sees_only_their_own_charges_on_the_page(client, people, charged):
    page = login(client, people["agent"]).get(LEDGER)
    assert page.status_code == 200
    assert page.context["entries"] == [] and page.context["totals"]["count"] == 0
    assert not page.context["can_export"]
    assert login(client, people["agent"]).get(EXPORT).status_code == 403


@pytest.mark.parametrize("n", [1, 12])
def test_the_ledger_page_takes_a_fixed_number_of_queries(client, n,
                                                         django_assert_max_num_queries):
    people = team()
    complaints = [complaint_for_test(by=people["agent"], grade="B",
                                     state=Complaint.State.CLOSED, verdict="valid",
                                     responsible=people["member"], loss_yuan=Decimal("9"))
                  for _ in range(n)]
    charges_sync(complaint_ids=[c.pk for c in complaints], now=FILED + DAY)
    login(client, people["manager"]).get(LEDGER)
    with django_assert_max_num_queries(11):
        page = client.get(LEDGER)
    assert len(page.context["entries"]) == 2 * n


def test_the_csv_export_starts_with_a_bom_and_neutralises_formulas(client, people, charged):
    response = login(client, people["supervisor"]).get(EXPORT, {"format": "csv",
                                                                "rule": "grade_fine"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:3] == ["计入时间", "月份", "人员"]
    assert len(lines) == 2  # the header and the one grade fine
    assert "'=HYPERLINK" in lines[1] and ",=HYPERLINK" not in lines[1]
    assert "500.00" in lines[1] and charged.case.number in lines[1]
    log = ExportLog.objects.get()
    assert (log.dataset, log.row_count, log.filters) == ("penalties", 1,
                                                         {"rule": "grade_fine"})


def test_the_xlsx_export_holds_the_filtered_rows(client, people, charged):
    response = login(client, people["manager"]).get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "计入时间" and len(rows) == 3
    amounts = sorted(row[8] for row in rows[1:])
    assert amounts == [500, 5000]
    assert {row[3] for row in rows[1:]} == {"=HYPERLINK(\"http://x\")"}  # text, never a formula


def test_an_entry_page_shows_the_evidence_and_a_manager_waives_there(client, people, charged):
    entry = PenaltyEntry.objects.get(complaint=charged, rule="grade_fine")
    url = reverse("complaints:penalty", args=[entry.pk])
    page = login(client, people["manager"]).get(url)
    html = page.content.decode()
    assert "依据" in html and "v1" in html and "免除" in html
    refused = client.post(reverse("complaints:penalty-action", args=[entry.pk, "waive"]),
                          {"reason": "", "expected_version": 1})
    assert refused.status_code == 400
    assert PenaltyEntry.objects.get(pk=entry.pk).state == "charged"
    done = client.post(reverse("complaints:penalty-action", args=[entry.pk, "waive"]),
                       {"reason": "客户撤诉", "expected_version": 1})
    assert done.status_code == 302
    assert PenaltyEntry.objects.get(pk=entry.pk).state == "waived"
    assert "客户撤诉" in client.get(url).content.decode()


def test_a_supervisor_sees_the_entry_but_no_waiver(client, people, charged):
    entry = PenaltyEntry.objects.get(complaint=charged, rule="grade_fine")
    login(client, people["supervisor"])
    page = client.get(reverse("complaints:penalty", args=[entry.pk]))
    assert page.status_code == 200 and page.context["actions"] == []
    refused = client.post(reverse("complaints:penalty-action", args=[entry.pk, "waive"]),
                          {"reason": "免", "expected_version": 1})
    assert refused.status_code == 403
    assert PenaltyEntry.objects.get(pk=entry.pk).state == "charged"


def test_a_stale_page_is_told_of_the_conflict(client, people, charged):
    entry = PenaltyEntry.objects.get(complaint=charged, rule="grade_fine")
    login(client, people["manager"])
    action = reverse("complaints:penalty-action", args=[entry.pk, "adjust"])
    client.post(action, {"amount": "300", "reason": "一", "expected_version": 1})
    stale = client.post(action, {"amount": "10", "reason": "二", "expected_version": 1})
    assert stale.status_code == 400
    assert "其他人" in stale.content.decode() or "someone else" in stale.content.decode()
    assert PenaltyEntry.objects.get(pk=entry.pk).amount == Decimal("300.00")


def test_a_supervisor_asks_and_a_manager_approves_an_excuse_on_the_pages(client, people):
    complaint = complaint_for_test(by=people["agent"], assignee=people["agent"],
                                   accepted=False)
    clock_due(complaint, "acceptance", FILED + H)
    clock_stop(complaint, "acceptance", FILED + 5 * H)
    charges_sync(complaint_ids=[complaint.pk], now=FILED + DAY)
    login(client, people["supervisor"])
    page = client.get(reverse("complaints:sla-excuses"))
    assert page.status_code == 200 and "申请" in page.content.decode()
    missing = client.post(reverse("complaints:sla-excuses"), {
        "case_number": "K000", "clock": "acceptance", "reason_kind": "force_majeure",
        "note": "暴雨"})
    assert missing.status_code == 400 and not SlaExcuse.objects.exists()
    asked = client.post(reverse("complaints:sla-excuses"), {
        "case_number": complaint.case.number, "clock": "acceptance",
        "reason_kind": "force_majeure", "note": "暴雨停电"})
    excuse = SlaExcuse.objects.get()
    assert asked.status_code == 302 and asked.url == reverse("complaints:sla-excuse",
                                                             args=[excuse.pk])
    login(client, people["manager"])
    detail = client.get(asked.url)
    assert "批准" in detail.content.decode()
    approved = client.post(reverse("complaints:sla-excuse-action",
                                   args=[excuse.pk, "approve"]), {"note": ""})
    assert approved.status_code == 302
    assert PenaltyEntry.objects.get(complaint=complaint).state == "excused"


def test_a_manager_cannot_ask_and_an_agent_cannot_open_the_excuses(client, people):
    login(client, people["manager"])
    assert client.get(reverse("complaints:sla-excuses")).context["form"] is None
    assert client.post(reverse("complaints:sla-excuses"), {}).status_code == 403
    login(client, people["agent"])
    assert client.get(reverse("complaints:sla-excuses")).status_code == 403


@pytest.mark.parametrize(("role", "ledger", "excuses"), [
    (Role.TIER1, True, False), (Role.SUPERVISOR, True, True), (Role.MANAGER, True, True),
])
def test_the_menu_offers_the_pages_to_their_roles(client, role, ledger, excuses):
    user = StaffFactory(role=role).user
    html = login(client, user).get(reverse("home")).content.decode()
    assert (LEDGER in html) is ledger
    assert (reverse("complaints:sla-excuses") in html) is excuses
