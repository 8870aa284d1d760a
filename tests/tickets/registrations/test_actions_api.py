"""/api/v1/registrations/{id}/: retrieve with the history and the steps the user may take,
and the steps approve, reject, convert and dispute. Each answers the updated registration;
a refusal is a 400 naming the field and writes nothing; a step the user may not take at
all is 403, another department's registration 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.registrations.factories import (
    converted_registration_for_test,
    registration_for_test,
)
from tickets.registrations.models import CustomerRegistration, RegistrationEvent

pytestmark = pytest.mark.django_db
Status = CustomerRegistration.Status


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _url(registration, action: str = "") -> str:
    return f"/api/v1/registrations/{registration.pk}/" + (f"{action}/" if action else "")


def _colleague(registration, role=Role.TIER1):
    return StaffFactory(role=role, department=registration.department).user


def _general_manager():
    return StaffFactory(role=Role.GENERAL_MANAGER).user


def _history(registration) -> list[str]:
    return list(RegistrationEvent.objects.filter(registration=registration)
                .order_by("at", "id").values_list("kind", flat=True))


def _unchanged(registration) -> bool:
    before = (registration.status, _history(registration))
    registration.refresh_from_db()
    return (registration.status, _history(registration)) == before


def test_retrieve_has_the_history_the_steps_and_masked_numbers_for_tier1():
    registration = registration_for_test(phone="13300133000")
    body = _api(registration.filed_by).get(_url(registration)).json()
    assert body["phone"] == "133****3000"
    assert body["actions"] == ["convert"]
    [filed] = body["history"]
    assert (filed["kind"], filed["actor"], filed["reason"]) == (
        "filed", registration.filed_by.pk, "")
    assert filed["actor_name"] == registration.filed_by.staff_profile.display_name


def test_list_has_no_history():
    registration = registration_for_test()
    [row] = _api(registration.filed_by).get("/api/v1/registrations/").json()["results"]
    assert "history" not in row


def test_other_department_gets_404_on_retrieve_and_steps():
    registration = registration_for_test()
    outsider = StaffFactory(role=Role.SUPERVISOR).user  # another department
    assert _api(outsider).get(_url(registration)).status_code == 404
    for action in ("convert", "dispute"):
        assert _api(outsider).post(_url(registration, action), {}, format="json"
                                   ).status_code == 404
    assert _unchanged(registration)


# --- approve / reject -----------------------------------------------------------------------


def test_general_manager_approves_and_gets_the_protected_registration_back():
    registration = registration_for_test(is_relative=True)
    response = _api(_general_manager()).post(_url(registration, "approve"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["state"]) == ("protected", "protected")
    assert [event["kind"] for event in body["history"]] == ["filed", "approved"]
    assert body["protected_until"] is not None


def test_general_manager_rejects_with_a_reason_on_the_history():
    registration = registration_for_test(is_relative=True)
    response = _api(_general_manager()).post(
        _url(registration, "reject"), {"reason": "不是直系亲属"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["history"][-1]["reason"] == "不是直系亲属"


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("role", [Role.TIER1, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_only_the_general_manager_decides_others_get_403(action, role):
    registration = registration_for_test(is_relative=True)
    response = _api(_colleague(registration, role=role)).post(_url(registration, action))
    assert response.status_code == 403
    assert _unchanged(registration)


def test_approving_a_protected_registration_is_a_400_on_status():
    registration = registration_for_test()
    response = _api(_general_manager()).post(_url(registration, "approve"))
    assert response.status_code == 400
    assert response.json()["status"] == ["只有待审批的报备才能审批通过。"]
    assert _unchanged(registration)


def test_approving_after_the_visit_is_a_400_on_the_visit():
    long_ago = timezone.now() - dt.timedelta(days=70)
    registration = registration_for_test(
        is_relative=True, now=long_ago, expected_visit_at=long_ago + dt.timedelta(days=61))
    response = _api(_general_manager()).post(_url(registration, "approve"))
    assert response.status_code == 400
    assert list(response.json()) == ["expected_visit_at"]
    assert _unchanged(registration)


# --- convert --------------------------------------------------------------------------------


def test_filer_converts_within_the_protection():
    registration = registration_for_test()
    response = _api(registration.filed_by).post(_url(registration, "convert"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "converted" and body["converted_at"] is not None
    assert body["actions"] == ["dispute"]  # the next step: within the dispute window
    assert _history(registration) == ["filed", "converted"]


def test_converting_after_the_protection_lapsed_is_a_400_and_writes_nothing():
    registration = registration_for_test(now=timezone.now() - dt.timedelta(hours=49))
    response = _api(registration.filed_by).post(_url(registration, "convert"))
    assert response.status_code == 400
    assert response.json() == {"status": ["只有保护中的报备才能登记成交。"]}
    assert _unchanged(registration)


def test_converting_twice_is_a_400():
    registration = converted_registration_for_test()
    response = _api(registration.filed_by).post(_url(registration, "convert"))
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert _unchanged(registration)


def test_a_colleague_who_did_not_file_cannot_convert_403():
    registration = registration_for_test()
    response = _api(_colleague(registration)).post(_url(registration, "convert"))
    assert response.status_code == 403
    assert _unchanged(registration)


# --- dispute --------------------------------------------------------------------------------


def test_colleague_disputes_within_seven_days():
    registration = converted_registration_for_test(
        converted_at=timezone.now() - dt.timedelta(days=6, hours=23))
    colleague = _colleague(registration)
    response = _api(colleague).post(
        _url(registration, "dispute"), {"reason": "客户先由我接待"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["disputed_by"], body["dispute_reason"]) == (
        "disputed", colleague.pk, "客户先由我接待")
    assert body["history"][-1]["kind"] == "disputed"


def test_dispute_without_a_reason_is_a_400_on_reason():
    registration = converted_registration_for_test()
    response = _api(_colleague(registration)).post(_url(registration, "dispute"), {},
                                                   format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["请填写争议原因。"]}
    assert _unchanged(registration)


def test_dispute_after_seven_days_is_a_400_on_reason():
    registration = converted_registration_for_test(
        converted_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    response = _api(_colleague(registration)).post(
        _url(registration, "dispute"), {"reason": "晚了"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["争议须在成交后 7 天内提出。"]}
    assert _unchanged(registration)


def test_disputing_an_unconverted_registration_is_a_400_on_status():
    registration = registration_for_test()
    response = _api(_colleague(registration)).post(
        _url(registration, "dispute"), {"reason": "我先接待的"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert _unchanged(registration)


def test_staff_who_do_not_file_registrations_cannot_dispute_403():
    registration = converted_registration_for_test()
    response = _api(_general_manager()).post(
        _url(registration, "dispute"), {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert _unchanged(registration)


def test_a_reason_longer_than_2000_characters_is_a_400():
    registration = converted_registration_for_test()
    response = _api(_colleague(registration)).post(
        _url(registration, "dispute"), {"reason": "长" * 2001}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert _unchanged(registration)
