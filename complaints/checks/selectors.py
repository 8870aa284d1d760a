"""Read-side queries of the monthly person check: the month's counts (one grouped query),
who sees which checks, who may take which step, the complaints behind a count and the
history.

Who sees a check: management (manager, general manager, administrator) every check; a
supervisor the checks of their department; anybody their own. Who files the report: the
flagged person, or a supervisor of the check's department on their behalf. Who accepts or
returns it: management, never for their own check."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from complaints.checks.models import CheckState, PersonMonthCheck, PersonMonthCheckEvent
from complaints.handling.models import Complaint, Verdict
from servicedesk.models import StaffProfile
from servicedesk.months import month_bounds, month_text
from servicedesk.roles import MANAGEMENT_ROLES, Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser
from tickets.cases.selectors import cases_scoped

# Who hears of every flag and decides the reports (seed 002: the managers; the general
# manager oversees). Administrators may decide too but are not told of each flag.
DECIDER_ROLES = MANAGEMENT_ROLES
TOLD_OF_FLAGS = frozenset({Role.MANAGER, Role.GENERAL_MANAGER})
FILABLE_STATES = (CheckState.FLAGGED, CheckState.RETURNED)
CHECK_ACTIONS = ("file_report", "accept", "return")


def person_month_threshold() -> int:
    """The number of complaints in a month that flags a person (3, 含三次)."""
    return int(settings.COMPLAINT_PERSON_MONTH_THRESHOLD)


# --- what counts ---------------------------------------------------------------------------


def complaints_counted(*, month: dt.date) -> QuerySet[Complaint]:
    """The complaints that count in the Beijing calendar month of `month`: valid, naming a
    responsible person, filed (accepted) from the 1st 00:00 +08:00 up to the next 1st."""
    start, end = month_bounds(month)
    return Complaint.objects.filter(
        verdict=Verdict.VALID, responsible__isnull=False,
        filed_at__gte=start, filed_at__lt=end,
    )


def person_month_counts(*, month: dt.date) -> dict[int, tuple[int, int | None]]:
    """Each person with counted complaints in the month: person id → (count, the id of
    their department now). One grouped query."""
    rows = (
        complaints_counted(month=month).order_by()
        .values_list("responsible_id", "responsible__staff_profile__department_id")
        .annotate(n=Count("id"))
    )
    return {person: (n, department) for person, department, n in rows}


def check_complaints(*, check: PersonMonthCheck) -> QuerySet[Complaint]:
    """The complaints behind a check's count (as they count now), oldest first."""
    return (
        complaints_counted(month=check.month).filter(responsible_id=check.person_id)
        .select_related("case", "type").order_by("filed_at", "id")
    )


def complaints_visible_ids(*, user: AnyUser, complaints: list[Complaint]) -> set[int]:
    """Which of `complaints` the user may open (their case's visibility: department,
    handling department, desk). One query."""
    if not complaints:
        return set()
    return set(
        cases_scoped(user=user, queryset=Complaint.objects.filter(
            pk__in=[c.pk for c in complaints]), prefix="case__")
        .values_list("pk", flat=True)
    )


def complaints_list_url(*, check: PersonMonthCheck) -> str:
    """The complaint list filtered to the person and the month:
    `/complaints/?responsible=<id>&verdict=valid&month=YYYY-MM`: the complaints the count
    holds."""
    query = urlencode({"responsible": check.person_id, "verdict": "valid",
                       "month": month_text(check.month)})
    return f"{reverse('complaints:list')}?{query}"


# --- who sees what -------------------------------------------------------------------------


def checks_scoped(*, user: AnyUser, queryset: QuerySet[PersonMonthCheck]
                  ) -> QuerySet[PersonMonthCheck]:
    """Management: every check; a supervisor: their department's and their own; anybody
    else with a staff profile: their own; without one: none."""
    profile = staff_profile_of(user)
    if profile is None:
        return queryset.none()
    if profile.role in MANAGEMENT_ROLES:
        return queryset
    mine = Q(person_id=user.pk)
    if profile.role == Role.SUPERVISOR and profile.department_id is not None:
        mine |= Q(department_id=profile.department_id)
    return queryset.filter(mine)


def checks_visible_to(*, user: AnyUser) -> QuerySet[PersonMonthCheck]:
    return checks_scoped(
        user=user,
        queryset=PersonMonthCheck.objects.select_related("person", "department",
                                                         "decided_by"),
    )


def get_check_for_user(*, user: AnyUser, check_id: int) -> PersonMonthCheck:
    """The check if `user` may see it (404 otherwise). Who may take a step is decided by
    `check_may` (403)."""
    return get_object_or_404(checks_visible_to(user=user), pk=check_id)


def check_may_file(*, user: AnyUser, check: PersonMonthCheck) -> bool:
    """The flagged person, or a supervisor of the check's department on their behalf."""
    profile = staff_profile_of(user)
    if profile is None:
        return False
    if user.pk == check.person_id:
        return True
    return (profile.role == Role.SUPERVISOR and check.department_id is not None
            and profile.department_id == check.department_id)


def check_may_decide(*, user: AnyUser, check: PersonMonthCheck) -> bool:
    """A manager, the general manager or an administrator, on somebody else's check."""
    profile = staff_profile_of(user)
    return (profile is not None and profile.role in DECIDER_ROLES
            and user.pk != check.person_id)


def check_may(*, user: AnyUser, check: PersonMonthCheck, action: str) -> bool:
    """Whether `user` may take step `action` on the check at all (403 otherwise)."""
    if action == "file_report":
        return check_may_file(user=user, check=check)
    if action in ("accept", "return"):
        return check_may_decide(user=user, check=check)
    return False


def check_actions_for(*, check: PersonMonthCheck, user: AnyUser) -> list[str]:
    """The steps `user` may take on the check now (the services decide again)."""
    actions = []
    if check.state in FILABLE_STATES and check_may_file(user=user, check=check):
        actions.append("file_report")
    if check.state == CheckState.REPORT_FILED and check_may_decide(user=user, check=check):
        actions += ["accept", "return"]
    return actions


def check_timeline(*, check: PersonMonthCheck) -> QuerySet[PersonMonthCheckEvent]:
    return (
        PersonMonthCheckEvent.objects.filter(check_row=check)
        .select_related("actor").order_by("at", "id")
    )


# --- the job's reads -----------------------------------------------------------------------


def checks_unannounced() -> QuerySet[PersonMonthCheck]:
    """Checks whose `flagged` event (and notices) are not written yet: those a run has just
    flagged, or one whose announcement failed in an earlier run."""
    flagged = PersonMonthCheckEvent.objects.filter(
        check_row=OuterRef("pk"), kind=PersonMonthCheckEvent.Kind.FLAGGED)
    return (
        PersonMonthCheck.objects.filter(~Exists(flagged))
        .select_related("person").order_by("month", "id")
    )


def flag_audience(*, department_ids: set[int]) -> list[tuple[int, str, int | None]]:
    """(user id, role, department id) of the active staff told of a flag: managers, the
    general manager, and the supervisors of `department_ids`. One query."""
    told = Q(role__in=TOLD_OF_FLAGS)
    if department_ids:
        told |= Q(role=Role.SUPERVISOR, department_id__in=department_ids)
    return list(
        StaffProfile.objects.filter(told, user__is_active=True)
        .values_list("user_id", "role", "department_id").order_by("user_id")
    )


def deciders() -> list[int]:
    """Ids of the active managers and general managers (told that a report waits)."""
    return list(
        StaffProfile.objects.filter(role__in=TOLD_OF_FLAGS, user__is_active=True)
        .values_list("user_id", flat=True).order_by("user_id")
    )


def department_supervisors(*, department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list(
        StaffProfile.objects.filter(role=Role.SUPERVISOR, department_id=department_id,
                                    user__is_active=True)
        .values_list("user_id", flat=True).order_by("user_id")
    )

