"""A registration's page: its facts (masked without the personal-data permission), its
state and history, and the steps the user may take now: the general manager approves or
rejects a relative filing, the filer marks the deal closed within the protection, staff
dispute a deal within 7 days. Every refusal writes nothing and shows the service's message;
another department's registration is 404, a step the user may not take at all is 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.roles import Role
from tests.factories import StaffFactory, UserFactory
from tests.tickets.registrations.factories import (
    converted_registration_for_test,
    registration_for_test,
)
from tickets.registrations.models import CustomerRegistration, RegistrationEvent
from tickets.registrations.services import (
    registration_approve,
    registration_convert,
    registration_dispute,
)

pytestmark = pytest.mark.django_db
Status = CustomerRegistration.Status


def _url(registration) -> str:
    return reverse("tickets:registration", args=[registration.pk])


def _post(client, registration, action: str, **data):
    return client.post(
        reverse("tickets:registration-action", args=[registration.pk, action]), data
    )


def _agent_of(registration, role=Role.TIER1):
    return StaffFactory(role=role, department=registration.department).user


def _general_manager():
    return StaffFactory(role=Role.GENERAL_MANAGER).user


def _kinds(registration) -> list[str]:
    return list(RegistrationEvent.objects.filter(registration=registration)
                .order_by("at", "id").values_list("kind", flat=True))


def _unchanged(registration) -> bool:
    """Nothing written: status and history are as they were before the refused step."""
    before = (registration.status, _kinds(registration))
    registration.refresh_from_db()
    return (registration.status, _kinds(registration)) == before


# --- what the page shows --------------------------------------------------------------------


def test_detail_shows_state_and_history_with_numbers_masked_for_tier1(client):
    registration = registration_for_test(phone="13300133000", id_number="11010519491231002X")
    client.force_login(registration.filed_by)
    html = client.get(_url(registration)).content.decode()
    assert "133****3000" in html and "110105********002X" in html
    assert "13300133000" not in html and "11010519491231002X" not in html
    assert 'id="registration-state">保护中<' in html
    assert "已报备" in html  # the filing on the history


def test_detail_shows_numbers_in_full_with_the_personal_data_permission(client):
    registration = registration_for_test(phone="13300133000", id_number="11010519491231002X")
    client.force_login(_agent_of(registration, role=Role.SUPERVISOR))
    html = client.get(_url(registration)).content.decode()
    assert "13300133000" in html and "11010519491231002X" in html


def test_lapsed_protection_shows_as_expired_before_the_sweep(client):
    registration = registration_for_test(now=timezone.now() - dt.timedelta(hours=49))
    client.force_login(registration.filed_by)
    html = client.get(_url(registration)).content.decode()
    assert 'id="registration-state">已失效<' in html
    assert "/convert/" not in html  # no longer offered


def test_other_department_gets_404(client):
    registration = registration_for_test()
    client.force_login(StaffFactory(role=Role.SUPERVISOR).user)  # another department
    assert client.get(_url(registration)).status_code == 404
    assert _post(client, registration, "dispute", reason="x").status_code == 404


def test_user_without_the_view_permission_gets_403(client):
    registration = registration_for_test()
    client.force_login(UserFactory())
    assert client.get(_url(registration)).status_code == 403


def test_unknown_step_is_404(client):
    registration = registration_for_test()
    client.force_login(registration.filed_by)
    assert _post(client, registration, "delete").status_code == 404


def test_list_links_each_row_to_its_detail_page(client):
    registration = registration_for_test()
    client.force_login(registration.filed_by)
    html = client.get(reverse("tickets:registrations")).content.decode()
    assert f'href="{_url(registration)}"' in html


@pytest.mark.parametrize("steps", [0, 3])
def test_detail_queries_do_not_grow_with_history(client, steps, django_assert_num_queries):
    registration = registration_for_test(is_relative=True)
    if steps:  # approved, converted, disputed: four history rows by three people
        converter = registration.filed_by
        registration_approve(registration=registration, by=_general_manager())
        registration_dispute(
            registration=registration_convert(registration=registration, by=converter),
            by=_agent_of(registration), reason="我先接待的",
        )
    assert len(_kinds(registration)) == 1 + steps
    client.force_login(_agent_of(registration))
    with django_assert_num_queries(7):
        response = client.get(_url(registration))
    assert response.status_code == 200


# --- approve / reject (general manager) -----------------------------------------------------


def test_general_manager_approves_a_relative_filing_which_is_then_protected(client):
    registration = registration_for_test(is_relative=True)
    client.force_login(_general_manager())
    assert "/approve/" in client.get(_url(registration)).content.decode()
    response = _post(client, registration, "approve")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.PROTECTED
    assert _kinds(registration) == ["filed", "approved"]
    html = client.get(_url(registration)).content.decode()
    assert 'id="registration-state">保护中<' in html and "已审批" in html


def test_general_manager_rejects_with_a_reason_kept_on_the_history(client):
    registration = registration_for_test(is_relative=True)
    client.force_login(_general_manager())
    _post(client, registration, "reject", reason="不是直系亲属")
    registration.refresh_from_db()
    assert registration.status == Status.REJECTED
    event = RegistrationEvent.objects.get(registration=registration, kind="rejected")
    assert event.reason == "不是直系亲属"
    assert "不是直系亲属" in client.get(_url(registration)).content.decode()


def test_rejecting_needs_no_reason(client):
    registration = registration_for_test(is_relative=True)
    client.force_login(_general_manager())
    assert _post(client, registration, "reject").status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.REJECTED


@pytest.mark.parametrize("role", [Role.TIER1, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_general_manager_decides_others_get_403_and_write_nothing(
    client, role, action
):
    registration = registration_for_test(is_relative=True)
    client.force_login(_agent_of(registration, role=role))
    page = client.get(_url(registration))
    assert page.status_code == 200 and f"/{action}/" not in page.content.decode()
    assert _post(client, registration, action).status_code == 403
    assert _unchanged(registration)


def test_approving_after_the_visit_is_refused_with_the_field_message(client):
    long_ago = timezone.now() - dt.timedelta(days=70)
    registration = registration_for_test(
        is_relative=True, now=long_ago, expected_visit_at=long_ago + dt.timedelta(days=61)
    )
    client.force_login(_general_manager())
    response = _post(client, registration, "approve")
    assert response.status_code == 400
    assert "到访已结束，此报备不能再审批。" in response.content.decode()
    assert _unchanged(registration)


def test_approving_an_approved_filing_again_is_refused(client):
    registration = registration_for_test(is_relative=True)
    manager = _general_manager()
    registration_approve(registration=registration, by=manager)
    client.force_login(manager)
    response = _post(client, registration, "approve")
    assert response.status_code == 400
    assert "只有待审批的报备才能审批通过。" in response.content.decode()
    assert _unchanged(registration)


# --- convert (the filer) --------------------------------------------------------------------


def test_filer_marks_the_deal_closed_within_the_protection(client):
    registration = registration_for_test()
    client.force_login(registration.filed_by)
    assert _post(client, registration, "convert").status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CONVERTED
    assert registration.converted_at is not None
    assert _kinds(registration) == ["filed", "converted"]
    html = client.get(_url(registration)).content.decode()
    assert 'id="registration-state">已成交<' in html


def test_general_manager_may_mark_the_deal_closed_too(client):
    registration = registration_for_test()
    client.force_login(_general_manager())
    assert "/convert/" in client.get(_url(registration)).content.decode()
    assert _post(client, registration, "convert").status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CONVERTED


def test_converting_after_the_protection_lapsed_is_refused_and_writes_nothing(client):
    registration = registration_for_test(now=timezone.now() - dt.timedelta(hours=49))
    client.force_login(registration.filed_by)
    response = _post(client, registration, "convert")
    assert response.status_code == 400
    assert "只有保护中的报备才能登记成交。" in response.content.decode()
    assert _unchanged(registration)
    assert registration.converted_at is None


def test_converting_an_already_converted_registration_is_refused(client):
    registration = converted_registration_for_test()
    client.force_login(registration.filed_by)
    response = _post(client, registration, "convert")
    assert response.status_code == 400
    assert "只有保护中的报备才能登记成交。" in response.content.decode()
    assert _unchanged(registration)


def test_a_colleague_who_did_not_file_cannot_convert_403(client):
    registration = registration_for_test()
    client.force_login(_agent_of(registration))
    page = client.get(_url(registration))
    assert page.status_code == 200 and "/convert/" not in page.content.decode()
    assert _post(client, registration, "convert").status_code == 403
    assert _unchanged(registration)


# --- dispute ----------------------------------------------------------------------------------


def test_colleague_disputes_a_deal_with_a_reason(client):
    registration = converted_registration_for_test()
    colleague = _agent_of(registration)
    client.force_login(colleague)
    assert _post(client, registration, "dispute", reason="客户先由我接待").status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.DISPUTED
    assert (registration.disputed_by, registration.dispute_reason) == (colleague, "客户先由我接待")
    html = client.get(_url(registration)).content.decode()
    assert 'id="registration-state">有争议<' in html and "客户先由我接待" in html


def test_dispute_without_a_reason_is_refused_with_the_field_message(client):
    registration = converted_registration_for_test()
    client.force_login(_agent_of(registration))
    response = _post(client, registration, "dispute", reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<span class="field-error">请填写争议原因。</span>' in html
    assert _unchanged(registration)


def test_dispute_after_seven_days_is_refused_and_writes_nothing(client):
    registration = converted_registration_for_test(
        converted_at=timezone.now() - dt.timedelta(days=7, minutes=1)
    )
    client.force_login(_agent_of(registration))
    page = client.get(_url(registration))
    assert page.status_code == 200 and "/dispute/" not in page.content.decode()
    response = _post(client, registration, "dispute", reason="晚了")
    assert response.status_code == 400
    assert "争议须在成交后 7 天内提出。" in response.content.decode()
    assert _unchanged(registration)


def test_only_a_converted_registration_can_be_disputed(client):
    registration = registration_for_test()
    client.force_login(_agent_of(registration))
    response = _post(client, registration, "dispute", reason="我先接待的")
    assert response.status_code == 400
    assert "只有已成交的报备才能提出争议。" in response.content.decode()
    assert _unchanged(registration)


def test_staff_who_do_not_file_registrations_cannot_dispute_403(client):
    registration = converted_registration_for_test()
    client.force_login(_general_manager())  # sees every registration, files none
    page = client.get(_url(registration))
    assert page.status_code == 200 and "/dispute/" not in page.content.decode()
    assert _post(client, registration, "dispute", reason="x").status_code == 403
    assert _unchanged(registration)


def test_success_message_is_shown_after_a_step(client):
    registration = registration_for_test()
    client.force_login(registration.filed_by)
    response = _post(client, registration, "convert")
    html = client.get(response.url).content.decode()
    assert str(_("Deal recorded.")) in html
