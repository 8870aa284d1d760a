"""Filing a complaint (投诉受理): graded from the facts, opened as a restricted case where
its source belongs to a desk, linked to the customer's earlier complaint of the same type
as a repeat (再度投诉), and the general manager told at once of A and repeat complaints.
One transaction: either everything is written or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from complaints.handling.grading import Criteria, criteria_errors, grade_suggest
from complaints.handling.models import (
    SOURCE_DESK,
    SUGGESTIBLE_GRADES,
    Complaint,
    ComplaintType,
    Grade,
    GradeRecord,
    Source,
    State,
    Temperament,
)
from complaints.handling.selectors import general_managers
from complaints.handling.services.common import complaint_fresh, in_site_language, notify
from servicedesk.errors import FieldErrors, validated
from servicedesk.selectors import staff_profile_of
from servicedesk.types import User
from servicedesk.validation import LINE_MAX_LENGTH, NOTE_MAX_LENGTH, text_clean
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.cases.services import case_open
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to
from tickets.contacts.services import contact_link_case
from tickets.customers.models import Customer

ADD_PERMISSION = "complaints.add_complaint"
# Choosing another grade than the criteria suggest (with a reason).
GRADE_PERMISSION = "complaints.grade_complaint"
# The case category of a complaint whose type names none: the top-level complaint node.
GENERAL_COMPLAINT_CATEGORY = "complaint"


def loss_parse(value: object) -> Decimal | None:
    """The economic loss as Decimal yuan: a Decimal, a whole number or a decimal string;
    None for anything else (a float above all: money never travels as one)."""
    if value is None or isinstance(value, float | bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _check_grade(errors: FieldErrors, *, grade: str, suggested: str | None, reason: str,
                 by: User) -> None:
    """A chosen grade: A–C (D comes from the verdict); one other than the suggestion needs
    the grading permission and a reason (judged once the criteria give a suggestion)."""
    if grade not in Grade.values:
        errors.add("grade", _("Choose a grade from A to C."))
    elif grade not in SUGGESTIBLE_GRADES:
        errors.add("grade", _("D is given only when the handling department judges the "
                              "complaint invalid."))
    elif suggested is None or grade == suggested:
        return
    elif not by.has_perm(GRADE_PERMISSION):
        errors.add("grade", _("You may not choose another grade than the suggested one."))
    elif not reason:
        errors.add("grade_reason", _("Give the reason for grade %(grade)s instead of the "
                                     "suggested %(suggested)s.")
                   % {"grade": grade, "suggested": suggested})


def _category_of(complaint_type: ComplaintType) -> CaseCategory | None:
    if complaint_type.category_id is not None:
        return complaint_type.category
    return CaseCategory.objects.filter(code=GENERAL_COMPLAINT_CATEGORY,
                                       kind=Case.Kind.COMPLAINT).first()


def _repeat_root(*, customer: Customer, complaint_type: ComplaintType,
                 now: dt.datetime) -> int | None:
    """The first complaint of the chain this one repeats: the customer's latest complaint
    of the type filed within `COMPLAINT_REPEAT_DAYS`, or the one that complaint repeats."""
    since = now - dt.timedelta(days=settings.COMPLAINT_REPEAT_DAYS)
    earlier = (Complaint.objects
               .filter(customer=customer, type=complaint_type, filed_at__gte=since,
                       filed_at__lte=now)
               .order_by("-filed_at", "-id").values_list("pk", "repeat_of_id").first())
    if earlier is None:
        return None
    pk, repeat_of_id = earlier
    return repeat_of_id or pk


@transaction.atomic
def complaint_file(
    *,
    customer: Customer | None,
    type: ComplaintType | None,  # the contract's name: the complaint's type
    source: str,
    description: str,
    procedure: str,
    emotion: str,
    loss_yuan: object,
    impact: str,
    by: User,
    grade: str = "",
    grade_reason: str = "",
    temperament: str = "",
    subject: str = "",
    contact: Contact | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """File a complaint taken by `by` (its first-contact owner): the criteria give the
    suggested grade (`grading.grade_suggest`); another `grade` (A–C) needs `grade_reason`.
    Opens the complaint case in the filer's department through `case_open` (restricted to
    the desk of a media, consumer-association, skip-level or safety complaint), records the
    grading decision and the `filed` step, links the logged call (`contact`), links a
    repeat to the first complaint of its chain, and tells the general manager(s) at once
    of an A or a repeat complaint."""
    now = now or timezone.now()
    profile = staff_profile_of(by)
    if profile is None or not by.has_perm(ADD_PERMISSION):
        raise PermissionDenied(_("Only staff who take calls file complaints."))
    errors = FieldErrors()
    loss = loss_parse(loss_yuan)
    criteria_problems = criteria_errors(procedure=procedure, emotion=emotion, loss_yuan=loss,
                                        impact=impact)
    for field, message in criteria_problems.items():
        errors.add(field, message)
    if customer is None:
        errors.add("customer", _("Choose the customer who complains."))
    if type is None:
        errors.add("type", _("Choose the type of complaint."))
    elif not type.active:
        errors.add("type", _("This type of complaint is no longer in use."))
    if source not in Source.values:
        errors.add("source", _("Choose where the complaint came from."))
    if temperament and temperament not in Temperament.values:
        errors.add("temperament", _("Choose one of the four temperaments, or none."))
    description = text_clean(errors, "description", description,
                             required=_("Describe the complaint."))
    subject = text_clean(errors, "subject", subject, max_length=LINE_MAX_LENGTH,
                         single_line=True)
    grade_reason = text_clean(errors, "grade_reason", grade_reason,
                              max_length=NOTE_MAX_LENGTH)
    suggestion = None
    if not criteria_problems:
        suggestion = grade_suggest(Criteria(procedure=procedure, emotion=emotion,
                                            loss_yuan=validated(loss), impact=impact))
    if grade:
        _check_grade(errors, grade=grade, reason=grade_reason, by=by,
                     suggested=suggestion.grade if suggestion is not None else None)
    if profile.department_id is None:
        errors.add("department", _("Only staff with a department can file a complaint."))
    category = _category_of(type) if type is not None else None
    if type is not None and category is None:
        errors.add("type", _("No complaint case category is set up for this type."))
    if contact is not None:
        if not contacts_visible_to(user=by).filter(pk=contact.pk).exists():
            errors.add("contact", _("This call is not one of your department's."))
        elif contact.case_id is not None:
            errors.add("contact", _("This call is linked to another case already."))
        elif customer is not None and contact.customer_id not in (None, customer.pk):
            errors.add("contact", _("This call was logged for another customer."))
    errors.raise_if_any()
    customer, complaint_type, category, suggestion, loss = (
        validated(customer), validated(type), validated(category), validated(suggestion),
        validated(loss))

    decided = grade or suggestion.grade
    desk = SOURCE_DESK.get(source, "")
    if not subject:
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(_("%(type)s complaint") % {"type": complaint_type.name})
    case = case_open(
        customer=customer, kind=Case.Kind.COMPLAINT, category=category,
        subject=subject[:LINE_MAX_LENGTH], description=description, by=by, grade=decided,
        desk=desk, now=now,
    )
    criteria = Criteria(procedure=procedure, emotion=emotion, loss_yuan=loss, impact=impact)
    repeat_of_id = _repeat_root(customer=customer, complaint_type=complaint_type, now=now)
    complaint = Complaint.objects.create(
        case=case, customer=customer, type=complaint_type, source=source, desk=desk,
        temperament=temperament, procedure=procedure, emotion=emotion,
        loss_yuan=loss.quantize(Decimal("0.01")), impact=impact,
        suggested_grade=suggestion.grade, grade=decided, grade_reason=grade_reason,
        state=State.RECEIVED, repeat_of_id=repeat_of_id, filed_at=now, filed_by=by,
    )
    GradeRecord.objects.create(
        complaint=complaint, kind=GradeRecord.Kind.INTAKE, at=now, by=by,
        criteria=criteria.as_json(), suggested_grade=suggestion.grade, grade=decided,
        reason=grade_reason,
    )
    CaseEvent.objects.create(
        case=case, at=now, actor=by, kind=CaseEvent.Kind.COMPLAINT_STEP, reason=grade_reason,
        data={"step": "filed", "suggested_grade": suggestion.grade, "grade": decided,
              "source": source, "type": complaint_type.pk,
              **({"repeat_of": repeat_of_id} if repeat_of_id else {})},
    )
    if contact is not None:
        contact_link_case(contact=contact, case=case, by=by, now=now)
    _tell_general_managers(complaint=complaint, case=case, now=now)
    return complaint_fresh(complaint)


def _tell_general_managers(*, complaint: Complaint, case: Case, now: dt.datetime) -> None:
    """An A complaint and a repeat complaint reach the general manager(s) at once (urgent)."""
    managers = list(general_managers().values_list("pk", flat=True))
    if not managers:
        return
    values = {"number": case.number, "type": complaint.type.name, "subject": case.subject}
    url = complaint.get_absolute_url()
    if complaint.grade == Grade.A:
        notify(recipients=managers, key=f"complaint:grade-a:{complaint.pk}", urgent=True,
               title=in_site_language(_("Major complaint (A) %(number)s: %(type)s"), values),
               body=case.subject, url=url, now=now)
    if complaint.repeat_of_id is not None:
        notify(recipients=managers, key=f"complaint:repeat:{complaint.pk}", urgent=True,
               title=in_site_language(_("Repeat complaint %(number)s: %(type)s"), values),
               body=case.subject, url=url, now=now)
