"""Template context shared by every page: the navigation for the signed-in user's role,
grouped into the top bar's links and menus."""

from __future__ import annotations

from django.http import HttpRequest

from servicedesk.selectors import navigation_menus


def navigation(request: HttpRequest) -> dict:
    return {"nav_groups": navigation_menus(user=request.user, path=request.path)}
