"""Cases that another app's flow owns (`servicedesk.registry.case_flow`; the complaints app
registers its complaint's case): the tickets services move them only when that flow's
services ask (`flow=`), refusing anyone else with a field error that points to the flow's
page — the tickets app never names the flow."""

import pytest
from django.core.exceptions import ValidationError

from servicedesk.registry import registry
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.models import Case, CaseEvent
from tickets.cases.selectors import case_owner, case_owners
from tickets.cases.services import case_feedback_record, case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(request):
    """Two cases; a scratch flow "repair" owns the first (its page /repairs/<case id>/);
    forgotten after the test."""
    saved = registry.snapshot()
    agent = StaffFactory(role=Role.TIER2).user
    first = case_open_for_test(by=agent, code="complaint-product-quality", grade="C")
    second = case_open_for_test(by=agent, code="complaint-product-quality", grade="C")
    registry.case_flow(
        "repair", pages=lambda ids: {pk: f"/repairs/{pk}/" for pk in ids if pk == first.pk},
        link="Repair order", refusal="Moves only through its repair order: %(url)s")
    yield agent, first, second
    registry.restore(saved)


def _stored(case):
    current = Case.objects.get(pk=case.pk)
    return current.status, current.version, CaseEvent.objects.filter(case=case).count()


def test_the_owner_of_a_case_is_the_flow_that_registered_it(owned):
    _agent, first, second = owned
    owner = case_owner(first.pk)
    assert (owner.flow, owner.url, owner.link, owner.refusal) == (
        "repair", f"/repairs/{first.pk}/", "Repair order",
        f"Moves only through its repair order: /repairs/{first.pk}/")
    assert case_owner(second.pk) is None
    assert set(case_owners([first.pk, second.pk])) == {first.pk}


def test_an_owned_case_is_not_moved_directly(owned):
    """A status change or a feedback record without the owning flow's name: refused on
    `status` / `note` with the flow's message, nothing written."""
    agent, first, _second = owned
    before = _stored(first)
    with pytest.raises(ValidationError) as refused:
        case_transition(case=first, to_status="in_progress", by=agent, expected_version=1)
    assert refused.value.message_dict == {
        "status": [f"Moves only through its repair order: /repairs/{first.pk}/"]}
    with pytest.raises(ValidationError) as refused:
        case_feedback_record(case=first, by=agent, note="已告知", expected_version=1)
    assert set(refused.value.message_dict) == {"note"}
    with pytest.raises(ValidationError):
        case_transition(case=first, to_status="in_progress", by=agent, expected_version=1,
                        flow="another")
    assert _stored(first) == before


def test_the_owning_flow_moves_its_case_and_other_cases_move_as_ever(owned):
    agent, first, second = owned
    moved = case_transition(case=first, to_status="in_progress", by=agent,
                            expected_version=1, flow="repair")
    assert moved.status == "in_progress"
    moved = case_feedback_record(case=moved, by=agent, note="已告知处理进度",
                                 expected_version=moved.version, flow="repair")
    assert CaseEvent.objects.filter(case=first, kind="feedback").count() == 1
    assert case_transition(case=second, to_status="in_progress", by=agent,
                           expected_version=1).status == "in_progress"


def test_owners_are_found_in_one_query_per_flow_whatever_the_number_of_cases(
        owned, django_assert_num_queries):
    agent, _first, _second = owned
    saved = registry.snapshot()
    try:
        registry.case_flow(
            "counted", link="Counted", refusal="%(url)s",
            pages=lambda ids: dict(Case.objects.filter(pk__in=ids, grade="A")
                                   .values_list("pk", "number")))
        cases = [case_open_for_test(by=agent, code="complaint-product-quality", grade="A")
                 for _ in range(4)]
        # the apps' own flows (the complaints') and "counted": one query each
        queries = len(registry.case_flows()) - 1  # "repair" answers without a query
        for some in (cases[:1], cases):
            with django_assert_num_queries(queries):
                owners = case_owners([c.pk for c in some])
            assert {owners[c.pk].url for c in some} == {c.number for c in some}
    finally:
        registry.restore(saved)
