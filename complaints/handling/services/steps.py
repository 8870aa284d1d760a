"""The handling flow of seed 002 (投诉处理 → 跟踪 → 结案), one service per step, and the
re-grade. Each step: who and where (403), the version read (409), the state (400 on
`state`), its own fields (400), then the claim with its timeline row, the records it
adds (proposal, follow-up, grading decision) and the case following through the tickets
services (`case_hand_over`, `case_transition`, `case_feedback_record`, `case_regrade`) —
all in one transaction. Who may take which step: `complaints.handling.selectors`.

The steps that change what the complaint is charged bring the penalty ledger in line in
that same transaction (`complaints.penalties.services.charges_sync`, idempotent): the
dispatch (acceptance stops its clock, so a late acceptance's charge becomes final), the
verdict (the person responsible is named: a late resolution clock charges late
completion), the re-grade (the clocks follow the grade), the final result (the resolution
clock stops) and the closure (the grade fine and the economic loss)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.handling.grading import Criteria
from complaints.handling.models import (
    SUGGESTIBLE_GRADES,
    Complaint,
    FollowUp,
    Grade,
    GradeRecord,
    Proposal,
    ProposalResponse,
    Satisfaction,
    State,
    Verdict,
)
from complaints.handling.selectors import (
    CASE_FLOW,
    CLOSE,
    CLOSE_WHEN_SATISFIED,
    DISPATCH,
    ESCALATE,
    FOLLOW_UP,
    INTERIM,
    PROPOSE,
    REGRADE,
    RESOLVE,
    SATISFIED,
    VERDICT,
    general_managers,
    handling_department_deciders,
    is_member_of,
)
from complaints.handling.services.common import (
    REFUSED,
    case_now,
    complaint_fresh,
    complaint_locked,
    in_site_language,
    notify,
    step_claim,
    step_guard,
)
from complaints.penalties.services import charges_sync
from servicedesk.errors import FieldErrors, StepRefused, validated
from servicedesk.models import Department
from servicedesk.types import User
from servicedesk.validation import (
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    appointment_clean,
    event_time_clean,
    text_clean,
)
from tickets.cases.models import Case
from tickets.cases.services import (
    case_feedback_record,
    case_hand_over,
    case_regrade,
    case_transition,
)

CaseStatus = Case.Status


def _ledger_follow(current: Complaint, *, now: dt.datetime) -> None:
    """The penalty ledger says what the complaint's facts charge now (in the step's
    transaction; a step retried or refused changes nothing there)."""
    charges_sync(complaint_ids=[current.pk], now=now)


def _criteria_json(complaint: Complaint) -> dict[str, str]:
    return Criteria(procedure=complaint.procedure, emotion=complaint.emotion,
                    loss_yuan=complaint.loss_yuan, impact=complaint.impact).as_json()


def _case_to(current: Complaint, *, to_status: str, by: User, now: dt.datetime,
             reason: str = "") -> None:
    """Move the complaint's case to `to_status` unless it is there already."""
    case = case_now(current)
    if case.status != to_status:
        case_transition(case=case, to_status=to_status, by=by, reason=reason,
                        expected_version=case.version, now=now, flow=CASE_FLOW)


# --- re-grade ---------------------------------------------------------------------------------


@transaction.atomic
def complaint_regrade(
    *, complaint: Complaint, grade: str, reason: str, by: User, expected_version: int | None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Another grade (A–C) with a reason, by a supervisor of the case's or the handling
    department or by management: a grading decision on the record, and the case re-graded
    with its clocks (`case_regrade`). D comes only from the "invalid" verdict, and an
    invalid complaint stays a D."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=REGRADE, expected_version=expected_version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("Give the reason for the new grade."))
    if current.verdict == Verdict.INVALID:
        errors.add("grade", _("The department judged this complaint invalid: it stays a D."))
    elif grade == Grade.D:
        errors.add("grade", _("D is given only when the handling department judges the "
                              "complaint invalid."))
    elif grade not in SUGGESTIBLE_GRADES:
        errors.add("grade", _("Choose a grade from A to C."))
    elif grade == current.grade:
        errors.add("grade", _("The complaint has this grade already."))
    errors.raise_if_any()
    step_claim(current=current, by=by, step=REGRADE, expected_version=expected_version,
               now=now, values={"grade": grade, "grade_reason": reason}, event=False)
    GradeRecord.objects.create(
        complaint=current, kind=GradeRecord.Kind.REGRADE, at=now, by=by,
        criteria=_criteria_json(current), suggested_grade=current.suggested_grade,
        previous_grade=current.grade, grade=grade, reason=reason,
    )
    case_regrade(case=case_now(current), grade=grade, by=by, reason=reason, now=now)
    _ledger_follow(current, now=now)
    return complaint_fresh(current)


# --- dispatch: the center's acceptance (受理 → 传递) --------------------------------------------


@transaction.atomic
def complaint_dispatch(
    *, complaint: Complaint, by: User, expected_version: int | None,
    department: Department | None = None, reason: str = "", now: dt.datetime | None = None,
) -> Complaint:
    """Accept the complaint and pass it to its handling department: the type's owner
    department unless another one is chosen with a reason. The case gets its handling
    department and moves to "in progress" (the acceptance clock is met)."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=DISPATCH, expected_version=expected_version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    default = current.type.owner_department
    chosen = department or default
    if chosen is None:
        errors.add("department", _("Choose the department that handles the complaint (its "
                                   "type names none)."))
    elif default is not None and chosen.pk != default.pk and not reason:
        errors.add("reason", _("Give the reason for passing it to another department than "
                               "%(department)s.") % {"department": default.name})
    errors.raise_if_any()
    chosen = validated(chosen)
    step_claim(current=current, by=by, step=DISPATCH, expected_version=expected_version,
               now=now, reason=reason,
               values={"state": State.DISPATCHED, "handling_department": chosen,
                       "dispatched_at": now},
               data={"department": chosen.pk,
                     "default_department": default.pk if default is not None else None})
    case_hand_over(case=case_now(current), department=chosen, by=by, reason=reason, now=now)
    if case_now(current).status == CaseStatus.NEW:
        _case_to(current, to_status=CaseStatus.IN_PROGRESS, by=by, now=now)
    _ledger_follow(current, now=now)
    return complaint_fresh(current)


# --- the department's verdict -------------------------------------------------------------------


@transaction.atomic
def complaint_verdict(
    *, complaint: Complaint, by: User, expected_version: int | None, verdict: str,
    responsible: User | None, fix: str, reason: str = "", repeat_by_neglect: bool = False,
    now: dt.datetime | None = None,
) -> Complaint:
    """The handling department's verdict: valid or invalid (invalid: graded D, and still
    answered politely — `fix` is then the explanation given to the customer), the
    responsible person (a member of the department) and the improvement measures.
    `repeat_by_neglect`: this repeat complaint was caused by neglect of the first."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=VERDICT, expected_version=expected_version)
    errors = FieldErrors()
    if verdict not in Verdict.values:
        errors.add("verdict", _("Choose valid or invalid."))
    if responsible is None or not is_member_of(user=responsible,
                                               department_id=current.handling_department_id):
        errors.add("responsible", _("Name the responsible person: an active member of the "
                                    "handling department."))
    fix = text_clean(errors, "fix", fix, max_length=TEXT_MAX_LENGTH, required=_(
        "Write down the improvement measures (for an invalid complaint: the explanation "
        "given to the customer)."))
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    if repeat_by_neglect and current.repeat_of_id is None:
        errors.add("repeat_by_neglect", _("Only a repeat complaint can be caused by neglect "
                                          "of the first one."))
    errors.raise_if_any()
    responsible = validated(responsible)
    invalid = verdict == Verdict.INVALID
    values: dict[str, Any] = {"state": State.ASSESSED, "verdict": verdict,
                              "responsible": responsible, "fix": fix, "verdict_at": now,
                              "repeat_by_neglect": repeat_by_neglect}
    grade_reason = reason or fix
    if invalid:
        values.update(grade=Grade.D, grade_reason=grade_reason)
    step_claim(current=current, by=by, step=VERDICT, expected_version=expected_version,
               now=now, values=values, reason=reason,
               data={"verdict": verdict, "responsible": responsible.pk, "fix": fix,
                     "repeat_by_neglect": repeat_by_neglect})
    if invalid and current.grade != Grade.D:
        GradeRecord.objects.create(
            complaint=current, kind=GradeRecord.Kind.VERDICT, at=now, by=by,
            criteria=_criteria_json(current), suggested_grade=current.suggested_grade,
            previous_grade=current.grade, grade=Grade.D, reason=grade_reason,
        )
        case_regrade(case=case_now(current), grade=Grade.D, by=by, reason=grade_reason,
                     now=now)
    _ledger_follow(current, now=now)
    return complaint_fresh(current)


# --- the proposal told to the customer ----------------------------------------------------------


@transaction.atomic
def complaint_propose(
    *, complaint: Complaint, by: User, expected_version: int | None, text: str, response: str,
    fix_by: dt.datetime | None = None, response_note: str = "", now: dt.datetime | None = None,
) -> Complaint:
    """The proposal told to the customer and their answer. Accepted: the fix is under way
    (proposed); rejected: a new proposal is needed (the state stays). After an escalation
    the general manager's proposal is the final one. Telling the customer meets the
    feedback clock (`case_feedback_record`)."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=PROPOSE, expected_version=expected_version)
    errors = FieldErrors()
    text = text_clean(errors, "text", text, max_length=NOTE_MAX_LENGTH,
                      required=_("Write down the proposal told to the customer."))
    if response not in (ProposalResponse.ACCEPTED, ProposalResponse.REJECTED):
        errors.add("response", _("Say whether the customer accepted the proposal."))
    if fix_by is not None:
        fix_by = appointment_clean(errors, "fix_by", fix_by, now=now)
    response_note = text_clean(errors, "response_note", response_note,
                               max_length=NOTE_MAX_LENGTH)
    errors.raise_if_any()
    final = current.state == State.ESCALATED
    accepted = response == ProposalResponse.ACCEPTED
    proposal = Proposal.objects.create(
        complaint=current, at=now, by=by, text=text, fix_by=fix_by, final=final,
        response=response, response_note=response_note,
    )
    step_claim(current=current, by=by, step=PROPOSE, expected_version=expected_version,
               now=now, reason=text,
               values={"state": State.PROPOSED if accepted else current.state},
               data={"proposal": proposal.pk, "response": response, "final": final,
                     "fix_by": fix_by.isoformat() if fix_by else None,
                     "response_note": response_note})
    case = case_now(current)
    case_feedback_record(case=case, by=by, note=text, expected_version=case.version, now=now,
                         flow=CASE_FLOW)
    return complaint_fresh(current)


# --- escalation to the general manager ----------------------------------------------------------


@transaction.atomic
def complaint_escalate(
    *, complaint: Complaint, by: User, expected_version: int | None, reason: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """A department manager who cannot settle the complaint escalates it to the general
    manager (told at once), whose final proposal follows."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=ESCALATE, expected_version=expected_version)
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("Say why the department cannot settle it."))
    errors.raise_if_any()
    step_claim(current=current, by=by, step=ESCALATE, expected_version=expected_version,
               now=now, reason=reason, values={"state": State.ESCALATED, "escalated_at": now})
    notify(recipients=general_managers().values_list("pk", flat=True),
           key=f"complaint:escalated:{current.pk}:{current.version}", urgent=True,
           title=in_site_language(_("Complaint %(number)s escalated to you"),
                                  {"number": current.case.number}),
           body=reason, url=current.get_absolute_url(), now=now)
    return complaint_fresh(current)


# --- interim and final results ----------------------------------------------------------------


@transaction.atomic
def complaint_interim(
    *, complaint: Complaint, by: User, expected_version: int | None, text: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """The interim result (中间结果) of a complaint that cannot be finished in time; the
    state stays."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=INTERIM, expected_version=expected_version)
    errors = FieldErrors()
    text = text_clean(errors, "text", text, max_length=TEXT_MAX_LENGTH,
                      required=_("Write down the interim result."))
    errors.raise_if_any()
    step_claim(current=current, by=by, step=INTERIM, expected_version=expected_version,
               now=now, reason=text, values={"interim_result": text, "interim_at": now})
    return complaint_fresh(current)


@transaction.atomic
def complaint_resolve(
    *, complaint: Complaint, by: User, expected_version: int | None, final_result: str,
    handed_in_at: dt.datetime | None = None, now: dt.datetime | None = None,
) -> Complaint:
    """The final result and its hand-in time (交单时间; now by default, never in the
    future). The case is resolved; a customer who already said they are satisfied at the
    follow-up makes it followed up at once."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=RESOLVE, expected_version=expected_version)
    errors = FieldErrors()
    final_result = text_clean(errors, "final_result", final_result, max_length=TEXT_MAX_LENGTH,
                              required=_("Write down the final result."))
    handed_in = event_time_clean(errors, "handed_in_at", handed_in_at or now, now=now)
    if handed_in is not None and handed_in < current.filed_at:
        errors.add("handed_in_at", _("The hand-in time lies before the complaint was filed."))
    errors.raise_if_any()
    to_state = State.FOLLOWED_UP if current.satisfaction in SATISFIED else State.RESOLVED
    step_claim(current=current, by=by, step=RESOLVE, expected_version=expected_version,
               now=now, reason=final_result,
               values={"state": to_state, "final_result": final_result,
                       "handed_in_at": handed_in},
               data={"handed_in_at": validated(handed_in).isoformat(), "to": to_state})
    _case_to(current, to_status=CaseStatus.RESOLVED, by=by, now=now)
    _ledger_follow(current, now=now)
    return complaint_fresh(current)


# --- the follow-up call -------------------------------------------------------------------------


@transaction.atomic
def complaint_follow_up(
    *, complaint: Complaint, by: User, expected_version: int | None, satisfaction: str,
    note: str = "", now: dt.datetime | None = None,
) -> Complaint:
    """The follow-up call (回访): the customer's satisfaction, told to the handling
    department the same day (its supervisors, managers and the responsible person are
    notified). Satisfied after the final result: followed up. Not satisfied: back to the
    department for a new proposal (a resolved case reopens)."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=FOLLOW_UP, expected_version=expected_version)
    errors = FieldErrors()
    if satisfaction not in Satisfaction.values:
        errors.add("satisfaction", _("Choose satisfied, basically satisfied or not "
                                     "satisfied."))
    note = text_clean(errors, "note", note, max_length=NOTE_MAX_LENGTH)
    errors.raise_if_any()
    satisfied = satisfaction in SATISFIED
    values: dict[str, Any] = {"satisfaction": satisfaction, "followed_up_at": now}
    if satisfied:
        values["state"] = (State.FOLLOWED_UP if current.state != State.PROPOSED
                           else State.PROPOSED)
    else:
        # back for a new proposal; the earlier final result stays on the timeline
        values.update(state=State.ASSESSED, final_result="", handed_in_at=None)
    step_claim(current=current, by=by, step=FOLLOW_UP, expected_version=expected_version,
               now=now, reason=note, values=values,
               data={"satisfaction": satisfaction, "to": values["state"]})
    follow_up = FollowUp.objects.create(complaint=current, at=now, by=by,
                                        satisfaction=satisfaction, note=note,
                                        department_told_at=now)
    reopen = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    if not satisfied and case_now(current).status in reopen:
        _case_to(current, to_status=CaseStatus.IN_PROGRESS, by=by, now=now,
                 reason=note or str(Satisfaction(satisfaction).label))
    recipients = list(handling_department_deciders(current).values_list("pk", flat=True))
    if current.responsible_id is not None:
        recipients.append(current.responsible_id)
    notify(recipients=recipients, key=f"complaint:follow-up:{follow_up.pk}",
           urgent=not satisfied,
           title=in_site_language(_("Follow-up of complaint %(number)s: %(satisfaction)s"),
                                  {"number": current.case.number,
                                   "satisfaction": Satisfaction(satisfaction).label}),
           body=note, url=current.get_absolute_url(), now=now)
    return complaint_fresh(current)


# --- closing ---------------------------------------------------------------------------------


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, by: User, expected_version: int | None, final_result: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """Close the complaint (management): once followed up, or once the customer said at
    the follow-up that they are satisfied and a final result is given here or recorded.
    The case is resolved (if it is not) and closed."""
    now = now or timezone.now()
    current = complaint_locked(complaint)
    step_guard(current=current, by=by, step=CLOSE, expected_version=expected_version)
    if current.state in CLOSE_WHEN_SATISFIED and current.satisfaction not in SATISFIED:
        raise StepRefused(REFUSED[CLOSE], current=current.state, field="state")
    errors = FieldErrors()
    final_result = text_clean(errors, "final_result", final_result, max_length=TEXT_MAX_LENGTH)
    if not final_result and not current.final_result:
        errors.add("final_result", _("Write down the final result."))
    errors.raise_if_any()
    values: dict[str, Any] = {"state": State.CLOSED, "closed_at": now}
    if final_result:
        values["final_result"] = final_result
    if current.handed_in_at is None:
        values["handed_in_at"] = now
    step_claim(current=current, by=by, step=CLOSE, expected_version=expected_version,
               now=now, reason=final_result, values=values)
    if case_now(current).status in Case.OPEN_STATUSES:
        _case_to(current, to_status=CaseStatus.RESOLVED, by=by, now=now)
    _case_to(current, to_status=CaseStatus.CLOSED, by=by, now=now)
    _ledger_follow(current, now=now)
    return complaint_fresh(current)
