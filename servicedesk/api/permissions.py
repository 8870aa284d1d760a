"""Permission classes shared by the API's viewsets."""

from __future__ import annotations

from rest_framework import permissions


class WriteNeedsPermission(permissions.BasePermission):
    """Reading is left to the viewset's scoped queryset; a write (any unsafe method) needs
    the viewset's `write_permission`, e.g. `"tickets.add_contact"`."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm(view.write_permission)
