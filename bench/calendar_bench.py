"""Deadline speed of servicedesk.worktime against the businesstimedelta package.

    DEBUG=1 .venv/bin/python -m bench.calendar_bench

Both compute the same 10,000 deadlines (fixed seed: starts in 2025–2026, durations
10 min–48 h) on `work_0900_1800_cn`, built without a database from the definition in
migration 0002 plus the official days chinesecalendar ships (2024 on, as that migration
loads them). businesstimedelta cannot add a weekend working day, so it gets the usual
workaround: a seven-day 09:00–18:00 week with every day off listed as a holiday. The
answers must agree exactly; the exit status is 1 if any differ.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import random
import sys
import time
import zoneinfo

import django

CALENDAR = "work_0900_1800_cn"
SAMPLES = 10_000
SEED = 20260506
FIRST_YEAR, LAST_YEAR = 2025, 2026
MIN_MINUTES, MAX_MINUTES = 10, 48 * 60


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()

    import businesstimedelta
    import pytz

    from servicedesk.worktime import (
        HOLIDAY,
        WORKDAY,
        CalendarSpec,
        Period,
        WorkCalendar,
        package_official_days,
        package_official_years,
    )

    migration = importlib.import_module("servicedesk.migrations.0002_calendars_and_official_days")
    definition = next(c for c in migration.CALENDARS if c["name"] == CALENDAR)
    years = [y for y in package_official_years() if y >= migration.OFFICIAL_FIRST_YEAR]
    rows = [row for day_rows in package_official_days(years).values() for row in day_rows]
    holidays = frozenset(row.date for row in rows if row.kind == HOLIDAY)
    workdays = frozenset(row.date for row in rows if row.kind == WORKDAY)
    spec = CalendarSpec(
        name=CALENDAR,
        periods=tuple(
            Period(weekday, dt.time.fromisoformat(start), dt.time.fromisoformat(end))
            for weekday, start, end in definition["periods"]
        ),
        timezone="Asia/Shanghai",
        follows_official_days=definition["follows_official_days"],
        adjusted_day_weekday=0,
        holidays=holidays,
        workdays=workdays,
        known_years=frozenset(years),
    )
    tz = zoneinfo.ZoneInfo(spec.timezone)

    # The same calendar for businesstimedelta: every day 09:00–18:00, minus each day off.
    open_weekdays = {p.weekday for p in spec.periods}
    day, last = dt.date(FIRST_YEAR - 1, 1, 1), dt.date(LAST_YEAR + 2, 12, 31)
    days_off = set()
    while day <= last:
        worked = day.weekday() in open_weekdays
        if spec.follows_official_days and day in holidays:
            worked = False
        if spec.follows_official_days and day in workdays:
            worked = True
        if not worked:
            days_off.add(day)
        day += dt.timedelta(days=1)
    shapes = {(p.start, p.end) for p in spec.periods}
    if len(shapes) != 1:
        raise SystemExit("this comparison needs one working period shape for every day")
    ((start_time, end_time),) = shapes
    btd_tz = pytz.timezone(spec.timezone)
    btd_rule = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=start_time, end_time=end_time, working_days=list(range(7)), tz=btd_tz
            ),
            businesstimedelta.HolidayRule(frozenset(days_off), tz=btd_tz),
        ]
    )

    rng = random.Random(SEED)
    origin = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=tz)
    span = int((dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=tz) - origin).total_seconds())
    inputs = [
        (
            origin + dt.timedelta(seconds=rng.randrange(span)),
            dt.timedelta(minutes=rng.randint(MIN_MINUTES, MAX_MINUTES)),
        )
        for _ in range(SAMPLES)
    ]

    engine = WorkCalendar(spec)
    began = time.perf_counter()
    engine.add(inputs[0][0], inputs[0][1])  # builds the index for the first year
    first_call = time.perf_counter() - began
    for start, duration in inputs:  # warm up: the index now spans every year reached
        engine.add(start, duration)

    add = engine.add
    began = time.perf_counter()
    ours = [add(start, duration) for start, duration in inputs]
    ours_seconds = time.perf_counter() - began

    began = time.perf_counter()
    theirs = [
        start + businesstimedelta.BusinessTimeDelta(btd_rule, timedelta=duration)
        for start, duration in inputs
    ]
    theirs_seconds = time.perf_counter() - began

    disagreements = [
        (start, duration, a, b)
        for (start, duration), a, b in zip(inputs, ours, theirs, strict=True)
        if a != b
    ]
    ours_us = ours_seconds / SAMPLES * 1e6
    theirs_us = theirs_seconds / SAMPLES * 1e6
    btd_version = getattr(businesstimedelta, "__version__", "1.0.1")

    print(
        f"{CALENDAR}: {SAMPLES:,} deadlines, starts {FIRST_YEAR}–{LAST_YEAR}, "
        f"durations {MIN_MINUTES} min–{MAX_MINUTES // 60} h, seed {SEED}"
    )
    print()
    print(f"{'engine':<28}{'µs/deadline':>12}{'total s':>10}")
    print(f"{'servicedesk.worktime':<28}{ours_us:>12.2f}{ours_seconds:>10.3f}")
    print(f"{'businesstimedelta ' + btd_version:<28}{theirs_us:>12.2f}{theirs_seconds:>10.3f}")
    print()
    print(f"ratio            {theirs_us / ours_us:.0f}× faster (one run; target ≥ 50×)")
    print(f"disagreements    {len(disagreements)}")
    print(f"first call       {first_call * 1e3:.1f} ms (builds one year of the index)")
    for start, duration, a, b in disagreements[:5]:
        print(f"  {start.isoformat()} + {duration}: ours {a.isoformat()}, theirs {b.isoformat()}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
