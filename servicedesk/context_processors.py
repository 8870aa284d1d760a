"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest

from servicedesk.selectors import navigation_for


def navigation(request: HttpRequest) -> dict:
    return {"nav_items": navigation_for(user=request.user, path=request.path)}
