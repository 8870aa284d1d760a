"""/api/v1/customers/: field-level 400s that write nothing, masking by permission, phone
filter, and Idempotency-Key retries that create one record."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tickets.customers.models import Customer

URL = "/api/v1/customers/"
VALID = {"name": "张伟", "phone": "+86 138-0013-8000", "id_number": "11010519491231002X",
         "company": "北京某某科技有限公司"}


def _api(role):
    api = APIClient()
    api.force_authenticate(StaffFactory(role=role).user)
    return api


@pytest.mark.django_db
def test_create_normalises_phone_and_hands_out_a_code():
    response = _api(Role.TIER2).post(URL, VALID, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone"] == "13800138000"
    assert body["code"].startswith("C") and len(body["code"]) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("phone", "2380013800"), ("id_number", "110105194912310021"),
     ("id_number", "11010519491331002X"), ("name", "")],
)
def test_invalid_input_is_a_field_level_400_and_writes_nothing(field, value):
    response = _api(Role.TIER2).post(URL, {**VALID, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_tier1_agents_see_masked_phone_and_id_number():
    created = _api(Role.TIER2).post(URL, VALID, format="json").json()
    for body in (
        _api(Role.TIER1).get(f"{URL}{created['id']}/").json(),
        _api(Role.TIER1).get(URL).json()["results"][0],
    ):
        assert body["phone"] == "138****8000"
        assert body["id_number"] == "110105********002X"
    assert _api(Role.SUPERVISOR).get(f"{URL}{created['id']}/").json()["phone"] == "13800138000"


@pytest.mark.django_db
def test_phone_filter_accepts_any_written_form():
    api = _api(Role.TIER2)
    api.post(URL, VALID, format="json")
    api.post(URL, {**VALID, "phone": "13900139000", "id_number": ""}, format="json")
    results = api.get(URL, {"phone": "138 0013 8000"}).json()["results"]
    assert [r["phone"] for r in results] == ["13800138000"]
    assert api.get(URL, {"phone": "abc"}).status_code == 400


@pytest.mark.django_db
def test_retried_post_with_the_same_idempotency_key_creates_one_record():
    api = _api(Role.TIER2)
    first = api.post(URL, VALID, format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    again = api.post(URL, VALID, format="json", HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_reusing_a_key_for_another_body_is_refused():
    api = _api(Role.TIER2)
    api.post(URL, VALID, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = api.post(URL, {**VALID, "name": "李娜"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422
    assert Customer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_record():
    user = StaffFactory(role=Role.TIER2).user
    statuses = []

    def post():
        api = APIClient()
        api.force_authenticate(user)
        try:
            statuses.append(
                api.post(URL, VALID, format="json", HTTP_IDEMPOTENCY_KEY="race").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Customer.objects.count() == 1
    assert statuses == [201, 201, 201, 201]


@pytest.mark.django_db
def test_field_errors_are_in_chinese():
    response = _api(Role.TIER2).post(URL, {**VALID, "phone": "12345"}, format="json")
    assert response.json()["phone"] == [
        "请填写中国大陆手机号（以 1 开头的 11 位数字）或带区号的座机号，如 010-12345678。"
    ]
