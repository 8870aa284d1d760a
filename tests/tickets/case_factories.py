"""Cases are opened through `case_open`, so they get real numbers and an opening event.
Categories come from the seed migration (get_or_create keeps a flushed database usable)."""

from __future__ import annotations

import datetime as dt

from tests.factories import StaffFactory
from tests.tickets.factories import CustomerFactory
from tickets.case_services import case_open
from tickets.models import Case, CaseCategory

SEEDED = {
    "consultation-product-function": (Case.Kind.CONSULTATION, "产品功能", 5),
    "consultation-logistics-query": (Case.Kind.CONSULTATION, "物流查询", 3),
    "complaint-product-quality": (Case.Kind.COMPLAINT, "产品质量", 24 * 60),
    "complaint-service-attitude": (Case.Kind.COMPLAINT, "服务态度", 12 * 60),
    "urgent-account-security": (Case.Kind.URGENT, "账户安全", 10),
    "urgent-system-failure": (Case.Kind.URGENT, "系统故障", 5),
    "suggestion-feedback": (Case.Kind.SUGGESTION, "意见与建议", None),
}


def category(code: str) -> CaseCategory:
    kind, name, minutes = SEEDED[code]
    found, _ = CaseCategory.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "time_limit": dt.timedelta(minutes=minutes) if minutes else None,
        },
    )
    return found


def case_open_for_test(*, by=None, code: str = "consultation-product-function", **kwargs) -> Case:
    """Open a case of the category `code` (its kind follows), by a new tier-1 agent unless
    `by` is given."""
    chosen = category(code)
    kwargs.setdefault("customer", CustomerFactory())
    kwargs.setdefault("subject", "询问产品功能")
    return case_open(
        kind=chosen.kind, category=chosen, by=by or StaffFactory().user, **kwargs
    )
