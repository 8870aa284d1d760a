"""Cases are opened through `case_open`, so they get real numbers and an opening event.
Categories come from the seed migration (get_or_create keeps a flushed database usable)."""

from __future__ import annotations

import importlib

from tests.factories import StaffFactory
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseCategory
from tickets.cases.services import case_open


def seed_categories() -> None:
    """The category tree exactly as the seed migration creates it (a transactional test
    flushes the database, so live-server and threaded tests seed it again)."""
    from django.apps import apps

    migration = importlib.import_module("tickets.migrations.0003_seed_case_categories")
    migration.seed(apps, None)


def category(code: str) -> CaseCategory:
    seed_categories()
    return CaseCategory.objects.get(code=code)


def case_open_for_test(*, by=None, code: str = "consultation-product-function", **kwargs) -> Case:
    """Open a case of the category `code` (its kind follows), by a new tier-1 agent unless
    `by` is given."""
    chosen = category(code)
    kwargs.setdefault("customer", CustomerFactory())
    kwargs.setdefault("subject", "询问产品功能")
    return case_open(
        kind=chosen.kind, category=chosen, by=by or StaffFactory().user, **kwargs
    )
