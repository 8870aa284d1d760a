"""The complaint clocks as seed 002 writes them (issue 11, item 2).

Seed 002 gives the completion limits in 小时, clock hours, not working hours: the seeded
complaint policies of 0009 move from office hours (`work_0900_1800_cn`) to `24x7`, so the
docstring of 0009 ("complaints … on office hours") no longer describes them; 0009 is left
as it was (a migration is never edited) and this one says what changed:

- every seeded complaint policy: calendar `24x7`; acceptance 1 h on the line's calendar
  `line_0900_2300_7d` (`SlaPolicy.acceptance_calendar`), on the assumption that the center
  accepts complaints while its line is open;
- completion A 8 h, B 24 h, C 48 h, D 48 h;
- feedback to the customer: A and B within 72 h (三天内), C and D by the end of the day of
  acceptance (`feedback_working_days=0` on `24x7`: midnight, Beijing time);
- the ungraded default complaint policy: acceptance 1 h (line), feedback the same day,
  completion 48 h;
- the category complaint policies (产品质量 24 h, 服务态度 12 h) keep completion and
  acceptance only: they no longer carry a feedback rule, the grade gives it (for an
  ungraded complaint, the default complaint policy).

Which policy sets which clock is decided per clock at run time (the earlier deadline of the
category and grade policies wins; feedback is never due after completion: see
`tickets.sla.services.timer_plans`), not here.

Only a row that still has exactly its seeded values moves: a policy an installation edited
(another calendar, another target) is kept as it is. Reversing moves back only the rows
that still have exactly the values set here. Timers already running keep the calendar and
target they started with (each timer records its own).
"""

import datetime as dt

from django.db import migrations

H = dt.timedelta(hours=1)
OFFICE, CLOCK, LINE = "work_0900_1800_cn", "24x7", "line_0900_2300_7d"

# name: (category code, grade) — as seeded by 0009
SCOPES = {
    "投诉（未定级）": (None, ""),
    "投诉·产品质量": ("complaint-product-quality", ""),
    "投诉·服务态度": ("complaint-service-attitude", ""),
    "A 类重大投诉": (None, "A"),
    "B 类严重投诉": (None, "B"),
    "C 类一般投诉": (None, "C"),
    "D 类告诫": (None, "D"),
}

# name: (calendar, acceptance calendar, acceptance, feedback, feedback working days,
#        resolution)
SEEDED = {
    "投诉（未定级）": (OFFICE, None, 1 * H, None, 0, 48 * H),
    "投诉·产品质量": (OFFICE, None, 1 * H, None, 0, 24 * H),
    "投诉·服务态度": (OFFICE, None, 1 * H, None, 0, 12 * H),
    "A 类重大投诉": (OFFICE, None, 1 * H, None, 3, 8 * H),
    "B 类严重投诉": (OFFICE, None, 1 * H, None, 3, 24 * H),
    "C 类一般投诉": (OFFICE, None, 1 * H, None, 0, 48 * H),
    "D 类告诫": (OFFICE, None, 1 * H, None, 0, 48 * H),
}
CLOCK_HOURS = {
    "投诉（未定级）": (CLOCK, LINE, 1 * H, None, 0, 48 * H),
    "投诉·产品质量": (CLOCK, LINE, 1 * H, None, None, 24 * H),
    "投诉·服务态度": (CLOCK, LINE, 1 * H, None, None, 12 * H),
    "A 类重大投诉": (CLOCK, LINE, 1 * H, 72 * H, None, 8 * H),
    "B 类严重投诉": (CLOCK, LINE, 1 * H, 72 * H, None, 24 * H),
    "C 类一般投诉": (CLOCK, LINE, 1 * H, None, 0, 48 * H),
    "D 类告诫": (CLOCK, LINE, 1 * H, None, 0, 48 * H),
}
FIELDS = ("calendar", "acceptance_calendar", "acceptance_target", "feedback_target",
          "feedback_working_days", "resolution_target")
CALENDAR_FIELDS = ("calendar", "acceptance_calendar")


def _move(apps, source: dict, destination: dict) -> None:
    """Rows of the complaint policies named here whose scope and values are exactly
    `source` get the values of `destination`."""
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    BusinessCalendar = apps.get_model("servicedesk", "BusinessCalendar")
    calendars = dict(
        BusinessCalendar.objects.filter(name__in=(OFFICE, CLOCK, LINE)).values_list("name", "pk")
    )
    if len(calendars) < 3:
        return  # an installation without the standard calendars keeps its own policies
    rows = SlaPolicy.objects.filter(kind="complaint", name__in=list(SCOPES)).values(
        "pk", "name", "category__code", "grade", "calendar__name",
        "acceptance_calendar__name", "acceptance_target", "feedback_target",
        "feedback_working_days", "resolution_target",
    )
    for row in rows:
        if (row["category__code"], row["grade"]) != SCOPES[row["name"]]:
            continue
        current = (row["calendar__name"], row["acceptance_calendar__name"],
                   row["acceptance_target"], row["feedback_target"],
                   row["feedback_working_days"], row["resolution_target"])
        if current != source[row["name"]]:
            continue  # edited by the installation: kept
        values = dict(zip(FIELDS, destination[row["name"]], strict=True))
        for field in CALENDAR_FIELDS:
            name = values.pop(field)
            values[f"{field}_id"] = calendars[name] if name else None
        SlaPolicy.objects.filter(pk=row["pk"]).update(**values)


def complaint_clocks_to_24x7(apps, schema_editor):
    _move(apps, SEEDED, CLOCK_HOURS)


def complaint_clocks_to_office_hours(apps, schema_editor):
    _move(apps, CLOCK_HOURS, SEEDED)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_case_handling_department_desk"),
        ("tickets", "0018_slapolicy_acceptance_calendar"),
    ]

    operations = [
        migrations.RunPython(complaint_clocks_to_24x7, complaint_clocks_to_office_hours),
    ]
