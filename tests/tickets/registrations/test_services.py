"""Customer registrations (客户报备): complete filings only, no earlier record, first filing
wins, 48-hour protection, relative filings approved by the general manager, the event-day
cutoff and the dispute window. Every number comes from `RegistrationSettings`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.contacts.factories import contact_log_for_test
from tests.tickets.customers.factories import CustomerFactory
from tickets.customers.validators import id_number_check_char
from tickets.registrations.models import CustomerRegistration, RegistrationSettings
from tickets.registrations.selectors import registration_state, registrations_visible_to
from tickets.registrations.services import (
    registration_approve,
    registration_convert,
    registration_dispute,
    registration_file,
    registration_reject,
    registrations_expire,
)

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 16, 8, 0, tzinfo=BJ)
VISIT = dt.datetime(2026, 11, 18, 14, 0, tzinfo=BJ)
Status = CustomerRegistration.Status


def id_number(n: int) -> str:
    first17 = f"11010519900307{n:03d}"
    return first17 + id_number_check_char(first17)


def file_for_test(*, by=None, n: int = 1, **kwargs) -> CustomerRegistration:
    kwargs.setdefault("name", "张三")
    kwargs.setdefault("phone", f"1370000{n:04d}")
    kwargs.setdefault("id_number", id_number(n))
    kwargs.setdefault("expected_visit_at", VISIT)
    kwargs.setdefault("now", NOW)
    return registration_file(by=by or StaffFactory().user, **kwargs)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- completeness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "blank"),
    [("name", "  "), ("phone", ""), ("id_number", ""), ("expected_visit_at", None)],
)
def test_incomplete_filing_is_refused_with_a_field_error_and_writes_nothing(field, blank):
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(**{field: blank})
    assert list(errors_of(excinfo)) == [field]
    assert CustomerRegistration.objects.count() == 0


def test_filing_normalises_phone_and_id_number_and_protects_for_48_hours():
    agent = StaffFactory().user
    registration = file_for_test(
        by=agent, phone="+86 137-0000-0001", id_number=id_number(1).lower()
    )
    assert registration.phone == "13700000001"
    assert registration.id_number == id_number(1)
    assert registration.status == Status.PROTECTED
    assert registration.protected_until == NOW + dt.timedelta(hours=48)
    assert registration.department_id == agent.staff_profile.department_id


def test_protection_window_is_admin_data():
    rules = RegistrationSettings.load()
    rules.protection_hours = 24
    rules.save()
    registration = file_for_test()
    assert registration.protected_until == NOW + dt.timedelta(hours=24)


def test_id_number_with_a_wrong_check_character_is_refused():
    good = id_number(1)
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(id_number=wrong)
    assert list(errors_of(excinfo)) == ["id_number"]


# --- no earlier record ----------------------------------------------------------------------


def test_phone_of_an_existing_customer_is_refused():
    customer = CustomerFactory(phone="13700000001")
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(phone="137 0000 0001")
    assert customer.code in errors_of(excinfo)["phone"][0]
    assert CustomerRegistration.objects.count() == 0


def test_id_number_of_an_existing_customer_is_refused():
    customer = CustomerFactory(id_number=id_number(1))
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(n=2, id_number=id_number(1))
    assert customer.code in errors_of(excinfo)["id_number"][0]


def test_phone_with_an_earlier_call_is_refused():
    customer = CustomerFactory(phone="13700000001")
    contact_log_for_test(customer=customer)
    with pytest.raises(ValidationError) as excinfo:
        file_for_test()
    message = errors_of(excinfo)["phone"][0]
    assert "接触记录" in message
    assert customer.code in message


def test_second_filing_of_the_same_phone_is_refused_naming_the_first():
    first = StaffFactory(display_name="李四").user
    file_for_test(by=first, n=1)
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(n=2, phone="13700000001", now=NOW + dt.timedelta(hours=1))
    assert errors_of(excinfo)["phone"] == ["已由 李四 于 2026-11-16 08:00 报备。"]
    assert CustomerRegistration.objects.count() == 1


def test_second_filing_of_the_same_id_number_is_refused():
    file_for_test(n=1)
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(n=2, id_number=id_number(1))
    assert list(errors_of(excinfo)) == ["id_number"]


def test_expired_registration_no_longer_blocks_a_new_filing():
    file_for_test(n=1)
    later = NOW + dt.timedelta(hours=48)
    assert registrations_expire(now=later) == 1
    again = file_for_test(n=1, now=later, expected_visit_at=later + dt.timedelta(days=1))
    assert again.status == Status.PROTECTED


# --- expiry ---------------------------------------------------------------------------------


def test_protection_expires_exactly_48_hours_after_filing():
    registration = file_for_test()
    assert registrations_expire(now=NOW + dt.timedelta(hours=48, microseconds=-1)) == 0
    assert registrations_expire(now=NOW + dt.timedelta(hours=48)) == 1
    registration.refresh_from_db()
    assert registration.status == Status.EXPIRED


def test_second_sweep_changes_nothing():
    file_for_test(n=1)
    file_for_test(n=2)
    later = NOW + dt.timedelta(days=3)
    assert registrations_expire(now=later) == 2
    assert registrations_expire(now=later) == 0


def test_sweep_leaves_converted_registrations_alone():
    registration = file_for_test()
    registration_convert(registration=registration, by=registration.filed_by,
                         now=NOW + dt.timedelta(hours=1))
    assert registrations_expire(now=NOW + dt.timedelta(days=90)) == 0
    registration.refresh_from_db()
    assert registration.status == Status.CONVERTED


def test_unapproved_relative_filing_expires_a_month_after_the_visit():
    visit = NOW + dt.timedelta(days=61)
    registration = file_for_test(is_relative=True, expected_visit_at=visit)
    assert registrations_expire(now=visit + dt.timedelta(days=30, microseconds=-1)) == 0
    assert registrations_expire(now=visit + dt.timedelta(days=30)) == 1
    registration.refresh_from_db()
    assert registration.status == Status.EXPIRED


def test_state_shows_lapsed_protection_as_expired_before_the_sweep():
    registration = file_for_test()
    assert registration_state(registration, NOW) == Status.PROTECTED
    assert registration_state(registration, NOW + dt.timedelta(hours=48)) == Status.EXPIRED


def test_registration_expire_task_calls_the_sweep():
    from tickets.registrations.tasks import registration_expire_task

    file_for_test(now=dt.datetime(2020, 1, 1, 8, 0, tzinfo=BJ),
                  expected_visit_at=dt.datetime(2020, 1, 2, 10, 0, tzinfo=BJ))
    assert registration_expire_task() == 1
    assert registration_expire_task() == 0


# --- relative filings -----------------------------------------------------------------------


def test_relative_filing_less_than_60_days_ahead_is_refused():
    visit = dt.datetime(2027, 1, 14, 10, 0, tzinfo=BJ)  # 59 days after 2026-11-16
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(is_relative=True, expected_visit_at=visit)
    assert list(errors_of(excinfo)) == ["expected_visit_at"]


def test_relative_filing_exactly_60_days_ahead_waits_for_approval():
    visit = dt.datetime(2027, 1, 15, 10, 0, tzinfo=BJ)  # 60 days after 2026-11-16
    registration = file_for_test(is_relative=True, expected_visit_at=visit)
    assert registration.status == Status.PENDING_APPROVAL
    assert registration.protected_until is None


@pytest.mark.parametrize("role", [Role.TIER1, Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR])
def test_only_the_general_manager_approves_relative_filings(role):
    visit = NOW + dt.timedelta(days=61)
    registration = file_for_test(is_relative=True, expected_visit_at=visit)
    with pytest.raises(ValidationError):
        registration_approve(registration=registration, by=StaffFactory(role=role).user,
                             now=NOW)
    registration.refresh_from_db()
    assert registration.status == Status.PENDING_APPROVAL


def test_approved_relative_filing_is_protected_through_the_visit():
    visit = NOW + dt.timedelta(days=61)
    registration = file_for_test(is_relative=True, expected_visit_at=visit)
    manager = StaffFactory(role=Role.GENERAL_MANAGER).user
    approved_at = NOW + dt.timedelta(days=1)
    registration_approve(registration=registration, by=manager, now=approved_at)
    assert registration.status == Status.PROTECTED
    assert registration.approved_by == manager
    assert registration.approved_at == approved_at
    assert registration.protected_until == visit + dt.timedelta(hours=48)
    assert registrations_expire(now=visit) == 0
    with pytest.raises(ValidationError):
        registration_approve(registration=registration, by=manager, now=approved_at)


def test_rejected_relative_filing_frees_the_person():
    visit = NOW + dt.timedelta(days=61)
    registration = file_for_test(is_relative=True, expected_visit_at=visit)
    registration_reject(registration=registration, by=StaffFactory(role=Role.GENERAL_MANAGER).user,
                        now=NOW)
    assert registration.status == Status.REJECTED
    assert file_for_test().status == Status.PROTECTED


def test_pending_relative_filing_blocks_a_second_filing():
    file_for_test(is_relative=True, expected_visit_at=NOW + dt.timedelta(days=61))
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(n=2, phone="13700000001")
    assert list(errors_of(excinfo)) == ["phone"]


# --- event-day cutoff -----------------------------------------------------------------------


def test_event_day_filing_before_nine_is_accepted():
    now = dt.datetime(2026, 11, 16, 8, 59, 59, 999999, tzinfo=BJ)
    registration = file_for_test(now=now, expected_visit_at=now.replace(hour=14))
    assert registration.status == Status.PROTECTED


def test_event_day_filing_closes_at_nine_sharp():
    now = dt.datetime(2026, 11, 16, 9, 0, tzinfo=BJ)
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(now=now, expected_visit_at=now.replace(hour=14))
    assert errors_of(excinfo)["expected_visit_at"] == ["当天到访的报备已于 09:00 截止。"]
    assert CustomerRegistration.objects.count() == 0


def test_cutoff_uses_the_beijing_date():
    # 01:30 UTC is 09:30 in Beijing: the visit at 15:00 Beijing is on the same day.
    now = dt.datetime(2026, 11, 16, 1, 30, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        file_for_test(now=now, expected_visit_at=dt.datetime(2026, 11, 16, 15, 0, tzinfo=BJ))
    assert file_for_test(
        now=now, expected_visit_at=dt.datetime(2026, 11, 17, 9, 30, tzinfo=BJ)
    ).status == Status.PROTECTED


def test_visit_in_the_past_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        file_for_test(expected_visit_at=NOW - dt.timedelta(minutes=1))
    assert list(errors_of(excinfo)) == ["expected_visit_at"]


# --- conversion and disputes ----------------------------------------------------------------


def test_conversion_after_protection_lapsed_is_refused():
    registration = file_for_test()
    with pytest.raises(ValidationError):
        registration_convert(registration=registration, by=registration.filed_by,
                             now=NOW + dt.timedelta(hours=48))


def _converted(at: dt.datetime) -> CustomerRegistration:
    registration = file_for_test()
    return registration_convert(registration=registration, by=registration.filed_by, now=at)


def test_dispute_exactly_seven_days_after_the_deal_is_accepted():
    deal = NOW + dt.timedelta(hours=3)
    registration = _converted(deal)
    assert registration.converted_at == deal
    other = StaffFactory().user
    registration_dispute(registration=registration, by=other, reason="我先接待的",
                         now=deal + dt.timedelta(days=7))
    assert registration.status == Status.DISPUTED
    assert registration.disputed_by == other
    assert registration.dispute_reason == "我先接待的"


def test_dispute_after_seven_days_is_refused():
    deal = NOW + dt.timedelta(hours=3)
    registration = _converted(deal)
    with pytest.raises(ValidationError) as excinfo:
        registration_dispute(registration=registration, by=StaffFactory().user, reason="晚了",
                             now=deal + dt.timedelta(days=7, microseconds=1))
    assert list(errors_of(excinfo)) == ["reason"]
    registration.refresh_from_db()
    assert registration.status == Status.CONVERTED


def test_only_a_converted_registration_can_be_disputed():
    registration = file_for_test()
    with pytest.raises(ValidationError) as excinfo:
        registration_dispute(registration=registration, by=StaffFactory().user, reason="x",
                             now=NOW)
    assert list(errors_of(excinfo)) == ["status"]


def test_dispute_needs_a_reason():
    registration = _converted(NOW + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as excinfo:
        registration_dispute(registration=registration, by=StaffFactory().user, reason=" ",
                             now=NOW + dt.timedelta(hours=2))
    assert list(errors_of(excinfo)) == ["reason"]


# --- visibility -----------------------------------------------------------------------------


def test_department_staff_see_only_their_departments_registrations():
    department = DepartmentFactory()
    mine = file_for_test(n=1, by=StaffFactory(department=department).user)
    file_for_test(n=2)
    colleague = StaffFactory(department=department, role=Role.SUPERVISOR).user
    assert list(registrations_visible_to(user=colleague)) == [mine]


def test_management_sees_every_registration():
    file_for_test(n=1)
    file_for_test(n=2)
    assert registrations_visible_to(user=StaffFactory(role=Role.MANAGER).user).count() == 2


def test_user_without_staff_profile_sees_none():
    from tests.factories import UserFactory

    file_for_test()
    assert registrations_visible_to(user=UserFactory()).count() == 0


# --- history ---------------------------------------------------------------------------


def test_every_step_is_on_the_record_with_who_and_why():
    from tickets.registrations.models import RegistrationEvent

    agent = StaffFactory().user
    registration = file_for_test(by=agent)
    registration_convert(registration=registration, by=agent, now=NOW + dt.timedelta(hours=1))
    registration_dispute(registration=registration, by=agent, reason="客户先由我接待",
                         now=NOW + dt.timedelta(days=1))
    events = list(RegistrationEvent.objects.filter(registration=registration)
                  .values_list("kind", "actor", "reason"))
    assert events == [("filed", agent.pk, ""), ("converted", agent.pk, ""),
                      ("disputed", agent.pk, "客户先由我接待")]


def test_a_late_sweep_records_the_expiry_once_at_its_true_time():
    from tickets.registrations.models import RegistrationEvent

    registration = file_for_test()
    late = NOW + dt.timedelta(hours=48 + 5)  # the scheduler was down for five hours
    assert registrations_expire(now=late) == 1
    assert registrations_expire(now=late + dt.timedelta(minutes=1)) == 0
    expiry = RegistrationEvent.objects.get(registration=registration, kind="expired")
    assert (expiry.at, expiry.actor) == (NOW + dt.timedelta(hours=48), None)


# --- who takes which step ---------------------------------------------------------------------


def test_a_colleague_cannot_convert_someone_elses_registration():
    registration = file_for_test()
    colleague = StaffFactory(department=registration.department).user
    with pytest.raises(ValidationError) as excinfo:
        registration_convert(registration=registration, by=colleague,
                             now=NOW + dt.timedelta(hours=1))
    assert list(errors_of(excinfo)) == ["filed_by"]
    registration.refresh_from_db()
    assert registration.status == Status.PROTECTED


def test_the_general_manager_may_convert_for_the_filer():
    registration = file_for_test()
    registration_convert(registration=registration,
                         by=StaffFactory(role=Role.GENERAL_MANAGER).user,
                         now=NOW + dt.timedelta(hours=1))
    assert registration.status == Status.CONVERTED


@pytest.mark.parametrize("role", [Role.GENERAL_MANAGER, Role.MANAGER])
def test_staff_who_do_not_file_registrations_cannot_dispute(role):
    registration = _converted(NOW + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as excinfo:
        registration_dispute(registration=registration, by=StaffFactory(role=role).user,
                             reason="我先接待的", now=NOW + dt.timedelta(hours=2))
    assert list(errors_of(excinfo)) == ["disputed_by"]
    registration.refresh_from_db()
    assert registration.status == Status.CONVERTED


def test_a_rejection_keeps_its_reason_on_the_record():
    from tickets.registrations.models import RegistrationEvent

    registration = file_for_test(is_relative=True, expected_visit_at=NOW + dt.timedelta(days=61))
    registration_reject(registration=registration, by=StaffFactory(role=Role.GENERAL_MANAGER).user,
                        reason="  不是直系亲属 ", now=NOW)
    event = RegistrationEvent.objects.get(registration=registration, kind="rejected")
    assert event.reason == "不是直系亲属"
