"""API tokens that expire (README "Security"): a token older than `API_TOKEN_LIFETIME_DAYS`
is refused (401) and the next sign-in (`servicedesk.api.auth.TokenView`) issues a new one.
This module is imported by DRF's settings (`DEFAULT_AUTHENTICATION_CLASSES`), so it imports
no view module."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def token_has_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_LIFETIME_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_has_expired(token):
            raise exceptions.AuthenticationFailed(
                _("This token has expired; sign in again for a new one."))
        return user, token


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's token: the current one while it is valid, else a fresh one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_has_expired(token):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    return token


def token_revoke(*, user) -> int:
    """Delete the user's token; the number deleted (0 when there was none)."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted
