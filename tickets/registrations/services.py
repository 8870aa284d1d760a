"""Use cases of customer registrations (客户报备): filing, GM approval of relative filings,
conversion (deal closed), disputes and the expiry sweep.

Every service validates first (field errors, nothing written). "First filing wins" is held
by the database: a partial unique index on the phone and on the ID number of active
registrations, so of two racing filings exactly one row is written and the other filer gets
a field error naming the winner.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import FieldErrors, StepRefused, validated
from servicedesk.jobs import JobRun, job_run, row_key
from servicedesk.presenters import person_name
from servicedesk.selectors import staff_profile_of
from servicedesk.steps import step_take
from servicedesk.types import StrOrPromise, User
from servicedesk.validation import NOTE_MAX_LENGTH, appointment_clean, name_clean, text_clean
from tickets.contacts.models import Contact
from tickets.customers.models import Customer
from tickets.customers.validators import id_number_normalize, phone_normalize
from tickets.registrations.models import (
    ACTIVE_REGISTRATION_STATUSES,
    CustomerRegistration,
    RegistrationEvent,
    RegistrationSettings,
)
from tickets.registrations.selectors import (
    registration_may_convert,
    registration_may_decide,
    registration_may_dispute,
)

Status = CustomerRegistration.Status
Event = RegistrationEvent.Kind


def _record(
    *, registration_id: int, kind: str, by: User, at: dt.datetime, reason: str = ""
) -> None:
    """One history row, in the caller's transaction."""
    RegistrationEvent.objects.create(
        registration_id=registration_id, kind=kind, actor=by, at=at, reason=reason
    )


def _step(
    *, registration: CustomerRegistration, expect: dict, values: dict, kind: str, by: User,
    now: dt.datetime, refused: StrOrPromise, reason: str = "",
) -> CustomerRegistration:
    """Claim the registration in the state `expect` describes, move it to `values` and
    record the step; refused with `refused` (on `status`) when it is no longer there."""
    step_take(
        model=CustomerRegistration, pk=registration.pk, expect=expect, values=values,
        events=[RegistrationEvent(registration_id=registration.pk, kind=kind, actor=by, at=now,
                                  reason=reason)],
        message=refused,
    )
    registration.refresh_from_db()
    return registration


def _already_registered(registration: CustomerRegistration) -> str:
    return _("Already registered by %(who)s at %(at)s.") % {
        "who": person_name(registration.filed_by),
        "at": timezone.localtime(registration.filed_at).strftime("%Y-%m-%d %H:%M"),
    }


def _active_registration(*, field: str, value: str) -> CustomerRegistration | None:
    return (
        CustomerRegistration.objects.filter(
            status__in=ACTIVE_REGISTRATION_STATUSES, **{field: value}
        )
        .select_related("filed_by", "filed_by__staff_profile")
        .order_by("filed_at", "id")
        .first()
    )


def _earlier_record(*, field: str, value: str) -> str | None:
    """The message naming the earlier call, customer or registration of this phone or ID
    number, or None when there is none."""
    contact = (
        Contact.objects.filter(**{f"customer__{field}": value})
        .select_related("customer")
        .order_by("queued_at", "id")
        .first()
    )
    if contact is not None and contact.customer is not None:
        return _("A contact of customer %(code)s on %(date)s is on file already.") % {
            "code": contact.customer.code,
            "date": timezone.localtime(contact.queued_at).strftime("%Y-%m-%d"),
        }
    code = Customer.objects.filter(**{field: value}).values_list("code", flat=True).first()
    if code is not None:
        return _("Customer %(code)s is on file already.") % {"code": code}
    registration = _active_registration(field=field, value=value)
    if registration is not None:
        return _already_registered(registration)
    return None


def _registration_clean(
    *,
    name: str,
    phone: str,
    id_number: str,
    expected_visit_at: dt.datetime | None,
    by: User,
    is_relative: bool,
    now: dt.datetime,
    rules: RegistrationSettings,
) -> dict:
    errors = FieldErrors()
    cleaned: dict = {"name": name_clean(errors, "name", name,
                                        required=_("Enter the customer's name."))}
    try:
        cleaned["phone"] = phone_normalize(phone)
    except ValidationError as error:
        errors["phone"] = list(error.messages)
    try:
        cleaned["id_number"] = id_number_normalize(id_number)
        if not cleaned["id_number"]:
            errors.add("id_number", _("Enter the customer's ID number."))
    except ValidationError as error:
        errors["id_number"] = list(error.messages)

    profile = staff_profile_of(by)
    cleaned["department_id"] = profile.department_id if profile is not None else None
    if cleaned["department_id"] is None:
        errors.add("filed_by", _("Only staff with a department can file registrations."))

    if expected_visit_at is None:
        errors.add("expected_visit_at", _("Enter the expected visit time."))
    elif timezone.is_naive(expected_visit_at):
        errors.add("expected_visit_at", _("Give the time with its time zone."))
    elif expected_visit_at <= now:
        errors.add("expected_visit_at", _("The expected visit lies in the past."))
    elif appointment_clean(errors, "expected_visit_at", expected_visit_at, now=now):
        local_now = timezone.localtime(now)
        visit_date = timezone.localtime(expected_visit_at).date()
        # Event-day filings close at the cutoff: at 09:00:00 sharp the filing is refused.
        if visit_date == local_now.date() and local_now.time() >= rules.event_day_cutoff:
            errors.add(
                "expected_visit_at",
                _("Filings for a visit today close at %(cutoff)s.")
                % {"cutoff": rules.event_day_cutoff.strftime("%H:%M")},
            )
        if is_relative and (visit_date - local_now.date()).days < rules.relative_lead_days:
            errors.add(
                "expected_visit_at",
                _("Relative filings must be made at least %(days)d days before the visit.")
                % {"days": rules.relative_lead_days},
            )

    for field in ("phone", "id_number"):
        if cleaned.get(field) and field not in errors:
            message = _earlier_record(field=field, value=cleaned[field])
            if message is not None:
                errors.add(field, message)
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def registration_file(
    *,
    name: str,
    phone: str,
    id_number: str,
    expected_visit_at: dt.datetime | None,
    by: User,
    is_relative: bool = False,
    now: dt.datetime | None = None,
) -> CustomerRegistration:
    """File a prospective customer for `by`, in their department.

    Refused (field errors, nothing written) when a field is missing or wrong, when the phone
    or ID number is on file already (a contact, a customer or an active registration), when
    the visit is today and the event-day cutoff has passed, or when a relative filing is
    made less than `relative_lead_days` before the visit. A normal filing is protected for
    `protection_hours` from filing; a relative filing waits for the general manager."""
    now = now or timezone.now()
    rules = RegistrationSettings.load()
    cleaned = _registration_clean(
        name=name,
        phone=phone,
        id_number=id_number,
        expected_visit_at=expected_visit_at,
        by=by,
        is_relative=is_relative,
        now=now,
        rules=rules,
    )
    if is_relative:
        status, protected_until = Status.PENDING_APPROVAL, None
    else:
        status = Status.PROTECTED
        protected_until = now + dt.timedelta(hours=rules.protection_hours)
    try:
        with transaction.atomic():
            registration = CustomerRegistration.objects.create(
                filed_by=by,
                expected_visit_at=validated(expected_visit_at),
                is_relative=is_relative,
                status=status,
                filed_at=now,
                protected_until=protected_until,
                **cleaned,
            )
            _record(registration_id=registration.pk, kind=Event.FILED, by=by, at=now)
            return registration
    except IntegrityError:
        # A concurrent filing of the same person committed first.
        errors = FieldErrors()
        for field in ("phone", "id_number"):
            winner = _active_registration(field=field, value=cleaned[field])
            if winner is not None:
                errors.add(field, _already_registered(winner))
        if errors:
            raise ValidationError(errors) from None
        raise


@transaction.atomic
def registration_approve(
    *, registration: CustomerRegistration, by: User, now: dt.datetime | None = None
) -> CustomerRegistration:
    """The general manager approves a relative filing. It is then protected from approval
    until `protection_hours` after the expected visit, so the owner keeps it through the
    visit day and the same window a normal filing gets."""
    now = now or timezone.now()
    if not registration_may_decide(user=by):
        raise ValidationError(
            {"approved_by": [_("Only the general manager approves relative filings.")]}
        )
    rules = RegistrationSettings.load()
    protected_until = registration.expected_visit_at + dt.timedelta(hours=rules.protection_hours)
    if protected_until <= now:
        raise ValidationError(
            {"expected_visit_at": [_("The visit is over; this filing can no longer be approved.")]}
        )
    return _step(
        registration=registration, expect={"status": Status.PENDING_APPROVAL},
        values={"status": Status.PROTECTED, "protected_until": protected_until,
                "approved_by": by, "approved_at": now},
        kind=Event.APPROVED, by=by, now=now,
        refused=_("Only a filing awaiting approval can be approved."),
    )


@transaction.atomic
def registration_reject(
    *, registration: CustomerRegistration, by: User, reason: str = "",
    now: dt.datetime | None = None,
) -> CustomerRegistration:
    """The general manager turns a relative filing down, optionally saying why (kept on the
    history row); the person is free to file again."""
    now = now or timezone.now()
    if not registration_may_decide(user=by):
        raise ValidationError(
            {"approved_by": [_("Only the general manager approves relative filings.")]}
        )
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH)
    errors.raise_if_any()
    return _step(
        registration=registration, expect={"status": Status.PENDING_APPROVAL},
        values={"status": Status.REJECTED, "approved_by": by, "approved_at": now},
        kind=Event.REJECTED, by=by, now=now, reason=reason,
        refused=_("Only a filing awaiting approval can be rejected."),
    )


@transaction.atomic
def registration_convert(
    *, registration: CustomerRegistration, by: User, now: dt.datetime | None = None
) -> CustomerRegistration:
    """The deal closed while the registration was protected. Marked by the filer (or the
    general manager)."""
    now = now or timezone.now()
    if not registration_may_convert(user=by, registration=registration):
        raise ValidationError(
            {"filed_by": [_("Only the filer or the general manager marks the deal closed.")]}
        )
    return _step(
        registration=registration,
        expect={"status": Status.PROTECTED, "protected_until__gt": now},
        values={"status": Status.CONVERTED, "converted_at": now},
        kind=Event.CONVERTED, by=by, now=now,
        refused=_("Only a protected registration can be converted."),
    )


@transaction.atomic
def registration_dispute(
    *, registration: CustomerRegistration, by: User, reason: str, now: dt.datetime | None = None
) -> CustomerRegistration:
    """Contest the ownership of a converted registration, at most `dispute_days` after the
    deal (exactly `dispute_days` later is still in time), by staff who file registrations."""
    now = now or timezone.now()
    if not registration_may_dispute(user=by):
        raise ValidationError(
            {"disputed_by": [_("Only staff who file registrations can raise a dispute.")]}
        )
    errors = FieldErrors()
    reason = text_clean(errors, "reason", reason, max_length=NOTE_MAX_LENGTH,
                        required=_("Give the reason for the dispute."))
    errors.raise_if_any()
    rules = RegistrationSettings.load()
    registration.refresh_from_db()
    if registration.status != Status.CONVERTED:
        raise StepRefused(_("Only a converted registration can be disputed."),
                          current=registration.status)
    if now > validated(registration.converted_at) + dt.timedelta(days=rules.dispute_days):
        raise ValidationError(
            {
                "reason": [
                    _("Disputes must be raised within %(days)d days of the deal.")
                    % {"days": rules.dispute_days}
                ]
            }
        )
    return _step(
        registration=registration, expect={"status": Status.CONVERTED},
        values={"status": Status.DISPUTED, "disputed_by": by, "disputed_at": now,
                "dispute_reason": reason},
        kind=Event.DISPUTED, by=by, now=now, reason=reason,
        refused=_("Only a converted registration can be disputed."),
    )


EXPIRE_JOB = "registrations-expire"


def _expired_at(*, protected_until: dt.datetime | None, expected_visit_at: dt.datetime,
                conversion: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """When the registration really lapsed, however late the sweep runs: the earliest of
    its protection's end and `conversion` after the expected visit that is not after now
    (a visit so far ahead that adding the conversion window overflows has not lapsed)."""
    moments = [] if protected_until is None else [protected_until]
    try:
        moments.append(expected_visit_at + conversion)
    except OverflowError:
        pass
    return min(moment for moment in moments if moment <= now)


def registrations_expire(*, now: dt.datetime) -> int:
    """Expire what is due as of `now`: protected registrations whose protection ran out, and
    protected or pending registrations without a deal `conversion_days` after the expected
    visit. Set-based: one SELECT of the due ids (locked, skipping rows another sweep holds,
    on PostgreSQL), one conditional UPDATE, one bulk INSERT of their history rows (unique per
    registration and kind, so an overlapping sweep records nothing twice). Returns how many
    this run expired; a second run finds none.

    A row that fails is isolated (`servicedesk.jobs`): the others expire, the failure is
    recorded once and shown on the health page, and the row is retried alone next run."""
    expired, _run = job_run(EXPIRE_JOB, lambda run: _expire(run, now=now), now=now)
    return expired


def _expire(run: JobRun, *, now: dt.datetime) -> int:
    rules = RegistrationSettings.load()
    conversion = dt.timedelta(days=rules.conversion_days)
    conversion_cutoff = now - conversion
    due = Q(status=Status.PROTECTED, protected_until__lte=now) | Q(
        status__in=[Status.PROTECTED, Status.PENDING_APPROVAL],
        expected_visit_at__lte=conversion_cutoff,
    )
    rows = list(
        CustomerRegistration.objects.filter(due)
        .select_for_update(skip_locked=True)
        .values_list("id", "protected_until", "expected_visit_at")
    )

    def expire(batch: list[tuple[int, dt.datetime | None, dt.datetime]]) -> int:
        events = [
            RegistrationEvent(registration_id=pk, kind=Event.EXPIRED, at=_expired_at(
                protected_until=until, expected_visit_at=visit, conversion=conversion,
                now=now))
            for pk, until, visit in batch
        ]
        expired = CustomerRegistration.objects.filter(
            due, id__in=[pk for pk, _, _ in batch]).update(status=Status.EXPIRED)
        RegistrationEvent.objects.bulk_create(events, ignore_conflicts=True)
        return expired

    expired = sum(run.each(rows, expire, key=lambda r: row_key(CustomerRegistration, r[0])))
    run.resolve_unseen()
    return expired
