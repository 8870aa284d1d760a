"""Business-time arithmetic over a compiled calendar. Pure Python: no Django here.

A `WorkCalendar` turns a weekly pattern of working periods, plus the official holidays and
adjusted working days (调休) it was given, into sorted arrays of working intervals:

    starts[i], ends[i]   the i-th working interval, integer microseconds since the Unix
                         epoch (UTC), half-open [start, end), disjoint, never adjacent
    worked[i]            working microseconds in all intervals before the i-th one

so that adding business time to a moment, or measuring it between two moments, is two
`bisect`s and a subtraction. Microseconds rather than seconds keep `timezone.now()`-style
starts exact; the cost is the same.

The arrays are built lazily for whole local years and grow when a query falls outside them
(years MIN_YEAR–MAX_YEAR). Each extension publishes a new immutable snapshot, so readers in
other threads never see a half-built index.

Conventions (the "worked time" W(t) is the working time from a fixed origin up to t):

- `add(start, d)` for d > 0 is the earliest moment t with W(t) - W(start) = d. So a start
  outside working time counts from the next opening, and a deadline that lands exactly on a
  closing time stays there (09:00 + 9 h on a 09:00–18:00 day is 18:00 the same day).
- `add(start, 0)` is `next_opening(start)`: the start itself when it is working time,
  otherwise the next opening. Negative durations are refused (ValueError).
- `between(a, b)` is W(b) - W(a) when b > a and timedelta(0) when b <= a (never negative).
- Working intervals are half-open: at 18:00 on a 09:00–18:00 day it is closed.
- Naive datetimes are refused with ValueError; results are in the calendar's time zone.
- A calendar with no working time in NO_WORK_HORIZON raises `NoWorkingTime` instead of
  searching forever.

Periods: a period whose end is at or before its start runs past midnight (07:00–02:00 ends
at 02:00 the next day); 00:00–00:00 is the whole day. A period belongs to the day it starts
on: an official holiday closes the periods that start that day, and an adjusted working day
(调休) is worked with the periods of `adjusted_day_weekday`. Overlapping or touching periods
are merged. Wall-clock times are converted to instants in the calendar's time zone, so a day
with a daylight-saving change has the real length of its periods.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

MIN_YEAR = 1900
MAX_YEAR = 2200
NO_WORK_HORIZON = dt.timedelta(days=400)

HOLIDAY = "holiday"  # OfficialDay.Kind.HOLIDAY: closed that day
WORKDAY = "workday"  # OfficialDay.Kind.WORKDAY: adjusted working day (调休), worked

_UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_US = dt.timedelta(microseconds=1)
_ZERO = dt.timedelta(0)
_from_timestamp = dt.datetime.fromtimestamp
_DAY_S = 86_400
_HORIZON_US = NO_WORK_HORIZON // _ONE_US


class NoWorkingTime(Exception):
    """The calendar has no working time within NO_WORK_HORIZON of the moment asked about."""


@dataclass(frozen=True)
class Period:
    """A working period on a weekday (0 = Monday). An end at or before the start runs past
    midnight into the next day; 00:00–00:00 is the whole day."""

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0–6 (Monday–Sunday), not {self.weekday!r}")

    def seconds(self) -> tuple[int, int]:
        """(start, end) in seconds after the local midnight of the day it starts on."""
        start = self.start.hour * 3600 + self.start.minute * 60 + self.start.second
        end = self.end.hour * 3600 + self.end.minute * 60 + self.end.second
        if end <= start:
            end += _DAY_S
        return start, end


@dataclass(frozen=True)
class CalendarSpec:
    """Everything a WorkCalendar is compiled from. `holidays` and `workdays` are only used
    when `follows_official_days`; `known_years` are the years whose official days are on
    file (the others follow the weekly pattern alone, and are reported as missing)."""

    name: str
    periods: tuple[Period, ...]
    timezone: str = "Asia/Shanghai"
    follows_official_days: bool = False
    adjusted_day_weekday: int = 0
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    known_years: frozenset[int] = frozenset()


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint spans: overlapping or touching spans become one; empty ones go."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def weekday_overlaps(periods: Sequence[Period]) -> list[tuple[int, int]]:
    """Index pairs (i, j), i listed first, of periods on the same weekday whose times overlap
    (touching is fine). For refusing such input in forms; the engine itself merges them."""
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    for position, period in enumerate(periods):
        start, end = period.seconds()
        by_day.setdefault(period.weekday, []).append((start, end, position))
    clashes = []
    for spans in by_day.values():
        spans.sort()
        for i, (_, end, first) in enumerate(spans):
            for start, _, second in spans[i + 1 :]:
                if start >= end:
                    break
                clashes.append((first, second))
    return clashes


class _Index(NamedTuple):
    lo: int  # first covered instant (µs): local midnight of 1 January of first_year
    hi: int  # end of coverage (µs, exclusive): local midnight of 1 January after last_year
    first_year: int
    last_year: int
    starts: list[int]
    ends: list[int]
    worked: list[int]  # len(starts) + 1 entries; worked[i] = working µs before interval i


class WorkCalendar:
    """A compiled business calendar. Thread-safe; build one per calendar and reuse it."""

    def __init__(self, spec: CalendarSpec) -> None:
        if not 0 <= spec.adjusted_day_weekday <= 6:
            raise ValueError("adjusted_day_weekday must be 0–6")
        self.spec = spec
        self.name = spec.name
        self.tz = zoneinfo.ZoneInfo(spec.timezone)
        self._weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple(merge_spans(p.seconds() for p in spec.periods if p.weekday == day))
            for day in range(7)
        )
        self._lock = threading.Lock()
        self._index: _Index | None = None

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.name} ({self.spec.timezone})>"

    # --- queries ------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment `duration` of working time after `start` (see the module docstring)."""
        # This is the hot path (a few µs): conversions are inlined on purpose.
        try:
            t = (start - _UTC_EPOCH) // _ONE_US
        except TypeError:
            raise _bad_moment(start) from None
        d = duration // _ONE_US
        if d < 0:
            raise ValueError(f"负的时长不受支持 (negative duration: {duration})")
        index = self._index
        if index is None or not index.lo <= t < index.hi:
            index = self._cover(t)
        while True:
            starts, worked = index.starts, index.worked
            n = len(starts)
            i = bisect_right(index.ends, t)  # the first interval still open after t
            if i < n:
                opening = starts[i]
                if d == 0:
                    at = t if t > opening else opening
                    break
                target = worked[i] + (t - opening if t > opening else 0) + d
                if target <= worked[n]:
                    j = bisect_left(worked, target) - 1  # worked[j] < target <= worked[j+1]
                    at = starts[j] + target - worked[j]
                    break
            index = self._extend_forward(index, t)
        seconds, rest = divmod(at, 1_000_000)
        moment = _from_timestamp(seconds, self.tz)
        # replace(), not "+ timedelta": aware arithmetic is wall-clock and would drop the
        # fold of a repeated hour (the end of daylight saving time).
        return moment.replace(microsecond=rest) if rest else moment

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time from a to b; timedelta(0) when b <= a (never negative)."""
        ta, tb = self._to_us(a), self._to_us(b)
        if tb <= ta:
            return _ZERO
        index = self._index
        if index is None or not index.lo <= ta < index.hi:
            index = self._cover(ta)
        if not index.lo <= tb < index.hi:
            index = self._cover(tb)
        return dt.timedelta(microseconds=_worked_until(index, tb) - _worked_until(index, ta))

    def is_working(self, t: dt.datetime) -> bool:
        """Whether t is inside a working interval (openings count, closings do not)."""
        u = self._to_us(t)
        index = self._index
        if index is None or not index.lo <= u < index.hi:
            index = self._cover(u)
        i = bisect_right(index.starts, u) - 1
        return i >= 0 and u < index.ends[i]

    def next_opening(self, t: dt.datetime) -> dt.datetime:
        """t itself when it is working time, else the start of the next working interval."""
        return self.add(t, _ZERO)

    def missing_years_between(self, a: dt.datetime, b: dt.datetime) -> tuple[int, ...]:
        """The local years from a to b (either order) whose official days are not on file,
        for a calendar that follows them; () for one that does not."""
        if not self.spec.follows_official_days:
            return ()
        first, last = sorted((self._local_year(self._to_us(a)), self._local_year(self._to_us(b))))
        known = self.spec.known_years
        return tuple(year for year in range(first, last + 1) if year not in known)

    # --- conversions --------------------------------------------------------------------

    @staticmethod
    def _to_us(value: dt.datetime) -> int:
        try:
            return (value - _UTC_EPOCH) // _ONE_US
        except TypeError:
            raise _bad_moment(value) from None

    def _to_datetime(self, us: int) -> dt.datetime:
        seconds, rest = divmod(us, 1_000_000)
        moment = _from_timestamp(seconds, self.tz)
        return moment.replace(microsecond=rest) if rest else moment

    def _local_year(self, us: int) -> int:
        try:
            return self._to_datetime(us).year
        except OverflowError as exc:
            raise ValueError(f"超出支持的时间范围 (out of range): {us} µs") from exc

    def _wall_us(self, day: dt.date, seconds: int) -> int:
        """The instant of a wall-clock time `seconds` after the local midnight of `day`."""
        # Adding to an aware datetime is wall-clock arithmetic; the offset is then looked up
        # for the resulting wall time (so a DST day has its real length).
        wall = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return (wall + dt.timedelta(seconds=seconds) - _UTC_EPOCH) // _ONE_US

    # --- building the index -------------------------------------------------------------

    def _day_spans(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        spec = self.spec
        if spec.follows_official_days:
            if day in spec.holidays:
                return ()
            if day in spec.workdays:
                return self._weekly[spec.adjusted_day_weekday]
        return self._weekly[day.weekday()]

    def _build_years(self, first: int, last: int) -> tuple[int, int, list[tuple[int, int]]]:
        """Working intervals for local years first..last, clipped to exactly those years
        (periods of 31 December before `first` that run past midnight are included)."""
        lo = self._wall_us(dt.date(first, 1, 1), 0)
        hi = self._wall_us(dt.date(last + 1, 1, 1), 0)
        day = dt.date(first, 1, 1) - dt.timedelta(days=1)
        end_day = dt.date(last, 12, 31)
        one_day = dt.timedelta(days=1)
        spans = []
        while day <= end_day:
            for start_s, end_s in self._day_spans(day):
                spans.append((self._wall_us(day, start_s), self._wall_us(day, end_s)))
            day += one_day
        clipped = [(max(s, lo), min(e, hi)) for s, e in merge_spans(spans)]
        return lo, hi, [(s, e) for s, e in clipped if s < e]

    def _cover(self, t: int) -> _Index:
        """An index that covers instant t, extended to t's local year if need be."""
        year = self._local_year(t)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(
                f"超出支持的年份范围 {MIN_YEAR}–{MAX_YEAR} (year out of range): {year}"
            )
        return self._grow(year, year)

    def _extend_forward(self, index: _Index, t: int) -> _Index:
        """The index with one more year at the end, unless the current one already shows no
        working time for NO_WORK_HORIZON after t (or after the last working interval)."""
        last_work = index.ends[-1] if index.ends and index.ends[-1] > t else t
        if index.hi - last_work >= _HORIZON_US:
            raise NoWorkingTime(
                f"日历 {self.name} 在 {NO_WORK_HORIZON.days} 天内没有工作时间 "
                f"(calendar {self.name} has no working time within {NO_WORK_HORIZON.days} days "
                f"of {self._to_datetime(last_work).isoformat()})"
            )
        if index.last_year >= MAX_YEAR:
            raise ValueError(f"超出支持的年份范围 {MIN_YEAR}–{MAX_YEAR} (year out of range)")
        return self._grow(index.last_year + 1, index.last_year + 1)

    def _grow(self, first: int, last: int) -> _Index:
        """Publish an index covering at least years first..last (and everything between
        them and the current coverage, so the arrays stay contiguous)."""
        with self._lock:
            index = self._index
            if index is None:
                lo, hi, spans = self._build_years(first, last)
                self._index = _publish(lo, hi, first, last, spans)
                return self._index
            if index.first_year <= first and last <= index.last_year:
                return index
            lo, hi = index.lo, index.hi
            spans = list(zip(index.starts, index.ends, strict=True))
            if first < index.first_year:
                lo, _, before = self._build_years(first, index.first_year - 1)
                spans = _join(before, spans)
            if last > index.last_year:
                _, hi, after = self._build_years(index.last_year + 1, last)
                spans = _join(spans, after)
            self._index = _publish(
                lo, hi, min(first, index.first_year), max(last, index.last_year), spans
            )
            return self._index


def _bad_moment(value: object) -> Exception:
    if isinstance(value, dt.datetime):
        return ValueError(f"缺少时区的时间 (naive datetime, give a time zone): {value}")
    return TypeError(f"expected a datetime, got {type(value).__name__}")


def _join(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Concatenate two runs of spans, merging the seam when an interval crosses it."""
    if left and right and left[-1][1] >= right[0][0]:
        return [*left[:-1], (left[-1][0], max(left[-1][1], right[0][1])), *right[1:]]
    return left + right


def _publish(lo: int, hi: int, first: int, last: int, spans: list[tuple[int, int]]) -> _Index:
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    worked = [0]
    total = 0
    for s, e in spans:
        total += e - s
        worked.append(total)
    return _Index(lo, hi, first, last, starts, ends, worked)


def _worked_until(index: _Index, t: int) -> int:
    i = bisect_right(index.ends, t)
    if i < len(index.starts) and t > index.starts[i]:
        return index.worked[i] + t - index.starts[i]
    return index.worked[i]


# --- the official days shipped by the chinesecalendar package -----------------------------


class OfficialDayRow(NamedTuple):
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str


def package_official_years() -> list[int]:
    """The years for which the installed chinesecalendar package has official days."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def package_official_days(years: Iterable[int] | None = None) -> dict[int, list[OfficialDayRow]]:
    """Official holidays and adjusted working days from chinesecalendar, by year (only the
    years it covers; `years` narrows them). Names are Chinese: 春节, 春节调休 …"""
    import chinese_calendar

    wanted = set(package_official_years()) if years is None else set(years)
    by_year: dict[int, list[OfficialDayRow]] = {}

    def chinese(value: str) -> str:
        try:
            return str(chinese_calendar.Holiday(value).chinese)
        except ValueError:
            return str(value)

    for day, value in chinese_calendar.holidays.items():
        if day.year in wanted:
            by_year.setdefault(day.year, []).append(OfficialDayRow(day, HOLIDAY, chinese(value)))
    for day, value in chinese_calendar.workdays.items():
        if day.year in wanted:
            row = OfficialDayRow(day, WORKDAY, f"{chinese(value)}调休")
            by_year.setdefault(day.year, []).append(row)
    covered = set(package_official_years())
    return {year: sorted(rows) for year, rows in sorted(by_year.items()) if year in covered}
