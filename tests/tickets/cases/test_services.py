"""Cases: numbers, the status lifecycle, grades, categories, the timeline and optimistic
concurrency. State comes from the real services."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests.factories import DepartmentFactory, StaffFactory, TeamFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseCategory, CaseEvent
from tickets.cases.services import (
    CASE_TRANSITIONS,
    CaseConflict,
    case_hand_over,
    case_open,
    case_regrade,
    case_transition,
    case_update,
)

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=BEIJING)
S = Case.Status

# The shortest way from a new case to each status, through the real service.
PATH_TO = {
    S.NEW: [],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.WAITING_CUSTOMER: [S.IN_PROGRESS, S.WAITING_CUSTOMER],
    S.RESOLVED: [S.RESOLVED],
    S.CLOSED: [S.RESOLVED, S.CLOSED],
}
LEGAL = sorted((a, b) for a, targets in CASE_TRANSITIONS.items() for b in targets)
ILLEGAL = sorted(
    (a, b) for a in S.values for b in [*S.values, "archived"] if (a, b) not in LEGAL
)


def case_in(status: str, **kwargs) -> Case:
    case = case_open_for_test(**kwargs)
    for step in PATH_TO[status]:
        case = case_transition(
            case=case, to_status=step, by=case.created_by, reason="测试",
            expected_version=case.version,
        )
    assert case.status == status
    return case


def snapshot(case: Case) -> tuple:
    stored = Case.objects.get(pk=case.pk)
    return (
        stored.status, stored.version, stored.grade, stored.subject, stored.category_id,
        stored.assignee_id, stored.resolved_at, stored.closed_at, stored.events.count(),
    )


# --- seed and numbers ------------------------------------------------------------------


def test_seed_has_one_top_level_category_per_kind_with_default_limits():
    tops = CaseCategory.objects.filter(parent=None)
    assert sorted(tops.values_list("kind", "name")) == sorted(
        [("complaint", "投诉"), ("consultation", "咨询"), ("suggestion", "建议"),
         ("urgent", "紧急")]
    )
    limits = dict(
        CaseCategory.objects.exclude(parent=None).values_list("name", "time_limit")
    )
    assert limits == {
        "产品功能": dt.timedelta(minutes=5),
        "物流查询": dt.timedelta(minutes=3),
        "产品质量": dt.timedelta(hours=24),
        "服务态度": dt.timedelta(hours=12),
        "账户安全": dt.timedelta(minutes=10),
        "系统故障": dt.timedelta(minutes=5),
        "意见与建议": None,
    }
    for leaf in CaseCategory.objects.exclude(parent=None).select_related("parent"):
        assert leaf.kind == leaf.parent.kind
    assert CaseCategory.objects.get(code="complaint-service-attitude").owner_role == "supervisor"


def test_case_numbers_are_k_day_and_a_daily_sequence():
    first = case_open_for_test(now=NOW)
    second = case_open_for_test(now=NOW)
    next_day = case_open_for_test(now=NOW + dt.timedelta(days=1))
    assert [first.number, second.number, next_day.number] == [
        "K2026112300001", "K2026112300002", "K2026112400001",
    ]


def test_case_number_follows_the_beijing_day():
    late_utc = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 23rd in Beijing
    assert case_open_for_test(now=late_utc).number == "K2026112300001"


# --- opening ---------------------------------------------------------------------------


def test_opener_is_first_contact_owner_and_case_belongs_to_their_department():
    agent = StaffFactory()
    case = case_open_for_test(by=agent.user, now=NOW)
    assert case.first_contact_owner == agent.user
    assert case.created_by == agent.user
    assert case.department == agent.department
    assert case.status == S.NEW
    assert case.opened_at == NOW
    assert case.version == 1


def test_opening_writes_one_opened_event():
    case = case_open_for_test(now=NOW)
    event = case.events.get()
    assert (event.kind, event.at, event.actor, event.data["to"]) == (
        CaseEvent.Kind.OPENED, NOW, case.created_by, S.NEW,
    )
    assert "from" not in event.data


def test_opening_with_category_of_another_kind_is_refused_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        case_open(
            customer=CustomerFactory(), kind=Case.Kind.URGENT,
            category=category("consultation-product-function"), subject="系统打不开",
            by=StaffFactory().user,
        )
    assert "category" in error.value.message_dict
    assert not Case.objects.exists()


def test_opening_a_non_complaint_with_a_grade_is_refused():
    with pytest.raises(ValidationError) as error:
        case_open_for_test(code="consultation-logistics-query", grade="B")
    assert set(error.value.message_dict) == {"grade"}
    assert not Case.objects.exists()


def test_opening_a_complaint_with_a_grade_is_allowed():
    case = case_open_for_test(code="complaint-service-attitude", grade="B")
    assert (case.kind, case.grade) == (Case.Kind.COMPLAINT, "B")


def test_opening_lists_every_wrong_field():
    with pytest.raises(ValidationError) as error:
        case_open(
            customer=CustomerFactory(), kind=Case.Kind.CONSULTATION,
            category=category("urgent-system-failure"), subject="  ", grade="A",
            by=StaffFactory().user,
        )
    assert set(error.value.message_dict) == {"category", "subject", "grade"}


def test_opening_without_any_department_is_refused():
    agent = StaffFactory(department=None, team=None)
    with pytest.raises(ValidationError) as error:
        case_open_for_test(by=agent.user)
    assert set(error.value.message_dict) == {"department"}


def test_opening_with_a_team_of_another_department_is_refused():
    with pytest.raises(ValidationError) as error:
        case_open_for_test(team=TeamFactory())
    assert set(error.value.message_dict) == {"team"}


# --- the lifecycle ---------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_every_legal_transition_works_and_writes_one_event(from_status, to_status):
    case = case_in(from_status)
    events_before, version_before = case.events.count(), case.version
    actor = StaffFactory(department=case.department).user
    moved = case_transition(
        case=case, to_status=to_status, by=actor, reason="客户再次来电",
        expected_version=case.version, now=NOW,
    )
    assert moved.status == to_status
    assert moved.version == version_before + 1
    assert case.events.count() == events_before + 1
    event = case.events.latest("id")
    assert (event.data, event.actor, event.at) == (
        {"from": from_status, "to": to_status}, actor, NOW,
    )
    reopened = from_status in {S.RESOLVED, S.CLOSED} and to_status == S.IN_PROGRESS
    assert event.kind == (CaseEvent.Kind.REOPENED if reopened else CaseEvent.Kind.STATUS_CHANGED)


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_illegal_transitions_are_refused_and_write_nothing(from_status, to_status):
    case = case_in(from_status)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        case_transition(
            case=case, to_status=to_status, by=case.created_by, reason="试试",
            expected_version=case.version,
        )
    assert set(error.value.message_dict) == {"status"}
    assert snapshot(case) == before


def test_resolving_and_closing_stamp_their_times():
    case = case_open_for_test()
    case = case_transition(case=case, to_status=S.RESOLVED, by=case.created_by,
                           expected_version=case.version, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    case = case_transition(case=case, to_status=S.CLOSED, by=case.created_by,
                           expected_version=case.version, now=later)
    assert (case.resolved_at, case.closed_at) == (NOW, later)


def test_reopening_a_closed_case_needs_a_reason_and_writes_nothing_without():
    case = case_in(S.CLOSED)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, to_status=S.IN_PROGRESS, by=case.created_by,
                        expected_version=case.version)
    assert set(error.value.message_dict) == {"reason"}
    assert snapshot(case) == before


def test_reopening_clears_resolved_and_closed_times_and_records_the_reason():
    case = case_in(S.CLOSED)
    case = case_transition(case=case, to_status=S.IN_PROGRESS, by=case.created_by,
                           reason="客户不满意处理结果", expected_version=case.version)
    assert (case.status, case.resolved_at, case.closed_at) == (S.IN_PROGRESS, None, None)
    event = case.events.latest("id")
    assert (event.kind, event.reason) == (CaseEvent.Kind.REOPENED, "客户不满意处理结果")


def test_reopening_a_resolved_case_needs_no_reason():
    case = case_in(S.RESOLVED)
    case = case_transition(case=case, to_status=S.IN_PROGRESS, by=case.created_by,
                           expected_version=case.version)
    assert case.status == S.IN_PROGRESS


def test_database_refuses_an_unknown_status():
    case = case_open_for_test()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="archived")


# --- editing ---------------------------------------------------------------------------


def test_edit_writes_one_edited_event_with_old_and_new_values():
    case = case_open_for_test(subject="旧主题")
    case = case_update(case=case, by=case.created_by, expected_version=case.version,
                       subject="新主题", description="补充说明")
    assert (case.subject, case.description, case.version) == ("新主题", "补充说明", 2)
    event = case.events.latest("id")
    assert event.kind == CaseEvent.Kind.EDITED
    assert event.data == {"subject": ["旧主题", "新主题"], "description": ["", "补充说明"]}


def test_assignment_writes_an_assigned_event():
    case = case_open_for_test()
    colleague = StaffFactory(department=case.department).user
    case = case_update(case=case, by=case.created_by, expected_version=case.version,
                       assignee=colleague)
    assert case.assignee == colleague
    event = case.events.latest("id")
    assert (event.kind, event.data) == (
        CaseEvent.Kind.ASSIGNED, {"assignee": [None, colleague.pk]}
    )


def test_edit_without_changes_writes_nothing():
    case = case_open_for_test(subject="主题")
    before = snapshot(case)
    case_update(case=case, by=case.created_by, expected_version=case.version, subject="主题")
    assert snapshot(case) == before


def test_edit_never_changes_the_first_contact_owner_or_kind():
    case = case_open_for_test()
    with pytest.raises(TypeError):
        case_update(case=case, by=case.created_by, expected_version=case.version,
                    first_contact_owner=StaffFactory().user)
    with pytest.raises(TypeError):
        case_update(case=case, by=case.created_by, expected_version=case.version,
                    kind=Case.Kind.COMPLAINT)
    other = StaffFactory(department=case.department).user
    case = case_update(case=case, by=other, expected_version=case.version, subject="换人编辑")
    assert case.first_contact_owner == case.created_by != other


def test_changing_to_a_category_of_another_kind_is_refused_and_writes_nothing():
    case = case_open_for_test(code="consultation-product-function")
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        case_update(case=case, by=case.created_by, expected_version=case.version,
                    category=category("complaint-product-quality"))
    assert set(error.value.message_dict) == {"category"}
    assert snapshot(case) == before


def test_grading_a_non_complaint_is_refused():
    """`case_regrade` grades complaints only."""
    case = case_open_for_test(code="urgent-account-security")
    with pytest.raises(ValidationError) as error:
        case_regrade(case=case, by=case.created_by, grade="A", reason="影响很大")
    assert set(error.value.message_dict) == {"grade"}


def test_case_update_no_longer_grades():
    """Grading left `case_update`: a grade is a programming error there (the complaints
    app grades through `case_regrade`)."""
    case = case_open_for_test(code="complaint-product-quality", grade="C")
    with pytest.raises(TypeError):
        case_update(case=case, by=case.created_by, expected_version=case.version, grade="A",
                    reason="影响很大")


@pytest.mark.parametrize(("grade", "reason", "field"), [
    ("A", "", "reason"), ("A", "  ", "reason"), ("E", "理由", "grade"), ("C", "理由", "grade"),
])
def test_a_regrade_needs_a_reason_and_a_new_grade_and_writes_nothing_without(grade, reason,
                                                                             field):
    """No reason, an unknown grade, the grade it has: a field error, nothing written."""
    case = case_open_for_test(code="complaint-product-quality", grade="C")
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        case_regrade(case=case, by=case.created_by, grade=grade, reason=reason)
    assert set(error.value.message_dict) == {field}
    assert snapshot(case) == before


def test_a_regrade_with_a_reason_writes_a_graded_event():
    case = case_open_for_test(code="complaint-product-quality", grade="C")
    case = case_regrade(case=case, by=case.created_by, expected_version=case.version,
                        grade="A", reason="公司损失超过3000元")
    assert (case.grade, case.version) == ("A", 2)
    event = case.events.get(kind=CaseEvent.Kind.GRADED)
    assert (event.kind, event.data, event.reason) == (
        CaseEvent.Kind.GRADED, {"from": "C", "to": "A"}, "公司损失超过3000元",
    )


def test_a_regrade_on_a_stale_version_is_a_conflict():
    """`expected_version` given: the case must still be at it (409 otherwise)."""
    case = case_open_for_test(code="complaint-product-quality", grade="C")
    case_update(case=case, by=case.created_by, expected_version=1, subject="已被修改")
    with pytest.raises(CaseConflict):
        case_regrade(case=case, by=case.created_by, expected_version=1, grade="A",
                     reason="理由")
    assert Case.objects.get(pk=case.pk).grade == "C"


def test_handing_over_sets_the_handling_department_on_the_timeline():
    """`case_hand_over`: the case's handling department with an "assigned" row (old and
    new department); the same department again changes nothing."""
    case = case_open_for_test(code="complaint-product-quality", grade="C")
    business = DepartmentFactory(kind="business")
    case = case_hand_over(case=case, department=business, by=case.created_by, reason="传递")
    assert (case.handling_department, case.version) == (business, 2)
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert (event.data, event.reason) == ({"handling_department": [None, business.pk]}, "传递")
    assert case_hand_over(case=case, department=business, by=case.created_by).version == 2


def test_a_case_opened_for_a_desk_is_restricted_from_birth():
    """`desk`: the public-opinion or major-safety desk, on the case and its opening row;
    any other desk is refused."""
    case = case_open_for_test(code="complaint-product-quality", grade="C",
                              desk="public_opinion")
    assert case.desk == "public_opinion"
    assert case.events.get(kind=CaseEvent.Kind.OPENED).data["desk"] == "public_opinion"
    with pytest.raises(ValidationError) as error:
        case_open_for_test(code="complaint-product-quality", grade="C", desk="tier1")
    assert set(error.value.message_dict) == {"desk"}


def test_database_refuses_a_grade_on_a_non_complaint():
    case = case_open_for_test(code="consultation-logistics-query")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(grade="A")


# --- optimistic concurrency ------------------------------------------------------------


def test_second_of_two_simultaneous_edits_gets_a_conflict_and_the_first_edit_stays():
    case = case_open_for_test(subject="原主题")
    read_by_both = case.version
    first_copy, second_copy = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    case_update(case=first_copy, by=case.created_by, expected_version=read_by_both,
                subject="第一位的修改")
    events_after_first = case.events.count()
    with pytest.raises(CaseConflict) as error:
        case_update(case=second_copy, by=case.created_by, expected_version=read_by_both,
                    subject="第二位的修改")
    assert error.value.code == "conflict"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.subject, stored.version) == ("第一位的修改", read_by_both + 1)
    assert case.events.count() == events_after_first


def test_transition_on_a_stale_version_gets_a_conflict():
    case = case_open_for_test()
    stale = case.version
    case_update(case=case, by=case.created_by, expected_version=stale, subject="已被修改")
    with pytest.raises(CaseConflict):
        case_transition(case=case, to_status=S.IN_PROGRESS, by=case.created_by,
                        expected_version=stale)
    assert Case.objects.get(pk=case.pk).status == S.NEW


def test_case_conflict_is_a_validation_error_with_a_clear_message():
    with translation.override("en"):
        error = CaseConflict()
        assert isinstance(error, ValidationError)
        assert error.messages == [
            "This case was changed by someone else; reload it and try again."
        ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_from_two_connections_let_exactly_one_win():
    case = case_open_for_test(subject="原主题")
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(subject: str) -> None:
        try:
            start.wait(timeout=10)
            case_update(case=Case.objects.get(pk=case.pk), by=case.created_by,
                        expected_version=1, subject=subject)
            outcomes[subject] = "saved"
        except CaseConflict:
            outcomes[subject] = "conflict"
        except BaseException as error:  # reported by the main thread
            outcomes[subject] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(s,)) for s in ("甲的修改", "乙的修改")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(s for s, outcome in outcomes.items() if outcome == "saved")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.subject, stored.version) == (winner, 2)
    assert stored.events.filter(kind=CaseEvent.Kind.EDITED).count() == 1
