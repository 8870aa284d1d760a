"""Template filters for business-time durations ("2小时05分" / "2 h 05 min")."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def business_duration(value: dt.timedelta | None) -> str:
    """A duration as days, hours and minutes; negative durations read as "overdue by"."""
    if value is None:
        return "—"
    negative = value < dt.timedelta(0)
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours or days:
        parts.append(_("%(n)d h") % {"n": hours})
    parts.append(_("%(n)02d min") % {"n": mins})
    text = " ".join(parts)
    return _("overdue by %(time)s") % {"time": text} if negative else text
