"""Seed 002's complaint types (投诉种类, with 服务态度 and 物流 of seed 004) and the first
version of the penalty rules (处罚标准). Data: administrators change both in the admin."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# (code, name, case category code or None, ordering)
TYPES = [
    ("product-fault", "产品故障", "complaint-product-quality", 10),
    ("repair-technique", "修理技术", None, 20),
    ("repair-fee", "修理费用", None, 30),
    ("reception", "接待", None, 40),
    ("purchase", "购买", None, 50),
    ("parts", "零件", "complaint-product-quality", 60),
    ("service-attitude", "服务态度", "complaint-service-attitude", 70),
    ("logistics", "物流", None, 80),
]


def seed(apps, schema_editor):
    ComplaintType = apps.get_model("complaints", "ComplaintType")
    CaseCategory = apps.get_model("tickets", "CaseCategory")
    PenaltyRuleSet = apps.get_model("complaints", "PenaltyRuleSet")
    categories = {c.code: c for c in CaseCategory.objects.filter(kind="complaint")}
    for code, name, category, ordering in TYPES:
        ComplaintType.objects.get_or_create(
            code=code,
            defaults={"name": name, "category": categories.get(category),
                      "ordering": ordering},
        )
    PenaltyRuleSet.objects.get_or_create(
        version=1,
        defaults={
            "effective_from": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            "fine_d": Decimal("50"), "fine_c": Decimal("100"), "fine_b": Decimal("200"),
            "fine_a": Decimal("500"), "loss_grades": "AB", "sanction_grades": "A",
            "late_completion_grade": "D", "repeat_multiplier": 2,
            "late_acceptance_per_day": Decimal("100"),
            "note": "投诉流程管理制度 处罚标准 1–6 (seed 002)",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("complaints", "ComplaintType").objects.filter(
        code__in=[row[0] for row in TYPES], complaints__isnull=True).delete()
    apps.get_model("complaints", "PenaltyRuleSet").objects.filter(
        version=1, entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_complaints"),
        ("tickets", "0003_seed_case_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
