"""Permission classes shared by the API's viewsets."""

from __future__ import annotations

from django.conf import settings
from rest_framework import permissions

from servicedesk.selectors import staff_profile_of

ANY_OTHER_WRITE = "*"


class UndeclaredWrite(Exception):
    """A viewset accepts a write whose permission it does not declare."""


def write_permission_of(view, method: str | None = None) -> str | None:
    """The model permission a write through `view` needs (`write_permissions` of the
    viewset: action → "app_label.codename", `"*"` for every other write), or None for a
    write whose rule lies elsewhere (a step decided by role in the record's access helper,
    the caller's own notifications). An undeclared write is a programming error."""
    declared = getattr(view, "write_permissions", {})
    action = getattr(view, "action", None)
    if action == "metadata" and method is not None:
        # OPTIONS describes the write `method` would make: DRF checks its permission on a
        # copy of the request, the view's action staying "metadata"
        action = (getattr(view, "action_map", None) or {}).get(method.lower(), action)
    if action in declared:
        return declared[action]
    if ANY_OTHER_WRITE in declared:
        return declared[ANY_OTHER_WRITE]
    raise UndeclaredWrite(f"{type(view).__name__} declares no write permission for {action!r}")


class WriteNeedsPermission(permissions.BasePermission):
    """The one rule of every write (any unsafe method) through the API, in
    `REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`:

    - records are worked by staff: a user without a staff profile reads none (the
      `*_visible_to` selectors) and writes none, whatever their Django permissions (a
      superuser without a profile works in the admin);
    - the write needs the model permission its page needs (`write_permission_of`), e.g.
      `tickets.add_customer` to create a customer, `tickets.change_customer` to edit one.

    Reading is left to the viewset's scoped queryset; which record a user may change is
    decided by the record's access helper (`get_case_for_user`, …) after this."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not _routed(request, view):
            return True  # no write happens: the view answers 405 Method Not Allowed
        if staff_profile_of(request.user) is None:
            return False
        permission = write_permission_of(view, request.method)
        return permission is None or request.user.has_perm(permission)


def _routed(request, view) -> bool:
    """Whether the view handles the request's method (as DRF's `dispatch` decides: a
    viewset has a handler for each method its route maps to an action)."""
    method = request.method.lower()
    return method in view.http_method_names and hasattr(view, method)


class SchemaAccess(permissions.BasePermission):
    """The OpenAPI schema and its docs page: public only with `API_SCHEMA_PUBLIC` (the
    default with DEBUG=1), otherwise for signed-in users (session or token)."""

    def has_permission(self, request, view) -> bool:
        return settings.API_SCHEMA_PUBLIC or bool(request.user and
                                                   request.user.is_authenticated)
