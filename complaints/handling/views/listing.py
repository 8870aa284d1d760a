"""The complaint list: what this user may see (`complaints_visible_to`), filtered as the
API's list is (`ComplaintFilter`: grade, state, handling department, type, source, overdue,
repeat), newest first, a page at a time, each row with its case's live clock.

A fixed number of queries whatever the rows: the page of complaints with everything a row
shows (one query; one row more tells whether a next page follows, so no COUNT over every
complaint), their cases' next warning instants (one), and the filter's choices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from complaints.handling.api import ComplaintFilter
from complaints.handling.models import Complaint, ComplaintType, Grade, Source, State
from complaints.handling.selectors import complaints_visible_to, with_overdue
from servicedesk.api.filtering import filterset_apply
from servicedesk.models import Department
from servicedesk.presenters import personal_data_for
from tickets.cases.models import Case
from tickets.sla.selectors import SlaClock, case_sla_clock, with_sla_warn_at

PER_PAGE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    phone: str  # the customer's, masked for a viewer without the personal-data permission
    clock: SlaClock


def complaint_rows(queryset: QuerySet[Complaint], *, user: Any, now: dt.datetime,
                   offset: int, limit: int) -> tuple[list[ComplaintRow], bool]:
    """One page of the (scoped, filtered) complaints and whether another page follows."""
    complaints = list(
        queryset.select_related("case", "customer", "type", "handling_department",
                                "repeat_of__case")
        .order_by("-filed_at", "-id")[offset:offset + limit + 1]
    )
    has_next = len(complaints) > limit
    complaints = complaints[:limit]
    warn_at = {
        case.pk: case.sla_warn_at  # type: ignore[attr-defined]  # with_sla_warn_at's
        for case in with_sla_warn_at(
            Case.objects.filter(pk__in=[c.case_id for c in complaints]).only("pk"))
    } if complaints else {}
    shown = personal_data_for(user)
    rows = []
    for complaint in complaints:
        case = complaint.case
        case.sla_warn_at = warn_at.get(case.pk)  # type: ignore[attr-defined]
        rows.append(ComplaintRow(complaint=complaint,
                                 phone=shown.phone(complaint.customer.phone),
                                 clock=case_sla_clock(case, now=now)))
    return rows, has_next


def _page_number(text: str | None) -> int:
    """A page number from 1 (anything else: the first page)."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def _choices(request: HttpRequest) -> dict[str, Any]:
    """The filter form's options, each marked as chosen by the query string."""
    def options(name: str, pairs: Any) -> list[dict[str, Any]]:
        chosen = set(request.GET.getlist(name))
        return [{"value": str(value), "label": label, "chosen": str(value) in chosen}
                for value, label in pairs]

    return {
        "grade": options("grade", Grade.choices),
        "state": options("state", State.choices),
        "source": options("source", Source.choices),
        "department": options("department", Department.objects.order_by("name")
                              .values_list("pk", "name")),
        "type": options("type", ComplaintType.objects.order_by("ordering", "name")
                        .values_list("pk", "name")),
        "overdue": request.GET.get("overdue", ""),
        "repeat": request.GET.get("repeat", ""),
    }


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    queryset, filterset = filterset_apply(
        ComplaintFilter, request, with_overdue(complaints_visible_to(user=request.user),
                                               now=now))
    page = _page_number(request.GET.get("page"))
    rows: list[ComplaintRow] = []
    has_next = False
    if queryset is not None:
        rows, has_next = complaint_rows(queryset, user=request.user, now=now,
                                        offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "complaints/list.html", {
        "filter": filterset, "choices": _choices(request), "rows": rows, "page": page,
        "has_next": has_next, "query": query.urlencode(),
        "can_file": request.user.has_perm("complaints.add_complaint"),
    }, status=200 if queryset is not None else 400)
