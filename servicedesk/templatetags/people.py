"""How a person is named on a page: `servicedesk.presenters.person_name`, a dash for no one."""

from __future__ import annotations

from django import template

from servicedesk.presenters import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    if user is None:
        return "—"
    return person_name(user)
