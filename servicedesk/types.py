"""Type aliases shared by the services and selectors (for annotations only).

`AUTH_USER_MODEL` is django.contrib.auth's `User`. With the django-stubs plugin,
`request.user` is `User | AnonymousUser`: selectors that scope by the viewer accept that
(`AnyUser`; an anonymous viewer simply sees nothing), services that record an actor need a
signed-in account (`User`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as _User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

User: TypeAlias = _User
AnyUser: TypeAlias = _User | AnonymousUser

# A message for the user: a plain or a lazily translated string (gettext_lazy).
if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    from django.utils.functional import Promise

    StrOrPromise = str | Promise

__all__ = ["AnyUser", "AuthenticatedHttpRequest", "StrOrPromise", "User"]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind `login_required` or `permission_required` (with
    django-htmx's middleware): annotate such views with it, so that `request.user` is a
    signed-in `User`."""

    user: User  # the decorator has turned anonymous users away
    htmx: HtmxDetails
