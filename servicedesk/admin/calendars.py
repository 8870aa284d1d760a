from django.contrib import admin, messages
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from servicedesk.calendars import official_coverage_warnings, official_days_load
from servicedesk.models import BusinessCalendar, OfficialDay, OfficialYear, WorkingPeriod
from servicedesk.worktime import Period, weekday_overlaps


def _warn_about_official_coverage(request) -> None:
    for warning in official_coverage_warnings():
        messages.warning(request, warning)


class WorkingPeriodFormSet(BaseInlineFormSet):
    """Refuses periods that overlap on the same weekday (touching, 09:00–12:00 then
    12:00–18:00, is fine). A period ending at or before its start runs past midnight."""

    def clean(self):
        super().clean()
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            if data.get("weekday") is None or not data.get("start") or not data.get("end"):
                continue
            kept.append((form, Period(int(data["weekday"]), data["start"], data["end"])))
        for first, second in weekday_overlaps([period for _form, period in kept]):
            form = kept[second][0]
            other = kept[first][1]
            form.add_error(
                "start",
                f"与同一天的 {other.start:%H:%M}–{other.end:%H:%M} 重叠，请合并或调整 "
                f"(overlaps {other.start:%H:%M}–{other.end:%H:%M} on the same weekday)",
            )


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0
    fields = ["weekday", "start", "end"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "label",
        "timezone",
        "follows_official_days",
        "adjusted_day_weekday",
        "period_count",
        "updated_at",
    ]
    list_filter = ["follows_official_days"]
    search_fields = ["name", "label"]
    readonly_fields = ["updated_at"]
    inlines = [WorkingPeriodInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(period_total=Count("periods"))

    @admin.display(description=_("working periods"), ordering="period_total")
    def period_count(self, obj):
        return obj.period_total

    def changelist_view(self, request, extra_context=None):
        _warn_about_official_coverage(request)
        return super().changelist_view(request, extra_context)


class OfficialDayInline(admin.TabularInline):
    model = OfficialDay
    extra = 0
    fields = ["date", "kind", "name"]


@admin.register(OfficialYear)
class OfficialYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "holiday_count", "workday_count", "note", "updated_at"]
    list_filter = ["source"]
    search_fields = ["year", "note"]
    readonly_fields = ["updated_at"]
    inlines = [OfficialDayInline]
    actions = ["reload_from_package"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_total=Count("days", filter=Q(days__kind=OfficialDay.Kind.HOLIDAY)),
                workday_total=Count("days", filter=Q(days__kind=OfficialDay.Kind.WORKDAY)),
            )
        )

    @admin.display(description=_("official holidays"), ordering="holiday_total")
    def holiday_count(self, obj):
        return obj.holiday_total

    @admin.display(description=_("adjusted working days"), ordering="workday_total")
    def workday_count(self, obj):
        return obj.workday_total

    @admin.action(description=_("Reload the selected years from the chinesecalendar package"))
    def reload_from_package(self, request, queryset):
        report = official_days_load(years=queryset.values_list("year", flat=True))
        if report.loaded:
            self.message_user(request, f"已更新 (updated): {_listed(report.loaded)}")
        if report.unchanged:
            self.message_user(request, f"无变化 (unchanged): {_listed(report.unchanged)}")
        if report.skipped_manual:
            self.message_user(
                request,
                f"手工录入的年份未改动 (manual years left alone): {_listed(report.skipped_manual)}",
                messages.WARNING,
            )
        if report.not_in_package:
            self.message_user(
                request,
                f"chinesecalendar 没有这些年份的数据 (not in the package): "
                f"{_listed(report.not_in_package)}",
                messages.WARNING,
            )

    def changelist_view(self, request, extra_context=None):
        _warn_about_official_coverage(request)
        return super().changelist_view(request, extra_context)


@admin.register(OfficialDay)
class OfficialDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["year"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj):
        return "周" + "一二三四五六日"[obj.date.weekday()]


def _listed(years) -> str:
    return "、".join(str(year) for year in years)
