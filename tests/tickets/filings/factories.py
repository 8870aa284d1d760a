"""Feedback and delay filings are made through the real services; further states come from
calling the next service, as a person of the right role would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import category
from tests.tickets.customers.factories import CustomerFactory
from tickets.filings.models import DelayFiling, FeedbackFiling
from tickets.filings.services import (
    delay_approve,
    delay_file,
    delay_review,
    feedback_file,
)


def feedback_file_for_test(*, by=None, kind: str = "issue", code: str | None = None,
                           **kwargs) -> FeedbackFiling:
    code = code or ("suggestion-feedback" if kind == "suggestion"
                    else "consultation-product-function")
    kwargs.setdefault("customer", CustomerFactory())
    kwargs.setdefault("description", "客户反映产品说明书缺少保养说明")
    return feedback_file(kind=kind, category=category(code), by=by or StaffFactory().user,
                         **kwargs)


def delay_file_for_test(*, by=None, **kwargs) -> DelayFiling:
    today = timezone.localdate()
    kwargs.setdefault("customer", CustomerFactory())
    kwargs.setdefault("order_reference", "SO20261123001")
    kwargs.setdefault("original_ship_date", today)
    kwargs.setdefault("new_promised_date", today + dt.timedelta(days=7))
    kwargs.setdefault("reason", DelayFiling.Reason.STOCK)
    kwargs.setdefault("reason_detail", "仓库缺货, 等待补货")
    return delay_file(by=by or StaffFactory().user, **kwargs)


def reviewer_of(filing: DelayFiling):
    return StaffFactory(role=Role.SUPERVISOR, department=filing.department).user


def general_manager():
    return StaffFactory(role=Role.GENERAL_MANAGER).user


def delay_reviewed(**kwargs) -> DelayFiling:
    filing = delay_file_for_test(**kwargs)
    return delay_review(filing=filing, by=reviewer_of(filing), approve=True)


def delay_approved(**kwargs) -> DelayFiling:
    filing = delay_reviewed(**kwargs)
    return delay_approve(filing=filing, by=general_manager(), approve=True)
