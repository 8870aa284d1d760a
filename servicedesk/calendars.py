"""Business calendars, Django side: compiled engines cached per process, the official-day
loader, duration parsing and coverage warnings. The arithmetic is in `servicedesk.worktime`.

Cache: `calendar_engine(name)` keeps one compiled `WorkCalendar` per calendar. Saving or
deleting any of the four calendar models in this process clears it at once (and again when
the transaction commits). Other processes notice within ENGINE_RECHECK_SECONDS: the cache
remembers a version stamp of the four tables (row counts, highest ids, latest updated_at;
edits of a period or an official day also touch their calendar's or year's updated_at) and
compares it with the database at most that often.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, Max, Model, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext

from servicedesk.models import BusinessCalendar, OfficialDay, OfficialYear, WorkingPeriod
from servicedesk.worktime import (
    HOLIDAY,
    CalendarSpec,
    NoWorkingTime,
    Period,
    WorkCalendar,
    package_official_days,
    package_official_years,
)

__all__ = [
    "ENGINE_RECHECK_SECONDS",
    "OFFICIAL_FIRST_YEAR",
    "CalendarResult",
    "NoWorkingTime",
    "OfficialLoadReport",
    "UnknownCalendar",
    "calendar_add",
    "calendar_engine",
    "calendar_engines_invalidate",
    "missing_official_years_warning",
    "official_coverage_warnings",
    "official_days_load",
    "official_missing_years",
    "parse_duration",
]

ENGINE_RECHECK_SECONDS = 30
OFFICIAL_FIRST_YEAR = 2024  # the loader's default, as in migration 0002


class UnknownCalendar(LookupError):
    """No BusinessCalendar has this name."""


# --- the engine cache -------------------------------------------------------------------


@dataclass
class _EngineCache:
    stamp: tuple | None = None
    checked_at: float = float("-inf")
    engines: dict[str, WorkCalendar] = field(default_factory=dict)
    official: tuple[frozenset, frozenset, frozenset] | None = None


_cache = _EngineCache()
_cache_lock = threading.Lock()


def calendar_engine(name: str) -> WorkCalendar:
    """The compiled engine of the calendar called `name` (cached; see the module docstring).
    Raises UnknownCalendar."""
    cache = _cache
    if time.monotonic() - cache.checked_at >= ENGINE_RECHECK_SECONDS:
        cache = _revalidate()
    engine = cache.engines.get(name)
    if engine is None:
        engine = cache.engines[name] = _engine_build(name, cache)
    return engine


def calendar_engines_invalidate() -> None:
    """Forget every compiled engine in this process; the next lookup rebuilds."""
    global _cache
    _cache = _EngineCache()


def _revalidate() -> _EngineCache:
    global _cache
    with _cache_lock:
        cache = _cache
        now = time.monotonic()
        if now - cache.checked_at < ENGINE_RECHECK_SECONDS:
            return cache  # another thread just did it
        stamp = _calendar_data_stamp()
        if stamp != cache.stamp:
            cache = _cache = _EngineCache(stamp=stamp)
        cache.checked_at = now
        return cache


def _calendar_data_stamp() -> tuple:
    """Changes whenever a calendar, period, official year or official day is added, removed
    or edited through save() (four small aggregate queries)."""
    return (
        tuple(BusinessCalendar.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values()),
        tuple(WorkingPeriod.objects.aggregate(n=Count("pk"), top=Max("pk")).values()),
        tuple(OfficialYear.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values()),
        tuple(OfficialDay.objects.aggregate(n=Count("pk"), top=Max("pk")).values()),
    )


def _official_data() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    """(holidays, adjusted working days, known years), read once per cache generation."""
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for date, kind in OfficialDay.objects.values_list("date", "kind"):
        (holidays if kind == HOLIDAY else workdays).add(date)
    years = OfficialYear.objects.values_list("year", flat=True)
    return frozenset(holidays), frozenset(workdays), frozenset(years)


def _engine_build(name: str, cache: _EngineCache) -> WorkCalendar:
    try:
        calendar = BusinessCalendar.objects.prefetch_related("periods").get(name=name)
    except BusinessCalendar.DoesNotExist:
        known = "、".join(BusinessCalendar.objects.values_list("name", flat=True)) or "（无）"
        raise UnknownCalendar(
            f"未知的日历 “{name}”，现有：{known} (unknown calendar {name!r})"
        ) from None
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    known_years: frozenset[int] = frozenset()
    if calendar.follows_official_days:
        if cache.official is None:
            cache.official = _official_data()
        holidays, workdays, known_years = cache.official
    spec = CalendarSpec(
        name=calendar.name,
        periods=tuple(Period(p.weekday, p.start, p.end) for p in calendar.periods.all()),
        timezone=calendar.timezone,
        follows_official_days=calendar.follows_official_days,
        adjusted_day_weekday=calendar.adjusted_day_weekday,
        holidays=holidays,
        workdays=workdays,
        known_years=known_years,
    )
    return WorkCalendar(spec)


def _calendar_data_changed(sender: type[Model], instance: Any, raw: bool = False,
                            using: str | None = None, **kwargs: Any) -> None:
    # An edited period or official day leaves the counts alone: touch its parent so that
    # other processes see a new stamp.
    if not raw:
        now = timezone.now()
        if sender is WorkingPeriod:
            BusinessCalendar.objects.using(using).filter(pk=instance.calendar_id).update(
                updated_at=now
            )
        elif sender is OfficialDay:
            OfficialYear.objects.using(using).filter(pk=instance.year_id).update(updated_at=now)
    calendar_engines_invalidate()
    # A thread may rebuild from the old rows before this transaction commits: forget again.
    transaction.on_commit(calendar_engines_invalidate, using=using)


for _model in (BusinessCalendar, WorkingPeriod, OfficialYear, OfficialDay):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _calendar_data_changed,
            sender=_model,
            dispatch_uid=f"calendar_engines_{_signal is post_save}_{_model.__name__}",
        )


# --- deadlines --------------------------------------------------------------------------


class CalendarResult(NamedTuple):
    deadline: dt.datetime
    warnings: list[str]


def missing_official_years_warning(years: Iterable[int]) -> str:
    listed = "、".join(str(year) for year in years)
    return (
        f"{listed} 年的法定节假日与调休尚未录入，这段时间只按每周固定的工作时间计算 "
        f"(no official holidays or adjusted working days on file for {listed}: "
        f"the weekly pattern alone was used)"
    )


def calendar_add(*, calendar: str, start: dt.datetime, duration: dt.timedelta) -> CalendarResult:
    """The business-time deadline `duration` after `start` on the named calendar, with a
    warning when it reached a year whose official days are not on file. Raises
    UnknownCalendar, NoWorkingTime, and ValueError for a naive start or negative duration."""
    engine = calendar_engine(calendar)
    deadline = engine.add(start, duration)
    missing = engine.missing_years_between(start, deadline)
    return CalendarResult(deadline, [missing_official_years_warning(missing)] if missing else [])


_DURATION_UNITS = {
    "d": "days", "day": "days", "days": "days", "天": "days",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "小时": "hours", "时": "hours",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes",
    "minutes": "minutes", "分钟": "minutes", "分": "minutes",
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds",
    "seconds": "seconds", "秒": "seconds",
}  # fmt: skip
_DURATION_PART = re.compile(r"\s*(\d+)\s*([a-z]+|[天小时分钟秒]+)", re.IGNORECASE)
_DURATION_HELP = "请写成 8h、90m、10min、1h30m 或 2d"


def parse_duration(text: str) -> dt.timedelta:
    """'8h', '90m', '10min', '1h30m', '2d', '45s' (also '1h 30m', '8小时', '90分钟') → timedelta.
    'm' means minutes. Each unit at most once; whole numbers only. Raises ValueError with
    a Chinese-first message."""
    source = text.strip() if isinstance(text, str) else ""
    if not source:
        raise ValueError(f"时长不能为空：{_DURATION_HELP} (empty duration)")
    amounts: dict[str, int] = {}
    position = 0
    while position < len(source):
        match = _DURATION_PART.match(source, position)
        if match is None:
            break
        unit = _DURATION_UNITS.get(match.group(2).lower())
        if unit is None or unit in amounts:
            break
        amounts[unit] = int(match.group(1))
        position = match.end()
    if not amounts or source[position:].strip():
        raise ValueError(
            f"无法识别的时长 “{text}”：{_DURATION_HELP} "
            f"(unrecognised duration {text!r}: use e.g. 8h, 90m, 10min, 1h30m or 2d)"
        )
    try:
        return dt.timedelta(**amounts)
    except OverflowError as exc:
        raise ValueError(f"时长过长 “{text}” (duration too long)") from exc


# --- official days ----------------------------------------------------------------------


def official_missing_years(today: dt.date | None = None) -> list[int]:
    """This year and next year, if their official days are not on file."""
    today = today or timezone.localdate()
    wanted = [today.year, today.year + 1]
    known = set(OfficialYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in known]


def official_coverage_warnings(today: dt.date | None = None) -> list[str]:
    """One message per year (this one and the next) whose official holidays and adjusted
    working days are not on file. Empty when both are. For the health page and the admin."""
    return [
        gettext(
            "No official holidays or adjusted working days on file for %(year)d: calendars "
            "that follow them count only their weekly working hours in that year. Enter them "
            "in the admin, or upgrade the official-calendar package and run the command "
            "“%(command)s”."
        ) % {"year": year, "command": "calendar_load_official"}
        for year in official_missing_years(today)
    ]


@dataclass
class OfficialLoadReport:
    loaded: list[int] = field(default_factory=list)  # years created or changed
    unchanged: list[int] = field(default_factory=list)
    skipped_manual: list[int] = field(default_factory=list)  # source = manual: not touched
    not_in_package: list[int] = field(default_factory=list)
    days_created: int = 0
    days_updated: int = 0
    days_deleted: int = 0


@transaction.atomic
def official_days_load(*, years: Iterable[int] | None = None) -> OfficialLoadReport:
    """Copy the official holidays and adjusted working days of the installed chinesecalendar
    package into OfficialYear/OfficialDay. `years` defaults to every year the package covers
    from OFFICIAL_FIRST_YEAR on. Idempotent: a second run changes nothing. A year entered by
    hand (source = manual) is never touched; in a package year the package wins (days it no
    longer lists are removed)."""
    import chinese_calendar

    covered = package_official_years()
    wanted = (
        sorted(set(years))
        if years is not None
        else [year for year in covered if year >= OFFICIAL_FIRST_YEAR]
    )
    report = OfficialLoadReport(not_in_package=[year for year in wanted if year not in covered])
    rows_by_year = package_official_days([year for year in wanted if year in covered])
    note = f"chinesecalendar {chinese_calendar.__version__}"
    on_file = {row.year: row for row in OfficialYear.objects.filter(year__in=rows_by_year)}

    for year, rows in rows_by_year.items():
        official_year = on_file.get(year)
        if official_year is not None and official_year.source == OfficialYear.Source.MANUAL:
            report.skipped_manual.append(year)
            continue
        changed = official_year is None
        if official_year is None:
            official_year = OfficialYear.objects.create(
                year=year, source=OfficialYear.Source.PACKAGE, note=note
            )
        days = {
            day.date: day
            for day in OfficialDay.objects.filter(
                Q(year=official_year) | Q(date__in=[row.date for row in rows])
            )
        }
        to_create, to_update = [], []
        for row in rows:
            day = days.pop(row.date, None)
            if day is None:
                to_create.append(
                    OfficialDay(year=official_year, date=row.date, kind=row.kind, name=row.name)
                )
            elif (day.kind, day.name, day.year_id) != (row.kind, row.name, official_year.pk):
                day.kind, day.name, day.year = row.kind, row.name, official_year
                to_update.append(day)
        stale = [day.pk for day in days.values()]  # this year's days the package dropped
        OfficialDay.objects.bulk_create(to_create)
        OfficialDay.objects.bulk_update(to_update, ["kind", "name", "year"])
        OfficialDay.objects.filter(pk__in=stale).delete()
        report.days_created += len(to_create)
        report.days_updated += len(to_update)
        report.days_deleted += len(stale)
        if changed or to_create or to_update or stale or official_year.note != note:
            official_year.note = note
            official_year.save()  # new updated_at: other processes see a new stamp
            report.loaded.append(year)
        else:
            report.unchanged.append(year)

    if report.loaded:
        calendar_engines_invalidate()
        transaction.on_commit(calendar_engines_invalidate)
    return report

