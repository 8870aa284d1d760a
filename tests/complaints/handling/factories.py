"""A customer-service center with a business department, and complaints filed and moved on
through the real services (`complaints.handling.services`): factories build the people and
places, every further state comes from the steps themselves."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from complaints.handling.models import Complaint, ComplaintType
from complaints.handling.services import (
    complaint_close,
    complaint_dispatch,
    complaint_file,
    complaint_follow_up,
    complaint_propose,
    complaint_resolve,
    complaint_verdict,
)
from servicedesk.models import Department
from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import seed_categories
from tests.tickets.customers.factories import CustomerFactory

BEIJING = ZoneInfo("Asia/Shanghai")


def seed_complaint_types() -> None:
    """The complaint types exactly as the seed migration creates them (a flushed database,
    in a transactional test, gets them again)."""
    from django.apps import apps

    seed_categories()
    importlib.import_module("complaints.migrations.0002_seed_types_and_rules").seed(apps, None)


def complaint_type(code: str = "product-fault", *, owner: Department | None = None
                   ) -> ComplaintType:
    """A seeded complaint type, its owner department set to `owner` when given."""
    seed_complaint_types()
    kind = ComplaintType.objects.get(code=code)
    if owner is not None and kind.owner_department_id != owner.pk:
        kind.owner_department = owner
        kind.save(update_fields=["owner_department"])
    return kind


def _staff(role: str, department: Department | None, name: str) -> User:
    return StaffFactory(role=role, department=department, display_name=name,
                        user__username=f"{name}-{role}-{department.pk if department else 0}",
                        **({"team": None} if department is None else {})).user


@dataclass
class Center:
    """The people of a complaint's life: the service department that takes calls (agent,
    public-opinion and safety desks, supervisor), the business department that handles the
    complaint (supervisor, manager, head, a member to hold responsible), another business
    department, and management."""

    service: Department
    business: Department
    other_business: Department
    agent: User
    agent2: User
    opinion_desk: User
    safety_desk: User
    service_supervisor: User
    business_supervisor: User
    business_manager: User
    business_head: User
    business_member: User
    other_supervisor: User
    other_agent: User
    manager: User
    general_manager: User
    administrator: User
    kind: ComplaintType


def center_build() -> Center:
    service = DepartmentFactory(name="客服中心", code="service-center")
    business = DepartmentFactory(name="售后服务部", code="after-sales",
                                 kind=Department.Kind.BUSINESS, contact_phone="0755-83216000")
    other = DepartmentFactory(name="物流部", code="logistics-dept",
                              kind=Department.Kind.BUSINESS, contact_phone="0755-83216111")
    head = _staff(Role.TIER2, business, "售后部长")
    business.head = head
    business.save(update_fields=["head"])
    center = Center(
        service=service, business=business, other_business=other,
        agent=_staff(Role.TIER1, service, "李客服"),
        agent2=_staff(Role.TIER2, service, "周客服"),
        opinion_desk=_staff(Role.PUBLIC_OPINION, service, "舆情"),
        safety_desk=_staff(Role.MAJOR_SAFETY, service, "安全"),
        service_supervisor=_staff(Role.SUPERVISOR, service, "客服主管"),
        business_supervisor=_staff(Role.SUPERVISOR, business, "售后主管"),
        business_manager=_staff(Role.MANAGER, business, "售后经理"),
        business_head=head,
        business_member=_staff(Role.TIER2, business, "维修员"),
        other_supervisor=_staff(Role.SUPERVISOR, other, "物流主管"),
        other_agent=_staff(Role.TIER1, other, "物流客服"),
        manager=_staff(Role.MANAGER, None, "客服经理"),
        general_manager=_staff(Role.GENERAL_MANAGER, None, "总经理"),
        administrator=_staff(Role.ADMINISTRATOR, None, "管理员"),
        kind=complaint_type("product-fault", owner=business),
    )
    return center


def complaint_file_for_test(center: Center, *, by: User | None = None, **overrides
                            ) -> Complaint:
    """A calm C complaint about a product fault by the center's agent, unless overridden."""
    values = {
        "customer": overrides.pop("customer") if "customer" in overrides else CustomerFactory(),
        "type": center.kind, "source": "hotline", "description": "空调不制冷，已报修两次",
        "procedure": "none", "emotion": "calm", "loss_yuan": Decimal("0"), "impact": "none",
    }
    values.update(overrides)
    return complaint_file(by=by or center.agent, **values)


# The steps in their usual order, each by its usual person.

def dispatched(center: Center, complaint: Complaint, *, now: dt.datetime | None = None
               ) -> Complaint:
    return complaint_dispatch(complaint=complaint, by=center.agent,
                              expected_version=complaint.version, now=now)


def assessed(center: Center, complaint: Complaint, *, verdict: str = "valid",
             now: dt.datetime | None = None) -> Complaint:
    if complaint.state == "received":
        complaint = dispatched(center, complaint, now=now)
    return complaint_verdict(complaint=complaint, by=center.business_supervisor,
                             expected_version=complaint.version, verdict=verdict,
                             responsible=center.business_member, fix="更换压缩机，加强出厂检测",
                             now=now)


def proposed(center: Center, complaint: Complaint, *, now: dt.datetime | None = None
             ) -> Complaint:
    if complaint.state in ("received", "dispatched"):
        complaint = assessed(center, complaint, now=now)
    return complaint_propose(complaint=complaint, by=center.business_supervisor,
                             expected_version=complaint.version, text="上门更换压缩机并赔偿运费",
                             response="accepted", now=now)


def resolved(center: Center, complaint: Complaint, *, now: dt.datetime | None = None
             ) -> Complaint:
    if complaint.state != "proposed":
        complaint = proposed(center, complaint, now=now)
    return complaint_resolve(complaint=complaint, by=center.business_member,
                             expected_version=complaint.version, final_result="已更换压缩机",
                             now=now)


def followed_up(center: Center, complaint: Complaint, *, satisfaction: str = "satisfied",
                now: dt.datetime | None = None) -> Complaint:
    if complaint.state != "resolved":
        complaint = resolved(center, complaint, now=now)
    return complaint_follow_up(complaint=complaint, by=center.agent,
                               expected_version=complaint.version, satisfaction=satisfaction,
                               note="客户表示满意", now=now)


def closed(center: Center, complaint: Complaint, *, now: dt.datetime | None = None
           ) -> Complaint:
    if complaint.state != "followed_up":
        complaint = followed_up(center, complaint, now=now)
    return complaint_close(complaint=complaint, by=center.manager,
                           expected_version=complaint.version, now=now)


def now_local(*args: int) -> dt.datetime:
    """A Beijing wall-clock instant."""
    return dt.datetime(*args, tzinfo=BEIJING)
