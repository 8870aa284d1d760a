"""SLA test helpers: Beijing-time clocks and the seeded policies as the migrations leave
them (0009, then 0018's complaint clocks; a transactional test flushes the database, so it
seeds them again)."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

from django.apps import apps

from tests.tickets.cases.factories import category, seed_categories

BJ = zoneinfo.ZoneInfo("Asia/Shanghai")


def bj(*args: int) -> dt.datetime:
    """A Beijing wall-clock instant: bj(2026, 11, 23, 9) is 09:00 on 23 November 2026."""
    return dt.datetime(*args, tzinfo=BJ)


def seed_sla_policies() -> None:
    from servicedesk.models import BusinessCalendar

    seed_categories()
    if not BusinessCalendar.objects.exists():
        importlib.import_module(
            "servicedesk.migrations.0002_calendars_and_official_days"
        ).create_calendars_and_official_days(apps, None)
    importlib.import_module("tickets.migrations.0009_seed_sla_policies").seed(apps, None)
    importlib.import_module(
        "tickets.migrations.0019_complaint_clocks_24x7"
    ).complaint_clocks_to_24x7(apps, None)


def complaint_type_without_limit():
    """A complaint category with no SLA policy of its own (物流, one of issue 11's complaint
    types): only the grade policy (or, ungraded, the default complaint policy) sets its
    clocks."""
    from tickets.cases.models import CaseCategory

    parent = category("complaint")
    leaf, _ = CaseCategory.objects.get_or_create(
        code="complaint-logistics",
        defaults={"parent": parent, "kind": "complaint", "name": "物流"},
    )
    return leaf
