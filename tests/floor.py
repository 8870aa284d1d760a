"""A small floor that looks like the demo: one department with a member of every role,
customers, cases in every SLA state (on track, due soon, breached, waiting, resolved), a
contact logged with its case, a registration, a feedback and a delay filing, and the
notifications the sweep sends. Used by the page-wide checks (every page in Chinese, the
layout at phone and desktop widths)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import delay_file_for_test, feedback_file_for_test
from tests.tickets.registrations.factories import registration_for_test
from tests.tickets.sla.factories import seed_sla_policies

PASSWORD = "demo-pass-123"


@dataclass
class Floor:
    users: dict[str, object]  # role -> user
    urls: dict[str, str] = field(default_factory=dict)  # detail pages by name


def floor_for_test(*, usernames: str = "floor") -> Floor:
    from tickets.cases.models import Case
    from tickets.cases.services import case_feedback_record, case_transition
    from tickets.intake.services import intake_record
    from tickets.sla.sweep import sla_sweep

    seed_sla_policies()
    department = DepartmentFactory(name="售后服务部")
    users = {
        role.value: StaffFactory(role=role, department=department, password=PASSWORD,
                                 user__username=f"{usernames}-{role.value}",
                                 display_name=f"{role.label}王").user
        for role in Role
    }
    agent = users[Role.TIER2]
    now = timezone.now()

    wang = CustomerFactory(name="王小明", phone="13812345678", company="华信科技有限公司")
    li = CustomerFactory(name="李娜", phone="13900139000")
    calm = case_open_for_test(by=agent, assignee=agent, customer=wang, grade="B",
                              code="complaint-product-quality", subject="净水器漏水，要求上门检修")
    late = case_open_for_test(by=agent, assignee=agent, customer=li, code="urgent-system-failure",
                              subject="系统故障无法下单", now=now - dt.timedelta(minutes=30))
    called = now - dt.timedelta(minutes=5)
    logged = intake_record(
        agent=agent, customer=wang, channel="inbound_call", queued_at=called,
        answered_at=called, category=category("consultation-product-function"),
        subject="咨询滤芯更换周期", promised_callback_at=now + dt.timedelta(hours=3),
    ).case
    waiting = case_open_for_test(by=agent, assignee=agent, customer=li, subject="等待客户提供照片")
    waiting = case_transition(case=waiting, to_status=Case.Status.IN_PROGRESS, by=agent,
                              expected_version=waiting.version)
    waiting = case_transition(case=waiting, to_status=Case.Status.WAITING_CUSTOMER, by=agent,
                              expected_version=waiting.version, reason="等待客户回复")
    done = case_open_for_test(by=agent, assignee=agent, customer=wang, grade="C",
                              code="complaint-product-quality", subject="配件发错")
    done = case_transition(case=done, to_status=Case.Status.IN_PROGRESS, by=agent,
                           expected_version=done.version)
    done = case_feedback_record(case=done, by=agent, note="已告知补发时间",
                                expected_version=done.version)
    done = case_transition(case=done, to_status=Case.Status.RESOLVED, by=agent,
                           expected_version=done.version, reason="已补发配件")
    sla_sweep(now=now, deliver=False)  # the urgent case breaches; notifications go out

    registration = registration_for_test(by=users[Role.TIER1])
    feedback = feedback_file_for_test(by=agent, customer=wang)
    delay = delay_file_for_test(by=agent, customer=li)
    return Floor(users=users, urls={
        "case": f"/tickets/cases/{calm.pk}/",
        "case_late": f"/tickets/cases/{late.pk}/",
        "case_logged": f"/tickets/cases/{logged.pk}/",
        "case_waiting": f"/tickets/cases/{waiting.pk}/",
        "case_done": f"/tickets/cases/{done.pk}/",
        "registration": f"/tickets/registrations/{registration.pk}/",
        "feedback": f"/tickets/feedback/{feedback.pk}/",
        "delay": f"/tickets/delays/{delay.pk}/",
    })
