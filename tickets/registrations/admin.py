"""Admin for customer registrations: the settings row is edited here; registrations are
written only through `tickets.registrations.services`, so they are shown read-only."""

from __future__ import annotations

from django.contrib import admin

from tickets.registrations.models import (
    CustomerRegistration,
    RegistrationEvent,
    RegistrationSettings,
)
from tickets.registrations.selectors import registrations_visible_to


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "protection_hours", "conversion_days", "relative_lead_days",
                    "dispute_days", "event_day_cutoff"]

    def has_add_permission(self, request) -> bool:
        return not RegistrationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RegistrationEventInline(admin.TabularInline):
    """The registration's history, read-only: it is written by the services."""

    model = RegistrationEvent
    extra = 0
    fields = ["at", "kind", "actor", "reason", "data"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerRegistration)
class CustomerRegistrationAdmin(admin.ModelAdmin):
    inlines = [RegistrationEventInline]
    list_display = ["filed_at", "name", "status", "is_relative", "expected_visit_at",
                    "protected_until", "filed_by", "department"]
    list_filter = ["status", "is_relative", "department"]
    list_select_related = ["filed_by", "department"]
    search_fields = ["name"]
    date_hierarchy = "filed_at"
    fields = ["name", "status", "is_relative", "expected_visit_at", "filed_by", "department",
              "filed_at", "protected_until", "approved_by", "approved_at", "converted_at",
              "disputed_by", "disputed_at", "dispute_reason"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return registrations_visible_to(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
