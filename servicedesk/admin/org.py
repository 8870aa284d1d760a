from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicedesk.admin.readonly import ReadOnlyModelAdmin
from servicedesk.models import Company, Department, Heartbeat, JobFailure, StaffProfile, Team
from servicedesk.services import staff_set_role

admin.site.site_header = _("servicedesk administration")
admin.site.site_title = _("servicedesk")
admin.site.index_title = _("Back-office configuration")


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["code", "name", "kind", "head", "contact_phone"]
    raw_id_fields = ["head"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [DepartmentInline]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "lead"]
    raw_id_fields = ["lead"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "company", "head", "contact_phone"]
    list_filter = ["kind", "company"]
    search_fields = ["name", "code"]
    list_select_related = ["company", "head"]
    raw_id_fields = ["head"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "lead"]
    list_filter = ["department"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department", "lead"]
    raw_id_fields = ["lead"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "display_name", "role", "department", "team", "user"]
    list_filter = ["role", "department"]
    search_fields = ["employee_no", "display_name", "user__username"]
    list_select_related = ["department", "team__department", "user"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["team"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The role decides the permission group (and admin access): keep them in step.
        staff_set_role(profile=obj, role=obj.role)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "runs", "worker"]
    readonly_fields = ["name", "last_run_at", "runs", "worker"]

    def has_add_permission(self, request):
        return False


@admin.register(JobFailure)
class JobFailureAdmin(ReadOnlyModelAdmin):
    """Rows a periodic job skips (servicedesk.jobs): written by the jobs, read here."""

    list_display = ["job", "row", "count", "first_seen_at", "last_seen_at", "resolved_at"]
    list_filter = ["job", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["row", "error"]
