"""Read-side queries of the tickets app: cases, who may see them and who may change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from servicedesk.registry import registry
from servicedesk.roles import AGENT_ROLES, FLOOR_LEAD_ROLES, MANAGEMENT_ROLES, Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser, User
from tickets.cases.models import Case, CaseEvent
from tickets.customers.validators import phone_normalize

DEPARTMENT_ROLES = AGENT_ROLES | FLOOR_LEAD_ROLES | {Role.SUPERVISOR}


def department_scoped(*, user: AnyUser, queryset: QuerySet) -> QuerySet:
    """The access rule of cases and everything filed by department (contacts,
    registrations): management sees all rows; agents, floor leads and supervisors the rows
    of their own department; anybody without a staff profile none."""
    profile = staff_profile_of(user)
    if profile is None:
        return queryset.none()
    if profile.role in MANAGEMENT_ROLES:
        return queryset
    if profile.role in DEPARTMENT_ROLES and profile.department_id is not None:
        return queryset.filter(department_id=profile.department_id)
    return queryset.none()


def assignable_staff(record: Model) -> QuerySet[User]:
    """Who a department-scoped record (a case, a feedback filing; saved or not, its
    `department_id` set) may be given to, as assignee or handler: active staff who see it
    under `department_scoped` (management, or the agents, floor leads and supervisors of its
    department) and may work on it (`<app>.change_<model>`, from a group or their own, or a
    superuser with a staff profile). Anybody else would get a 404 on it while its SLA
    notifications reached them."""
    opts = record._meta
    codename = f"change_{opts.model_name}"
    users = get_user_model().objects
    may_change = (
        Q(is_superuser=True)
        | Q(pk__in=users.filter(groups__permissions__codename=codename,
                                groups__permissions__content_type__app_label=opts.app_label)
            .values("pk"))
        | Q(pk__in=users.filter(user_permissions__codename=codename,
                                user_permissions__content_type__app_label=opts.app_label)
            .values("pk"))
    )
    sees_it = Q(staff_profile__role__in=MANAGEMENT_ROLES) | Q(
        staff_profile__role__in=DEPARTMENT_ROLES,
        staff_profile__department_id=getattr(record, "department_id", None),
    )
    return (users.filter(is_active=True, staff_profile__isnull=False)
            .filter(sees_it).filter(may_change).order_by("username"))


def is_assignable(record: Model, user: User) -> bool:
    return assignable_staff(record).filter(pk=user.pk).exists()


# Who sees a desk-only case (Case.desk) besides that desk's own agents.
DESK_OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR}) | MANAGEMENT_ROLES


def cases_visible_to(*, user: AnyUser) -> QuerySet[Case]:
    """The cases `user` may see: those of their department (management: all), and those
    passed to their department for handling (`handling_department`); a desk-only case
    (`desk`) only by that desk's agents, supervisors and above."""
    return cases_scoped(user=user, queryset=Case.objects.all())


def cases_scoped(*, user: AnyUser, queryset: QuerySet, prefix: str = "") -> QuerySet:
    """`cases_visible_to`'s rule on any queryset that reaches a case through `prefix`
    (e.g. "case__" for a complaint or a timer; "" for cases themselves)."""
    profile = staff_profile_of(user)
    if profile is None:
        return queryset.none()
    if profile.role not in MANAGEMENT_ROLES:
        if profile.role not in DEPARTMENT_ROLES or profile.department_id is None:
            return queryset.none()
        queryset = queryset.filter(
            Q(**{f"{prefix}department_id": profile.department_id})
            | Q(**{f"{prefix}handling_department_id": profile.department_id})
        )
    if profile.role not in DESK_OVERSIGHT_ROLES:
        queryset = queryset.filter(
            Q(**{f"{prefix}desk": ""}) | Q(**{f"{prefix}desk": profile.role}))
    return queryset


@dataclass(frozen=True)
class CaseOwner:
    """The flow of another app that moves a case itself (`servicedesk.registry.CaseFlow`,
    e.g. a complaint's case moves only through its complaint): the flow's name, the page
    where the case's steps are taken, that link's label, and why a step taken on the case
    directly is refused."""

    flow: str
    url: str
    link: str
    refusal: str


def case_owners(case_ids: Iterable[int]) -> dict[int, CaseOwner]:
    """Of these cases, those another app's flow owns, with that flow (the apps register
    their flows with the kernel; the tickets app names none of them). One query per
    registered flow, whatever the number of cases."""
    ids = sorted(set(case_ids))
    owners: dict[int, CaseOwner] = {}
    if not ids:
        return owners
    for flow in registry.case_flows():
        for case_id, url in flow.pages(ids).items():
            owners.setdefault(case_id, CaseOwner(
                flow=flow.name, url=url, link=str(flow.link),
                refusal=str(flow.refusal) % {"url": url}))
    return owners


def case_owner(case_id: int) -> CaseOwner | None:
    """The flow that owns this case, if one does (`case_owners`)."""
    return case_owners([case_id]).get(case_id)


def cases_matching(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """The cases whose number or customer code starts with `text`, whose customer's name
    contains it, or (when it reads as a phone number, in any written form) whose customer
    has that number. Letters match in either case; blank text matches everything."""
    text = text.strip()
    if not text:
        return queryset
    match = (Q(number__istartswith=text) | Q(customer__code__istartswith=text)
             | Q(customer__name__icontains=text))
    try:
        match |= Q(customer__phone=phone_normalize(text))
    except ValidationError:
        pass  # not a phone number: the other fields decide
    return queryset.filter(match)


def case_is_editable_by(*, case: Case, user: AnyUser) -> bool:
    """Whoever sees a case may change it, except that a tier-1 agent changes only the cases
    assigned to them or that they opened."""
    profile = staff_profile_of(user)
    if profile is None:
        return False
    if profile.role == Role.TIER1:
        return user.pk in (case.assignee_id, case.first_contact_owner_id)
    return True


def get_case_for_user(*, user: AnyUser, case_id: int, write: bool = False) -> Case:
    """The case, if `user` may see it (404 otherwise) and, with write=True, change it
    (403 otherwise)."""
    case = get_object_or_404(cases_visible_to(user=user), pk=case_id)
    if write and not case_is_editable_by(case=case, user=user):
        raise PermissionDenied
    return case


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    """The case's events, oldest first, with their actors."""
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "actor__staff_profile")
        .order_by("at", "id")
    )


def with_due_at(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `due_at`: the nearest due instant of the case's running SLA timers (on
    their business calendars), else the promised call-back, else None (paused, or no
    limit)."""
    return queryset.annotate(due_at=Coalesce("sla_due_at", "promised_callback_at"))


def my_queue(*, user: AnyUser) -> QuerySet[Case]:
    """The open cases assigned to `user`, soonest due first; cases without a due time
    last, oldest first."""
    return (
        with_due_at(cases_visible_to(user=user))
        .filter(assignee_id=user.pk, status__in=Case.OPEN_STATUSES)
        .select_related("customer", "category", "team", "department")
        .order_by(F("due_at").asc(nulls_last=True), "opened_at", "id")
    )


def my_queue_export_query(*, user: AnyUser) -> str:
    """The case-list filters (API and export) that select the same cases as `my_queue`."""
    return urlencode(
        [("assignee", user.pk), *(("status", status) for status in Case.OPEN_STATUSES)]
    )
