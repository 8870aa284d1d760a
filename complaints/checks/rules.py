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

from django.utils.translation import gettext_lazy as _

COUNT_DEFINITION = _(
    "A complaint counts against a person when it names them as the responsible person, "
    "the department found it valid, and it was filed (accepted) in that calendar month, "
    "Beijing time. An invalid complaint is a warning (D), not a complaint against them. "
    "Whoever reaches %(threshold)d complaints in a month (%(threshold)d included) is "
    "flagged for suspension and rectification and files a rectification report."
)
