"""The pure business-time engine (servicedesk.worktime): no database here."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicedesk.worktime import (
    HOLIDAY,
    WORKDAY,
    CalendarSpec,
    NoWorkingTime,
    Period,
    WorkCalendar,
    package_official_days,
    weekday_overlaps,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC
MONDAY_TO_FRIDAY = range(5)
EVERY_DAY = range(7)

_OFFICIAL = [row for rows in package_official_days([2024, 2025, 2026]).values() for row in rows]
OFFICIAL = {
    "holidays": frozenset(row.date for row in _OFFICIAL if row.kind == HOLIDAY),
    "workdays": frozenset(row.date for row in _OFFICIAL if row.kind == WORKDAY),
    "known_years": frozenset({2024, 2025, 2026}),
}


def at(text: str, tz=SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def periods(days, *spans: tuple[str, str]) -> tuple[Period, ...]:
    return tuple(
        Period(day, dt.time.fromisoformat(start), dt.time.fromisoformat(end))
        for day in days
        for start, end in spans
    )


def calendar(name, days, *spans, official=False, tz="Asia/Shanghai", adjusted=0):
    return WorkCalendar(
        CalendarSpec(
            name=name,
            periods=periods(days, *spans),
            timezone=tz,
            follows_official_days=official,
            adjusted_day_weekday=adjusted,
            **(OFFICIAL if official else {}),
        )
    )


WORK_CN = calendar("work_cn", MONDAY_TO_FRIDAY, ("09:00", "18:00"), official=True)
LUNCH_CN = calendar(
    "lunch_cn", MONDAY_TO_FRIDAY, ("09:00", "12:00"), ("13:30", "18:00"), official=True
)
PEAK = calendar("peak", EVERY_DAY, ("07:00", "02:00"))
ALWAYS = calendar("24x7", EVERY_DAY, ("00:00", "00:00"))
ALWAYS_BERLIN = calendar("24x7_berlin", EVERY_DAY, ("00:00", "00:00"), tz="Europe/Berlin")
WORK_BERLIN = calendar("work_berlin", MONDAY_TO_FRIDAY, ("09:00", "18:00"), tz="Europe/Berlin")
NIGHT_AND_DAY = calendar("night_day", EVERY_DAY, ("20:00", "08:00"), ("08:00", "20:00"))


# --- rules, one by one ------------------------------------------------------------------


def test_deadline_landing_on_closing_time_stays_at_closing_time():
    assert WORK_CN.add(at("2026-03-02T09:00"), hours(9)) == at("2026-03-02T18:00")


def test_one_more_second_after_closing_time_rolls_to_next_opening():
    deadline = WORK_CN.add(at("2026-03-02T09:00"), hours(9) + dt.timedelta(seconds=1))
    assert deadline == at("2026-03-03T09:00:01")


def test_start_outside_working_time_counts_from_next_opening():
    assert WORK_CN.add(at("2026-03-07T10:00"), hours(1)) == at("2026-03-09T10:00")  # Saturday
    assert WORK_CN.add(at("2026-03-02T07:00"), hours(1)) == at("2026-03-02T10:00")


def test_zero_duration_returns_start_when_working_else_next_opening():
    assert WORK_CN.add(at("2026-03-02T10:15"), dt.timedelta(0)) == at("2026-03-02T10:15")
    assert WORK_CN.add(at("2026-03-02T18:00"), dt.timedelta(0)) == at("2026-03-03T09:00")
    assert WORK_CN.next_opening(at("2026-03-02T20:00")) == at("2026-03-03T09:00")


def test_lunch_break_is_not_counted():
    assert LUNCH_CN.add(at("2026-03-02T11:00"), hours(2)) == at("2026-03-02T14:30")
    assert LUNCH_CN.between(at("2026-03-02T09:00"), at("2026-03-02T18:00")) == hours(7.5)


def test_start_during_lunch_counts_from_half_past_one():
    assert LUNCH_CN.add(at("2026-03-02T12:15"), hours(1)) == at("2026-03-02T14:30")


def test_deadline_landing_on_lunch_start_stays_before_lunch():
    assert LUNCH_CN.add(at("2026-03-02T11:00"), hours(1)) == at("2026-03-02T12:00")


def test_period_ending_before_its_start_runs_past_midnight():
    assert PEAK.add(at("2026-03-02T23:00"), hours(4)) == at("2026-03-03T08:00")
    assert PEAK.is_working(at("2026-03-03T01:59"))
    assert not PEAK.is_working(at("2026-03-03T02:00"))


def test_cross_midnight_period_from_the_previous_year_opens_new_year_morning():
    assert PEAK.add(at("2026-01-01T01:00"), hours(2)) == at("2026-01-01T08:00")
    assert PEAK.between(at("2025-12-31T23:00"), at("2026-01-01T03:00")) == hours(3)


def test_cross_midnight_period_meeting_next_days_period_is_continuous():
    start = at("2026-03-02T19:00")
    assert NIGHT_AND_DAY.add(start, hours(30)) == start + hours(30)


def test_overlapping_periods_on_one_weekday_are_merged_not_double_counted():
    overlapping = calendar("overlap", [0], ("09:00", "12:00"), ("11:00", "14:00"))
    assert overlapping.between(at("2026-03-02T00:00"), at("2026-03-03T00:00")) == hours(5)
    night = calendar("night", EVERY_DAY, ("22:00", "09:00"), ("08:00", "18:00"))
    assert night.between(at("2026-03-02T22:00"), at("2026-03-03T18:00")) == hours(20)


def test_whole_day_period_is_twenty_four_hours():
    assert ALWAYS.between(at("2026-03-02T00:00"), at("2026-03-03T00:00")) == hours(24)


def test_official_holidays_are_skipped():
    # 1–5 May 2026 are off: Thursday 17:00 + 2 h is Wednesday 6 May 10:00.
    assert WORK_CN.add(at("2026-04-30T17:00"), hours(2)) == at("2026-05-06T10:00")
    # National Day 2025: 1–8 October off.
    assert WORK_CN.add(at("2025-09-30T17:00"), hours(2)) == at("2025-10-09T10:00")


def test_adjusted_working_saturday_and_sunday_are_worked():
    assert WORK_CN.is_working(at("2026-05-09T10:00"))  # Saturday, adjusted working day
    assert not WORK_CN.is_working(at("2026-05-10T10:00"))  # ordinary Sunday
    assert WORK_CN.is_working(at("2026-01-04T10:00"))  # Sunday, adjusted working day
    assert WORK_CN.add(at("2026-05-08T17:00"), hours(2)) == at("2026-05-09T10:00")


def test_adjusted_working_day_has_the_periods_of_the_chosen_weekday():
    short_mondays = WorkCalendar(
        CalendarSpec(
            name="short_mondays",
            periods=periods([0], ("09:00", "12:00")) + periods(range(1, 5), ("09:00", "18:00")),
            follows_official_days=True,
            adjusted_day_weekday=0,
            **OFFICIAL,
        )
    )
    saturday = at("2026-05-09T00:00")
    assert short_mondays.between(saturday, saturday + hours(24)) == hours(3)


def test_holiday_closes_only_the_periods_that_start_that_day():
    nights = calendar("nights_cn", EVERY_DAY, ("22:00", "06:00"), official=True)
    assert nights.is_working(at("2026-10-01T03:00"))  # started on 30 September, a workday
    assert not nights.is_working(at("2026-10-01T23:00"))  # starts on the holiday


def test_calendar_that_ignores_official_days_works_on_holidays():
    line = calendar("line", EVERY_DAY, ("09:00", "23:00"))
    assert line.is_working(at("2026-10-01T10:00"))
    assert line.missing_years_between(at("2030-01-01T00:00"), at("2031-01-01T00:00")) == ()


def test_years_without_official_data_are_reported_and_use_the_weekly_pattern():
    assert WORK_CN.missing_years_between(at("2026-12-31T17:00"), at("2027-01-04T10:00")) == (
        2027,
    )
    assert WORK_CN.missing_years_between(at("2026-03-02T09:00"), at("2026-03-02T10:00")) == ()
    assert WORK_CN.add(at("2030-03-01T17:00"), hours(2)) == at("2030-03-04T10:00")


def test_between_is_zero_when_end_is_not_after_start():
    assert WORK_CN.between(at("2026-03-02T12:00"), at("2026-03-02T10:00")) == dt.timedelta(0)
    assert WORK_CN.between(at("2026-03-02T12:00"), at("2026-03-02T12:00")) == dt.timedelta(0)


def test_microseconds_are_kept():
    start = at("2026-03-02T09:00:00.250000")
    assert WORK_CN.add(start, dt.timedelta(microseconds=500)) == at("2026-03-02T09:00:00.250500")


def test_result_is_in_the_calendars_time_zone_whatever_the_start_zone():
    deadline = WORK_CN.add(at("2026-03-02T01:00", UTC), hours(1))
    assert deadline.utcoffset() == hours(8)
    assert deadline == at("2026-03-02T10:00")


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        WORK_CN.add(dt.datetime(2026, 3, 2, 9), hours(1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        WORK_CN.between(at("2026-03-02T09:00"), dt.datetime(2026, 3, 2, 10))  # noqa: DTZ001


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        WORK_CN.add(at("2026-03-02T09:00"), hours(-1))


def test_calendar_without_working_time_raises_instead_of_looping():
    empty = WorkCalendar(CalendarSpec(name="empty", periods=()))
    with pytest.raises(NoWorkingTime):
        empty.add(at("2026-03-02T09:00"), hours(1))
    with pytest.raises(NoWorkingTime):
        empty.next_opening(at("2026-03-02T09:00"))
    assert empty.between(at("2026-03-02T09:00"), at("2027-03-02T09:00")) == dt.timedelta(0)
    assert not empty.is_working(at("2026-03-02T09:00"))


def test_queries_anywhere_in_2000_to_2100_extend_the_index():
    engine = calendar("wide", MONDAY_TO_FRIDAY, ("09:00", "18:00"))
    assert engine.add(at("2050-06-01T17:00"), hours(2)) == at("2050-06-02T10:00")
    assert engine.add(at("2000-01-03T09:00"), hours(9)) == at("2000-01-03T18:00")
    assert engine.add(at("2100-12-31T17:00"), hours(2)) == at("2101-01-03T10:00")
    assert engine.between(at("2000-01-03T09:00"), at("2000-01-10T09:00")) == hours(45)


def test_daylight_saving_day_has_its_real_length():
    night = calendar("night_berlin", EVERY_DAY, ("00:00", "04:00"), tz="Europe/Berlin")
    autumn = at("2026-10-25T00:00", BERLIN)  # clocks go 03:00 → 02:00
    assert night.between(autumn, autumn + hours(5)) == hours(5)
    spring = at("2026-03-29T00:00", BERLIN)  # clocks go 02:00 → 03:00
    assert night.between(spring, spring + hours(5)) == hours(3)
    assert ALWAYS_BERLIN.between(spring, at("2026-03-30T00:00", BERLIN)) == hours(23)


def test_overlap_check_finds_same_weekday_overlaps_only():
    clash = periods([0], ("09:00", "12:00"), ("11:00", "14:00"))
    touching = periods([0], ("09:00", "12:00"), ("12:00", "14:00"))
    other_days = periods([0, 1], ("09:00", "12:00"))
    past_midnight = periods([0], ("22:00", "02:00"), ("23:00", "23:30"))
    assert weekday_overlaps(clash) == [(0, 1)]
    assert weekday_overlaps(touching) == []
    assert weekday_overlaps(other_days) == []
    assert weekday_overlaps(past_midnight) == [(0, 1)]


# --- properties -------------------------------------------------------------------------
# Results are compared in UTC: two wall times in one zone compare equal across the repeated
# autumn hour whatever their fold, and Python calls an ambiguous wall time unequal to any
# instant in another zone (PEP 495).

NIGHT_BERLIN = calendar("night_berlin", EVERY_DAY, ("00:00", "04:00"), tz="Europe/Berlin")
ENGINES = [WORK_CN, LUNCH_CN, PEAK, ALWAYS, WORK_BERLIN, NIGHT_AND_DAY, NIGHT_BERLIN]
engines = st.sampled_from(ENGINES)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20))
positive_durations = st.timedeltas(min_value=dt.timedelta(microseconds=1), max_value=hours(200))


def moments(*zones):
    return st.datetimes(
        min_value=dt.datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from(zones or (SHANGHAI, BERLIN)),
    )


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC)


@given(engines, moments(), durations)
def test_measuring_a_deadline_gives_back_the_duration(engine, start, duration):
    assert engine.between(start, engine.add(start, duration)) == duration


@given(engines, moments(), moments(), durations)
def test_deadlines_do_not_go_backwards_when_the_start_moves_later(engine, a, b, duration):
    first, second = sorted([a, b])
    assert utc(engine.add(first, duration)) <= utc(engine.add(second, duration))


@given(engines, moments(), durations, durations)
def test_deadlines_do_not_go_backwards_when_the_duration_grows(engine, start, d1, d2):
    shorter, longer = sorted([d1, d2])
    assert utc(engine.add(start, shorter)) <= utc(engine.add(start, longer))


@given(engines, moments(), durations, positive_durations)
def test_adding_in_two_steps_equals_adding_once(engine, start, d1, d2):
    assert utc(engine.add(engine.add(start, d1), d2)) == utc(engine.add(start, d1 + d2))


@given(moments(), durations)
def test_always_open_calendar_is_plain_addition(start, duration):
    assert utc(ALWAYS.add(start, duration)) == utc(start) + duration


@given(moments(BERLIN), durations)
@example(  # the repeated hour: 02:00:00.000001 after the clocks went back (fold=1)
    start=dt.datetime(2024, 10, 27, 0, 32, tzinfo=BERLIN),
    duration=dt.timedelta(seconds=8880, microseconds=1),
)
def test_always_open_calendar_is_plain_addition_across_daylight_saving(start, duration):
    assert utc(ALWAYS_BERLIN.add(start, duration)) == utc(start) + duration


@given(engines, moments(), moments(), moments())
def test_between_is_additive(engine, a, b, c):
    a, b, c = sorted([a, b, c])
    assert engine.between(a, b) + engine.between(b, c) == engine.between(a, c)


@given(engines, moments(), positive_durations)
def test_deadline_is_inside_working_time_or_at_its_closing(engine, start, duration):
    deadline = utc(engine.add(start, duration))
    just_before = deadline - dt.timedelta(microseconds=1)
    assert engine.is_working(just_before)
    assert engine.between(just_before, deadline) == dt.timedelta(microseconds=1)
