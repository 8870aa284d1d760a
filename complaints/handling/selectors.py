"""Read-side queries of complaints: who sees which complaint, who may take which step now,
what the first-contact owner tells the customer, and what pages and the API show beside
the record (the clocks, the follow-up day, whether an interim result is due).

Who takes which step (seed 002 投诉流程; issue 11 item 3):

| step | from | who |
|---|---|---|
| dispatch (受理 → 传递) | received | intake staff of the case's own department, management |
| verdict | dispatched | the handling department's supervisor or manager, or its head |
| propose | assessed; escalated (the final one) | as verdict; escalated: general manager |
| escalate | assessed, proposed | the handling department's manager or head |
| interim | dispatched … escalated | as verdict, or the responsible person |
| resolve | proposed | as interim |
| follow-up | proposed, resolved, followed up | as dispatch |
| close | followed up (proposed, resolved: customer satisfied) | `close_complaint` (management) |
| regrade | any open state | supervisors of the case's or the handling department, management |

The general manager and the administrator may take every department-side step. "Intake
staff" are the roles that take calls (`servicedesk.roles.INTAKE_ROLES`); "management" are
`MANAGEMENT_ROLES` (manager, general manager, administrator). Every step also needs the
complaint to be visible to the user (`complaints_visible_to`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from complaints.handling.models import (
    OPEN_STATES,
    Complaint,
    ComplaintType,
    Satisfaction,
    State,
    Verdict,
)
from servicedesk.models import Department, StaffProfile
from servicedesk.presenters import person_name
from servicedesk.roles import INTAKE_ROLES, MANAGEMENT_ROLES, Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser, User
from tickets.cases.models import Case
from tickets.cases.selectors import cases_scoped
from tickets.sla.models import LIVE_TIMER_STATES, CaseTimer, TimerKind

# The step names: the API's action paths and what `complaint_steps_for` answers.
DISPATCH, VERDICT, PROPOSE, ESCALATE = "dispatch", "verdict", "propose", "escalate"
INTERIM, RESOLVE, FOLLOW_UP, CLOSE, REGRADE = (
    "interim", "resolve", "follow-up", "close", "regrade")
STEPS = (DISPATCH, VERDICT, PROPOSE, ESCALATE, INTERIM, RESOLVE, FOLLOW_UP, CLOSE, REGRADE)

# The states each step starts from.
STEP_FROM: dict[str, tuple[str, ...]] = {
    DISPATCH: (State.RECEIVED,),
    VERDICT: (State.DISPATCHED,),
    PROPOSE: (State.ASSESSED, State.ESCALATED),
    ESCALATE: (State.ASSESSED, State.PROPOSED),
    INTERIM: (State.DISPATCHED, State.ASSESSED, State.PROPOSED, State.ESCALATED),
    RESOLVE: (State.PROPOSED,),
    FOLLOW_UP: (State.PROPOSED, State.RESOLVED, State.FOLLOWED_UP),
    CLOSE: (State.FOLLOWED_UP, State.PROPOSED, State.RESOLVED),
    REGRADE: OPEN_STATES,
}
# A complaint in one of these states is closed only once the customer said they are
# satisfied at the follow-up (and a final result is given or recorded).
CLOSE_WHEN_SATISFIED = (State.PROPOSED, State.RESOLVED)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)

# May take every department-side step (verdict, propose, escalate, interim, resolve).
OVERSEER_ROLES = frozenset({Role.GENERAL_MANAGER, Role.ADMINISTRATOR})
# Decide for the handling department (verdict, proposals, interim and final results).
DEPARTMENT_DECIDER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
CLOSE_PERMISSION = "complaints.close_complaint"


# --- visibility ------------------------------------------------------------------------------


def complaints_visible_to(*, user: AnyUser) -> QuerySet[Complaint]:
    """The complaints whose case `user` sees (`tickets.cases.selectors.cases_scoped`): those
    of their department and those passed to it for handling (management: all); a desk-only
    complaint (media, consumer association, skip-level, safety) only by that desk,
    supervisors and above."""
    return cases_scoped(user=user, queryset=Complaint.objects.all(), prefix="case__")


def complaint_detail_queryset(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """What the complaint page and the API detail read with each complaint."""
    return queryset.select_related(
        "case", "case__department", "case__handling_department", "customer", "type",
        "type__owner_department", "type__owner_department__head", "handling_department",
        "handling_department__head", "responsible", "filed_by", "repeat_of",
        "repeat_of__case",
    )


def get_complaint_for_user(*, user: AnyUser, complaint_id: int) -> Complaint:
    """The complaint, if `user` may see it (404 otherwise). Which steps they may take on it
    is `complaint_steps_for`; the services decide again (403)."""
    return get_object_or_404(complaint_detail_queryset(complaints_visible_to(user=user)),
                             pk=complaint_id)


def complaint_is_visible_to(*, user: AnyUser, complaint: Complaint) -> bool:
    return complaints_visible_to(user=user).filter(pk=complaint.pk).exists()


# --- the case of a complaint moves through the complaint --------------------------------------

# The name of the complaint flow among the flows that own cases (servicedesk.registry
# `case_flow`): the complaint services pass it to the tickets services that move the case.
CASE_FLOW = "complaint"


def complaint_pages_of_cases(case_ids: list[int]) -> dict[int, str]:
    """Of these cases, those with a complaint record, each with its complaint page (where
    the case moves). One query."""
    return {case_id: reverse("complaints:complaint", args=[pk])
            for case_id, pk in Complaint.objects.filter(case_id__in=case_ids)
            .values_list("case_id", "pk")}


# --- who may take a step ---------------------------------------------------------------------


def _handles(user: AnyUser, profile: StaffProfile, complaint: Complaint,
             roles: frozenset[str]) -> bool:
    """`user` is one of `roles` in the complaint's handling department, or its head."""
    department_id = complaint.handling_department_id
    if department_id is None:
        return False
    if profile.role in roles and profile.department_id == department_id:
        return True
    department = complaint.handling_department
    return department is not None and department.head_id is not None \
        and department.head_id == user.pk


def step_permitted(*, user: AnyUser, complaint: Complaint, step: str,
                   state: str | None = None) -> bool:
    """Whether `user`'s role and place allow `step` on `complaint` when it is in `state`
    (its own by default; an escalated complaint's proposal is the general manager's). The
    state itself is not judged here (see `STEP_FROM`), nor the visibility."""
    profile = staff_profile_of(user)
    if profile is None:
        return False
    state = state or complaint.state
    case: Case = complaint.case
    if step in (DISPATCH, FOLLOW_UP):
        return profile.role in MANAGEMENT_ROLES or (
            profile.role in INTAKE_ROLES and profile.department_id == case.department_id)
    if step == REGRADE:
        return profile.role in MANAGEMENT_ROLES or (
            profile.role == Role.SUPERVISOR and profile.department_id is not None
            and profile.department_id in (case.department_id, complaint.handling_department_id))
    if step == CLOSE:
        return user.has_perm(CLOSE_PERMISSION)
    if profile.role in OVERSEER_ROLES:
        return True
    if step == PROPOSE and state == State.ESCALATED:
        return False  # the general manager's final proposal
    if step in (VERDICT, PROPOSE):
        return _handles(user, profile, complaint, DEPARTMENT_DECIDER_ROLES)
    if step == ESCALATE:
        return _handles(user, profile, complaint, frozenset({Role.MANAGER}))
    if step in (INTERIM, RESOLVE):
        return _handles(user, profile, complaint, DEPARTMENT_DECIDER_ROLES) or (
            complaint.responsible_id is not None and complaint.responsible_id == user.pk)
    return False


def step_open(*, complaint: Complaint, step: str) -> bool:
    """Whether the complaint's state allows `step` now (whoever takes it)."""
    if complaint.state not in STEP_FROM[step]:
        return False
    if step == CLOSE and complaint.state in CLOSE_WHEN_SATISFIED:
        return complaint.satisfaction in SATISFIED
    if step == REGRADE:
        return complaint.verdict != Verdict.INVALID  # an invalid complaint stays a D
    return True


def complaint_steps_for(*, user: AnyUser, complaint: Complaint) -> frozenset[str]:
    """The steps `user` may take on the complaint now: open in its state, allowed by their
    role and place, on a complaint they see."""
    candidates = [step for step in STEPS if step_open(complaint=complaint, step=step)
                  and step_permitted(user=user, complaint=complaint, step=step)]
    if not candidates or not complaint_is_visible_to(user=user, complaint=complaint):
        return frozenset()
    return frozenset(candidates)


# --- what the customer is told and what is due -----------------------------------------------


def first_contact_info(*, complaint_type: ComplaintType,
                       department: Department | None = None) -> dict[str, Any]:
    """What the first-contact owner (首问) tells the customer: the handling department (the
    type's owner until the complaint is dispatched, then `department`, the dispatched one),
    its contact person (the department's head) and its phone. `department` is a Department
    or None; `contact_person` and `phone` are text ("" when unknown)."""
    department = department or complaint_type.owner_department
    if department is None:
        return {"department": None, "contact_person": "", "phone": ""}
    return {"department": department, "contact_person": person_name(department.head),
            "phone": department.contact_phone}


def complaint_first_contact(complaint: Complaint) -> dict[str, Any]:
    """`first_contact_info` of a filed complaint (its dispatched department, if any)."""
    return first_contact_info(complaint_type=complaint.type,
                              department=complaint.handling_department)


def follow_up_due_on(complaint: Complaint) -> dt.date | None:
    """The day of the follow-up call: the day after acceptance (the dispatch), Beijing
    time; None before the complaint is accepted."""
    if complaint.dispatched_at is None:
        return None
    return timezone.localdate(complaint.dispatched_at) + dt.timedelta(days=1)


# An interim result is due in these states once the resolution clock warned (seed 002: a
# complaint that cannot be finished in time must report its interim result).
INTERIM_STATES = STEP_FROM[INTERIM]


def _resolution_warned(now: dt.datetime) -> Q:
    return (Q(warned_at__isnull=False) | Q(warn_at__lte=now) | Q(breached_at__isnull=False)
            | Q(due_at__lte=now))


def with_interim_due(queryset: QuerySet[Complaint], *, now: dt.datetime
                     ) -> QuerySet[Complaint]:
    """Annotate `interim_due`: the complaint is being handled, its resolution clock has
    warned (or is past due) and no interim result is recorded. One subquery."""
    warned = CaseTimer.objects.filter(
        _resolution_warned(now), case_id=OuterRef("case_id"), kind=TimerKind.RESOLUTION,
        state__in=LIVE_TIMER_STATES)
    return queryset.annotate(interim_due=ExpressionWrapper(
        Q(state__in=INTERIM_STATES, interim_at__isnull=True) & Exists(warned),
        output_field=BooleanField()))


def complaint_interim_due(*, complaint: Complaint, now: dt.datetime | None = None) -> bool:
    """`with_interim_due` for one complaint (its annotation when it has one)."""
    annotated = getattr(complaint, "interim_due", None)
    if annotated is not None:
        return bool(annotated)
    if complaint.state not in INTERIM_STATES or complaint.interim_at is not None:
        return False
    return CaseTimer.objects.filter(
        _resolution_warned(now or timezone.now()), case_id=complaint.case_id,
        kind=TimerKind.RESOLUTION, state__in=LIVE_TIMER_STATES).exists()


def with_overdue(queryset: QuerySet[Complaint], *, now: dt.datetime) -> QuerySet[Complaint]:
    """Annotate `overdue`: one of the case's running clocks is past due (`Case.sla_due_at`
    is the nearest due instant of its running clocks)."""
    return queryset.annotate(overdue=ExpressionWrapper(
        Q(case__sla_due_at__lte=now, case__status__in=Case.OPEN_STATUSES),
        output_field=BooleanField()))


def complaint_clocks(complaint: Complaint) -> list[CaseTimer]:
    """The case's live clocks (running or paused), by kind."""
    return list(CaseTimer.objects.filter(case_id=complaint.case_id,
                                         state__in=LIVE_TIMER_STATES).order_by("kind", "id"))


def complaint_repeats(complaint: Complaint) -> QuerySet[Complaint]:
    """The later complaints linked to this one as repeats, oldest first."""
    return complaint.repeats.select_related("case").order_by("filed_at", "id")


# --- who is told -----------------------------------------------------------------------------


def general_managers() -> QuerySet[User]:
    """Active users whose role is general manager (told of A and repeat complaints and of
    escalations at once)."""
    return get_user_model().objects.filter(
        is_active=True, staff_profile__role=Role.GENERAL_MANAGER).order_by("pk")


def handling_department_deciders(complaint: Complaint) -> QuerySet[User]:
    """The active supervisors and managers of the complaint's handling department (told of
    each follow-up's result the same day)."""
    users = get_user_model().objects
    if complaint.handling_department_id is None:
        return users.none()
    return users.filter(
        is_active=True, staff_profile__role__in=DEPARTMENT_DECIDER_ROLES,
        staff_profile__department_id=complaint.handling_department_id,
    ).order_by("pk")


def responsible_candidates(complaint: Complaint) -> QuerySet[User]:
    """Who may be named responsible in the verdict: the active members of the handling
    department (by their staff profile), by name."""
    users = get_user_model().objects
    if complaint.handling_department_id is None:
        return users.none()
    return users.filter(is_active=True,
                        staff_profile__department_id=complaint.handling_department_id
                        ).select_related("staff_profile").order_by("first_name", "username")


def is_member_of(*, user: User, department_id: int | None) -> bool:
    """An active user whose staff profile is in the department (a responsible person)."""
    profile = staff_profile_of(user)
    return bool(user.is_active and profile is not None and department_id is not None
                and profile.department_id == department_id)
