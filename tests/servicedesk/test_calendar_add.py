"""`manage.py calendar_add` and the services behind it, on the calendars of migration 0002."""

import datetime as dt
import importlib
import io
import re

import chinese_calendar
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from servicedesk.calendars import (
    UnknownCalendar,
    calendar_add,
    calendar_engine,
    calendar_engines_invalidate,
    parse_duration,
)

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("servicedesk.migrations.0002_calendars_and_official_days")


@pytest.fixture(autouse=True)
def standard_calendars(db):
    # Migration 0002 seeded them; a flushed (transactional) database gets them back here.
    SEED.create_calendars_and_official_days(apps, None)
    calendar_engines_invalidate()  # rolled-back tests leave no trace in this process's cache


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("calendar_add", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def deadline(calendar: str, start: str, duration: str) -> tuple[str, str]:
    return run("--calendar", calendar, "--start", start, "--duration", duration)


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [
        ("24x7", "2026-01-01T09:00:00+08:00", "8h", "2026-01-01T17:00:00+08:00"),
        ("work_0900_1800_cn", "2026-04-30T17:00:00+08:00", "2h", "2026-05-06T10:00:00+08:00"),
        ("work_0900_1800_cn", "2026-03-02T09:00:00+08:00", "9h", "2026-03-02T18:00:00+08:00"),
        ("work_lunch_cn", "2026-03-02T11:00:00+08:00", "2h", "2026-03-02T14:30:00+08:00"),
        ("line_0900_2300_7d", "2026-10-01T22:30:00+08:00", "1h", "2026-10-02T09:30:00+08:00"),
        ("peak_0700_0200_7d", "2026-03-02T23:00:00+08:00", "4h", "2026-03-03T08:00:00+08:00"),
        ("work_0900_1800_cn", "2026-03-02T01:00:00Z", "1h30m", "2026-03-02T10:30:00+08:00"),
    ],
    ids=[
        "24x7_is_plain_addition",
        "labour_day_holidays_are_skipped",
        "deadline_on_closing_time_stays_that_day",
        "lunch_break_is_not_counted",
        "hotline_works_on_holidays",
        "peak_day_runs_past_midnight",
        "utc_start_answers_in_calendar_zone",
    ],
)
def test_command_prints_only_the_deadline_with_its_offset(calendar, start, duration, expected):
    out, err = deadline(calendar, start, duration)
    assert out == expected + "\n"
    assert err == ""


def _adjusted_weekend_days(year: int, weekday: int) -> list[dt.date]:
    return sorted(d for d in chinese_calendar.workdays if d.year == year and d.weekday() == weekday)


@pytest.mark.parametrize("weekday", [5, 6], ids=["saturday", "sunday"])
def test_adjusted_working_weekend_day_from_the_package_is_worked(weekday):
    days = _adjusted_weekend_days(2026, weekday)
    assert days, "chinesecalendar lists no adjusted working day on this weekday in 2026"
    for day in days:
        out, err = deadline("work_0900_1800_cn", f"{day}T08:00:00+08:00", "1h")
        assert out == f"{day}T10:00:00+08:00\n"
        assert err == ""


def test_ordinary_weekend_is_not_worked():
    out, _ = deadline("work_0900_1800_cn", "2026-03-06T17:00:00+08:00", "2h")  # Friday
    assert out == "2026-03-09T10:00:00+08:00\n"


def test_year_without_official_data_warns_on_stderr_and_still_prints_the_deadline():
    out, err = deadline("work_0900_1800_cn", "2030-03-01T17:00:00+08:00", "2h")
    assert out == "2030-03-04T10:00:00+08:00\n"
    assert "2030" in err
    assert "尚未录入" in err


def test_calendar_that_ignores_official_days_does_not_warn_about_them():
    out, err = deadline("24x7", "2030-03-01T17:00:00+08:00", "2h")
    assert out == "2030-03-01T19:00:00+08:00\n"
    assert err == ""


def test_deadline_is_printed_without_microseconds():
    out, _ = deadline("24x7", "2026-01-01T09:00:00.654321+08:00", "10min")
    assert re.fullmatch(r"2026-01-01T09:10:00\+08:00\n", out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calendar", "nope", "--start", "2026-03-02T09:00:00+08:00", "--duration", "1h"],
         "未知的日历"),
        (["--calendar", "24x7", "--start", "2026-03-02T09:00:00+08:00", "--duration", "8x"],
         "无法识别的时长"),
        (["--calendar", "24x7", "--start", "2026-03-02T09:00:00", "--duration", "1h"],
         "缺少时区"),
        (["--calendar", "24x7", "--start", "tomorrow", "--duration", "1h"], "无法识别的时间"),
        (["--calendar", "24x7", "--start", "2026-03-02T09:00:00+08:00"], "duration"),
    ],
    ids=["unknown_calendar", "bad_duration", "naive_timestamp", "unparseable_timestamp",
         "missing_duration"],
)  # fmt: skip
def test_bad_input_fails_with_a_clear_message_and_prints_nothing(args, message):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("calendar_add", *args, stdout=out, stderr=err)
    assert out.getvalue() == ""


def test_service_returns_deadline_and_warnings():
    start = dt.datetime.fromisoformat("2026-12-31T17:00:00+08:00")
    result = calendar_add(calendar="work_0900_1800_cn", start=start, duration=dt.timedelta(hours=2))
    assert result.deadline == dt.datetime.fromisoformat("2027-01-01T10:00:00+08:00")
    assert len(result.warnings) == 1 and "2027" in result.warnings[0]
    always = calendar_add(calendar="24x7", start=start, duration=dt.timedelta(hours=2))
    assert always.warnings == []


def test_unknown_calendar_raises_unknown_calendar():
    with pytest.raises(UnknownCalendar, match="work_0900_1800_cn"):
        calendar_engine("no_such_calendar")


def test_engine_is_compiled_once_and_reused():
    assert calendar_engine("work_0900_1800_cn") is calendar_engine("work_0900_1800_cn")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", dt.timedelta(hours=8)),
        ("90m", dt.timedelta(minutes=90)),
        ("10min", dt.timedelta(minutes=10)),
        ("1h30m", dt.timedelta(hours=1, minutes=30)),
        ("1h 30m", dt.timedelta(hours=1, minutes=30)),
        ("2d", dt.timedelta(days=2)),
        ("45s", dt.timedelta(seconds=45)),
        ("8H", dt.timedelta(hours=8)),
        ("8小时", dt.timedelta(hours=8)),
        ("1小时30分钟", dt.timedelta(hours=1, minutes=30)),
        ("0h", dt.timedelta(0)),
    ],
)
def test_parse_duration_reads_units(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "8", "8x", "1.5h", "-1h", "1h1h", "h", "1h30", "8 hours!"]
)
def test_parse_duration_refuses_anything_else_with_a_chinese_first_message(text):
    with pytest.raises(ValueError, match="^(无法识别的时长|时长不能为空)"):
        parse_duration(text)
