"""Template filters for business-time durations ("2小时05分" / "2 h 05 min")."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def business_duration(value: dt.timedelta | None) -> str:
    """Business time as hours and minutes ("48小时00分": never days, which would read as
    calendar days); negative durations read as "overdue by"."""
    if value is None:
        return "—"
    negative = value < dt.timedelta(0)
    minutes = int(abs(value).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    parts.append(_("%(n)02d min") % {"n": mins})
    text = " ".join(parts)
    return _("overdue by %(time)s") % {"time": text} if negative else text
