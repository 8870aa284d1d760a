"""Admin for SLA policies (edited here; validated by `SlaPolicy.clean`, which refuses a
calendar without working time ahead) and read-only views of timers and SLA events, which
only the case services and the sweep write."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicedesk.admin.readonly import ReadOnlyModelAdmin
from tickets.sla.models import CaseTimer, SlaEvent, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "category", "grade", "calendar", "acceptance_target",
                    "feedback_target", "feedback_working_days", "resolution_target",
                    "warn_percent", "warn_before", "active"]
    list_filter = ["kind", "grade", "active", "calendar"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "active", "kind", "category", "grade", "calendar"]}),
        (_("Targets"), {"fields": ["acceptance_target", "feedback_target",
                                "feedback_working_days", "resolution_target"]}),
        (_("Warning"), {"fields": ["warn_percent", "warn_before"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Timers keep their policy: switch a policy off instead of deleting it.
        return False




@admin.register(CaseTimer)
class CaseTimerAdmin(ReadOnlyModelAdmin):
    list_display = ["case", "kind", "state", "started_at", "due_at", "warned_at",
                    "breached_at", "stopped_at", "policy"]
    list_filter = ["kind", "state"]
    list_select_related = ["case", "policy"]
    raw_id_fields = ["case"]
    search_fields = ["case__number"]
    show_full_result_count = False


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnlyModelAdmin):
    list_display = ["case", "timer", "kind", "at", "recorded_at", "reason"]
    list_filter = ["kind"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    show_full_result_count = False
