"""Read side of in-app notifications: a person's list and unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from servicedesk.models import Notification
from servicedesk.types import User

LIST_LIMIT = 100


def notifications_of(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's notifications, newest first (never anyone else's)."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
