"""Two general managers approving the same delay at the same moment: exactly one wins (the
conditional UPDATE on the status), one notice and one approval event are written; the loser
gets a field error. Same for two department reviewers."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.filings.factories import delay_file_for_test, delay_reviewed
from tickets.filings.models import DelayEvent, DelayFiling, DelayNotice
from tickets.filings.services import delay_approve, delay_review

THREADS = 4


def _race(calls) -> tuple[list, list, list]:
    start = threading.Barrier(len(calls))
    won, refused, unexpected = [], [], []

    def run(call) -> None:
        try:
            start.wait(timeout=10)
            won.append(call())
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, refused, unexpected


@pytest.mark.django_db(transaction=True)
def test_racing_approvals_approve_once():
    filing = delay_reviewed()
    managers = [StaffFactory(role=Role.GENERAL_MANAGER).user for _ in range(THREADS)]
    won, refused, unexpected = _race(
        [lambda m=m: delay_approve(filing=filing, by=m, approve=True) for m in managers]
    )
    assert unexpected == []
    assert (len(won), len(refused)) == (1, THREADS - 1)
    assert all(list(e.message_dict) == ["status"] for e in refused)
    stored = DelayFiling.objects.get(pk=filing.pk)
    assert (stored.status, stored.approved_by_id) == ("approved", won[0].approved_by_id)
    assert DelayNotice.objects.filter(filing=filing).count() == 1
    assert DelayEvent.objects.filter(filing=filing, kind="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_approval_and_rejection_leave_one_decision():
    filing = delay_reviewed()
    yes, no = (StaffFactory(role=Role.GENERAL_MANAGER).user for _ in range(2))
    won, refused, unexpected = _race([
        lambda: delay_approve(filing=filing, by=yes, approve=True),
        lambda: delay_approve(filing=filing, by=no, approve=False, reason="不同意"),
    ])
    assert unexpected == [] and (len(won), len(refused)) == (1, 1)
    decisions = DelayEvent.objects.filter(filing=filing, kind__in=["approved",
                                                                   "approval_rejected"])
    assert decisions.count() == 1
    assert DelayFiling.objects.get(pk=filing.pk).status == won[0].status


@pytest.mark.django_db(transaction=True)
def test_racing_reviews_review_once():
    filing = delay_file_for_test()
    reviewers = [StaffFactory(role=Role.SUPERVISOR, department=filing.department).user
                 for _ in range(THREADS)]
    won, refused, unexpected = _race(
        [lambda r=r: delay_review(filing=filing, by=r, approve=True) for r in reviewers]
    )
    assert unexpected == [] and (len(won), len(refused)) == (1, THREADS - 1)
    assert DelayEvent.objects.filter(filing=filing, kind="reviewed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_closures_of_a_feedback_filing_close_it_once():
    from tests.tickets.filings.factories import feedback_file_for_test
    from tickets.filings.models import FeedbackEvent
    from tickets.filings.services import feedback_close, feedback_follow_up, feedback_hand_over

    filing = feedback_file_for_test()
    filing = feedback_hand_over(filing=filing, handler=filing.filed_by, by=filing.filed_by)
    filing = feedback_follow_up(filing=filing, by=filing.filed_by, note="已回访")
    people = [StaffFactory(department=filing.department).user for _ in range(THREADS)]
    won, refused, unexpected = _race(
        [lambda p=p: feedback_close(filing=filing, by=p, note="完成") for p in people]
    )
    assert unexpected == [] and (len(won), len(refused)) == (1, THREADS - 1)
    assert FeedbackEvent.objects.filter(filing=filing, kind="closed").count() == 1
