"""Admin for the contact log. Contacts are written only through `contact_log`, so the admin
shows them read-only, scoped like everywhere else."""

from __future__ import annotations

from django.contrib import admin

from servicedesk.admin.scoping import ScopedAdminMixin
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to


@admin.register(Contact)
class ContactAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["queued_at", "channel", "customer", "agent", "department", "answered",
                    "first_response_seconds", "transferred", "case"]
    list_filter = ["channel", "answered", "transferred", "department"]
    list_select_related = ["customer", "agent", "department", "case"]
    search_fields = ["customer__code", "customer__name", "case__number"]
    date_hierarchy = "queued_at"
    show_full_result_count = False  # ~1M rows a month: no COUNT(*) over the whole table
    fields = ["channel", "customer", "agent", "department", "case", "queued_at", "answered_at",
              "ended_at", "answered", "first_response_seconds", "transferred", "category",
              "summary", "created_at"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]
    visible_to = staticmethod(contacts_visible_to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
