"""Admin for notifications and their digests: read-only, for tracing what was sent."""

from __future__ import annotations

from django.contrib import admin

from servicedesk.admin.readonly import ReadOnlyModelAdmin
from servicedesk.models import Notification, NotificationDigest


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "recipient", "title", "urgent", "push", "digest", "read_at"]
    list_filter = ["urgent", "push"]
    search_fields = ["title", "key", "recipient__username"]
    raw_id_fields = ["recipient", "digest"]
    show_full_result_count = False


@admin.register(NotificationDigest)
class NotificationDigestAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "recipient", "status", "attempts", "channel", "reference",
                    "sent_at", "error"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False
