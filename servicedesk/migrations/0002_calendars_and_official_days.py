"""The standard business calendars, and the official holidays and adjusted working days
(调休) from 2024 on that the installed chinesecalendar package knows.

Later package upgrades are loaded with `manage.py calendar_load_official`.
"""

from django.db import migrations

from servicedesk.worktime import package_official_days, package_official_years  # pure helpers

OFFICIAL_FIRST_YEAR = 2024

MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)

# Frozen here on purpose: this is the data as of this migration. bench/calendar_bench.py
# reads it too, so the benchmark measures exactly these definitions.
CALENDARS = [
    {
        "name": "24x7",
        "label": "全天候 24×7",
        "follows_official_days": False,
        "periods": [(day, "00:00", "00:00") for day in EVERY_DAY],
        "description": "每天 00:00–00:00（整天），不分节假日。",
    },
    {
        "name": "work_0900_1800_cn",
        "label": "工作日 09:00–18:00（法定节假日）",
        "follows_official_days": True,
        "periods": [(day, "09:00", "18:00") for day in MONDAY_TO_FRIDAY],
        "description": "周一至周五 09:00–18:00；法定节假日休息，调休的周末按周一上班。",
    },
    {
        "name": "line_0900_2300_7d",
        "label": "热线 09:00–23:00（每天）",
        "follows_official_days": False,
        "periods": [(day, "09:00", "23:00") for day in EVERY_DAY],
        "description": "热线每天 09:00–23:00，节假日照常。",
    },
    {
        "name": "work_lunch_cn",
        "label": "工作日 09:00–12:00、13:30–18:00（法定节假日）",
        "follows_official_days": True,
        "periods": [
            (day, start, end)
            for day in MONDAY_TO_FRIDAY
            for start, end in (("09:00", "12:00"), ("13:30", "18:00"))
        ],
        "description": "周一至周五，午休 12:00–13:30；法定节假日休息，调休的周末按周一上班。",
    },
    {
        "name": "peak_0700_0200_7d",
        "label": "大促 07:00–次日 02:00（每天）",
        "follows_official_days": False,
        "periods": [(day, "07:00", "02:00") for day in EVERY_DAY],
        "description": "大促期间每天 07:00 至次日 02:00，节假日照常。",
    },
]


def create_calendars_and_official_days(apps, schema_editor):
    import datetime as dt

    import chinese_calendar

    BusinessCalendar = apps.get_model("servicedesk", "BusinessCalendar")
    WorkingPeriod = apps.get_model("servicedesk", "WorkingPeriod")
    OfficialYear = apps.get_model("servicedesk", "OfficialYear")
    OfficialDay = apps.get_model("servicedesk", "OfficialDay")

    years = [year for year in package_official_years() if year >= OFFICIAL_FIRST_YEAR]
    for year, rows in package_official_days(years).items():
        official_year, created = OfficialYear.objects.get_or_create(
            year=year,
            defaults={"source": "package", "note": f"chinesecalendar {chinese_calendar.__version__}"},
        )
        if not created:
            continue  # already on file (perhaps by hand): leave it alone
        OfficialDay.objects.bulk_create(
            OfficialDay(year=official_year, date=row.date, kind=row.kind, name=row.name)
            for row in rows
        )

    for definition in CALENDARS:
        calendar, created = BusinessCalendar.objects.get_or_create(
            name=definition["name"],
            defaults={
                "label": definition["label"],
                "timezone": "Asia/Shanghai",
                "follows_official_days": definition["follows_official_days"],
                "adjusted_day_weekday": 0,  # an adjusted working day works like a Monday
                "description": definition["description"],
            },
        )
        if not created:
            continue
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(
                calendar=calendar,
                weekday=weekday,
                start=dt.time.fromisoformat(start),
                end=dt.time.fromisoformat(end),
            )
            for weekday, start, end in definition["periods"]
        )


def delete_calendars_and_official_days(apps, schema_editor):
    apps.get_model("servicedesk", "BusinessCalendar").objects.filter(
        name__in=[definition["name"] for definition in CALENDARS]
    ).delete()
    apps.get_model("servicedesk", "OfficialYear").objects.filter(
        source="package", year__gte=OFFICIAL_FIRST_YEAR
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]

    operations = [
        migrations.RunPython(
            create_calendars_and_official_days, delete_calendars_and_official_days
        )
    ]
