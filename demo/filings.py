"""Demo feedback and delay filings for `seed_intake_demo` (so `seed_demo`): a few dozen of
each, spread over the last weeks and left in every state of their flow, made through the
real services (each with its case, events and notices). Deterministic and idempotent: does
nothing once the demo filings exist. Needs the demo organisation and customers."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from servicedesk.models import StaffProfile
from servicedesk.notifiers import DeliveryFailed
from servicedesk.roles import Role
from tickets.cases.models import CaseCategory
from tickets.cases.services import case_feedback_record, case_transition
from tickets.customers.models import Customer
from tickets.filings.models import DelayFiling
from tickets.filings.services import (
    delay_approve,
    delay_compensate,
    delay_deliver,
    delay_file,
    delay_notify,
    delay_review,
    feedback_close,
    feedback_file,
    feedback_follow_up,
    feedback_hand_over,
)

SEED = 20261124
DEMO_ORDER_PREFIX = "DEMO-"
FEEDBACK_PER_KIND = 12
DELAYS = 30

FEEDBACK_TEXTS = {
    "issue": ["APP 登录后订单列表为空", "发票抬头无法修改", "积分没有到账", "快递单号查询不到"],
    "need": ["希望提供上门取件服务", "需要开具增值税专用发票", "希望延长退货期限",
             "需要英文版说明书"],
    "suggestion": ["建议客服热线延长到晚上十点", "建议包装使用环保材料", "建议增加会员生日礼",
                   "建议订单页显示预计送达时间"],
}
DELAY_DETAILS = {
    "production": ["生产线设备检修", "原材料到货延迟"],
    "stock": ["仓库缺货, 等待补货", "该颜色库存不足"],
    "transport": ["暴雪导致高速封路", "物流中转站爆仓"],
    "force_majeure": ["台风登陆, 港口停运", "地方疫情管控"],
}


class DemoChannel:
    """Stands in for the customer SMS gateway in the demo: nothing leaves the machine; one
    notice in five fails, so the demo shows failed notices waiting for a retry."""

    name = "demo"

    def __init__(self, rng: random.Random):
        self.rng = rng

    def send(self, message) -> str:
        if self.rng.random() < 0.2:
            raise DeliveryFailed("短信网关超时")
        return f"demo:{message.reference}"


def filings_demo_exists() -> bool:
    return DelayFiling.objects.filter(order_reference__startswith=DEMO_ORDER_PREFIX).exists()


def _people():
    profiles = list(StaffProfile.objects.filter(department__code="cs").select_related("user"))
    by_role: dict[str, list] = {}
    for profile in sorted(profiles, key=lambda p: p.user.username):
        by_role.setdefault(profile.role, []).append(profile.user)
    if not by_role.get(Role.TIER1) or not by_role.get(Role.GENERAL_MANAGER):
        raise RuntimeError("Run seed_demo first: the filing demo needs the demo staff.")
    return by_role


# How long ago a feedback filing still open at each step was filed: recent enough that
# its case's clocks run within target (a center that keeps up). Closed ones: 2–45 days.
OPEN_FILED_HOURS_AGO = {0: (0.1, 3), 1: (2.5, 18), 2: (23, 40)}


def _case_step(case, *, to_status: str, by, at: dt.datetime):
    """The linked case keeps its own life (`feedback_close`): the demo works it too."""
    case.refresh_from_db()
    return case_transition(case=case, to_status=to_status, by=by,
                           expected_version=case.version, now=at)


def _feedback(rng, people, customers, categories, end) -> int:
    """Issues and needs open a consultation, answered on the call (resolved within its
    minutes); suggestions open a suggestion case, accepted when handed over, the customer
    told at the follow-up, resolved when the filing closes."""
    made = 0
    for kind, texts in FEEDBACK_TEXTS.items():
        codes = (["suggestion-feedback"] if kind == "suggestion"
                 else ["consultation-product-function", "consultation-logistics-query"])
        for i in range(FEEDBACK_PER_KIND):
            steps = i % 4  # 0 filed, 1 handed over, 2 followed up, 3 closed
            low, high = OPEN_FILED_HOURS_AGO.get(steps, (49, 45 * 24))
            at = end - dt.timedelta(hours=rng.uniform(low, high))
            agent = rng.choice(people[Role.TIER1])
            filing = feedback_file(customer=rng.choice(customers), kind=kind,
                                   category=categories[rng.choice(codes)],
                                   description=texts[i % len(texts)], by=agent, now=at)
            made += 1
            case = filing.case
            if kind != "suggestion":
                case = _case_step(case, to_status="in_progress", by=agent,
                                  at=at + dt.timedelta(seconds=30))
                case = _case_step(case, to_status="resolved", by=agent,
                                  at=at + dt.timedelta(seconds=90))
            handler = rng.choice(people[Role.TIER2])
            if steps >= 1:
                at += dt.timedelta(hours=2)
                filing = feedback_hand_over(filing=filing, handler=handler, by=agent, now=at,
                                            note="转二线跟进")
                if kind == "suggestion":
                    case = _case_step(case, to_status="in_progress", by=handler, at=at)
            if steps >= 2:
                at += dt.timedelta(hours=20)
                filing = feedback_follow_up(filing=filing, by=handler, now=at,
                                            note="已致电客户说明处理进度")
                if kind == "suggestion":
                    case.refresh_from_db()
                    case = case_feedback_record(case=case, by=handler,
                                                note="已致电客户说明处理进度",
                                                expected_version=case.version, now=at)
            if steps >= 3:
                at += dt.timedelta(days=1)
                feedback_close(filing=filing, by=handler, now=at, note="客户认可处理结果")
                if kind == "suggestion":
                    _case_step(case, to_status="resolved", by=handler, at=at)
    return made


def _delays(rng, people, customers, end) -> int:
    supervisor = people[Role.SUPERVISOR][0]
    gm = people[Role.GENERAL_MANAGER][0]
    channel = DemoChannel(rng)
    reasons = list(DELAY_DETAILS)
    for i in range(DELAYS):
        at = end - dt.timedelta(days=rng.uniform(3, 40))
        original = timezone.localdate(at) + dt.timedelta(days=rng.randint(0, 3))
        reason = reasons[i % len(reasons)]
        filing = delay_file(
            customer=rng.choice(customers), order_reference=f"{DEMO_ORDER_PREFIX}{i + 1:05d}",
            original_ship_date=original,
            new_promised_date=original + dt.timedelta(days=rng.randint(3, 30)),
            reason=reason, reason_detail=rng.choice(DELAY_DETAILS[reason]),
            by=rng.choice(people[Role.TIER1]), now=at,
        )
        stage = i % 6  # filed, reviewed, rejected, approved, notified, delivered
        if stage == 0:
            continue
        at += dt.timedelta(hours=3)
        if stage == 2:
            delay_review(filing=filing, by=supervisor, approve=False, now=at,
                         reason="可调拨其他仓库, 无需延期")
            continue
        filing = delay_review(filing=filing, by=supervisor, approve=True, now=at)
        if stage == 1:
            continue
        at += dt.timedelta(hours=5)
        filing = delay_approve(filing=filing, by=gm, approve=True, now=at)
        if stage >= 4:
            at += dt.timedelta(minutes=30)
            delay_notify(filing=filing, by=supervisor, now=at, channel=channel)
        if stage == 5:
            at = max(at, end - dt.timedelta(hours=2))
            # delivered by the time it is recorded (Beijing date of `at`: near midnight `end`'s
            # date is already tomorrow), and not before the filing
            delivered = max(min(filing.new_promised_date, timezone.localdate(at)),
                            timezone.localdate(filing.filed_at))
            filing = delay_deliver(filing=filing, by=supervisor, delivered_on=delivered, now=at)
            if i % 12 == 5:
                delay_compensate(filing=filing, by=supervisor, kind="coupon",
                                 amount=Decimal("20.00"), note="20元无门槛优惠券",
                                 now=at + dt.timedelta(minutes=30))
    return DELAYS


def seed_filings(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the demo filings unless they exist; return how many ({} when none)."""
    if filings_demo_exists():
        return {}
    end = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    people = _people()
    customers = list(Customer.objects.order_by("id")[:300])
    if not customers:
        raise RuntimeError("Run seed_intake_demo first: the filing demo needs customers.")
    categories = {c.code: c for c in CaseCategory.objects.filter(parent__isnull=False)}
    with transaction.atomic():
        feedback = _feedback(rng, people, customers, categories, end)
        delays = _delays(rng, people, customers, end)
    return {"feedback": feedback, "delays": delays}

