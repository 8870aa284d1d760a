"""The access rule of the read-only tickets admins: a superuser sees every row, anybody
else the rows the app's selector lets them see (by department)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet


class ScopedAdminMixin:
    """Set `visible_to` to the selector, e.g. `staticmethod(cases_visible_to)`."""

    visible_to: Callable[..., QuerySet]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return self.visible_to(user=request.user)
