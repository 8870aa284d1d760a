"""Admin for feedback and delay filings: read-only. They are written only through
`tickets.filings.services` (every step an event row), so the admin shows them with their
history and never edits them."""

from __future__ import annotations

from django.contrib import admin

from tickets.filings.models import (
    DelayEvent,
    DelayFiling,
    DelayNotice,
    DelayNoticeAttempt,
    FeedbackEvent,
    FeedbackFiling,
)
from tickets.filings.selectors import delay_filings_visible_to, feedback_filings_visible_to


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FeedbackEventInline(ReadOnlyInline):
    model = FeedbackEvent
    fields = ["at", "kind", "actor", "reason", "data"]


@admin.register(FeedbackFiling)
class FeedbackFilingAdmin(ReadOnlyAdmin):
    inlines = [FeedbackEventInline]
    list_display = ["filed_at", "kind", "category", "customer", "status", "handler",
                    "department", "case"]
    list_filter = ["kind", "status", "department", "category"]
    list_select_related = ["category", "customer", "handler", "department", "case"]
    search_fields = ["description", "customer__code", "case__number"]
    date_hierarchy = "filed_at"
    fields = ["customer", "kind", "category", "description", "status", "handler", "case",
              "filed_by", "department", "filed_at", "closed_at", "version"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return feedback_filings_visible_to(user=request.user)


class DelayEventInline(ReadOnlyInline):
    model = DelayEvent
    fields = ["at", "kind", "actor", "reason", "data"]


class DelayNoticeAttemptInline(ReadOnlyInline):
    model = DelayNoticeAttempt
    fields = ["at", "channel", "reference", "sent", "error", "actor"]
    fk_name = "notice"


@admin.register(DelayFiling)
class DelayFilingAdmin(ReadOnlyAdmin):
    inlines = [DelayEventInline]
    list_display = ["filed_at", "order_reference", "customer", "reason", "original_ship_date",
                    "new_promised_date", "status", "delivered_on", "department"]
    list_filter = ["status", "reason", "compensation_kind", "department"]
    list_select_related = ["customer", "department"]
    search_fields = ["order_reference", "customer__code"]
    date_hierarchy = "filed_at"
    fields = ["customer", "order_reference", "original_ship_date", "new_promised_date",
              "reason", "reason_detail", "status", "filed_by", "department", "filed_at",
              "reviewed_by", "reviewed_at", "approved_by", "approved_at", "rejection_reason",
              "delivered_on", "compensation_kind", "compensation_amount", "compensation_note",
              "version"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return delay_filings_visible_to(user=request.user)


@admin.register(DelayNotice)
class DelayNoticeAdmin(ReadOnlyAdmin):
    """Each customer notice with every attempt to send it (channel, reference, error)."""

    inlines = [DelayNoticeAttemptInline]
    list_display = ["filing", "status", "created_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["filing"]
    fields = ["filing", "status", "created_at", "claimed_at", "sent_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(filing__in=delay_filings_visible_to(user=request.user))
