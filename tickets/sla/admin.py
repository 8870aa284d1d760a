"""Admin for SLA policies (edited here: a center may switch a policy to another business
calendar and give the acceptance clock a calendar of its own; validated by
`SlaPolicy.clean`, which refuses a calendar without working time ahead) and read-only views
of timers (each with the policy and calendar it runs on) and SLA events, which only the case
services and the sweep write."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicedesk.admin.readonly import ReadOnlyModelAdmin
from tickets.sla.models import CaseTimer, SlaEvent, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "category", "grade", "calendar", "acceptance_calendar",
                    "acceptance_target", "feedback_target", "feedback_working_days",
                    "resolution_target", "warn_percent", "warn_before", "active"]
    list_filter = ["kind", "grade", "active", "calendar"]
    list_select_related = ["category", "calendar", "acceptance_calendar"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "active", "kind", "category", "grade", "calendar"]}),
        (_("Targets"), {
            "fields": ["acceptance_target", "acceptance_calendar", "feedback_target",
                       "feedback_working_days", "resolution_target"],
            "description": _(
                "Where a category policy and a grade policy both apply to a complaint, each "
                "clock takes the earlier deadline of the two; feedback is never due after "
                "resolution."
            ),
        }),
        (_("Warning"), {"fields": ["warn_percent", "warn_before"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Timers keep their policy: switch a policy off instead of deleting it.
        return False


@admin.register(CaseTimer)
class CaseTimerAdmin(ReadOnlyModelAdmin):
    list_display = ["case", "kind", "state", "started_at", "due_at", "warned_at",
                    "breached_at", "stopped_at", "policy", "calendar"]
    list_filter = ["kind", "state"]
    list_select_related = ["case", "policy", "calendar"]
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
