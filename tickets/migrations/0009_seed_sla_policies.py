"""Default SLA policies (domain.md: the category limits of seed 004; complaint completion
A 8 h, B 24 h, C 48 h, D 48 h; feedback the same working day for C/D and within 3 working
days for A/B). Everything here is data: administrators change it in the admin.

Calendars: consultations on the line hours (09:00–23:00, every day), urgent cases around
the clock, complaints and suggestions on office hours with the official holidays.
"""

import datetime as dt

from django.db import migrations

H, M = dt.timedelta(hours=1), dt.timedelta(minutes=1)

# (name, kind, category code or None, grade, calendar, acceptance, feedback, feedback
#  working days, resolution)
POLICIES = [
    ("咨询（默认）", "consultation", None, "", "line_0900_2300_7d", None, None, None, 30 * M),
    ("咨询·产品功能", "consultation", "consultation-product-function", "",
     "line_0900_2300_7d", None, None, None, 5 * M),
    ("咨询·物流查询", "consultation", "consultation-logistics-query", "",
     "line_0900_2300_7d", None, None, None, 3 * M),
    ("紧急（默认）", "urgent", None, "", "24x7", 5 * M, None, None, 10 * M),
    ("紧急·账户安全", "urgent", "urgent-account-security", "", "24x7", 5 * M, None, None,
     10 * M),
    ("紧急·系统故障", "urgent", "urgent-system-failure", "", "24x7", 2 * M, None, None,
     5 * M),
    ("建议（默认）", "suggestion", None, "", "work_0900_1800_cn", 4 * H, None, 3, None),
    ("投诉（未定级）", "complaint", None, "", "work_0900_1800_cn", 1 * H, None, 0, 48 * H),
    ("投诉·产品质量", "complaint", "complaint-product-quality", "", "work_0900_1800_cn",
     1 * H, None, 0, 24 * H),
    ("投诉·服务态度", "complaint", "complaint-service-attitude", "", "work_0900_1800_cn",
     1 * H, None, 0, 12 * H),
    ("A 类重大投诉", "complaint", None, "A", "work_0900_1800_cn", 1 * H, None, 3, 8 * H),
    ("B 类严重投诉", "complaint", None, "B", "work_0900_1800_cn", 1 * H, None, 3, 24 * H),
    ("C 类一般投诉", "complaint", None, "C", "work_0900_1800_cn", 1 * H, None, 0, 48 * H),
    ("D 类告诫", "complaint", None, "D", "work_0900_1800_cn", 1 * H, None, 0, 48 * H),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    CaseCategory = apps.get_model("tickets", "CaseCategory")
    BusinessCalendar = apps.get_model("servicedesk", "BusinessCalendar")
    calendars = {c.name: c for c in BusinessCalendar.objects.all()}
    categories = {c.code: c for c in CaseCategory.objects.all()}
    for name, kind, code, grade, calendar, acc, fb, fb_days, res in POLICIES:
        if calendar not in calendars or (code is not None and code not in categories):
            continue  # an installation that removed them keeps its own policies
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "category": categories.get(code) if code else None,
                "grade": grade,
                "calendar": calendars[calendar],
                "acceptance_target": acc,
                "feedback_target": fb,
                "feedback_working_days": fb_days,
                "resolution_target": res,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("tickets", "SlaPolicy").objects.filter(
        name__in=[row[0] for row in POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_sla"),
        ("servicedesk", "0002_calendars_and_official_days"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
