"""Filing a complaint (`complaint_file`): graded from the facts, the decision and its
reason on the record, the case opened restricted to its desk, the repeat linked to the
first of its chain, the general manager told at once of A and repeat complaints, the
call linked, the first-contact information; and every refusal writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.handling.models import Complaint, ComplaintType, GradeRecord
from complaints.handling.selectors import first_contact_info
from complaints.handling.services import complaint_dispatch
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.complaints.handling.factories import (
    _staff,
    complaint_file_for_test,
    complaint_type,
    now_local,
)
from tests.tickets.contacts.factories import contact_log_for_test
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.sla.models import CaseTimer

pytestmark = pytest.mark.django_db


def _counts():
    return (Complaint.objects.count(), Case.objects.count(), GradeRecord.objects.count(),
            CaseEvent.objects.count(), CaseTimer.objects.count(), Notification.objects.count())


def test_filing_opens_the_complaint_case_and_records_the_grading(center):
    """A calm complaint without loss is a C: the case is a complaint in the filer's
    department, its category the type's, its subject "<type>投诉", graded C with its clocks
    running; the complaint is received with its criteria; the intake decision and the
    `filed` step are on the record."""
    at = now_local(2026, 11, 23, 10, 0)
    complaint = complaint_file_for_test(center, now=at)
    case = complaint.case
    assert (case.kind, case.category.code, case.subject, case.grade, case.desk) == (
        "complaint", "complaint-product-quality", "产品故障投诉", "C", "")
    assert (case.department, case.first_contact_owner, case.status) == (
        center.service, center.agent, "new")
    assert (complaint.state, complaint.suggested_grade, complaint.grade, complaint.version,
            complaint.filed_at, complaint.filed_by) == ("received", "C", "C", 1, at, center.agent)
    assert CaseTimer.objects.filter(case=case, state="running").exists()
    record = GradeRecord.objects.get(complaint=complaint)
    assert (record.kind, record.suggested_grade, record.previous_grade, record.grade,
            record.by, record.at) == ("intake", "C", "", "C", center.agent, at)
    assert record.criteria == {"procedure": "none", "emotion": "calm", "loss_yuan": "0",
                               "impact": "none"}
    event = CaseEvent.objects.get(case=case, kind="complaint_step")
    assert event.data == {"step": "filed", "suggested_grade": "C", "grade": "C",
                          "source": "hotline", "type": center.kind.pk}


def test_a_type_without_a_category_opens_a_general_complaint_case(center):
    """Types without a case category (修理费用) open a case of the top-level complaint
    category."""
    complaint = complaint_file_for_test(center, type=complaint_type("repair-fee"))
    assert complaint.case.category == CaseCategory.objects.get(code="complaint")


def test_a_chosen_grade_with_its_reason_keeps_suggestion_decision_and_reason(center):
    """The agent may choose another grade than the suggestion with a reason: the complaint
    and its grading decision keep the suggestion, the decision, the reason and the
    author; the case carries the decided grade."""
    complaint = complaint_file_for_test(center, emotion="strong", grade="A",
                                        grade_reason="客户扬言向媒体曝光")
    assert (complaint.suggested_grade, complaint.grade, complaint.grade_reason) == (
        "B", "A", "客户扬言向媒体曝光")
    assert complaint.case.grade == "A"
    record = complaint.grade_records.get()
    assert (record.suggested_grade, record.grade, record.reason, record.by) == (
        "B", "A", "客户扬言向媒体曝光", center.agent)


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"emotion": "strong", "grade": "A"}, {"grade_reason"}),
    ({"emotion": "strong", "grade": "A", "grade_reason": " \u200b "}, {"grade_reason"}),
    ({"grade": "D", "grade_reason": "无效"}, {"grade"}),
    ({"grade": "E"}, {"grade"}),
    ({"loss_yuan": Decimal("-1")}, {"loss_yuan"}),
    ({"loss_yuan": "abc"}, {"loss_yuan"}),
    ({"loss_yuan": 12.5}, {"loss_yuan"}),
    ({"procedure": "sloppy", "emotion": "mad", "impact": "global"},
     {"procedure", "emotion", "impact"}),
    ({"procedure": "sloppy", "grade": "D"}, {"procedure", "grade"}),
    ({"source": "twitter"}, {"source"}),
    ({"temperament": "grumpy"}, {"temperament"}),
    ({"description": "  "}, {"description"}),
    ({"type": None, "customer": None}, {"type", "customer"}),
])
def test_bad_intake_is_refused_field_by_field_and_writes_nothing(center, overrides, fields):
    """A grade other than the suggestion without a reason (grade_reason), D at intake, an
    unknown grade, a negative or non-decimal loss (a float too), unknown levels, source or
    temperament, an empty description, no type or customer: field errors on exactly those
    fields, and no complaint, case, grading record, event, clock or notification."""
    CustomerFactory()  # a customer exists either way
    before = _counts()
    with pytest.raises(ValidationError) as error:
        complaint_file_for_test(center, **overrides)
    assert set(error.value.message_dict) == fields
    assert _counts() == before


def test_an_inactive_type_is_refused(center):
    """A type no longer in use cannot be chosen."""
    ComplaintType.objects.filter(pk=center.kind.pk).update(active=False)
    center.kind.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        complaint_file_for_test(center)
    assert set(error.value.message_dict) == {"type"}


def test_a_grade_other_than_the_suggestion_needs_the_grading_permission(center):
    """Choosing another grade is refused on `grade` to someone whose group lost
    `complaints.grade_complaint` (the administrator may withdraw it)."""
    from django.contrib.auth.models import Permission

    agent = center.agent
    for group in agent.groups.all():
        group.permissions.remove(Permission.objects.get(codename="grade_complaint"))
    agent = type(agent).objects.get(pk=agent.pk)  # fresh permission cache
    with pytest.raises(ValidationError) as error:
        complaint_file_for_test(center, by=agent, grade="B", grade_reason="理由")
    assert set(error.value.message_dict) == {"grade"}
    assert complaint_file_for_test(center, by=agent).grade == "C"  # the suggestion is fine


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GENERAL_MANAGER])
def test_only_staff_who_take_calls_file_complaints(center, role):
    """Filing needs `complaints.add_complaint` (the intake roles): a manager or the general
    manager is refused (403) and nothing is written."""
    before = _counts()
    with pytest.raises(PermissionDenied):
        complaint_file_for_test(center, by=_staff(role, center.service, "经理甲"))
    assert _counts() == before


@pytest.mark.parametrize(("source", "desk"), [
    ("media", "public_opinion"), ("skip_level", "public_opinion"),
    ("safety", "major_safety"), ("hotline", ""), ("call_letter", ""), ("direct", ""),
    ("opinion_board", ""),
])
def test_the_source_decides_the_desk_from_birth(center, source, desk):
    """Media / consumer-association and skip-level complaints belong to the public-opinion
    desk, safety incidents to the major-safety desk: the complaint and its case are
    restricted from the opening on (the opening event says so)."""
    complaint = complaint_file_for_test(center, source=source)
    assert (complaint.desk, complaint.case.desk) == (desk, desk)
    opened = CaseEvent.objects.get(case=complaint.case, kind="opened")
    assert opened.data.get("desk", "") == desk


def test_a_second_complaint_within_the_window_repeats_the_first_of_its_chain(center):
    """Same customer, same type within COMPLAINT_REPEAT_DAYS (30): linked to the first; a
    third links to the first as well (the chain's root), even 40 days after the first when
    the second was within 30 days; another type or a later filing is no repeat."""
    customer = CustomerFactory()
    first = complaint_file_for_test(center, customer=customer, now=now_local(2026, 10, 1, 9))
    second = complaint_file_for_test(center, customer=customer,
                                     now=now_local(2026, 10, 25, 9))
    third = complaint_file_for_test(center, customer=customer, now=now_local(2026, 11, 10, 9))
    other_type = complaint_file_for_test(center, customer=customer,
                                         type=complaint_type("logistics"),
                                         now=now_local(2026, 11, 11, 9))
    much_later = complaint_file_for_test(center, customer=customer,
                                         now=now_local(2026, 12, 11, 9, 1))
    assert first.repeat_of is None
    assert (second.repeat_of, third.repeat_of) == (first, first)
    assert other_type.repeat_of is None and much_later.repeat_of is None
    assert list(first.repeats.order_by("filed_at")) == [second, third]
    event = CaseEvent.objects.get(case=second.case, kind="complaint_step")
    assert event.data["repeat_of"] == first.pk


def test_the_repeat_window_is_a_setting(center, settings):
    """COMPLAINT_REPEAT_DAYS decides the window: with 5 days, six days later is no repeat."""
    settings.COMPLAINT_REPEAT_DAYS = 5
    customer = CustomerFactory()
    complaint_file_for_test(center, customer=customer, now=now_local(2026, 10, 1, 9))
    later = complaint_file_for_test(center, customer=customer, now=now_local(2026, 10, 7, 9))
    assert later.repeat_of is None


def _notes(key):
    return sorted(Notification.objects.filter(key=key).values_list(
        "recipient_id", "urgent", "push"))


def test_the_general_manager_is_told_at_once_of_an_a_complaint(center):
    """An A complaint reaches every active general manager at intake: one urgent, pushed
    notification each under `complaint:grade-a:<id>` linking the complaint; an inactive
    general manager and everyone else get none."""
    second_gm = _staff(Role.GENERAL_MANAGER, None, "副总经理")
    gone = _staff(Role.GENERAL_MANAGER, None, "前总经理")
    gone.is_active = False
    gone.save()
    complaint = complaint_file_for_test(center, loss_yuan=Decimal("5000"))
    assert complaint.grade == "A"
    assert _notes(f"complaint:grade-a:{complaint.pk}") == sorted(
        [(center.general_manager.pk, True, True), (second_gm.pk, True, True)])
    note = Notification.objects.filter(key=f"complaint:grade-a:{complaint.pk}").first()
    assert note.url == f"/complaints/{complaint.pk}/"
    assert complaint.case.number in note.title
    assert Notification.objects.count() == 2


def test_the_general_manager_is_told_at_once_of_a_repeat_complaint(center):
    """A repeat complaint (再度投诉) reaches the general manager at intake under
    `complaint:repeat:<id>`; the first complaint (a C) told nobody."""
    customer = CustomerFactory()
    first = complaint_file_for_test(center, customer=customer)
    assert Notification.objects.count() == 0
    repeat = complaint_file_for_test(center, customer=customer)
    assert repeat.repeat_of == first
    assert _notes(f"complaint:repeat:{repeat.pk}") == [(center.general_manager.pk, True, True)]
    assert _notes(f"complaint:grade-a:{repeat.pk}") == []


def test_an_a_repeat_complaint_tells_both(center):
    """An A that is also a repeat is told under both keys."""
    customer = CustomerFactory()
    complaint_file_for_test(center, customer=customer)
    repeat = complaint_file_for_test(center, customer=customer, impact="wide")
    assert (repeat.grade, repeat.repeat_of_id is not None) == ("A", True)
    assert Notification.objects.filter(recipient=center.general_manager).count() == 2


def test_the_call_the_complaint_came_in_on_is_linked_to_its_case(center):
    """`contact`: the logged call is linked to the complaint's case (as intake does), with
    its "contact logged" row on the case's timeline."""
    customer = CustomerFactory()
    contact = contact_log_for_test(agent=center.agent, customer=customer)
    complaint = complaint_file_for_test(center, customer=customer, contact=contact)
    contact.refresh_from_db()
    assert contact.case == complaint.case
    assert CaseEvent.objects.filter(case=complaint.case, kind="commented").exists()


def test_a_call_of_another_customer_or_department_is_refused(center):
    """A call logged for another customer, or in another department, is an error on
    `contact`, and nothing is written."""
    other_customer = contact_log_for_test(agent=center.agent, customer=CustomerFactory())
    elsewhere = contact_log_for_test(agent=center.other_agent)
    for contact in (other_customer, elsewhere):
        before = _counts()
        with pytest.raises(ValidationError) as error:
            complaint_file_for_test(center, customer=CustomerFactory(), contact=contact)
        assert set(error.value.message_dict) == {"contact"}
        assert _counts() == before


def test_first_contact_tells_the_owner_department_then_the_dispatched_one(center):
    """首问: before dispatch the type's owner department, its head as contact person and its
    phone; once dispatched elsewhere, that department's."""
    info = first_contact_info(complaint_type=center.kind)
    assert info == {"department": center.business, "contact_person": "售后部长",
                    "phone": "0755-83216000"}
    complaint = complaint_file_for_test(center)
    complaint = complaint_dispatch(complaint=complaint, by=center.agent, expected_version=1,
                                   department=center.other_business, reason="物流原因")
    info = first_contact_info(complaint_type=complaint.type,
                              department=complaint.handling_department)
    assert info == {"department": center.other_business, "contact_person": "",
                    "phone": "0755-83216111"}
    assert first_contact_info(complaint_type=complaint_type("reception")) == {
        "department": None, "contact_person": "", "phone": ""}


def test_filing_needs_a_department(center):
    """A filer without a department (an administrator) is refused on `department`."""
    with pytest.raises(ValidationError) as error:
        complaint_file_for_test(center, by=center.administrator)
    assert set(error.value.message_dict) == {"department"}


def test_a_loss_is_stored_with_two_decimals(center):
    """A whole-number or string loss is stored as Decimal yuan with two places."""
    assert complaint_file_for_test(center, loss_yuan="2999.9").loss_yuan == Decimal("2999.90")
    assert complaint_file_for_test(center, loss_yuan=3000).grade == "A"
