"""The shared writers of files people download (servicedesk.exports): BOM, formula
escaping, Beijing time, text cells in XLSX, one query whatever the row count, the log."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from servicedesk.exports import (
    DATETIME,
    NUMBER,
    Column,
    csv_lines,
    csv_safe,
    export_response,
    export_rows,
    to_export_time,
    xlsx_write,
)
from servicedesk.models import Department, ExportLog
from tests.factories import DepartmentFactory, UserFactory

COLUMNS = [
    Column("名称", "name"),
    Column("数量", "count", kind=NUMBER),
    Column("时间", "at", kind=DATETIME),
]
UTC_MORNING = dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
# What a spreadsheet shows: the wall-clock time in Beijing, without a zone.
NAIVE_BEIJING_MORNING = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC).replace(tzinfo=None)


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_prefixes_text_a_spreadsheet_would_evaluate(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["", "王小明", "13812345678", "010-62345678", "a=b"])
def test_csv_safe_leaves_plain_text_alone(text):
    assert csv_safe(text) == text


@pytest.mark.parametrize(("text", "safe"), [
    ("x;=1+1", "x;'=1+1"),
    ("x,+1", "x,'+1"),
    ("x\t-1", "x\t'-1"),
    ("x; @SUM(A1)", "x; '@SUM(A1)"),
    ("第一行\n=HYPERLINK(1)", "第一行\n'=HYPERLINK(1)"),
])
def test_csv_safe_neutralises_a_formula_starter_after_any_separator(text, safe):
    assert csv_safe(text) == safe


@pytest.mark.parametrize("text", ["x;=1+1", "a,b", "a\tb", 'say "hi"', "two\nlines"])
def test_a_csv_cell_holding_a_separator_is_quoted_as_one_cell(text):
    line = "".join(csv_lines([[text]], COLUMNS[:1])).split("\r\n", 1)[1]
    assert line.startswith('"')
    for delimiter in (",", ";", "\t"):
        (row,) = csv.reader(io.StringIO(line), delimiter=delimiter)
        assert row == [csv_safe(text)]  # one cell, whichever separator the reader uses


def test_aware_times_become_naive_beijing_time():
    assert to_export_time(UTC_MORNING) == NAIVE_BEIJING_MORNING
    assert to_export_time(None) is None


def test_csv_starts_with_a_bom_and_writes_beijing_time_and_escaped_text():
    text = "".join(csv_lines([["=cmd|' /C calc'!A0", 3, NAIVE_BEIJING_MORNING]],
                             COLUMNS))
    assert text.startswith("\ufeff名称,")
    header, row = csv.reader(io.StringIO(text[1:]))
    assert header == ["名称", "数量", "时间"]
    assert row == ["'=cmd|' /C calc'!A0", "3", "2026-11-02 09:30:00"]


def test_csv_writes_empty_cells_for_missing_values():
    text = "".join(csv_lines([[None, None, None]], COLUMNS))
    assert text.splitlines()[1] == ",,"


def test_xlsx_keeps_text_as_text_numbers_as_numbers_and_times_as_dates(tmp_path):
    path = tmp_path / "out.xlsx"
    xlsx_write(path, [["=1+1", 7, NAIVE_BEIJING_MORNING], ["0101234", None, None]],
               COLUMNS, sheet_name="测试")
    sheet = openpyxl.load_workbook(path)["测试"]
    assert [c.value for c in sheet[1]] == ["名称", "数量", "时间"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (7, "n")
    assert sheet["C2"].value == NAIVE_BEIJING_MORNING
    assert (sheet["A3"].value, sheet["B3"].value) == ("0101234", None)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 30])
def test_rows_come_from_one_query_whatever_their_number(n, django_assert_num_queries):
    DepartmentFactory.create_batch(n)
    columns = [Column("部门", "name"), Column("公司", "company__name"),
               Column("创建", "created_at", kind=DATETIME)]
    with django_assert_num_queries(1):
        rows = list(export_rows(Department.objects.order_by("id"), columns, chunk_size=7))
    assert len(rows) == n
    assert rows[0][1] == "测试客服中心有限公司"
    assert rows[0][2].tzinfo is None


@pytest.mark.django_db
def test_a_converter_receives_every_field_of_its_column():
    DepartmentFactory(name="售后部", code="after-sales")
    columns = [Column("部门", ("name", "code"), convert=lambda name, code: f"{name}({code})")]
    assert list(export_rows(Department.objects.all(), columns)) == [["售后部(after-sales)"]]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_response_logs_the_export_and_its_row_count(fmt):
    DepartmentFactory.create_batch(3)
    user = UserFactory()
    response = export_response(
        queryset=Department.objects.order_by("id"), columns=[Column("部门", "name")], fmt=fmt,
        dataset="departments", user=user, channel="page", filters={"kind": "service"},
        personal_data_unmasked=False,
    )
    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment; filename=\"departments-")
    if fmt == "csv":
        assert body.startswith("\ufeff".encode())
    else:
        assert openpyxl.load_workbook(io.BytesIO(body)).active.max_row == 4
    log = ExportLog.objects.get()
    assert (log.user, log.dataset, log.format, log.filters, log.row_count) == (
        user, "departments", fmt, {"kind": "service"}, 3)


@pytest.mark.django_db
def test_an_unknown_format_is_refused_before_anything_is_logged():
    with pytest.raises(ValueError):
        export_response(
            queryset=Department.objects.all(), columns=[Column("部门", "name")], fmt="pdf",
            dataset="departments", user=UserFactory(), channel="page", filters={},
            personal_data_unmasked=False,
        )
    assert not ExportLog.objects.exists()
