"""问题与需求、意见与建议报备: filing opens its case in the same transaction, the steps
filed → handed over → followed up → closed with who/when/why, illegal steps refused with
field errors and nothing written, and the periodic statistics in one query."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import feedback_file_for_test
from tickets.cases.models import Case, CaseEvent
from tickets.filings.models import FeedbackEvent, FeedbackFiling
from tickets.filings.selectors import feedback_filings_visible_to, feedback_statistics
from tickets.filings.services import (
    feedback_close,
    feedback_file,
    feedback_follow_up,
    feedback_hand_over,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "case_kind"), [("issue", "consultation"),
                                                 ("need", "consultation"),
                                                 ("suggestion", "suggestion")])
def test_filing_opens_its_case_of_the_matching_kind(kind, case_kind):
    agent = StaffFactory(role=Role.TIER1)
    filing = feedback_file_for_test(kind=kind, by=agent.user)
    assert filing.status == "filed"
    assert filing.department_id == agent.department_id
    case = Case.objects.get(pk=filing.case_id)
    assert (case.kind, case.customer_id, case.department_id) == (
        case_kind, filing.customer_id, agent.department_id)
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1
    assert list(filing.events.values_list("kind", "actor")) == [("filed", agent.user_id)]


def test_a_category_of_another_kind_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        feedback_file(customer=CustomerFactory(), kind="suggestion",
                      category=category("consultation-product-function"),
                      description="建议增加夜间客服", by=StaffFactory().user)
    assert list(error.value.message_dict) == ["category"]
    assert (FeedbackFiling.objects.count(), Case.objects.count()) == (0, 0)


def test_an_empty_filing_is_refused_field_by_field():
    with pytest.raises(ValidationError) as error:
        feedback_file(customer=CustomerFactory(), kind="complaint", category=None,
                      description="  ", by=StaffFactory().user)
    assert set(error.value.message_dict) == {"kind", "description"}
    assert FeedbackFiling.objects.count() == 0


def test_the_full_flow_records_who_when_and_why():
    filing = feedback_file_for_test()
    handler = StaffFactory(role=Role.TIER2, department=filing.department).user
    lead = StaffFactory(role=Role.SUPERVISOR, department=filing.department).user
    filing = feedback_hand_over(filing=filing, handler=handler, by=lead, note="交给二线")
    filing = feedback_follow_up(filing=filing, by=handler, note="已回电说明")
    filing = feedback_follow_up(filing=filing, by=handler, note="客户确认收到")
    filing = feedback_close(filing=filing, by=handler, note="已解决")
    assert (filing.status, filing.handler_id) == ("closed", handler.pk)
    assert filing.closed_at is not None and filing.version == 5
    assert list(filing.events.values_list("kind", "data", "reason")) == [
        ("filed", {"to": "filed"}, ""),
        ("handed_over", {"from": "filed", "to": "handed_over"}, "交给二线"),
        ("followed_up", {"from": "handed_over", "to": "followed_up"}, "已回电说明"),
        ("followed_up", {"from": "followed_up", "to": "followed_up"}, "客户确认收到"),
        ("closed", {"from": "followed_up", "to": "closed"}, "已解决"),
    ]


def test_following_up_before_the_hand_over_is_refused_and_writes_nothing():
    filing = feedback_file_for_test()
    with pytest.raises(ValidationError) as error:
        feedback_follow_up(filing=filing, by=filing.filed_by, note="x")
    assert list(error.value.message_dict) == ["status"]
    assert FeedbackEvent.objects.filter(filing=filing).count() == 1
    assert FeedbackFiling.objects.get(pk=filing.pk).status == "filed"


def test_each_step_shows_on_the_linked_case_timeline_in_the_same_transaction():
    filing = feedback_file_for_test()
    handler = StaffFactory(role=Role.TIER2, department=filing.department).user
    at = timezone.now()
    filing = feedback_hand_over(filing=filing, handler=handler, by=filing.filed_by,
                                note="交给二线", now=at)
    filing = feedback_follow_up(filing=filing, by=handler, note="已回电说明",
                                now=at + dt.timedelta(minutes=5))
    feedback_close(filing=filing, by=handler, note="已解决", now=at + dt.timedelta(minutes=9))
    steps = CaseEvent.objects.filter(case_id=filing.case_id, kind="filing_step")
    assert [(e.data, e.reason, e.actor_id, e.at) for e in steps] == [
        ({"filing": "tickets.feedbackfiling", "filing_id": filing.pk, "step": step}, note,
         actor.pk, when)
        for step, note, actor, when in [
            ("handed_over", "交给二线", filing.filed_by, at),
            ("followed_up", "已回电说明", handler, at + dt.timedelta(minutes=5)),
            ("closed", "已解决", handler, at + dt.timedelta(minutes=9)),
        ]
    ]
    # the same instants as the filing's own timeline
    assert [e.at for e in steps] == list(
        filing.events.exclude(kind="filed").values_list("at", flat=True))


def test_a_refused_step_leaves_the_case_timeline_alone():
    filing = feedback_file_for_test()
    before = CaseEvent.objects.filter(case_id=filing.case_id).count()
    with pytest.raises(ValidationError):
        feedback_close(filing=filing, by=filing.filed_by, note="完成")
    assert CaseEvent.objects.filter(case_id=filing.case_id).count() == before


def test_closing_before_a_follow_up_is_refused():
    filing = feedback_file_for_test()
    filing = feedback_hand_over(filing=filing, handler=filing.filed_by, by=filing.filed_by)
    with pytest.raises(ValidationError) as error:
        feedback_close(filing=filing, by=filing.filed_by, note="完成")
    assert list(error.value.message_dict) == ["status"]
    assert FeedbackFiling.objects.get(pk=filing.pk).status == "handed_over"


def test_a_closed_filing_cannot_be_handed_over_again():
    filing = feedback_file_for_test()
    filing = feedback_hand_over(filing=filing, handler=filing.filed_by, by=filing.filed_by)
    filing = feedback_follow_up(filing=filing, by=filing.filed_by, note="已处理")
    filing = feedback_close(filing=filing, by=filing.filed_by, note="已解决")
    with pytest.raises(ValidationError) as error:
        feedback_hand_over(filing=filing, handler=filing.filed_by, by=filing.filed_by)
    assert list(error.value.message_dict) == ["status"]
    assert filing.events.count() == 4


@pytest.mark.parametrize("service", [feedback_follow_up, feedback_close])
def test_a_follow_up_or_closure_needs_a_note(service):
    filing = feedback_file_for_test()
    filing = feedback_hand_over(filing=filing, handler=filing.filed_by, by=filing.filed_by)
    with pytest.raises(ValidationError) as error:
        service(filing=filing, by=filing.filed_by, note=" ")
    assert list(error.value.message_dict) == ["note"]


def test_statistics_count_per_kind_category_and_status_in_the_range():
    agent = StaffFactory(role=Role.TIER1)
    for kind in ["issue", "issue", "need", "suggestion"]:
        feedback_file_for_test(kind=kind, by=agent.user)
    old = feedback_file_for_test(by=agent.user, now=timezone.now() - dt.timedelta(days=40))
    feedback_hand_over(filing=old, handler=agent.user, by=agent.user)
    now = timezone.now()
    stats = feedback_statistics(queryset=feedback_filings_visible_to(user=agent.user),
                                start=now - dt.timedelta(days=1), end=now + dt.timedelta(1))
    assert stats["total"] == 4
    assert stats["by_kind"] == {"issue": 2, "need": 1, "suggestion": 1}
    assert stats["by_status"] == {"filed": 4, "handed_over": 0, "followed_up": 0, "closed": 0}
    assert [(e["name"], e["count"]) for e in stats["by_category"]] == [
        ("产品功能", 3), ("意见与建议", 1)]


@pytest.mark.parametrize("n", [1, 12])
def test_statistics_take_one_query_whatever_the_number_of_filings(
    n, django_assert_num_queries
):
    manager = StaffFactory(role=Role.MANAGER).user
    for i in range(n):
        feedback_file_for_test(kind=["issue", "need", "suggestion"][i % 3])
    queryset = feedback_filings_visible_to(user=manager)
    now = timezone.now()
    with django_assert_num_queries(1):
        stats = feedback_statistics(queryset=queryset, start=now - dt.timedelta(days=1),
                                    end=now + dt.timedelta(days=1))
    assert stats["total"] == n
