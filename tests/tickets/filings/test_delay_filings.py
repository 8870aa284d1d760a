"""延期报备: filed → department review → leadership approval → customer notified → delivered,
compensation; each illegal step refused with field errors and nothing written; review and
approval by role (wrong role: PermissionDenied); every step an event row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import (
    delay_approved,
    delay_file_for_test,
    delay_reviewed,
    general_manager,
    reviewer_of,
)
from tickets.filings.models import DelayEvent, DelayFiling, DelayNotice
from tickets.filings.selectors import delay_filings_visible_to, delay_is_overdue, with_overdue
from tickets.filings.services import (
    delay_approve,
    delay_compensate,
    delay_deliver,
    delay_file,
    delay_review,
)

pytestmark = pytest.mark.django_db


def _kinds(filing):
    return list(DelayEvent.objects.filter(filing=filing).values_list("kind", flat=True))


def test_filing_waits_for_the_department_review():
    agent = StaffFactory(role=Role.TIER1)
    filing = delay_file_for_test(by=agent.user)
    assert (filing.status, filing.department_id) == ("filed", agent.department_id)
    assert _kinds(filing) == ["filed"]


@pytest.mark.parametrize(
    ("field", "overrides"),
    [("order_reference", {"order_reference": " "}),
     ("reason", {"reason": "weather"}),
     ("reason_detail", {"reason_detail": ""}),
     ("original_ship_date", {"original_ship_date": None}),
     ("new_promised_date", {"new_promised_date": None}),
     ("new_promised_date", {"original_ship_date": timezone.localdate() + dt.timedelta(9),
                            "new_promised_date": timezone.localdate() + dt.timedelta(8)}),
     ("new_promised_date", {"original_ship_date": timezone.localdate() - dt.timedelta(9),
                            "new_promised_date": timezone.localdate() - dt.timedelta(1)})],
)
def test_an_incomplete_or_inconsistent_filing_is_refused_field_by_field(field, overrides):
    body = {"customer": CustomerFactory(), "order_reference": "SO1",
            "original_ship_date": timezone.localdate(),
            "new_promised_date": timezone.localdate() + dt.timedelta(3),
            "reason": "stock", "reason_detail": "缺货", **overrides}
    with pytest.raises(ValidationError) as error:
        delay_file(by=StaffFactory().user, **body)
    assert list(error.value.message_dict) == [field]
    assert DelayFiling.objects.count() == 0


def test_the_full_flow_is_one_event_per_step():
    filing = delay_approved()
    assert filing.status == "approved"
    assert DelayNotice.objects.get(filing=filing).status == "pending"
    filing = delay_deliver(filing=filing, by=filing.filed_by,
                           delivered_on=timezone.localdate(), note="已签收")
    filing = delay_compensate(filing=filing, by=reviewer_of(filing), kind="coupon",
                              amount="20.00", note="20元优惠券")
    assert (filing.status, filing.compensation_amount) == ("delivered", Decimal("20.00"))
    assert _kinds(filing) == ["filed", "reviewed", "approved", "delivered", "compensated"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER])
def test_a_supervisor_or_manager_of_the_department_reviews(role):
    filing = delay_file_for_test()
    reviewer = StaffFactory(role=role, department=filing.department).user
    filing = delay_review(filing=filing, by=reviewer, approve=True)
    assert (filing.status, filing.reviewed_by_id) == ("reviewed", reviewer.pk)


@pytest.mark.parametrize("role", [Role.TIER1, Role.TEAM_LEAD, Role.GENERAL_MANAGER])
def test_other_roles_may_not_review(role):
    filing = delay_file_for_test()
    with pytest.raises(PermissionDenied):
        delay_review(filing=filing, by=StaffFactory(role=role, department=filing.department
                                                    ).user, approve=True)
    assert DelayFiling.objects.get(pk=filing.pk).status == "filed"


def test_a_supervisor_of_another_department_may_not_review():
    filing = delay_file_for_test()
    outsider = StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user
    with pytest.raises(PermissionDenied):
        delay_review(filing=filing, by=outsider, approve=True)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SUPERVISOR, Role.TIER1])
def test_only_the_general_manager_approves(role):
    filing = delay_reviewed()
    with pytest.raises(PermissionDenied):
        delay_approve(filing=filing, by=StaffFactory(role=role, department=filing.department
                                                     ).user, approve=True)
    assert DelayFiling.objects.get(pk=filing.pk).status == "reviewed"
    assert not DelayNotice.objects.exists()


def test_approving_before_the_review_is_refused_and_writes_nothing():
    filing = delay_file_for_test()
    with pytest.raises(ValidationError) as error:
        delay_approve(filing=filing, by=general_manager(), approve=True)
    assert list(error.value.message_dict) == ["status"]
    assert DelayFiling.objects.get(pk=filing.pk).status == "filed"
    assert _kinds(filing) == ["filed"] and not DelayNotice.objects.exists()


def test_reviewing_twice_is_refused():
    filing = delay_reviewed()
    with pytest.raises(ValidationError) as error:
        delay_review(filing=filing, by=reviewer_of(filing), approve=True)
    assert list(error.value.message_dict) == ["status"]
    assert _kinds(filing) == ["filed", "reviewed"]


@pytest.mark.parametrize("step", ["review", "approve"])
def test_a_rejection_needs_a_reason_and_ends_the_filing(step):
    filing = delay_file_for_test() if step == "review" else delay_reviewed()
    service, by = ((delay_review, reviewer_of(filing)) if step == "review"
                   else (delay_approve, general_manager()))
    with pytest.raises(ValidationError) as error:
        service(filing=filing, by=by, approve=False, reason="")
    assert list(error.value.message_dict) == ["reason"]
    filing = service(filing=filing, by=by, approve=False, reason="可以按时发货")
    assert (filing.status, filing.rejection_reason) == ("rejected", "可以按时发货")
    assert _kinds(filing)[-1] == {"review": "review_rejected",
                                   "approve": "approval_rejected"}[step]
    with pytest.raises(ValidationError):
        delay_deliver(filing=filing, by=by, delivered_on=timezone.localdate())


def test_delivering_before_approval_is_refused():
    filing = delay_reviewed()
    with pytest.raises(ValidationError) as error:
        delay_deliver(filing=filing, by=filing.filed_by, delivered_on=timezone.localdate())
    assert list(error.value.message_dict) == ["status"]
    assert DelayFiling.objects.get(pk=filing.pk).delivered_on is None


@pytest.mark.parametrize("days", [1, -30])
def test_a_delivery_date_in_the_future_or_before_the_filing_is_refused(days):
    filing = delay_approved()
    with pytest.raises(ValidationError) as error:
        delay_deliver(filing=filing, by=filing.filed_by,
                      delivered_on=timezone.localdate() + dt.timedelta(days=days))
    assert list(error.value.message_dict) == ["delivered_on"]


def test_a_delivered_filing_cannot_be_delivered_again():
    filing = delay_approved()
    filing = delay_deliver(filing=filing, by=filing.filed_by, delivered_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        delay_deliver(filing=filing, by=filing.filed_by, delivered_on=timezone.localdate())
    assert list(error.value.message_dict) == ["status"]


@pytest.mark.parametrize(
    ("kind", "amount", "field"),
    [("cash", "10", "kind"), ("coupon", "0", "amount"), ("coupon", "-5", "amount"),
     ("discount", "1.005", "amount"), ("discount", "abc", "amount"),
     ("discount", 10.5, "amount")],
)
def test_a_bad_compensation_is_refused(kind, amount, field):
    filing = delay_approved()
    with pytest.raises(ValidationError) as error:
        delay_compensate(filing=filing, by=reviewer_of(filing), kind=kind, amount=amount)
    assert list(error.value.message_dict) == [field]
    assert DelayFiling.objects.get(pk=filing.pk).compensation_kind == ""


def test_compensation_is_recorded_once_and_only_after_approval():
    filing = delay_reviewed()
    with pytest.raises(ValidationError) as error:
        delay_compensate(filing=filing, by=reviewer_of(filing), kind="coupon", amount="5")
    assert list(error.value.message_dict) == ["status"]
    filing = delay_approve(filing=filing, by=general_manager(), approve=True)
    delay_compensate(filing=filing, by=reviewer_of(filing), kind="discount", amount=Decimal("15.5"))
    with pytest.raises(ValidationError) as error:
        delay_compensate(filing=filing, by=reviewer_of(filing), kind="coupon", amount="5")
    assert list(error.value.message_dict) == ["kind"]
    filing.refresh_from_db()
    assert (filing.compensation_kind, filing.compensation_amount) == ("discount",
                                                                      Decimal("15.50"))


def test_an_approved_filing_past_its_new_date_is_overdue_until_delivered():
    filing = delay_approved()
    later = filing.new_promised_date + dt.timedelta(days=1)
    assert not delay_is_overdue(filing, today=filing.new_promised_date)
    assert delay_is_overdue(filing, today=later)
    manager = StaffFactory(role=Role.MANAGER).user
    assert with_overdue(delay_filings_visible_to(user=manager), today=later).get().is_overdue
    filing = delay_deliver(filing=filing, by=filing.filed_by, delivered_on=timezone.localdate())
    assert not delay_is_overdue(filing, today=later)


def test_the_agent_handling_a_delay_cannot_grant_a_compensation():
    """Compensation is money: the department's supervisor or manager, or the general
    manager, decides it; the filing's handler is refused and nothing is written."""
    filing = delay_approved()
    with pytest.raises(PermissionDenied):
        delay_compensate(filing=filing, by=filing.filed_by, kind="coupon", amount="5")
    assert DelayFiling.objects.get(pk=filing.pk).compensation_kind == ""
    delay_compensate(filing=filing, by=general_manager(), kind="coupon", amount="5")
    assert DelayFiling.objects.get(pk=filing.pk).compensation_kind == "coupon"
