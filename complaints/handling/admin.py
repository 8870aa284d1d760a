"""Admin of the handling package: complaint types are admin data (name, owner department,
case category, order, in use); complaints and their records are written by the services
only, so the admin shows them read-only, scoped like the complaint list."""

from __future__ import annotations

from django.contrib import admin

from complaints.handling.models import Complaint, ComplaintType, FollowUp, GradeRecord, Proposal
from complaints.handling.selectors import complaints_visible_to
from servicedesk.admin.readonly import ReadOnlyModelAdmin
from servicedesk.admin.scoping import ScopedAdminMixin


@admin.register(ComplaintType)
class ComplaintTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "owner_department", "category", "ordering", "active"]
    list_filter = ["active", "owner_department"]
    list_select_related = ["owner_department", "category"]
    search_fields = ["name", "code"]
    ordering = ["ordering", "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # complaints point at their type; retire one by clearing "active"


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class GradeRecordInline(_ReadOnlyInline):
    model = GradeRecord
    fields = ["at", "kind", "by", "suggested_grade", "previous_grade", "grade", "reason",
              "criteria"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]


class ProposalInline(_ReadOnlyInline):
    model = Proposal
    fields = ["at", "by", "text", "fix_by", "final", "response", "response_note"]
    readonly_fields = fields  # type: ignore[assignment]


class FollowUpInline(_ReadOnlyInline):
    model = FollowUp
    fields = ["at", "by", "satisfaction", "note", "department_told_at"]
    readonly_fields = fields  # type: ignore[assignment]


@admin.register(Complaint)
class ComplaintAdmin(ScopedAdminMixin, ReadOnlyModelAdmin):
    list_display = ["case", "customer", "type", "source", "suggested_grade", "grade", "state",
                    "handling_department", "responsible", "filed_at"]
    list_filter = ["state", "grade", "source", "type", "handling_department"]
    list_select_related = ["case", "customer", "type", "handling_department", "responsible"]
    search_fields = ["case__number", "customer__code", "customer__name"]
    date_hierarchy = "filed_at"
    inlines = [GradeRecordInline, ProposalInline, FollowUpInline]
    visible_to = staticmethod(complaints_visible_to)
