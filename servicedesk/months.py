"""Calendar months in Beijing time: where a month begins and ends, which month an instant
falls in, and how a month is written (`YYYY-MM`). The monthly person check, the penalty
ledger's month and the monthly report count by these."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

# The calendar the months are counted in.
BEIJING = ZoneInfo("Asia/Shanghai")

# The months a page or the API may ask for: the desk's records start in 2000, and the month
# after 9998-12 still exists.
FIRST_YEAR = 2000
LAST_YEAR = 9998
_MONTH_TEXT = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def month_first(day: dt.date) -> dt.date:
    """The first day of the month `day` lies in."""
    return day.replace(day=1)


def month_shift(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or, negative, before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants the Beijing calendar month of `month` begins and ends (exclusive)."""
    first = month_first(month)
    start = dt.datetime(first.year, first.month, 1, tzinfo=BEIJING)
    following = month_shift(first, 1)
    end = dt.datetime(following.year, following.month, 1, tzinfo=BEIJING)
    return start, end


def month_of(instant: dt.datetime) -> dt.date:
    """The first day of the Beijing calendar month `instant` falls in."""
    return month_first(instant.astimezone(BEIJING).date())


def month_parse(text: str | None) -> dt.date | None:
    """`YYYY-MM` (years `FIRST_YEAR`–`LAST_YEAR`) as the month's first day; None for
    anything else."""
    match = _MONTH_TEXT.match((text or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1)


def month_in_range(month: dt.date) -> bool:
    return FIRST_YEAR <= month.year <= LAST_YEAR


def month_text(month: dt.date) -> str:
    """`YYYY-MM`: how a month is written in URLs, the API and notices."""
    return f"{month.year:04d}-{month.month:02d}"
