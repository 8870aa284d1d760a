"""The export log in the admin: read-only, it is an audit trail."""

from django.contrib import admin

from servicedesk.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["started_at", "user", "dataset", "format", "channel",
                    "personal_data_unmasked", "row_count", "finished_at"]
    list_filter = ["dataset", "format", "channel", "personal_data_unmasked"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "dataset"]
    date_hierarchy = "started_at"
    show_full_result_count = False
    fields = ["user", "dataset", "format", "channel", "filters", "personal_data_unmasked",
              "row_count", "started_at", "finished_at"]
    # fields holds plain names here, which readonly_fields takes
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
