"""How a person is named on a page: first name, else user name, else a dash (no one)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    if user is None:
        return "—"
    return user.first_name or user.get_username()
