"""A live SLA picture for the demo: cases opened through the real services a few minutes
to hours ago, so that right after `make run` some are due within the hour, some are about
to breach and some have breached — and the running worker's sweep records the breaches
as they happen. Re-seeded by `seed_demo` whenever no demo case of this kind is still due
in the future (the picture is kept alive across days), otherwise left alone."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from servicedesk.models import Notification, NotificationDigest
from tickets.cases.models import Case, CaseCategory
from tickets.cases.services import case_feedback_record, case_open, case_transition
from tickets.contacts.models import Contact
from tickets.contacts.services import contact_log
from tickets.customers.models import Customer
from tickets.sla.sweep import sla_sweep

LIVE_MARKER = "[演示:时限]"

# (category code, grade, minutes ago, assignee username, subject, accepted, customer told:
# the feedback clock met half an hour after opening)
LIVE_CASES = [
    ("urgent-system-failure", "", 1, "agent01", "支付页面无法打开", False, False),
    ("urgent-system-failure", "", 3, "tier2_01", "APP 登录报错 500", True, False),
    ("urgent-account-security", "", 6, "agent01", "账户异地登录告警", True, False),
    ("urgent-account-security", "", 14, "tier2_02", "疑似盗号，要求冻结账户", True, False),
    ("consultation-product-function", "", 2, "agent01", "咨询会员积分使用规则", False, False),
    ("consultation-logistics-query", "", 1, "agent02", "查询快递为何两天未更新", False, False),
    ("consultation-product-function", "", 12, "agent02", "询问产品保修期限", True, False),
    ("complaint-product-quality", "A", 20, "tier2_01", "新买冰箱漏水，客户要求赔偿", True, False),
    ("complaint-service-attitude", "B", 50, "tier2_02", "客户投诉门店人员态度恶劣", True, False),
    ("complaint-product-quality", "C", 240, "tier2_03", "商品与描述不符", True, True),
    ("complaint-product-quality", "A", 600, "tier2_01", "批量质量问题，媒体已关注", True, False),
    ("complaint-service-attitude", "D", 30, "tier2_03", "客户对退货流程不满", False, False),
]


# What the center has already seen: events older than this are read (see `sla_history_settle`).
HISTORY_READ_AGE = dt.timedelta(hours=1)


def sla_history_settle(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the bulk-written history look lived in, as if the center had been running:
    the minute sweep as of an hour ago records every warning and breach up to then (true
    instants, events and notifications, through the sweep itself), and every notification
    of something that happened before then is read, its e-mail digest sent. The scheduler's
    first real sweep then finds only what happened in the last hour, unread."""
    settled_at = (now or timezone.now()) - HISTORY_READ_AGE
    report = sla_sweep(now=settled_at, deliver=False)
    read = Notification.objects.filter(read_at__isnull=True, at__lte=settled_at).update(
        read_at=settled_at)
    NotificationDigest.objects.filter(
        status__in=[NotificationDigest.Status.PENDING, NotificationDigest.Status.FAILED],
        created_at__lte=settled_at,
    ).update(status=NotificationDigest.Status.SENT, sent_at=settled_at, channel="demo",
             reference="演示: 历史通知", error="")
    return {"events": report.warned + report.breached, "read": read}


def sla_live_demo_needed(now: dt.datetime) -> bool:
    return not Case.objects.filter(
        description__startswith=LIVE_MARKER, status__in=Case.OPEN_STATUSES,
        sla_due_at__gt=now,
    ).exists()


@transaction.atomic
def seed_sla_live(*, now: dt.datetime | None = None) -> int:
    """Open the live demo cases (see the module docstring); returns how many."""
    now = now or timezone.now()
    if not sla_live_demo_needed(now):
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in={row[3] for row in LIVE_CASES})}
    categories = {c.code: c for c in CaseCategory.objects.filter(
        code__in={row[0] for row in LIVE_CASES})}
    customers = list(Customer.objects.order_by("-id")[: len(LIVE_CASES)])
    if len(users) < len({row[3] for row in LIVE_CASES}) or not customers:
        return 0  # not the demo organisation
    opened = 0
    for i, (code, grade, minutes, username, subject, accepted, told) in enumerate(
            LIVE_CASES):
        agent, category = users[username], categories[code]
        at = now - dt.timedelta(minutes=minutes)
        customer = customers[i % len(customers)]
        case = case_open(
            customer=customer, kind=category.kind, category=category,
            subject=subject, description=f"{LIVE_MARKER} {subject}", by=agent,
            assignee=agent, grade=grade, now=at,
        )
        contact_log(  # the call the case was opened in
            channel=Contact.Channel.INBOUND_CALL, agent=agent, customer=customer, case=case,
            category=category, queued_at=at - dt.timedelta(seconds=40),
            answered_at=at - dt.timedelta(seconds=30), ended_at=at, summary=subject, now=at,
        )
        case.refresh_from_db()
        if accepted:
            case = case_transition(case=case, to_status=Case.Status.IN_PROGRESS, by=agent,
                                   expected_version=case.version,
                                   now=min(at + dt.timedelta(minutes=1), now))
        if told:
            case_feedback_record(case=case, by=agent, note="已致电客户说明处理进度",
                                 expected_version=case.version,
                                 now=min(at + dt.timedelta(minutes=30), now))
        opened += 1
    return opened
