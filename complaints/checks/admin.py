"""Admin for the monthly person checks: read-only. They are written only by
`complaints.checks.services` (the job flags, the report steps), every step an event row, so
the admin shows them with their history and never edits them. Scoped as the pages are."""

from __future__ import annotations

from django.contrib import admin

from complaints.checks.models import PersonMonthCheck, PersonMonthCheckEvent
from complaints.checks.selectors import checks_visible_to
from servicedesk.admin.readonly import ReadOnlyModelAdmin
from servicedesk.admin.scoping import ScopedAdminMixin


class PersonMonthCheckEventInline(admin.TabularInline):
    model = PersonMonthCheckEvent
    fields = ["at", "kind", "actor", "reason", "data"]
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PersonMonthCheck)
class PersonMonthCheckAdmin(ScopedAdminMixin, ReadOnlyModelAdmin):
    visible_to = staticmethod(checks_visible_to)
    inlines = [PersonMonthCheckEventInline]
    list_display = ["month", "person", "department", "complaints", "threshold", "state",
                    "flagged_at", "filed_at", "decided_at"]
    list_filter = ["state", "department"]
    list_select_related = ["person", "department"]
    search_fields = ["person__username", "person__first_name"]
    date_hierarchy = "month"
    fields = ["month", "person", "department", "complaints", "threshold", "state",
              "flagged_at", "analysis", "measures", "filed_at", "decided_by", "decided_at",
              "version"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields
