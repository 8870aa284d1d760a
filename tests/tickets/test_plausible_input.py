"""Issue 10, items 2, 3, 8 and 23: every date, time and text field of customers, contacts,
cases, registrations and filings is judged by the same rules (`servicedesk.validation`),
whether it comes through the API, a page or the admin: a field error, never a 500, and
nothing written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case
from tickets.contacts.models import Contact
from tickets.customers.models import Customer
from tickets.filings.models import DelayFiling, FeedbackFiling
from tickets.registrations.models import CustomerRegistration

pytestmark = pytest.mark.django_db

BEIJING_EARLY = "0001-01-01T00:00:00+08:00"
FAR_FUTURE = "9999-12-31T23:59:00+08:00"


def _api(role=Role.TIER2, user=None):
    api = APIClient()
    api.force_authenticate(user or StaffFactory(role=role).user)
    return api


def _case_body(**overrides):
    chosen = category("consultation-product-function")
    body = {"kind": chosen.kind, "category": chosen.pk, "customer": CustomerFactory().pk,
            "subject": "询问产品功能"}
    body.update(overrides)
    return body


def _contact_body(**overrides):
    queued = timezone.now() - dt.timedelta(minutes=5)
    body = {"channel": "inbound_call", "queued_at": queued.isoformat(),
            "answered_at": (queued + dt.timedelta(seconds=12)).isoformat()}
    body.update(overrides)
    return body


def _delay_body(**overrides):
    today = timezone.localdate()
    body = {"customer": CustomerFactory().pk, "order_reference": "SO-1",
            "original_ship_date": today.isoformat(),
            "new_promised_date": (today + dt.timedelta(days=5)).isoformat(),
            "reason": "production", "reason_detail": "生产线检修"}
    body.update(overrides)
    return body


def _registration_body(**overrides):
    body = {"name": "赵敏", "phone": "133-0013-3000", "id_number": "11010519491231002X",
            "expected_visit_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}
    body.update(overrides)
    return body


def _in(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


# --- item 2: realistic dates only (and item 23: no 500 for a contact queued in 1950) -------

DATE_CASES = [
    # (url, body builder, field, value, role)
    ("/api/v1/cases/", _case_body, "promised_callback_at", BEIJING_EARLY, Role.TIER2),
    ("/api/v1/cases/", _case_body, "promised_callback_at", FAR_FUTURE, Role.TIER2),
    ("/api/v1/cases/", _case_body, "promised_callback_at", _in(-2), Role.TIER2),
    ("/api/v1/cases/", _case_body, "promised_callback_at", _in(400), Role.TIER2),
    ("/api/v1/contacts/", _contact_body, "queued_at", BEIJING_EARLY, Role.TIER1),
    ("/api/v1/contacts/", _contact_body, "queued_at", "1950-01-01T09:00:00+08:00", Role.TIER1),
    ("/api/v1/contacts/", _contact_body, "answered_at", FAR_FUTURE, Role.TIER1),
    ("/api/v1/contacts/", _contact_body, "ended_at", _in(-400), Role.TIER1),
    ("/api/v1/delay-filings/", _delay_body, "original_ship_date", "0001-01-01", Role.TIER2),
    ("/api/v1/delay-filings/", _delay_body, "new_promised_date", "9999-12-31", Role.TIER2),
    ("/api/v1/registrations/", _registration_body, "expected_visit_at", FAR_FUTURE, Role.TIER1),
    ("/api/v1/registrations/", _registration_body, "expected_visit_at", _in(400), Role.TIER1),
    ("/api/v1/registrations/", _registration_body, "id_number", "110105" "20990101" "0010",
     Role.TIER1),
    ("/api/v1/customers/", lambda **o: {"name": "张伟", "phone": "13800138000", **o},
     "id_number", "11010518991231001X", Role.TIER2),
]
MODELS = {"/api/v1/cases/": Case, "/api/v1/contacts/": Contact,
          "/api/v1/delay-filings/": DelayFiling, "/api/v1/registrations/": CustomerRegistration,
          "/api/v1/customers/": Customer}


def _with_check_char(number: str) -> str:
    from tickets.customers.validators import id_number_check_char

    return number[:17] + id_number_check_char(number[:17]) if len(number) >= 17 else number


@pytest.mark.parametrize(("url", "build", "field", "value", "role"), DATE_CASES)
def test_an_implausible_date_is_a_field_error_and_writes_nothing(url, build, field, value, role):
    if field == "id_number":
        value = _with_check_char(value.ljust(17, "0"))
    before = MODELS[url].objects.count()
    response = _api(role).post(url, build(**{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert MODELS[url].objects.count() == before


def test_a_contact_queued_in_1950_and_answered_now_is_a_400_not_a_500():
    """Item 23: its first response would have overflowed its integer column."""
    body = _contact_body(queued_at="1950-01-01T09:00:00+08:00",
                         answered_at=timezone.now().isoformat())
    response = _api(Role.TIER1).post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 400
    assert "queued_at" in response.json()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "build", "field", "value", "role"),
    [
        ("/api/v1/cases/", _case_body, "promised_callback_at", _in(1), Role.TIER2),
        ("/api/v1/cases/", _case_body, "promised_callback_at", _in(365), Role.TIER2),
        ("/api/v1/contacts/", _contact_body, "queued_at", _in(-300), Role.TIER1),
        ("/api/v1/registrations/", _registration_body, "expected_visit_at", _in(300),
         Role.TIER1),
    ],
)
def test_a_plausible_date_is_accepted(url, build, field, value, role):
    response = _api(role).post(url, build(**{field: value}), format="json")
    assert response.status_code == 201, response.json()


def test_a_case_patch_to_an_implausible_call_back_is_refused_but_other_edits_pass():
    agent = StaffFactory(role=Role.TIER2).user
    case = case_open_for_test(by=agent)
    api = _api(user=agent)
    url = f"/api/v1/cases/{case.pk}/"
    response = api.patch(url, {"promised_callback_at": FAR_FUTURE, "version": case.version},
                         format="json")
    assert response.status_code == 400 and "promised_callback_at" in response.json()
    response = api.patch(url, {"promised_callback_at": _in(3), "version": case.version},
                         format="json")
    assert response.status_code == 200, response.json()


def test_the_intake_page_refuses_a_call_back_years_ahead(client):
    customer = CustomerFactory()
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(reverse("tickets:intake"), {
        "customer": customer.pk, "queued_at": timezone.now().isoformat(),
        "channel": "inbound_call", "category": category("consultation-product-function").pk,
        "subject": "咨询产品功能", "promised_callback_at": "9999-12-31T10:00",
    })
    assert response.status_code == 400
    assert "超过一年" in response.content.decode()
    assert (Case.objects.count(), Contact.objects.count()) == (0, 0)


def test_the_delay_page_refuses_a_new_date_years_ahead(client):
    customer = CustomerFactory()
    client.force_login(StaffFactory(role=Role.TIER2).user)
    today = timezone.localdate()
    response = client.post(reverse("tickets:delay-filings"), {
        "customer": customer.code, "order_reference": "SO-9",
        "original_ship_date": today.isoformat(), "new_promised_date": "9999-12-31",
        "reason": "stock", "reason_detail": "缺货",
    })
    assert response.status_code == 400
    assert "超过一年" in response.content.decode()
    assert DelayFiling.objects.count() == 0


# --- item 3: a timestamp without its offset is refused, the same way everywhere ------------


@pytest.mark.parametrize(
    ("url", "build", "field"),
    [
        ("/api/v1/cases/", _case_body, "promised_callback_at"),
        ("/api/v1/contacts/", _contact_body, "queued_at"),
        ("/api/v1/registrations/", _registration_body, "expected_visit_at"),
    ],
)
def test_a_naive_timestamp_is_refused_with_the_offset_message(url, build, field):
    role = Role.TIER1 if "cases" not in url else Role.TIER2
    naive = (timezone.localtime() + dt.timedelta(days=1)).replace(tzinfo=None)
    response = _api(role).post(url, build(**{field: naive.isoformat()}), format="json")
    assert response.status_code == 400
    assert response.json()[field] == ["时间须带时区偏移，如 2026-11-23T09:00:00+08:00。"]


def test_a_naive_call_back_in_a_case_patch_is_refused():
    agent = StaffFactory(role=Role.TIER2).user
    case = case_open_for_test(by=agent)
    response = _api(user=agent).patch(
        f"/api/v1/cases/{case.pk}/",
        {"promised_callback_at": "2026-12-02T10:00:00", "version": case.version},
        format="json")
    assert response.status_code == 400
    assert "时区" in response.json()["promised_callback_at"][0]


def test_every_datetime_a_request_body_carries_demands_an_offset():
    """Walks the request body of every operation in the OpenAPI schema back to its
    serializer: a writable DateTimeField there must be an AwareDateTimeField (DRF's own
    reads a naive time in the server's zone)."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework import serializers

    from servicedesk.api.fields import AwareDateTimeField

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    bodies = {
        media["schema"]["$ref"].rsplit("/", 1)[1]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if "$ref" in media["schema"]
    }
    serializers_by_name = {component.name: component.object
                           for component in generator.registry._components.values()
                           if component.type == "schemas"}
    assert bodies and bodies <= set(serializers_by_name)
    checked, naive_ok = [], []
    for name in sorted(bodies):
        for field_name, field in serializers_by_name[name].fields.items():
            if isinstance(field, serializers.DateTimeField) and not field.read_only:
                checked.append(f"{name}.{field_name}")
                if not isinstance(field, AwareDateTimeField):
                    naive_ok.append(f"{name}.{field_name}")
    assert naive_ok == []
    expected = {"CaseDetailRequest.promised_callback_at", "ContactRequest.queued_at"}
    assert expected <= set(checked), checked


# --- item 8: text hygiene ----------------------------------------------------------------


def test_a_customer_name_of_zero_width_characters_is_refused():
    response = _api().post("/api/v1/customers/",
                           {"name": "\u200b\u200c\u200d", "phone": "13800138000"}, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == ["请填写客户姓名。"]
    assert Customer.objects.count() == 0


def test_bidi_controls_are_stripped_from_names_and_notes():
    response = _api().post("/api/v1/customers/", {
        "name": "\u202e张伟\u202c", "phone": "13800138000", "notes": "txt.\u202eexe",
        "company": "\u200b某公司\u200b"}, format="json")
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get()
    assert (customer.name, customer.notes, customer.company) == ("张伟", "txt.exe", "某公司")


@pytest.mark.parametrize(
    ("url", "build", "field", "role"),
    [
        ("/api/v1/customers/", lambda **o: {"name": "张伟", "phone": "13800138000", **o},
         "notes", Role.TIER2),
        ("/api/v1/cases/", _case_body, "description", Role.TIER2),
        ("/api/v1/contacts/", _contact_body, "summary", Role.TIER1),
        ("/api/v1/delay-filings/", _delay_body, "reason_detail", Role.TIER2),
        ("/api/v1/feedback-filings/", lambda **o: {
            "customer": CustomerFactory().pk, "kind": "suggestion",
            "category": category("suggestion-feedback").pk, **o}, "description", Role.TIER2),
    ],
)
def test_a_megabyte_of_free_text_is_refused(url, build, field, role):
    body = build(**{field: "x" * 1_000_000})
    models = (Customer, Case, Contact, DelayFiling, FeedbackFiling)
    before = [model.objects.count() for model in models]
    response = _api(role).post(url, body, format="json")
    assert response.status_code == 400
    assert "4000" in response.json()[field][0]
    assert [model.objects.count() for model in models] == before


def test_a_registration_name_without_a_visible_character_is_refused():
    response = _api(Role.TIER1).post("/api/v1/registrations/",
                                     _registration_body(name="\ufeff\u2060 "), format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_the_inline_registration_page_refuses_a_zero_width_name(client):
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(reverse("tickets:customer-create"),
                           {"name": "\u200b\u200b", "phone": "13800138000"})
    assert response.status_code == 400
    assert "请填写客户姓名" in response.content.decode()
    assert Customer.objects.count() == 0


def test_the_customer_admin_refuses_a_zero_width_name_as_a_field_error(client):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:tickets_customer_add"),
                           {"name": "\u200b", "phone": "13800138000", "id_number": "",
                            "company": "", "notes": ""})
    assert response.status_code == 200  # the form again, with its error
    assert "请填写客户姓名" in response.content.decode()
    assert Customer.objects.count() == 0
