"""Use cases of feedback filings (问题与需求、意见与建议报备) and delay filings (延期报备).

Every service validates first (field errors, nothing written), then moves the filing with a
conditional UPDATE on its status (and bumps its `version`), and writes the event row in the
same transaction: of two concurrent steps exactly one finds the status it expects.

A feedback filing becomes a case: `feedback_file` opens it through `case_open` in the same
transaction. Issues and needs are questions the desk answers, so they open a consultation
(咨询); suggestions open a suggestion case (建议). The filing's category is therefore a case
category of that kind.

A delay is told to the customer through `channel_for("customer")`. The notice row is
created with the approval (one per filing, as a filing is approved at most once); each send
claims it with a conditional UPDATE committed before the channel is called, so two clicks or
two workers never send it twice, and every attempt (sent or failed) is recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import FieldErrors, StepRefused, validated
from servicedesk.models import Department
from servicedesk.models.events import change_data
from servicedesk.notifiers import Channel, DeliveryFailed, Message, channel_for
from servicedesk.selectors import staff_profile_of
from servicedesk.steps import state_locked, step_take
from servicedesk.types import StrOrPromise, User
from servicedesk.validation import (
    LINE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    business_date_clean,
    text_clean,
)
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.cases.selectors import is_assignable
from tickets.cases.services import case_open
from tickets.customers.models import Customer
from tickets.filings.models import (
    DelayEvent,
    DelayFiling,
    DelayNotice,
    DelayNoticeAttempt,
    FeedbackEvent,
    FeedbackFiling,
)
from tickets.filings.selectors import (
    COMPENSABLE,
    UNDELIVERED,
    delay_may_approve,
    delay_may_compensate,
    delay_may_review,
)

FeedbackStatus = FeedbackFiling.Status
DelayStatus = DelayFiling.Status

FEEDBACK_CASE_KIND: dict[str, str] = {
    FeedbackFiling.Kind.ISSUE: Case.Kind.CONSULTATION,
    FeedbackFiling.Kind.NEED: Case.Kind.CONSULTATION,
    FeedbackFiling.Kind.SUGGESTION: Case.Kind.SUGGESTION,
}
# A notice claimed this long ago without an outcome (the sender died) may be claimed again.
NOTICE_CLAIM_STALE_AFTER = dt.timedelta(minutes=15)
MAX_COMPENSATION = Decimal("99999999.99")
ORDER_REFERENCE_MAX_LENGTH = 64  # the model's column


def _department_of(by: User, errors: FieldErrors) -> Department | None:
    profile = staff_profile_of(by)
    if profile is None or profile.department_id is None:
        errors.add("filed_by", _("Only staff with a department can file this."))
        return None
    return profile.department


def _required_text(
    errors: FieldErrors, field: str, value: str, message: StrOrPromise, *,
    max_length: int = TEXT_MAX_LENGTH, single_line: bool = False,
) -> str:
    return text_clean(errors, field, value, max_length=max_length, single_line=single_line,
                      required=message)


def _note(errors: FieldErrors, field: str, value: str, message: StrOrPromise | None = None
          ) -> str:
    """A step's note or reason: at most `NOTE_MAX_LENGTH`, required when `message` says so."""
    return text_clean(errors, field, value, max_length=NOTE_MAX_LENGTH, required=message)


def _note_or_refuse(field: str, value: str, message: StrOrPromise | None = None) -> str:
    errors = FieldErrors()
    value = _note(errors, field, value, message)
    errors.raise_if_any()
    return value


# --- feedback filings --------------------------------------------------------------------


@transaction.atomic
def feedback_file(
    *,
    customer: Customer,
    kind: str,
    category: CaseCategory | None,
    description: str,
    by: User,
    now: dt.datetime | None = None,
) -> FeedbackFiling:
    """File what a customer asked, needed or suggested, in the filer's department, and open
    its case (consultation for issues and needs, suggestion for suggestions)."""
    now = now or timezone.now()
    errors = FieldErrors()
    case_kind = FEEDBACK_CASE_KIND.get(kind)
    if case_kind is None:
        errors.add("kind", _("Choose issue, need or suggestion."))
    elif category is None:
        errors.add("category", _("Choose a category."))
    elif category.kind != case_kind:
        errors.add("category", _("This category does not fit this kind of filing."))
    elif not category.active:
        errors.add("category", _("This category is no longer in use."))
    description = _required_text(
        errors, "description", description, _("Describe what the customer raised.")
    )
    department = _department_of(by, errors)
    errors.raise_if_any()
    case_kind, category, department = (
        validated(case_kind), validated(category), validated(department))

    label = FeedbackFiling.Kind(kind).label
    first_line = description.splitlines()[0]
    case = case_open(
        customer=customer,
        kind=case_kind,
        category=category,
        subject=f"{label}: {first_line}"[:LINE_MAX_LENGTH],
        description=description,
        by=by,
        department=department,
        now=now,
    )
    filing = FeedbackFiling.objects.create(
        customer=customer, kind=kind, category=category, description=description, filed_by=by,
        department=department, status=FeedbackStatus.FILED, case=case, filed_at=now,
    )
    FeedbackEvent.objects.create(
        filing=filing, at=now, actor=by, kind=FeedbackEvent.Kind.FILED,
        data=change_data("", FeedbackStatus.FILED),
    )
    return filing


def _feedback_step(
    *,
    filing: FeedbackFiling,
    by: User,
    kind: str,
    allowed_from: tuple[str, ...],
    to_status: str,
    refused: StrOrPromise,
    note: str,
    now: dt.datetime,
    **values: Any,
) -> FeedbackFiling:
    # The status it leaves, locked so that the claim below moves on from exactly this one.
    from_status = state_locked(model=FeedbackFiling, pk=filing.pk)
    step_take(
        model=FeedbackFiling, pk=filing.pk, expect={"status__in": allowed_from},
        values={"status": to_status, "version": F("version") + 1, **values},
        events=[
            FeedbackEvent(filing=filing, at=now, actor=by, kind=kind,
                          data=change_data(from_status, to_status), reason=note),
            # the step shows on the linked case's timeline too
            CaseEvent(case_id=filing.case_id, at=now, actor=by, kind=CaseEvent.Kind.FILING_STEP,
                      data={"filing": FeedbackFiling._meta.label_lower, "filing_id": filing.pk,
                            "step": kind}, reason=note),
        ],
        message=refused,
    )
    filing.refresh_from_db()
    return filing


@transaction.atomic
def feedback_hand_over(
    *, filing: FeedbackFiling, handler: User | None, by: User, note: str = "",
    now: dt.datetime | None = None,
) -> FeedbackFiling:
    """Hand the filing to a handler (again, to another one, until it is closed)."""
    now = now or timezone.now()
    if handler is None or staff_profile_of(handler) is None:
        raise ValidationError({"handler": [_("Choose a staff member as the handler.")]})
    if not is_assignable(filing, handler):
        raise ValidationError({"handler": [_(
            "This person cannot see or work on this filing: choose someone of its "
            "department or of management.")]})
    note = _note_or_refuse("note", note)
    return _feedback_step(
        filing=filing, by=by, kind=FeedbackEvent.Kind.HANDED_OVER,
        allowed_from=(FeedbackStatus.FILED, FeedbackStatus.HANDED_OVER,
                      FeedbackStatus.FOLLOWED_UP),
        to_status=FeedbackStatus.HANDED_OVER,
        refused=_("A closed filing cannot be handed over."),
        note=note, now=now, handler=handler,
    )


@transaction.atomic
def feedback_follow_up(
    *, filing: FeedbackFiling, by: User, note: str, now: dt.datetime | None = None
) -> FeedbackFiling:
    """Record what was done or told to the customer; a filing can be followed up often."""
    now = now or timezone.now()
    note = _note_or_refuse("note", note, _("Write down the follow-up."))
    return _feedback_step(
        filing=filing, by=by, kind=FeedbackEvent.Kind.FOLLOWED_UP,
        allowed_from=(FeedbackStatus.HANDED_OVER, FeedbackStatus.FOLLOWED_UP),
        to_status=FeedbackStatus.FOLLOWED_UP,
        refused=_("Only a filing that was handed over can be followed up."),
        note=note, now=now,
    )


@transaction.atomic
def feedback_close(
    *, filing: FeedbackFiling, by: User, note: str, now: dt.datetime | None = None
) -> FeedbackFiling:
    """Close a followed-up filing with its outcome. The linked case keeps its own life."""
    now = now or timezone.now()
    note = _note_or_refuse("note", note, _("Write down the outcome."))
    return _feedback_step(
        filing=filing, by=by, kind=FeedbackEvent.Kind.CLOSED,
        allowed_from=(FeedbackStatus.FOLLOWED_UP,),
        to_status=FeedbackStatus.CLOSED,
        refused=_("Only a followed-up filing can be closed."),
        note=note, now=now, closed_at=now,
    )


# --- delay filings -----------------------------------------------------------------------


@transaction.atomic
def delay_file(
    *,
    customer: Customer,
    order_reference: str,
    original_ship_date: dt.date | None,
    new_promised_date: dt.date | None,
    reason: str,
    reason_detail: str,
    by: User,
    now: dt.datetime | None = None,
) -> DelayFiling:
    """File an order that cannot ship on time, in the filer's department."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = FieldErrors()
    order_reference = _required_text(
        errors, "order_reference", order_reference, _("Enter the order reference."),
        max_length=ORDER_REFERENCE_MAX_LENGTH, single_line=True,
    )
    original_ship_date = business_date_clean(
        errors, "original_ship_date", original_ship_date, today=today,
        required=_("Enter the original ship date."))
    if new_promised_date is None:
        errors.add("new_promised_date", _("Enter the new promised date."))
    elif original_ship_date is not None and new_promised_date <= original_ship_date:
        errors.add("new_promised_date",
             _("The new promised date must come after the original ship date."))
    elif new_promised_date < today:
        errors.add("new_promised_date", _("The new promised date lies in the past."))
    else:
        business_date_clean(errors, "new_promised_date", new_promised_date, today=today)
    if reason not in DelayFiling.Reason.values:
        errors.add("reason", _("Choose production, stock, transport or force majeure."))
    reason_detail = _required_text(
        errors, "reason_detail", reason_detail, _("Explain the reason for the delay.")
    )
    department = _department_of(by, errors)
    errors.raise_if_any()
    original_ship_date, new_promised_date, department = (
        validated(original_ship_date), validated(new_promised_date), validated(department))
    filing = DelayFiling.objects.create(
        customer=customer, order_reference=order_reference,
        original_ship_date=original_ship_date, new_promised_date=new_promised_date,
        reason=reason, reason_detail=reason_detail, filed_by=by, department=department,
        status=DelayStatus.FILED, filed_at=now,
    )
    DelayEvent.objects.create(filing=filing, at=now, actor=by, kind=DelayEvent.Kind.FILED)
    return filing


def _delay_step(
    *, filing: DelayFiling, allowed_from: tuple[str, ...], refused: StrOrPromise, kind: str,
    by: User,
    now: dt.datetime, reason: str = "", data: dict | None = None, **values: Any,
) -> DelayFiling:
    """Move the filing only if it is still in one of `allowed_from` (exactly one of two
    concurrent callers gets the row) and record the step."""
    step_take(
        model=DelayFiling, pk=filing.pk, expect={"status__in": allowed_from},
        values={"version": F("version") + 1, **values},
        events=[DelayEvent(filing=filing, at=now, actor=by, kind=kind, reason=reason,
                           data=data or {})],
        message=refused,
    )
    filing.refresh_from_db()
    return filing


def _decision(*, approve: bool, reason: str) -> str:
    return _note_or_refuse(
        "reason", reason, None if approve else _("Give the reason for the rejection."))


@transaction.atomic
def delay_review(
    *, filing: DelayFiling, by: User, approve: bool, reason: str = "",
    now: dt.datetime | None = None,
) -> DelayFiling:
    """The department's review: a supervisor or manager of the filing's department passes
    it on to leadership or rejects it (with a reason)."""
    now = now or timezone.now()
    if not delay_may_review(user=by, filing=filing):
        raise PermissionDenied(_("Only a supervisor or manager of the department reviews."))
    reason = _decision(approve=approve, reason=reason)
    refused = _("Only a newly filed delay can be reviewed.")
    if approve:
        return _delay_step(filing=filing, allowed_from=(DelayStatus.FILED,), refused=refused,
                           kind=DelayEvent.Kind.REVIEWED, by=by, now=now, reason=reason,
                           status=DelayStatus.REVIEWED, reviewed_by=by, reviewed_at=now)
    return _delay_step(filing=filing, allowed_from=(DelayStatus.FILED,), refused=refused,
                       kind=DelayEvent.Kind.REVIEW_REJECTED, by=by, now=now, reason=reason,
                       status=DelayStatus.REJECTED, reviewed_by=by, reviewed_at=now,
                       rejection_reason=reason)


@transaction.atomic
def delay_approve(
    *, filing: DelayFiling, by: User, approve: bool, reason: str = "",
    now: dt.datetime | None = None,
) -> DelayFiling:
    """Leadership's decision (the general manager) on a reviewed delay. Approval creates
    the customer notice, to be sent by `delay_notify`."""
    now = now or timezone.now()
    if not delay_may_approve(user=by):
        raise PermissionDenied(_("Only the general manager approves delays."))
    reason = _decision(approve=approve, reason=reason)
    refused = _("Only a delay reviewed by its department can be approved or rejected.")
    if approve:
        filing = _delay_step(
            filing=filing, allowed_from=(DelayStatus.REVIEWED,), refused=refused,
            kind=DelayEvent.Kind.APPROVED, by=by, now=now, reason=reason,
            status=DelayStatus.APPROVED, approved_by=by, approved_at=now)
        DelayNotice.objects.create(filing=filing, status=DelayNotice.Status.PENDING,
                                   created_at=now)
        return filing
    return _delay_step(filing=filing, allowed_from=(DelayStatus.REVIEWED,), refused=refused,
                       kind=DelayEvent.Kind.APPROVAL_REJECTED, by=by, now=now, reason=reason,
                       status=DelayStatus.REJECTED, rejection_reason=reason)


def delay_notice_message(*, filing: DelayFiling) -> Message:
    """The customer's notice: the reason and the new date, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Your order %(order)s will ship later") % {
            "order": filing.order_reference})
        body = str(_(
            "Dear %(name)s, your order %(order)s cannot ship on %(original)s because of "
            "%(reason)s: %(detail)s. The new promised date is %(new)s. We apologise for "
            "the delay."
        ) % {
            "name": filing.customer.name,
            "order": filing.order_reference,
            "original": filing.original_ship_date.isoformat(),
            "reason": DelayFiling.Reason(filing.reason).label,
            "detail": filing.reason_detail,
            "new": filing.new_promised_date.isoformat(),
        })
    return Message(subject=subject, body=body, reference=f"delay-{filing.pk}",
                   phone=filing.customer.phone)


def delay_notify(
    *, filing: DelayFiling, by: User, now: dt.datetime | None = None, channel: Channel | None = None
) -> DelayNotice:
    """Tell the customer the reason and the new date; after a failure, try again.

    Not one transaction on purpose: the claim (pending/failed → sending) commits before the
    channel is called, so a concurrent call finds nothing to claim and nothing is sent twice;
    the outcome (attempt row, notice status, the filing's step and its event) is then
    written in one transaction. Returns the notice; a failed send is recorded, not raised.
    `channel` defaults to the configured customer channel (the demo passes its own)."""
    now = now or timezone.now()
    notice = DelayNotice.objects.filter(filing_id=filing.pk).first()
    if notice is None:
        raise ValidationError(
            {"status": [_("Only an approved delay can be told to the customer.")]}
        )
    if notice.status == DelayNotice.Status.SENT:
        raise ValidationError({"notice": [_("The customer has been notified already.")]})
    claimable = Q(status__in=[DelayNotice.Status.PENDING, DelayNotice.Status.FAILED]) | Q(
        status=DelayNotice.Status.SENDING, claimed_at__lt=now - NOTICE_CLAIM_STALE_AFTER
    )
    with transaction.atomic():
        claimed = DelayNotice.objects.filter(claimable, pk=notice.pk).update(
            status=DelayNotice.Status.SENDING, claimed_at=now
        )
    if not claimed:
        raise ValidationError({"notice": [_("The notice is being sent or was sent already.")]})

    filing = DelayFiling.objects.select_related("customer").get(pk=filing.pk)
    channel = channel or channel_for("customer")
    reference, error = "", ""
    try:
        reference = channel.send(delay_notice_message(filing=filing))
    except DeliveryFailed as exc:
        error = str(exc) or exc.__class__.__name__
    except Exception as exc:  # an unexpected crash: release the claim for a retry, then raise
        _notice_outcome(notice=notice, filing=filing, by=by, now=now, channel=channel.name,
                        reference="", error=f"{exc.__class__.__name__}: {exc}")
        raise
    _notice_outcome(notice=notice, filing=filing, by=by, now=now, channel=channel.name,
                    reference=reference, error=error)
    notice.refresh_from_db()
    return notice


@transaction.atomic
def _notice_outcome(
    *, notice: DelayNotice, filing: DelayFiling, by: User, now: dt.datetime, channel: str,
    reference: str, error: str,
) -> None:
    sent = not error
    DelayNoticeAttempt.objects.create(notice=notice, at=now, actor=by, channel=channel,
                                      reference=reference, sent=sent, error=error)
    data = {"channel": channel, "reference": reference}
    if sent:
        DelayNotice.objects.filter(pk=notice.pk, status=DelayNotice.Status.SENDING).update(
            status=DelayNotice.Status.SENT, sent_at=now
        )
        DelayFiling.objects.filter(pk=filing.pk, status=DelayStatus.APPROVED).update(
            status=DelayStatus.NOTIFIED, version=F("version") + 1
        )
        DelayEvent.objects.create(filing=filing, at=now, actor=by, kind=DelayEvent.Kind.NOTIFIED,
                                  data=data)
    else:
        DelayNotice.objects.filter(pk=notice.pk, status=DelayNotice.Status.SENDING).update(
            status=DelayNotice.Status.FAILED
        )
        DelayEvent.objects.create(filing=filing, at=now, actor=by,
                                  kind=DelayEvent.Kind.NOTICE_FAILED, reason=error, data=data)


@transaction.atomic
def delay_deliver(
    *, filing: DelayFiling, by: User, delivered_on: dt.date | None, note: str = "",
    now: dt.datetime | None = None,
) -> DelayFiling:
    """The order reached the customer on `delivered_on` (not in the future, not before the
    filing)."""
    now = now or timezone.now()
    if delivered_on is None:
        raise ValidationError({"delivered_on": [_("Enter the delivery date.")]})
    if delivered_on > timezone.localdate(now):
        raise ValidationError({"delivered_on": [_("The delivery date lies in the future.")]})
    if delivered_on < timezone.localdate(filing.filed_at):
        raise ValidationError({"delivered_on": [_("The delivery date lies before the filing.")]})
    note = _note_or_refuse("note", note)
    return _delay_step(
        filing=filing, allowed_from=UNDELIVERED,
        refused=_("Only an approved delay that is not delivered can be delivered."),
        kind=DelayEvent.Kind.DELIVERED, by=by, now=now, reason=note,
        data={"delivered_on": delivered_on.isoformat()},
        status=DelayStatus.DELIVERED, delivered_on=delivered_on)


def _amount(value: object) -> Decimal | None:
    if isinstance(value, float):  # money never travels as a float
        return None
    try:
        amount = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite():
        return None
    return amount


@transaction.atomic
def delay_compensate(
    *, filing: DelayFiling, by: User, kind: str, amount: object, note: str = "",
    now: dt.datetime | None = None,
) -> DelayFiling:
    """Record the compensation (a coupon or a discount, in yuan) given for an approved
    delay; at most once per filing; by a reviewer of the department or the approver."""
    now = now or timezone.now()
    if not delay_may_compensate(user=by, filing=filing):
        raise PermissionDenied(
            _("Only a supervisor or manager of the department, or the general manager, "
              "records a compensation."))
    errors = FieldErrors()
    if kind not in DelayFiling.CompensationKind.values:
        errors.add("kind", _("Choose a coupon or a discount."))
    money = _amount(amount)
    if money is None:
        errors.add("amount", _("Enter the amount in yuan, e.g. 20.00."))
    elif money <= 0 or money > MAX_COMPENSATION:
        errors.add("amount", _("The amount must be above zero."))
    elif money != money.quantize(Decimal("0.01")):
        errors.add("amount", _("The amount has at most two decimal places (fen)."))
    note = _note(errors, "note", note)
    errors.raise_if_any()
    money = validated(money).quantize(Decimal("0.01"))
    def refusal(current_kind: str | None) -> StepRefused:
        if current_kind:
            return StepRefused(_("A compensation is recorded already."), field="kind",
                               current=current_kind)
        return StepRefused(_("Only an approved delay can be compensated."),
                           current=DelayFiling.objects.filter(pk=filing.pk)
                           .values_list("status", flat=True).first())

    step_take(
        model=DelayFiling, pk=filing.pk,
        expect={"status__in": COMPENSABLE, "compensation_kind": ""},
        values={"compensation_kind": kind, "compensation_amount": money,
                "compensation_note": note, "version": F("version") + 1},
        events=[DelayEvent(filing=filing, at=now, actor=by, kind=DelayEvent.Kind.COMPENSATED,
                           reason=note, data={"kind": kind, "amount": str(money)})],
        state="compensation_kind", refusal=refusal,
    )
    filing.refresh_from_db()
    return filing
