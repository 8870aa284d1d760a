"""Read-side queries of feedback filings and delay filings: who may see them, who may act
on them, their timelines, the overdue state and the periodic statistics.

Who decides a delay (documented in the issue's note as well):
- department review: a supervisor or a manager whose department is the filing's department
  (the 部门经理 of domain.md; supervisors run a department's floor, managers may belong to
  one);
- leadership approval: the general manager only, so review and approval are never the same
  person's."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404

from servicedesk.roles import Role
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AnyUser
from tickets.cases.selectors import department_scoped
from tickets.filings.models import DelayEvent, DelayFiling, FeedbackEvent, FeedbackFiling

REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
APPROVER_ROLES = frozenset({Role.GENERAL_MANAGER})
UNDELIVERED = (DelayFiling.Status.APPROVED, DelayFiling.Status.NOTIFIED)
COMPENSABLE = (*UNDELIVERED, DelayFiling.Status.DELIVERED)


# --- feedback filings --------------------------------------------------------------------


def feedback_filings_visible_to(*, user: AnyUser) -> QuerySet[FeedbackFiling]:
    """Scoped like cases: management sees all; department staff their department's."""
    return department_scoped(
        user=user,
        queryset=FeedbackFiling.objects.select_related(
            "customer", "category", "filed_by", "handler", "department", "case"
        ),
    )


def get_feedback_for_user(*, user: AnyUser, filing_id: int, write: bool = False) -> FeedbackFiling:
    """The filing if `user` may see it (404 otherwise) and, with write=True, work on it
    (403 otherwise)."""
    filing = get_object_or_404(feedback_filings_visible_to(user=user), pk=filing_id)
    if write and not user.has_perm("tickets.change_feedbackfiling"):
        raise PermissionDenied
    return filing


def feedback_timeline(*, filing: FeedbackFiling) -> QuerySet[FeedbackEvent]:
    return (
        FeedbackEvent.objects.filter(filing=filing)
        .select_related("actor", "actor__staff_profile")
        .order_by("at", "id")
    )


FEEDBACK_ACTIONS = ("hand_over", "follow_up", "close")


def feedback_may(*, user: AnyUser, filing: FeedbackFiling, action: str) -> bool:
    """Whether `user` may take step `action` on the filing at all (403 otherwise): whoever
    works on feedback filings."""
    return user.has_perm("tickets.change_feedbackfiling")


def feedback_actions_for(*, filing: FeedbackFiling, user: AnyUser) -> list[str]:
    """The steps `user` may take on the filing now (the services decide again)."""
    if not feedback_may(user=user, filing=filing, action="hand_over"):
        return []
    status = FeedbackFiling.Status
    actions = []
    if filing.status != status.CLOSED:
        actions.append("hand_over")
    if filing.status in (status.HANDED_OVER, status.FOLLOWED_UP):
        actions.append("follow_up")
    if filing.status == status.FOLLOWED_UP:
        actions.append("close")
    return actions


def feedback_statistics(
    *, queryset: QuerySet[FeedbackFiling], start: dt.datetime, end: dt.datetime
) -> dict:
    """Counts of the filings filed in [start, end) per kind, per category and per status,
    from one GROUP BY query over (kind, category, status)."""
    rows = (
        queryset.filter(filed_at__gte=start, filed_at__lt=end)
        .order_by()
        .values("kind", "category_id", "category__name", "status")
        .annotate(n=Count("id"))
    )
    by_kind = dict.fromkeys(FeedbackFiling.Kind.values, 0)
    by_status = dict.fromkeys(FeedbackFiling.Status.values, 0)
    by_category: dict[int, dict] = {}
    total = 0
    for row in rows:
        total += row["n"]
        by_kind[row["kind"]] += row["n"]
        by_status[row["status"]] += row["n"]
        entry = by_category.setdefault(
            row["category_id"],
            {"category": row["category_id"], "name": row["category__name"], "count": 0},
        )
        entry["count"] += row["n"]
    return {
        "start": start,
        "end": end,
        "total": total,
        "by_kind": by_kind,
        "by_status": by_status,
        "by_category": sorted(by_category.values(), key=lambda e: (-e["count"], e["name"])),
    }


# --- delay filings -----------------------------------------------------------------------


def with_overdue(queryset: QuerySet[DelayFiling], *, today: dt.date) -> QuerySet[DelayFiling]:
    """Annotate `is_overdue`: approved (or notified) but not delivered by the new date."""
    return queryset.annotate(
        is_overdue=ExpressionWrapper(
            Q(status__in=UNDELIVERED, new_promised_date__lt=today), output_field=BooleanField()
        )
    )


def delay_filings_visible_to(*, user: AnyUser) -> QuerySet[DelayFiling]:
    return department_scoped(
        user=user,
        queryset=DelayFiling.objects.select_related(
            "customer", "filed_by", "department", "reviewed_by", "approved_by"
        ),
    )


def get_delay_for_user(*, user: AnyUser, filing_id: int, write: bool = False) -> DelayFiling:
    """The filing if `user` may see it (404 otherwise) and, with write=True, work on it
    (403 otherwise). Review and approval check the role in the service as well."""
    filing = get_object_or_404(delay_filings_visible_to(user=user), pk=filing_id)
    if write and not user.has_perm("tickets.change_delayfiling"):
        raise PermissionDenied
    return filing


def delay_is_overdue(filing: DelayFiling, *, today: dt.date) -> bool:
    return filing.status in UNDELIVERED and filing.new_promised_date < today


def delay_may_review(*, user: AnyUser, filing: DelayFiling) -> bool:
    profile = staff_profile_of(user)
    return (
        profile is not None
        and profile.role in REVIEWER_ROLES
        and profile.department_id == filing.department_id
    )


def delay_may_approve(*, user: AnyUser) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and profile.role in APPROVER_ROLES


def delay_may_compensate(*, user: AnyUser, filing: DelayFiling) -> bool:
    """Compensation is money: decided by the department's reviewers or the approver, not
    by whoever handles the filing."""
    return delay_may_review(user=user, filing=filing) or delay_may_approve(user=user)


DELAY_ACTIONS = ("review", "approve", "notify", "deliver", "compensate")


def delay_may(*, user: AnyUser, filing: DelayFiling, action: str) -> bool:
    """Whether `user` may take step `action` on the filing at all (403 otherwise). Review
    and approval are decided by role, by the services (which answer 403 themselves); the
    other steps need the change permission."""
    if action in ("review", "approve"):
        return True
    return user.has_perm("tickets.change_delayfiling")


def delay_actions_for(*, filing: DelayFiling, user: AnyUser, notice_sent: bool) -> list[str]:
    """The steps `user` may take on the filing now (the services decide again)."""
    status = DelayFiling.Status
    actions = []
    if filing.status == status.FILED and delay_may_review(user=user, filing=filing):
        actions.append("review")
    if filing.status == status.REVIEWED and delay_may_approve(user=user):
        actions.append("approve")
    if not delay_may(user=user, filing=filing, action="notify"):
        return actions
    if filing.status in COMPENSABLE and filing.approved_at is not None and not notice_sent:
        actions.append("notify")
    if filing.status in UNDELIVERED:
        actions.append("deliver")
    if (filing.status in COMPENSABLE and not filing.compensation_kind
            and delay_may_compensate(user=user, filing=filing)):
        actions.append("compensate")
    return actions


def delay_timeline(*, filing: DelayFiling) -> QuerySet[DelayEvent]:
    return (
        DelayEvent.objects.filter(filing=filing)
        .select_related("actor", "actor__staff_profile")
        .order_by("at", "id")
    )
