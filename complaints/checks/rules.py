"""The rule of the monthly person check (seed 002 处罚标准 8), pure: which month, where it
begins and ends, and what counts.

A complaint counts against a person in a month when

- it names them as its **responsible person** (the department's verdict names them),
- the department found it **valid** (an invalid complaint is a warning, D: it is still
  answered politely but is no complaint against the person), and
- it was **filed (accepted) in that calendar month, Beijing time**: from the 1st at 00:00
  +08:00 up to, not including, the 1st of the next month at 00:00 +08:00.

A person at or over the threshold (`settings.COMPLAINT_PERSON_MONTH_THRESHOLD`, 3: 含三次)
is flagged. The same words are on the page and in the API (`COUNT_DEFINITION`).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

# The calendar the months are counted in (seed 002 is a Chinese company's rule).
BEIJING = ZoneInfo("Asia/Shanghai")

# The months a page or the API may ask for: a year the next month of which still exists.
FIRST_YEAR = 2000
LAST_YEAR = 9998
_MONTH_TEXT = re.compile(r"^([0-9]{4})-([0-9]{2})$")

COUNT_DEFINITION = _(
    "A complaint counts against a person when it names them as the responsible person, "
    "the department found it valid, and it was filed (accepted) in that calendar month, "
    "Beijing time. An invalid complaint is a warning (D), not a complaint against them. "
    "Whoever reaches %(threshold)d complaints in a month (%(threshold)d included) is "
    "flagged for suspension and rectification and files a rectification report."
)


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
