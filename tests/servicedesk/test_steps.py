"""The one way to take a step (`servicedesk.steps.step_take`): the claim and its history
rows commit together; a refused claim writes nothing and says the state the record is in
now; a moved case version is still the case's 409 conflict."""

import pytest
from django.utils import timezone

from servicedesk.errors import StaleVersion, StepRefused
from servicedesk.steps import step_take
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.registrations.factories import registration_for_test
from tickets.cases.services import CaseConflict, case_transition
from tickets.registrations.models import CustomerRegistration, RegistrationEvent

pytestmark = pytest.mark.django_db

Status = CustomerRegistration.Status


def _approval(registration, *, by):
    return RegistrationEvent(registration=registration, kind=RegistrationEvent.Kind.APPROVED,
                             actor=by, at=timezone.now())


def test_a_claimed_step_moves_the_row_and_writes_its_event():
    registration = registration_for_test(is_relative=True)
    step_take(model=CustomerRegistration, pk=registration.pk,
              expect={"status": Status.PENDING_APPROVAL}, values={"status": Status.REJECTED},
              events=[_approval(registration, by=registration.filed_by)], message="no")
    registration.refresh_from_db()
    assert registration.status == Status.REJECTED
    assert list(registration.events.values_list("kind", flat=True)) == ["filed", "approved"]


def test_a_refused_step_writes_nothing_and_carries_the_current_state():
    registration = registration_for_test()  # protected, not pending
    with pytest.raises(StepRefused) as refused:
        step_take(model=CustomerRegistration, pk=registration.pk,
                  expect={"status": Status.PENDING_APPROVAL}, values={"status": Status.REJECTED},
                  events=[_approval(registration, by=registration.filed_by)],
                  message="只能审批待审批的报备")
    assert refused.value.current == Status.PROTECTED
    assert refused.value.message_dict == {"status": ["只能审批待审批的报备"]}
    assert list(registration.events.values_list("kind", flat=True)) == ["filed"]
    assert CustomerRegistration.objects.get(pk=registration.pk).status == Status.PROTECTED


def test_a_moved_case_version_is_a_case_conflict_carrying_the_version_it_has_now():
    case = case_open_for_test()
    case_transition(case=case, to_status="in_progress", by=case.created_by, expected_version=1)
    with pytest.raises(CaseConflict) as conflict:
        case_transition(case=case, to_status="resolved", by=case.created_by, expected_version=1)
    assert isinstance(conflict.value, StaleVersion)
    assert conflict.value.current_version == 2
    assert conflict.value.code == "conflict"
