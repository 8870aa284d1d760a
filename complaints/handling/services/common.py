"""What every complaint step shares: the stored complaint read and locked, the guard (role
and place → 403, version → 409, state → 400 on `state`), the claim with its timeline row,
and the notifications.

A step claims the complaint with one conditional UPDATE on the state it read (and the
version the caller read, when given), bumps the version and writes its `complaint_step`
row on the case's timeline in the same transaction (`servicedesk.steps.step_take`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints.handling.models import Complaint
from complaints.handling.selectors import (
    CLOSE,
    DISPATCH,
    ESCALATE,
    FOLLOW_UP,
    INTERIM,
    PROPOSE,
    REGRADE,
    RESOLVE,
    STEP_FROM,
    VERDICT,
    complaint_is_visible_to,
    step_permitted,
)
from servicedesk.errors import StaleVersion, StepRefused
from servicedesk.notification_services import NoteRow, notifications_write
from servicedesk.steps import step_take
from servicedesk.types import StrOrPromise, User
from tickets.cases.models import Case, CaseEvent

# Why a step is refused in the complaint's state (400 on `state`).
REFUSED: dict[str, StrOrPromise] = {
    DISPATCH: _("Only a complaint waiting for dispatch can be dispatched."),
    VERDICT: _("Only a complaint with its department, waiting for the verdict, can be "
               "judged valid or invalid."),
    PROPOSE: _("A proposal follows the department's verdict, or the escalation to the "
               "general manager."),
    ESCALATE: _("Only a complaint with a verdict or an accepted proposal can be escalated."),
    INTERIM: _("An interim result is recorded while the complaint is being handled."),
    RESOLVE: _("Only a complaint whose proposal the customer accepted can be resolved."),
    FOLLOW_UP: _("The follow-up call comes once the customer accepted a proposal."),
    CLOSE: _("Only a followed-up complaint, or one whose customer said at the follow-up "
             "that they are satisfied, can be closed."),
    REGRADE: _("A closed complaint cannot be re-graded."),
}
FORBIDDEN: dict[str, StrOrPromise] = {
    DISPATCH: _("Only the intake staff of the complaint's department, or management, "
                "dispatch it."),
    VERDICT: _("Only the handling department's supervisor, manager or head gives the "
               "verdict."),
    PROPOSE: _("Only the handling department's supervisor, manager or head makes a proposal "
               "(after an escalation: the general manager)."),
    ESCALATE: _("Only the handling department's manager or head escalates to the general "
                "manager."),
    INTERIM: _("Only the handling department or the responsible person records results."),
    RESOLVE: _("Only the handling department or the responsible person records results."),
    FOLLOW_UP: _("Only the intake staff of the complaint's department, or management, make "
                 "the follow-up call."),
    CLOSE: _("Only management closes complaints."),
    REGRADE: _("Only supervisors of the complaint's departments, or management, re-grade it."),
}


class ComplaintConflict(StaleVersion):
    """Someone else changed the complaint since the caller read it (its version moved on)."""

    def __init__(self, *, current_version: int | None = None) -> None:
        super().__init__(
            _("This complaint was changed by someone else; reload it and try again."),
            current_version=current_version,
        )


def complaint_locked(complaint: Complaint) -> Complaint:
    """The stored complaint with what the steps read beside it (its case, type and
    handling department), its row locked until the transaction ends (PostgreSQL; SQLite's
    write transaction serialises the steps anyway)."""
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("case", "type", "type__owner_department", "handling_department")
        .get(pk=complaint.pk)
    )


def step_guard(*, current: Complaint, by: User, step: str,
               expected_version: int | None) -> None:
    """Refuse the step, writing nothing: 403 when `by`'s role or place does not allow it
    (or the complaint is not visible to them), 409 when the complaint is no longer at
    `expected_version`, 400 on `state` when its state does not allow it."""
    if not step_permitted(user=by, complaint=current, step=step) or \
            not complaint_is_visible_to(user=by, complaint=current):
        raise PermissionDenied(FORBIDDEN[step])
    if expected_version is not None and current.version != expected_version:
        raise ComplaintConflict(current_version=current.version)
    if current.state not in STEP_FROM[step]:
        raise StepRefused(REFUSED[step], current=current.state, field="state")


def step_claim(
    *,
    current: Complaint,
    by: User,
    step: str,
    expected_version: int | None,
    now: dt.datetime,
    values: dict[str, Any],
    data: dict[str, Any] | None = None,
    reason: str = "",
    event: bool = True,
) -> None:
    """Write `values` (and a bumped version) if the complaint is still in the state
    `current` was read in (and at `expected_version`, when given), with the step's
    `complaint_step` row on the case's timeline (`data`: {"step": step, **data}); else
    nothing, and 409 or 400 on `state` as things stand now."""
    expect: dict[str, Any] = {"state": current.state}
    if expected_version is not None:
        expect["version"] = expected_version

    def refusal(_state: Any) -> Exception:
        row = Complaint.objects.filter(pk=current.pk).values("state", "version").first()
        if row is not None and expected_version is not None \
                and row["version"] != expected_version:
            return ComplaintConflict(current_version=row["version"])
        return StepRefused(REFUSED[step], current=row["state"] if row else None,
                           field="state")

    events = [
        CaseEvent(case_id=current.case_id, at=now, actor=by, kind=CaseEvent.Kind.COMPLAINT_STEP,
                  data={"step": step, **(data or {})}, reason=reason)
    ] if event else []
    step_take(model=Complaint, pk=current.pk, expect=expect,
              values={**values, "version": F("version") + 1, "updated_at": now},
              events=events, state="state", refusal=refusal)


def case_now(current: Complaint) -> Case:
    """The complaint's case as stored now (its version for the case services)."""
    return Case.objects.get(pk=current.case_id)


def complaint_fresh(complaint: Complaint) -> Complaint:
    """The complaint as stored now, with its case (what every step returns)."""
    return Complaint.objects.select_related("case", "type", "handling_department").get(
        pk=complaint.pk)


def notify(
    *,
    recipients: Iterable[int],
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    now: dt.datetime,
) -> None:
    """One notification to each recipient under `key` (a recipient who has it already
    gets nothing more), pushed in one digest each (delivered by the next delivery run)."""
    rows = [NoteRow(recipient_id=recipient, key=key, at=now, title=title[:200], body=body,
                    url=url, urgent=urgent, push=True)
            for recipient in dict.fromkeys(recipients)]
    notifications_write(rows, run=uuid.uuid4().hex, now=now)


def in_site_language(message: StrOrPromise, values: dict[str, Any]) -> str:
    """`message % values` in the site's language: notifications are stored text, read later
    by people whatever language the request that caused them was in."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values
