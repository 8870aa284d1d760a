"""Use cases of the tickets app that write: cases (工单).

Every service validates first (field errors, nothing written), then changes the case with a
conditional UPDATE on its `version` and writes the timeline row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.counters import counter_next
from servicedesk.errors import FieldErrors, StaleVersion, validated
from servicedesk.models import Department, Team
from servicedesk.models.events import change_data
from servicedesk.roles import Role
from servicedesk.selectors import staff_profile_of
from servicedesk.steps import step_take
from servicedesk.types import User
from servicedesk.validation import (
    LINE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    appointment_clean,
    text_clean,
)
from tickets.cases.models import Case, CaseCategory, CaseEvent, CaseNumberCounter
from tickets.cases.selectors import case_owner, is_assignable
from tickets.customers.models import Customer
from tickets.sla.models import TimerKind
from tickets.sla.services import (
    cases_sla_refresh,
    timers_pause,
    timers_replace,
    timers_resume,
    timers_start,
    timers_stop,
)

Status = Case.Status

# from-status → the statuses a case may move to.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_CUSTOMER, Status.RESOLVED}),
    Status.WAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}
REOPEN_FROM = frozenset({Status.RESOLVED, Status.CLOSED})
REASON_NEEDED_FROM = frozenset({Status.CLOSED})

# The grade is not edited here: a complaint is graded by the complaints app, through
# `case_regrade`.
CASE_EDITABLE_FIELDS = frozenset(
    {"subject", "description", "category", "assignee", "team", "promised_callback_at"}
)
# The desks a case may be restricted to (Case.desk): seen only by that desk, supervisors
# and above.
CASE_DESKS = frozenset({Role.PUBLIC_OPINION, Role.MAJOR_SAFETY})
_ASSIGNMENT_FIELDS = frozenset({"assignee", "team"})


class CaseConflict(StaleVersion):
    """Someone else changed the case since the caller read it (its version moved on)."""

    def __init__(self, *, current_version: int | None = None) -> None:
        super().__init__(
            _("This case was changed by someone else; reload it and try again."),
            current_version=current_version,
        )


@transaction.atomic(savepoint=False)
def case_number_allocate(*, now: dt.datetime | None = None) -> str:
    """The next case number of the day of `now` (Beijing time): K2026112300001, ….

    See `counter_next`: concurrent callers queue up; a rollback gives the number back."""
    day = timezone.localtime(now or timezone.now()).strftime("%Y%m%d")
    return f"K{day}{counter_next(model=CaseNumberCounter, day=day):05d}"


def _check_category(errors: FieldErrors, *, kind: str, category: CaseCategory | None) -> None:
    if category is None:
        errors.add("category", _("Choose a category."))
    elif category.kind != kind:
        errors.add("category", _("This category belongs to another kind of case."))
    elif not category.active:
        errors.add("category", _("This category is no longer in use."))


def _check_grade(errors: FieldErrors, *, kind: str, grade: str) -> None:
    if grade and kind != Case.Kind.COMPLAINT:
        errors.add("grade", _("Only complaints are graded."))
    elif grade and grade not in Case.Grade.values:
        errors.add("grade", _("Choose a grade from A to D."))


def _check_assignee(errors: FieldErrors, *, case: Case, assignee: User | None) -> None:
    """Only someone who may see and work the case (`assignable_staff`) can be given it."""
    if assignee is not None and case.department_id is not None and not is_assignable(
            case, assignee):
        errors.add("assignee", _("This person cannot see or work on this case: choose "
                                 "someone of its department or of management."))


def _json_value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@transaction.atomic
def case_open(
    *,
    customer: Customer,
    kind: str,
    category: CaseCategory,
    subject: str,
    description: str = "",
    by: User,
    assignee: User | None = None,
    team: Team | None = None,
    department: Department | None = None,
    promised_callback_at: dt.datetime | None = None,
    grade: str = "",
    desk: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Open a case for a customer. Whoever opens it is its first-contact owner (首问), and
    it belongs to the opener's department unless another one is given. A `desk` (public
    opinion, major safety) restricts it from birth to that desk, supervisors and above."""
    now = now or timezone.now()
    errors = FieldErrors()
    subject = text_clean(errors, "subject", subject, max_length=LINE_MAX_LENGTH,
                         single_line=True, required=_("Enter a subject."))
    description = text_clean(errors, "description", description)
    if promised_callback_at is not None:
        promised_callback_at = appointment_clean(
            errors, "promised_callback_at", promised_callback_at, now=now)
    if kind not in Case.Kind.values:
        errors.add("kind", _("Choose the kind of case."))
    else:
        _check_category(errors, kind=kind, category=category)
        _check_grade(errors, kind=kind, grade=grade)
    if desk and desk not in CASE_DESKS:
        errors.add("desk", _("Choose the public-opinion or the major-safety desk."))
    if department is None:
        profile = staff_profile_of(by)
        department = profile.department if profile is not None else None
        if department is None:
            errors.add("department", _("Choose the department that handles the case."))
    if team is not None and department is not None and team.department_id != department.pk:
        errors.add("team", _("This team belongs to another department."))
    if department is not None:
        _check_assignee(errors, case=Case(department=department), assignee=assignee)
    errors.raise_if_any()
    department = validated(department)

    case = Case.objects.create(
        number=case_number_allocate(now=now),
        kind=kind,
        category=category,
        customer=customer,
        subject=subject,
        description=description,
        status=Status.NEW,
        grade=grade,
        assignee=assignee,
        team=team,
        department=department,
        first_contact_owner=by,
        promised_callback_at=promised_callback_at,
        opened_at=now,
        desk=desk,
        created_by=by,
    )
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=by,
        kind=CaseEvent.Kind.OPENED,
        data=change_data(
            "", Status.NEW,
            category=category.pk,
            assignee=_json_value(assignee),
            team=_json_value(team),
            department=department.pk,
            grade=grade,
            **({"desk": desk} if desk else {}),
        ),
    )
    if timers_start(case=case, now=now):
        cases_sla_refresh([case.pk])
        case.refresh_from_db(fields=["sla_state", "sla_due_at"])
    return case


def _step(
    *, case: Case, expected_version: int, now: dt.datetime, events: list[CaseEvent],
    **values: Any,
) -> None:
    """Write `values` and the timeline rows `events` (at `now`) only if nobody changed the
    case since `expected_version`; else CaseConflict with the version it has now."""
    for event in events:
        event.case = case
        event.at = now
    step_take(
        model=Case, pk=case.pk, expect={"version": expected_version},
        values={**values, "updated_at": now, "version": F("version") + 1},
        events=events, state="version",
        refusal=lambda version: CaseConflict(current_version=version),
    )


def _current(*, case: Case, expected_version: int) -> Case:
    """The stored case, if it is still at `expected_version`."""
    current = Case.objects.get(pk=case.pk)
    if current.version != expected_version:
        raise CaseConflict(current_version=current.version)
    return current


def _flow_guard(*, case: Case, flow: str, field: str) -> None:
    """A case that another app's flow owns (a complaint's case) moves only through that
    flow, whose services pass their `flow` name: a step taken on the case directly is
    refused with a field error that points to the flow's page."""
    owner = case_owner(case.pk)
    if owner is not None and owner.flow != flow:
        raise ValidationError({field: [owner.refusal]})


def _refresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_status: str,
    by: User,
    reason: str = "",
    expected_version: int,
    now: dt.datetime | None = None,
    flow: str = "",
) -> Case:
    """Move a case along its lifecycle. Reopening a closed case needs a reason. A case
    another app's flow owns moves only through it (`flow`: the name that flow's services
    pass; see `servicedesk.registry.CaseFlow`)."""
    now = now or timezone.now()
    _flow_guard(case=case, flow=flow, field="status")
    current = _current(case=case, expected_version=expected_version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    errors.raise_if_any()
    from_status = current.status
    if to_status not in CASE_TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            {
                "status": [
                    _("A case cannot go from “%(from)s” to “%(to)s”.")
                    % {
                        "from": Status(from_status).label,
                        "to": Status(to_status).label
                        if to_status in Status.values
                        else to_status,
                    }
                ]
            }
        )
    if from_status in REASON_NEEDED_FROM and not reason:
        raise ValidationError({"reason": [_("Give a reason for reopening a closed case.")]})

    reopening = from_status in REOPEN_FROM and to_status not in REOPEN_FROM
    values: dict[str, Any] = {"status": to_status}
    if to_status == Status.RESOLVED:
        values["resolved_at"] = now
    elif to_status == Status.CLOSED:
        values["closed_at"] = now
    elif reopening:
        values.update(resolved_at=None, closed_at=None)
    _step(case=case, expected_version=expected_version, now=now, **values, events=[
        CaseEvent(actor=by,
                  kind=CaseEvent.Kind.REOPENED if reopening else CaseEvent.Kind.STATUS_CHANGED,
                  data=change_data(from_status, to_status), reason=reason),
    ])
    _timers_follow_status(case=current, from_status=from_status, to_status=to_status, now=now)
    return _refresh(case)


def _timers_follow_status(
    *, case: Case, from_status: str, to_status: str, now: dt.datetime
) -> None:
    """The SLA clock follows the status: leaving "new" is the acceptance; waiting for the
    customer pauses and answering resumes; resolving meets feedback and resolution; a
    reopened case gets a new resolution clock."""
    if from_status == Status.NEW:
        timers_stop(case=case, kinds=[TimerKind.ACCEPTANCE], now=now)
    if from_status == Status.WAITING_CUSTOMER:
        timers_resume(case=case, now=now)
    if to_status == Status.WAITING_CUSTOMER:
        timers_pause(case=case, now=now)
    elif to_status == Status.RESOLVED:
        timers_stop(case=case, kinds=[TimerKind.FEEDBACK, TimerKind.RESOLUTION], now=now)
    elif from_status in REOPEN_FROM and to_status not in REOPEN_FROM:
        timers_start(case=case, now=now, kinds=[TimerKind.RESOLUTION])
    cases_sla_refresh([case.pk])


@transaction.atomic
def case_feedback_record(
    *, case: Case, by: User, note: str, expected_version: int, now: dt.datetime | None = None,
    flow: str = "",
) -> Case:
    """The customer was told how their case stands (the complaint's feedback step): on the
    timeline, and the feedback clock is met. Like `case_transition`, only through the flow
    that owns the case, if one does."""
    now = now or timezone.now()
    _flow_guard(case=case, flow=flow, field="note")
    current = _current(case=case, expected_version=expected_version)
    errors = FieldErrors()
    note = text_clean(errors, "note", note, max_length=NOTE_MAX_LENGTH,
                      required=_("Write down what the customer was told."))
    errors.raise_if_any()
    if current.status not in Case.OPEN_STATUSES:
        raise ValidationError({"note": [_("The case is no longer open.")]})
    _step(case=case, expected_version=expected_version, now=now, events=[
        CaseEvent(actor=by, kind=CaseEvent.Kind.FEEDBACK, reason=note),
    ])
    timers_stop(case=current, kinds=[TimerKind.FEEDBACK], now=now)
    cases_sla_refresh([case.pk])
    return _refresh(case)


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: User,
    expected_version: int,
    reason: str = "",
    now: dt.datetime | None = None,
    **fields: Any,
) -> Case:
    """Change a case's subject, description, category, assignee, team or promised
    call-back. The kind, the number, the first-contact owner and the grade (a complaint's:
    `case_regrade`) never change here."""
    unknown = set(fields) - CASE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"case_update() cannot change {sorted(unknown)}")
    now = now or timezone.now()
    current = _current(case=case, expected_version=expected_version)

    cleaned = dict(fields)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    if "subject" in cleaned:
        cleaned["subject"] = text_clean(
            errors, "subject", cleaned["subject"], max_length=LINE_MAX_LENGTH,
            single_line=True, required=_("Enter a subject."))
    if "description" in cleaned:
        cleaned["description"] = text_clean(errors, "description", cleaned["description"])
    if cleaned.get("promised_callback_at") is not None and (
        cleaned["promised_callback_at"] != current.promised_callback_at
    ):  # a new promise; one made earlier is not judged again
        appointment_clean(errors, "promised_callback_at", cleaned["promised_callback_at"],
                          now=now)
    if "category" in cleaned:
        _check_category(errors, kind=current.kind, category=cleaned["category"])
    team = cleaned.get("team")
    if team is not None and team.department_id != current.department_id:
        errors.add("team", _("This team belongs to another department."))
    assignee = cleaned.get("assignee")
    if assignee is not None and assignee.pk != current.assignee_id:
        _check_assignee(errors, case=current, assignee=assignee)
    errors.raise_if_any()

    def stored(field: str) -> Any:
        if field in {"category", "assignee", "team"}:
            return getattr(current, f"{field}_id")
        return getattr(current, field)

    def comparable(value: Any) -> Any:
        return value.pk if isinstance(value, Model) else value

    changes = {
        field: [_json_value(stored(field)), _json_value(value)]
        for field, value in cleaned.items()
        if stored(field) != comparable(value)
    }
    if not changes:
        return case
    changed_fields = set(changes)
    events = []
    assignment = {f: changes.pop(f) for f in _ASSIGNMENT_FIELDS & changes.keys()}
    if assignment:
        events.append(
            CaseEvent(actor=by, kind=CaseEvent.Kind.ASSIGNED, data=assignment, reason=reason)
        )
    if changes:
        events.append(
            CaseEvent(actor=by, kind=CaseEvent.Kind.EDITED, data=changes, reason=reason)
        )
    _step(
        case=case,
        expected_version=expected_version,
        now=now,
        events=events,
        **{field: cleaned[field] for field in cleaned if field in changed_fields},
    )
    if "category" in changed_fields:
        current.category = cleaned["category"]
        _deadlines_follow(case=current, by=by, reason=reason, now=now)
    return _refresh(case)


def _deadlines_follow(*, case: Case, by: User, reason: str, now: dt.datetime) -> None:
    """The case's grade or category changed (`case` carries the new values): its live
    clocks are replaced by those of the policy that applies now (`timers_replace`), an SLA
    row on the timeline says how each deadline moved, and the case's SLA summary follows."""
    deadline_changes = timers_replace(case=case, now=now)
    if deadline_changes:
        CaseEvent.objects.create(
            case=case, at=now, actor=by, kind=CaseEvent.Kind.SLA,
            data={"deadlines": [c.as_json() for c in deadline_changes]}, reason=reason,
        )
    cases_sla_refresh([case.pk])


@transaction.atomic
def case_regrade(
    *,
    case: Case,
    grade: str,
    by: User,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Give a complaint case another grade (A–D) with a reason: a "graded" row on the
    timeline, and its clocks follow the policy of the new grade (`_deadlines_follow`: the
    original start and the business time used are kept). Who may grade, and why, is the
    complaints app's decision; `expected_version` None takes the case as it is now (the
    write is still conditional on that version)."""
    now = now or timezone.now()
    current = Case.objects.get(pk=case.pk)
    if expected_version is None:
        expected_version = current.version
    elif current.version != expected_version:
        raise CaseConflict(current_version=current.version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("A grade change needs a reason."))
    if current.kind != Case.Kind.COMPLAINT:
        errors.add("grade", _("Only complaints are graded."))
    elif grade not in Case.Grade.values:
        errors.add("grade", _("Choose a grade from A to D."))
    elif grade == current.grade:
        errors.add("grade", _("The case has this grade already."))
    errors.raise_if_any()
    _step(case=case, expected_version=expected_version, now=now, grade=grade, events=[
        CaseEvent(actor=by, kind=CaseEvent.Kind.GRADED, data=change_data(current.grade, grade),
                  reason=reason),
    ])
    current.grade = grade
    _deadlines_follow(case=current, by=by, reason=reason, now=now)
    return _refresh(case)


@transaction.atomic
def case_hand_over(
    *,
    case: Case,
    department: Department,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Pass the case to a business department for handling (a complaint's dispatch): its
    staff see and work the case beside the case's own department
    (`Case.handling_department`). An "assigned" row on the timeline keeps the old and new
    handling department; `expected_version` None takes the case as it is now."""
    now = now or timezone.now()
    current = Case.objects.get(pk=case.pk)
    if expected_version is None:
        expected_version = current.version
    elif current.version != expected_version:
        raise CaseConflict(current_version=current.version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    if current.status not in Case.OPEN_STATUSES:
        errors.add("department", _("The case is no longer open."))
    errors.raise_if_any()
    if current.handling_department_id == department.pk:
        return _refresh(case)
    _step(case=case, expected_version=expected_version, now=now,
          handling_department=department, events=[
              CaseEvent(actor=by, kind=CaseEvent.Kind.ASSIGNED, reason=reason,
                        data={"handling_department": [current.handling_department_id,
                                                      department.pk]}),
          ])
    return _refresh(case)
