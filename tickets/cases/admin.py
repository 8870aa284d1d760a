"""Admin for cases. Categories (owners, time limits) are admin data and edited here; cases
change only through the case services, so the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from servicedesk.admin.scoping import ScopedAdminMixin
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.cases.selectors import cases_visible_to


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "owner_role", "owner_team", "time_limit",
                    "active", "ordering"]
    list_filter = ["kind", "active", "owner_role"]
    list_select_related = ["parent", "owner_team__department"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["owner_team"]
    ordering = ["kind", "parent__id", "ordering", "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cases point at their category; retire one by clearing "active"


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "kind", "reason", "data"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "subject", "kind", "status", "grade", "customer", "assignee",
                    "department", "opened_at"]
    list_filter = ["status", "kind", "grade", "department"]
    list_select_related = ["customer", "assignee", "department"]
    search_fields = ["number", "subject", "customer__code", "customer__name"]
    date_hierarchy = "opened_at"
    inlines = [CaseEventInline]
    fields = ["number", "kind", "category", "customer", "subject", "description", "status",
              "grade", "assignee", "team", "department", "first_contact_owner",
              "promised_callback_at", "opened_at", "resolved_at", "closed_at", "version",
              "created_by", "updated_at"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]
    visible_to = staticmethod(cases_visible_to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
