"""The incoming-call page: look the caller up by phone, see their card (masked for roles
without the personal-data permission) or register them inline."""

import pytest
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.customers.factories import CustomerFactory
from tickets.customers.models import Customer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _login(client, role):
    client.force_login(StaffFactory(role=role).user)
    return client


def test_known_caller_card_shows_tier1_the_typed_number_and_masks_the_id(client):
    """Issue 10, item 15: the number the agent typed is shown back (normalised) in full;
    everything else stays masked for a role without the personal-data permission."""
    customer = CustomerFactory(phone="13800138000", id_number="11010519491231002X")
    html = _login(client, Role.TIER1).get(
        reverse("tickets:incoming"), {"phone": "+86 138 0013 8000"}, **HTMX
    ).content.decode()
    assert customer.code in html
    assert '<dd class="phone">13800138000</dd>' in html and "138****8000" not in html
    assert "110105********002X" in html and "11010519491231002X" not in html


def test_supervisor_sees_the_full_number(client):
    CustomerFactory(phone="13800138000")
    html = _login(client, Role.SUPERVISOR).get(
        reverse("tickets:incoming"), {"phone": "13800138000"}
    ).content.decode()
    assert '<dd class="phone">13800138000</dd>' in html


def test_unknown_caller_gets_the_registration_form_with_the_number_filled_in(client):
    html = _login(client, Role.TIER1).get(
        reverse("tickets:incoming"), {"phone": "139-0013-9000"}, **HTMX
    ).content.decode()
    assert 'value="13900139000"' in html
    assert "登记客户" in html


def test_an_invalid_number_is_explained_in_chinese(client):
    html = _login(client, Role.TIER1).get(
        reverse("tickets:incoming"), {"phone": "12345"}, **HTMX
    ).content.decode()
    assert "请填写中国大陆手机号" in html


def test_inline_registration_with_a_bad_id_number_writes_nothing(client):
    response = _login(client, Role.TIER1).post(
        reverse("tickets:customer-create"),
        {"name": "王芳", "phone": "13900139000", "id_number": "110105194912310021"},
        **HTMX,
    )
    assert "身份证号校验位不正确" in response.content.decode()
    assert Customer.objects.count() == 0


def test_inline_registration_without_htmx_answers_400_on_bad_input(client):
    response = _login(client, Role.TIER1).post(
        reverse("tickets:customer-create"), {"name": "", "phone": "139"}
    )
    assert response.status_code == 400
    assert Customer.objects.count() == 0


def test_inline_registration_returns_the_new_card(client):
    response = _login(client, Role.TIER1).post(
        reverse("tickets:customer-create"), {"name": "王芳", "phone": "13900139000"}, **HTMX
    )
    customer = Customer.objects.get()
    html = response.content.decode()
    # the number the agent just typed, in full (issue 10, item 15)
    assert customer.code in html and '<dd class="phone">13900139000</dd>' in html


def test_managers_read_customers_but_do_not_take_calls(client):
    _login(client, Role.MANAGER)
    assert client.get(reverse("tickets:incoming")).status_code == 200
    response = client.post(
        reverse("tickets:customer-create"), {"name": "x", "phone": "13900139000"}
    )
    assert response.status_code == 403


def _intake_data(customer, **overrides):
    from django.utils import timezone

    from tests.tickets.cases.factories import category

    data = {
        "customer": customer.pk,
        "queued_at": timezone.now().isoformat(),
        "channel": "inbound_call",
        "category": category("consultation-product-function").pk,
        "subject": "咨询产品功能",
    }
    data.update(overrides)
    return data


def test_intake_logs_the_contact_and_opens_the_case_together(client):
    from tickets.cases.models import Case
    from tickets.contacts.models import Contact

    customer = CustomerFactory()
    agent = StaffFactory(role=Role.TIER1).user
    client.force_login(agent)
    html = client.post(reverse("tickets:intake"), _intake_data(customer), **HTMX).content.decode()
    case, contact = Case.objects.get(), Contact.objects.get()
    assert case.number in html
    assert (case.assignee, case.first_contact_owner, contact.case) == (agent, agent, case)


@pytest.mark.parametrize(
    ("overrides", "field_label"),
    [({"category": 999999}, "分类"), ({"subject": ""}, "主题"),
     ({"queued_at": "2026-13-01T00:00"}, None), ({"channel": "pigeon"}, "渠道")],
)
def test_bad_intake_input_writes_nothing(client, overrides, field_label):
    from tickets.cases.models import Case
    from tickets.contacts.models import Contact

    customer = CustomerFactory()
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(reverse("tickets:intake"), _intake_data(customer, **overrides))
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode() or field_label is None
    assert (Case.objects.count(), Contact.objects.count()) == (0, 0)


def test_known_caller_card_shows_open_cases_and_recent_contacts(client):
    from tickets.cases.models import Case

    customer = CustomerFactory(phone="13600136000")
    agent = StaffFactory(role=Role.TIER1).user
    client.force_login(agent)
    client.post(reverse("tickets:intake"), _intake_data(customer, subject="滤芯咨询"), **HTMX)
    html = client.get(reverse("tickets:incoming"), {"phone": "13600136000"}, **HTMX)
    html = html.content.decode()
    assert Case.objects.get().number in html
    assert "未结工单" in html and "最近接触记录" in html and "滤芯咨询" in html


def test_a_refused_intake_keeps_showing_the_typed_number(client):
    customer = CustomerFactory(phone="13800138000")
    client = _login(client, Role.TIER1)
    html = client.post(reverse("tickets:intake"), {
        "customer": customer.pk, "caller_phone": "138 0013 8000", "channel": "inbound_call",
        "queued_at": "2026-11-23T09:00:00+08:00", "subject": "",
    }, **HTMX).content.decode()
    assert '<dd class="phone">13800138000</dd>' in html


def test_another_number_typed_does_not_unmask_the_customers_phone(client):
    customer = CustomerFactory(phone="13800138000")
    client = _login(client, Role.TIER1)
    html = client.post(reverse("tickets:intake"), {
        "customer": customer.pk, "caller_phone": "13900139000", "channel": "inbound_call",
        "queued_at": "2026-11-23T09:00:00+08:00", "subject": "",
    }, **HTMX).content.decode()
    assert "138****8000" in html and "13800138000" not in html


def test_the_case_page_still_masks_the_phone_for_tier1(client):
    from tests.tickets.cases.factories import case_open_for_test

    agent = StaffFactory(role=Role.TIER1).user
    case = case_open_for_test(by=agent, customer=CustomerFactory(phone="13800138000"))
    client.force_login(agent)
    html = client.get(reverse("tickets:case", args=[case.pk])).content.decode()
    assert "138****8000" in html and "13800138000" not in html
