"""Files people download: CSV and XLSX writers shared by every app (the lists of tickets
today, the monthly reports of `reporting` later).

A dataset is a queryset plus `Column`s. Rows are read with one `values_list` query through
`.iterator(chunk_size=...)` (a server-side cursor on PostgreSQL), so memory and the number
of queries stay flat whatever the row count. What goes into the cells:

- times are converted to Beijing time (Asia/Shanghai); XLSX gets them naive, as Excel
  knows no time zones;
- CSV starts with a UTF-8 BOM (Excel then opens Chinese correctly) and a text cell that
  starts with `= + - @`, a tab or a carriage return is prefixed with `'`, so a spreadsheet
  never evaluates it as a formula (CSV injection). A spreadsheet set to another list
  separator splits a cell at `;` or a tab, so every cell holding a separator (`,` `;` tab,
  a quote or a line break) is quoted, and a formula starter after any separator (spaces
  between them included) gets its `'` too: `x;=1+1` is written `"x;'=1+1"`;
- XLSX writes every text column with `write_string` (never a formula, a number or a link,
  so phone and ID numbers keep their leading zeros and all their digits), in XlsxWriter's
  `constant_memory` mode to a temporary file that the response streams and then deletes.

`export_response` also writes the audit row (`ExportLog`): who, when, which dataset, which
filters, masked or not, and the number of rows once the last one went out.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload
from zoneinfo import ZoneInfo

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from servicedesk.models import ExportLog
from servicedesk.services import export_log_finish, export_log_start
from servicedesk.types import User

EXPORT_TIME_ZONE = ZoneInfo("Asia/Shanghai")
CHUNK_SIZE = 2000
UTF8_BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

TEXT = "text"
NUMBER = "number"
DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    """One column: its header (a lazy translation: Chinese first), the `values_list`
    path(s) it reads and, optionally, `convert` turning those values into the cell (a
    mask, a choice label, a display name). `kind` says how the cell is written."""

    header: Any
    source: str | tuple[str, ...]
    kind: str = TEXT
    convert: Callable[..., Any] | None = None
    width: int = 16

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else self.source


@overload
def to_export_time(value: dt.datetime) -> dt.datetime: ...
@overload
def to_export_time(value: None) -> None: ...
def to_export_time(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as naive Beijing time (a naive one is taken as it is)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = value.astimezone(EXPORT_TIME_ZONE)
    return value.replace(tzinfo=None)


# A formula starter after a separator a spreadsheet may split the line at (spaces between).
_TRIGGER_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n] *)(?=[=+\-@])")
# A cell holding one of these is quoted (the separators any locale's spreadsheet uses, the
# quote itself and line breaks).
_NEEDS_QUOTES = re.compile(r"[,;\t\"\r\n]")


def csv_safe(value: str) -> str:
    """Text that a spreadsheet shows as text: a leading `= + - @`, tab or CR gets a `'`, and
    so does a `= + - @` that follows a separator (`,` `;` tab, a line break)."""
    if value and value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return _TRIGGER_AFTER_SEPARATOR.sub(r"\1'", value)


def csv_line(cells: Iterable[Any]) -> str:
    """One CSV line (RFC 4180, CRLF): a cell holding a separator, a quote or a line break is
    quoted, its quotes doubled. Unlike the csv module's minimal quoting, `;` and tab count as
    separators too."""
    out = []
    for cell in cells:
        text = str(cell)
        if _NEEDS_QUOTES.search(text):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return ",".join(out) + "\r\n"


def export_rows(
    queryset: QuerySet, columns: Sequence[Column], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[Any]]:
    """The cells of every row, read with one query in chunks."""
    fields: list[str] = []
    slices: list[slice] = []
    for column in columns:
        slices.append(slice(len(fields), len(fields) + len(column.fields)))
        fields.extend(column.fields)
    for values in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
        row = []
        for column, part in zip(columns, slices, strict=True):
            raw = values[part]
            cell = column.convert(*raw) if column.convert is not None else raw[0]
            row.append(to_export_time(cell) if column.kind == DATETIME else cell)
        yield row


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == DATETIME:
        return value.strftime(DATETIME_TEXT_FORMAT)
    if kind == NUMBER:
        return value
    return csv_safe(str(value))


def csv_lines(rows: Iterable[Sequence[Any]], columns: Sequence[Column]) -> Iterator[str]:
    """The BOM, the header line, then one line per row."""
    yield UTF8_BOM + csv_line(csv_safe(str(c.header)) for c in columns)
    kinds = [c.kind for c in columns]
    for row in rows:
        yield csv_line(_csv_cell(v, k) for v, k in zip(row, kinds, strict=True))


def xlsx_write(
    target, rows: Iterable[Sequence[Any]], columns: Sequence[Column], *, sheet_name: str
) -> None:
    """Write an XLSX workbook to `target` (a path or a binary file) in constant memory."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, str(column.header), bold)
        sheet.freeze_panes(1, 0)
        for row_index, row in enumerate(rows, start=1):
            for index, (value, column) in enumerate(zip(row, columns, strict=True)):
                if value is None or value == "":
                    continue
                if column.kind == DATETIME:
                    sheet.write_datetime(row_index, index, value, when)
                elif column.kind == NUMBER:
                    sheet.write_number(row_index, index, value)
                else:
                    sheet.write_string(row_index, index, str(value))
    finally:
        workbook.close()


class _Counted:
    """Counts the rows passing through; calls `done(count)` after the last one."""

    def __init__(self, rows: Iterable, done: Callable[[int], None]):
        self.rows, self.done, self.count = rows, done, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
        self.done(self.count)


def export_filename(dataset: str, fmt: str, *, now: dt.datetime | None = None) -> str:
    stamp = to_export_time(now or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{dataset}-{stamp}.{fmt}"


def export_response(
    *,
    queryset: QuerySet,
    columns: Sequence[Column],
    fmt: str,
    dataset: str,
    user: User,
    channel: str,
    filters: dict,
    personal_data_unmasked: bool,
    sheet_name: str = "",
) -> StreamingHttpResponse:
    """The download of `queryset` as CSV (streamed) or XLSX, recorded in the export log.
    The caller has checked the permission and scoped and filtered the queryset."""
    if fmt not in ExportLog.Format.values:
        raise ValueError(f"unknown export format {fmt!r}")
    log = export_log_start(
        user=user, dataset=dataset, fmt=fmt, channel=channel, filters=filters,
        personal_data_unmasked=personal_data_unmasked,
    )
    rows = _Counted(
        export_rows(queryset, columns), lambda count: export_log_finish(log=log, row_count=count)
    )
    filename = export_filename(dataset, fmt)
    if fmt == ExportLog.Format.CSV:
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(rows, columns)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # An anonymous temporary file: gone from the disk once FileResponse has sent and closed it.
    file = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        xlsx_write(file, rows, columns, sheet_name=sheet_name or dataset)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
