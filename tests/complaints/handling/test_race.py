"""Steps taken at the same moment by several people (threads, each with its own database
connection): exactly one claims the complaint; the others are refused on `state` (or on a
version that moved) and write nothing — one timeline row, one proposal."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.handling.models import Proposal
from complaints.handling.services import complaint_dispatch, complaint_propose
from servicedesk.roles import Role
from tests.complaints.handling.factories import (
    _staff,
    assessed,
    center_build,
    complaint_file_for_test,
    seed_complaint_types,
)
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import Case, CaseEvent

THREADS = 4


def _race(calls):
    start = threading.Barrier(len(calls))
    won, refused, unexpected = [], [], []

    def run(call):
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


@pytest.fixture
def seeded_center(transactional_db):
    seed_sla_policies()
    seed_complaint_types()
    return center_build()


def test_racing_dispatches_dispatch_once(seeded_center):
    """Four agents of the department dispatch the same complaint at once (no version
    given): one dispatch, one step row, one move of the case; the others are refused on
    `state`."""
    center = seeded_center
    complaint = complaint_file_for_test(center)
    agents = [_staff(Role.TIER2, center.service, f"坐席{i}") for i in range(THREADS)]
    won, refused, unexpected = _race([
        lambda a=a: complaint_dispatch(complaint=complaint, by=a, expected_version=None)
        for a in agents])
    assert unexpected == []
    assert (len(won), len(refused)) == (1, THREADS - 1)
    assert all(set(e.message_dict) == {"state"} for e in refused)
    assert CaseEvent.objects.filter(case=complaint.case, data__step="dispatch").count() == 1
    case = Case.objects.get(pk=complaint.case_id)
    assert (case.status, case.handling_department_id, case.version) == (
        "in_progress", center.business.pk, 3)


def test_racing_proposals_on_the_version_read_record_one(seeded_center):
    """Two deciders of the department record a proposal on the version they both read: one
    proposal is recorded, the other caller is refused (409 or 400) and leaves none."""
    center = seeded_center
    complaint = assessed(center, complaint_file_for_test(center))
    deciders = [center.business_supervisor, center.business_manager]
    won, refused, unexpected = _race([
        lambda d=d: complaint_propose(complaint=complaint, by=d, expected_version=3,
                                      text=f"{d.first_name}的方案", response="accepted")
        for d in deciders])
    assert unexpected == []
    assert (len(won), len(refused)) == (1, 1)
    assert Proposal.objects.filter(complaint=complaint).count() == 1
    assert CaseEvent.objects.filter(case=complaint.case, data__step="propose").count() == 1
