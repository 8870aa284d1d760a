import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from servicedesk.presenters import can_see_personal_data, mask_id_number, mask_phone
from servicedesk.roles import Role
from tests.factories import StaffFactory, UserFactory
from tickets.customers.models import Customer, CustomerCodeCounter
from tickets.customers.selectors import customer_find_by_phone, customers_visible_to
from tickets.customers.services import customer_create, customer_update

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOV_15 = dt.datetime(2026, 11, 15, 10, 0, tzinfo=BEIJING)
VALID_ID = "11010519491231002X"


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER1).user


def register(by, now=NOV_15, **fields):
    values = {"name": "张三", "phone": "13812345678", **fields}
    return customer_create(by=by, now=now, **values)


def test_code_is_c_yyyymm_and_a_three_digit_sequence(agent):
    first = register(agent, phone="13800000001")
    second = register(agent, phone="13800000002")
    assert (first.code, second.code) == ("C202611001", "C202611002")


def test_sequence_restarts_each_month(agent):
    register(agent)
    register(agent)
    december = register(agent, now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING))
    november = register(agent)
    assert december.code == "C202612001"
    assert november.code == "C202611003"


def test_month_is_the_beijing_month(agent):
    # 16:30 UTC on 30 November is 00:30 on 1 December in Beijing.
    customer = register(agent, now=dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC))
    assert customer.code == "C202612001"


def test_without_now_the_clock_decides_the_month(agent, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC))
    assert customer_create(name="李四", phone="13900000000", by=agent).code == "C202701001"


def test_sequence_grows_wider_past_999(agent):
    CustomerCodeCounter.objects.create(month="202611", last=998)
    assert register(agent, phone="13800000999").code == "C202611999"
    assert register(agent, phone="13800001000").code == "C2026111000"


def test_phone_id_number_and_text_are_stored_normalised(agent):
    customer = register(
        agent,
        name=" 王五 ",
        phone="+86 138-1234-5678",
        id_number=VALID_ID.lower(),
        company=" 某某公司 ",
    )
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.id_number, customer.company) == (
        "王五", "13812345678", VALID_ID, "某某公司",
    )
    assert customer.created_by == agent


def test_invalid_phone_and_id_number_write_nothing_and_name_their_fields(agent):
    with pytest.raises(ValidationError) as error:
        register(agent, phone="12345", id_number="110105194912310021")
    assert set(error.value.message_dict) == {"phone", "id_number"}
    assert not Customer.objects.exists()
    assert not CustomerCodeCounter.objects.exists()


def test_a_blank_name_is_a_field_error(agent):
    with pytest.raises(ValidationError) as error:
        register(agent, name="  ")
    assert set(error.value.message_dict) == {"name"}


def test_a_failed_registration_does_not_use_up_a_code(agent):
    register(agent, phone="13800000001")
    with pytest.raises(ValidationError):
        register(agent, phone="not a phone")
    assert register(agent, phone="13800000002").code == "C202611002"


def test_an_id_number_belongs_to_one_customer(agent):
    first = register(agent, id_number=VALID_ID)
    with pytest.raises(ValidationError) as error:
        register(agent, phone="13900000000", id_number=VALID_ID.lower())
    assert first.code in error.value.message_dict["id_number"][0]
    assert Customer.objects.count() == 1
    assert CustomerCodeCounter.objects.get(month="202611").last == 1


def test_many_customers_may_have_no_id_number(agent):
    register(agent, phone="13800000001")
    register(agent, phone="13800000002")
    assert Customer.objects.filter(id_number="").count() == 2


def test_the_database_refuses_a_second_customer_with_the_same_id_number(agent):
    first = register(agent, id_number=VALID_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(code="C202611999", name="x", phone="13800000009",
                                id_number=VALID_ID, created_by=first.created_by)


def test_update_normalises_like_creation(agent):
    customer = register(agent)
    customer_update(customer=customer, by=agent, phone="(021)12345678",
                    id_number=VALID_ID.lower(), notes="回访过")
    customer.refresh_from_db()
    assert (customer.phone, customer.id_number, customer.notes) == (
        "021-12345678", VALID_ID, "回访过",
    )
    assert customer.code == "C202611001"


def test_an_invalid_update_writes_nothing(agent):
    customer = register(agent)
    with pytest.raises(ValidationError) as error:
        customer_update(customer=customer, by=agent, name="新名字", phone="123")
    assert set(error.value.message_dict) == {"phone"}
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("张三", "13812345678")


def test_update_cannot_take_another_customers_id_number(agent):
    register(agent, id_number=VALID_ID)
    other = register(agent, phone="13900000000")
    with pytest.raises(ValidationError) as error:
        customer_update(customer=other, by=agent, id_number=VALID_ID)
    assert set(error.value.message_dict) == {"id_number"}


def test_update_may_keep_the_customers_own_id_number(agent):
    customer = register(agent, id_number=VALID_ID)
    customer_update(customer=customer, by=agent, id_number=VALID_ID, name="张三丰")
    customer.refresh_from_db()
    assert customer.name == "张三丰"


def test_update_cannot_change_the_code(agent):
    customer = register(agent)
    with pytest.raises(TypeError):
        customer_update(customer=customer, by=agent, code="C209901001")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("010-12345678", "010-******78"),
        ("0755-1234567", "0755-*****67"),
        ("010-12345678-123", "010-******78-***"),
        ("", ""),
    ],
)
def test_phone_masking_keeps_the_prefix_and_the_last_digits(phone, masked):
    assert mask_phone(phone) == masked


def test_id_number_masking_keeps_the_first_6_and_last_4():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


def test_agents_with_the_permission_see_personal_data(agent):
    tier2 = StaffFactory(role=Role.TIER2).user
    assert can_see_personal_data(tier2)
    assert not can_see_personal_data(agent)
    assert not can_see_personal_data(AnonymousUser())


def test_a_phone_finds_its_customer_however_it_is_typed(agent):
    customer = CustomerFactory(phone="13812345678", by=agent)
    CustomerFactory(phone="13900000000", by=agent)
    assert list(customer_find_by_phone(phone="+86 138 1234 5678")) == [customer]
    assert not customer_find_by_phone(phone="not a phone").exists()


def test_staff_see_customers_and_other_users_none(agent):
    customer = CustomerFactory(by=agent)
    assert list(customers_visible_to(user=agent)) == [customer]
    assert not customers_visible_to(user=UserFactory()).exists()
    assert not customers_visible_to(user=AnonymousUser()).exists()


def _admin_user(*, personal_data: bool):
    user = UserFactory(is_staff=True)
    perms = ["view_customer", "add_customer", "change_customer"]
    if personal_data:
        perms.append("view_personal_data")
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return user


def test_admin_list_masks_phones_without_the_permission(client, agent):
    CustomerFactory(phone="13812345678", by=agent)
    client.force_login(_admin_user(personal_data=False))
    page = client.get(reverse("admin:tickets_customer_changelist")).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_admin_list_shows_phones_with_the_permission(client, agent):
    CustomerFactory(phone="13812345678", by=agent)
    client.force_login(_admin_user(personal_data=True))
    page = client.get(reverse("admin:tickets_customer_changelist")).content.decode()
    assert "13812345678" in page


def test_admin_finds_a_customer_by_a_phone_typed_with_country_code(client, agent):
    CustomerFactory(name="赵六", phone="13812345678", by=agent)
    client.force_login(_admin_user(personal_data=True))
    page = client.get(reverse("admin:tickets_customer_changelist"), {"q": "+86 138 1234 5678"})
    assert "赵六" in page.content.decode()


def test_admin_adds_a_customer_through_the_service(client):
    admin_user = _admin_user(personal_data=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_customer_add"), {
        "name": "钱七", "phone": "010 12345678", "id_number": "", "company": "", "notes": "",
    })
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.phone == "010-12345678"
    assert customer.code.startswith("C") and customer.code.endswith("001")
    assert customer.created_by == admin_user


def test_admin_change_form_shows_field_errors(client, agent):
    customer = CustomerFactory(by=agent)
    client.force_login(_admin_user(personal_data=True))
    url = reverse("admin:tickets_customer_change", args=[customer.pk])
    response = client.post(url, {"name": "x", "phone": "123", "id_number": "",
                                 "company": "", "notes": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"]
    response = client.post(url, {"name": "新名", "phone": "021 12345678", "id_number": "",
                                 "company": "", "notes": ""})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("新名", "021-12345678")


def test_admin_change_form_masks_personal_data_without_the_permission(client, agent):
    customer = CustomerFactory(phone="13812345678", id_number=VALID_ID, by=agent)
    client.force_login(_admin_user(personal_data=False))
    url = reverse("admin:tickets_customer_change", args=[customer.pk])
    page = client.get(url).content.decode()
    assert "138****5678" in page and "110105********002X" in page
    assert "13812345678" not in page and VALID_ID not in page
    response = client.post(url, {"name": "改名", "company": "", "notes": ""})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.id_number) == ("改名", "13812345678", VALID_ID)
