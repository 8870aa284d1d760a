"""The case classification of domain.md ("Contacts and cases"): one top-level node per case
kind and the default owners and time limits under it. Teams are demo data, so the leaves
owned by a team (after-sales, tech) get their team in the admin."""

import datetime as dt

from django.db import migrations

# (code, kind, parent code, name, owner role, time limit, ordering)
CATEGORIES = [
    ("consultation", "consultation", None, "咨询", "", None, 1),
    ("urgent", "urgent", None, "紧急", "", None, 2),
    ("suggestion", "suggestion", None, "建议", "", None, 3),
    ("complaint", "complaint", None, "投诉", "", None, 4),
    ("consultation-product-function", "consultation", "consultation", "产品功能", "tier1",
     dt.timedelta(minutes=5), 1),
    ("consultation-logistics-query", "consultation", "consultation", "物流查询", "tier1",
     dt.timedelta(minutes=3), 2),
    ("urgent-account-security", "urgent", "urgent", "账户安全", "supervisor",
     dt.timedelta(minutes=10), 1),
    ("urgent-system-failure", "urgent", "urgent", "系统故障", "",
     dt.timedelta(minutes=5), 2),
    ("suggestion-feedback", "suggestion", "suggestion", "意见与建议", "", None, 1),
    ("complaint-product-quality", "complaint", "complaint", "产品质量", "",
     dt.timedelta(hours=24), 1),
    ("complaint-service-attitude", "complaint", "complaint", "服务态度", "supervisor",
     dt.timedelta(hours=12), 2),
]


def seed(apps, schema_editor):
    CaseCategory = apps.get_model("tickets", "CaseCategory")
    by_code = {}
    for code, kind, parent, name, owner_role, time_limit, ordering in CATEGORIES:
        by_code[code], _ = CaseCategory.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "parent": by_code.get(parent),
                "name": name,
                "owner_role": owner_role,
                "time_limit": time_limit,
                "ordering": ordering,
            },
        )


def unseed(apps, schema_editor):
    CaseCategory = apps.get_model("tickets", "CaseCategory")
    codes = [row[0] for row in CATEGORIES]
    # Leaves first: the tree's parent link protects the top-level nodes.
    CaseCategory.objects.filter(code__in=codes, parent__isnull=False).delete()
    CaseCategory.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0002_cases"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
