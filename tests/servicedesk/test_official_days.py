"""Official holidays and adjusted working days: the loader, the admin, and the engine cache
that must follow their edits."""

import datetime as dt
import importlib

import chinese_calendar
import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from servicedesk import calendars
from servicedesk.calendars import (
    calendar_engine,
    calendar_engines_invalidate,
    official_coverage_warnings,
    official_days_load,
)
from servicedesk.models import BusinessCalendar, OfficialDay, OfficialYear

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("servicedesk.migrations.0002_calendars_and_official_days")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LABOUR_DAY_MONDAY = dt.date(2026, 5, 4)  # an official holiday on a Monday
AT_TEN = dt.datetime(2026, 5, 4, 10, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def standard_calendars(db):
    SEED.create_calendars_and_official_days(apps, None)
    calendar_engines_invalidate()


def package_years_from_2024() -> list[int]:
    return sorted({d.year for d in chinese_calendar.holidays if d.year >= 2024})


def package_day_count(year: int) -> int:
    days = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return sum(1 for day in days if day.year == year)


def snapshot() -> list[tuple]:
    return list(OfficialDay.objects.order_by("date").values_list("date", "kind", "name", "year"))


# --- the loader -------------------------------------------------------------------------


def test_loader_copies_every_package_year_from_2024():
    OfficialYear.objects.all().delete()
    report = official_days_load()
    assert report.loaded == package_years_from_2024()
    for year in report.loaded:
        official_year = OfficialYear.objects.get(year=year)
        assert official_year.source == OfficialYear.Source.PACKAGE
        assert official_year.days.count() == package_day_count(year)
    saturday = OfficialDay.objects.get(date=dt.date(2026, 5, 9))
    assert (saturday.kind, saturday.name) == (OfficialDay.Kind.WORKDAY, "劳动节调休")


def test_second_load_changes_nothing():
    OfficialYear.objects.all().delete()
    official_days_load()
    before = snapshot()
    stamps = dict(OfficialYear.objects.values_list("year", "updated_at"))
    report = official_days_load()
    assert report.loaded == []
    assert report.unchanged == package_years_from_2024()
    assert (report.days_created, report.days_updated, report.days_deleted) == (0, 0, 0)
    assert snapshot() == before
    assert dict(OfficialYear.objects.values_list("year", "updated_at")) == stamps


def test_loader_puts_back_a_package_year_that_was_edited():
    day = OfficialDay.objects.get(date=LABOUR_DAY_MONDAY)
    day.kind = OfficialDay.Kind.WORKDAY
    day.save()
    year_2026 = OfficialYear.objects.get(year=2026)
    OfficialDay.objects.create(year=year_2026, date=dt.date(2026, 3, 2), kind="holiday", name="x")
    report = official_days_load(years=[2026])
    assert report.loaded == [2026]
    assert (report.days_updated, report.days_deleted) == (1, 1)
    assert OfficialDay.objects.get(date=LABOUR_DAY_MONDAY).kind == OfficialDay.Kind.HOLIDAY
    assert not OfficialDay.objects.filter(date=dt.date(2026, 3, 2)).exists()


def test_loader_never_touches_a_year_entered_by_hand():
    year_2026 = OfficialYear.objects.get(year=2026)
    year_2026.source = OfficialYear.Source.MANUAL
    year_2026.save()
    OfficialDay.objects.filter(date=LABOUR_DAY_MONDAY).delete()
    before = snapshot()
    report = official_days_load()
    assert report.skipped_manual == [2026]
    assert 2026 not in report.loaded + report.unchanged
    assert snapshot() == before
    assert OfficialYear.objects.get(year=2026).source == OfficialYear.Source.MANUAL


def test_loader_reports_years_the_package_does_not_know():
    report = official_days_load(years=[2030])
    assert report.not_in_package == [2030]
    assert not OfficialYear.objects.filter(year=2030).exists()


def test_load_command_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("calendar_load_official")
    call_command("calendar_load_official")
    assert "0/0/0" in capsys.readouterr().out
    assert OfficialDay.objects.filter(year__year=2026).count() == package_day_count(2026)


# --- the engine cache -------------------------------------------------------------------


def test_loading_official_days_refreshes_cached_engines():
    OfficialYear.objects.filter(year=2026).delete()
    assert calendar_engine("work_0900_1800_cn").is_working(AT_TEN)  # weekly pattern only
    official_days_load(years=[2026])
    assert not calendar_engine("work_0900_1800_cn").is_working(AT_TEN)


def test_admin_edit_of_an_official_day_refreshes_the_cached_engine(admin_client):
    engine = calendar_engine("work_0900_1800_cn")
    assert engine is calendar_engine("work_0900_1800_cn")  # cached
    assert not engine.is_working(AT_TEN)
    day = OfficialDay.objects.get(date=LABOUR_DAY_MONDAY)
    response = admin_client.post(
        reverse("admin:servicedesk_officialday_change", args=[day.pk]),
        {"year": day.year_id, "date": "2026-05-04", "kind": "workday", "name": "改为上班"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar_engine("work_0900_1800_cn").is_working(AT_TEN)


def test_admin_edit_of_a_working_period_refreshes_the_cached_engine(admin_client):
    monday_nine = dt.datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)
    assert not calendar_engine("work_0900_1800_cn").is_working(monday_nine)
    period = BusinessCalendar.objects.get(name="work_0900_1800_cn").periods.get(weekday=0)
    response = admin_client.post(  # periods are edited inline on their calendar
        reverse("admin:servicedesk_businesscalendar_change", args=[period.calendar_id]),
        calendar_form(period.calendar, changes={period.pk: ("08:00", "18:00")}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar_engine("work_0900_1800_cn").is_working(monday_nine)


def test_edits_by_another_process_are_seen_after_the_recheck_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendars.time, "monotonic", lambda: clock[0])
    calendar_engines_invalidate()
    engine = calendar_engine("work_0900_1800_cn")
    assert not engine.is_working(AT_TEN)
    # Another process edits the day: no signal reaches this one, only the database changes
    # (the other process's signal touched the year's updated_at).
    OfficialDay.objects.filter(date=LABOUR_DAY_MONDAY).update(kind=OfficialDay.Kind.WORKDAY)
    OfficialYear.objects.filter(year=2026).update(updated_at=timezone.now())
    clock[0] += calendars.ENGINE_RECHECK_SECONDS - 1
    assert calendar_engine("work_0900_1800_cn") is engine  # not rechecked yet
    clock[0] += 2
    assert calendar_engine("work_0900_1800_cn").is_working(AT_TEN)


def test_recheck_without_changes_keeps_the_compiled_engine(monkeypatch, django_assert_num_queries):
    clock = [1000.0]
    monkeypatch.setattr(calendars.time, "monotonic", lambda: clock[0])
    calendar_engines_invalidate()
    engine = calendar_engine("work_0900_1800_cn")
    clock[0] += calendars.ENGINE_RECHECK_SECONDS + 1
    with django_assert_num_queries(4):  # the version stamp, nothing rebuilt
        assert calendar_engine("work_0900_1800_cn") is engine
    with django_assert_num_queries(0):
        assert calendar_engine("work_0900_1800_cn") is engine


# --- admin ------------------------------------------------------------------------------


def calendar_form(calendar, *, changes=None, extra=()):
    """POST data for the calendar's admin change form, its periods edited by `changes`
    ({pk: (start, end)}) and `extra` new (weekday, start, end) periods added."""
    changes = changes or {}
    periods = list(calendar.periods.order_by("pk"))
    data = {
        "name": calendar.name,
        "label": calendar.label,
        "timezone": calendar.timezone,
        "adjusted_day_weekday": calendar.adjusted_day_weekday,
        "description": calendar.description,
        "periods-TOTAL_FORMS": len(periods) + len(extra),
        "periods-INITIAL_FORMS": len(periods),
        "periods-MIN_NUM_FORMS": 0,
        "periods-MAX_NUM_FORMS": 1000,
    }
    if calendar.follows_official_days:
        data["follows_official_days"] = "on"
    for i, period in enumerate(periods):
        start, end = changes.get(period.pk, (f"{period.start:%H:%M}", f"{period.end:%H:%M}"))
        data.update({
            f"periods-{i}-id": period.pk, f"periods-{i}-calendar": calendar.pk,
            f"periods-{i}-weekday": period.weekday,
            f"periods-{i}-start": start, f"periods-{i}-end": end,
        })  # fmt: skip
    for i, (weekday, start, end) in enumerate(extra, start=len(periods)):
        data.update({
            f"periods-{i}-calendar": calendar.pk, f"periods-{i}-weekday": weekday,
            f"periods-{i}-start": start, f"periods-{i}-end": end,
        })  # fmt: skip
    return data


def test_admin_refuses_overlapping_periods_on_the_same_weekday(admin_client):
    calendar = BusinessCalendar.objects.get(name="work_0900_1800_cn")
    response = admin_client.post(
        reverse("admin:servicedesk_businesscalendar_change", args=[calendar.pk]),
        calendar_form(calendar, extra=[(0, "17:00", "20:00")]),
    )
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    assert calendar.periods.count() == 5


def test_admin_accepts_touching_periods_and_periods_past_midnight(admin_client):
    calendar = BusinessCalendar.objects.get(name="work_0900_1800_cn")
    response = admin_client.post(
        reverse("admin:servicedesk_businesscalendar_change", args=[calendar.pk]),
        calendar_form(calendar, extra=[(0, "18:00", "20:00"), (5, "22:00", "02:00")]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar.periods.count() == 7


@pytest.mark.parametrize(
    "url_name",
    ["admin:servicedesk_businesscalendar_changelist", "admin:servicedesk_officialyear_changelist"],
)
def test_admin_lists_warn_when_this_or_next_years_official_days_are_missing(admin_client, url_name):
    OfficialYear.objects.all().delete()
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    this_year = timezone.localdate().year
    assert any(str(this_year) in message for message in shown)
    assert any(str(this_year + 1) in message for message in shown)


def test_official_day_admin_pages_render(admin_client):
    day = OfficialDay.objects.get(date=LABOUR_DAY_MONDAY)
    assert admin_client.get(reverse("admin:servicedesk_officialday_changelist")).status_code == 200
    assert admin_client.get(
        reverse("admin:servicedesk_officialday_changelist"), {"q": "劳动节"}
    ).status_code == 200
    assert admin_client.get(
        reverse("admin:servicedesk_officialyear_change", args=[day.year_id])
    ).status_code == 200


# --- coverage warnings ------------------------------------------------------------------


def test_coverage_warnings_name_this_and_next_year_when_missing():
    assert official_coverage_warnings(dt.date(2025, 6, 1)) == []  # 2025 and 2026 on file
    [warning] = official_coverage_warnings(dt.date(2026, 6, 1))
    assert warning.startswith("尚未录入 2027 年")
    assert len(official_coverage_warnings(dt.date(2030, 6, 1))) == 2


def test_admin_action_reloads_package_years_and_leaves_manual_years_alone(admin_client):
    OfficialDay.objects.filter(date=LABOUR_DAY_MONDAY).delete()
    OfficialYear.objects.filter(year=2025).update(source=OfficialYear.Source.MANUAL)
    selected = OfficialYear.objects.filter(year__in=[2025, 2026]).values_list("pk", flat=True)
    response = admin_client.post(
        reverse("admin:servicedesk_officialyear_changelist"),
        {"action": "reload_from_package", "_selected_action": list(selected)},
        follow=True,
    )
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "2026" in shown and "manual years left alone" in shown
    assert OfficialDay.objects.get(date=LABOUR_DAY_MONDAY).kind == OfficialDay.Kind.HOLIDAY
