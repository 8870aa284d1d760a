"""/api/v1/: authentication, the schema and its offline docs page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.models import IdempotencyKey
from servicedesk.roles import Role
from servicedesk.services import idempotency_keys_purge
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_anonymous_requests_are_refused():
    assert APIClient().get(reverse("api-me")).status_code in (401, 403)


def test_token_auth_identifies_the_staff_member_and_role():
    profile = StaffFactory(role=Role.SUPERVISOR, user__username="zg", password="pw-123456")
    api = APIClient()
    token = api.post(reverse("api-token"), {"username": "zg", "password": "pw-123456"}).json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    body = api.get(reverse("api-me")).json()
    assert body["username"] == "zg"
    assert body["role"] == "supervisor"
    assert body["department"] == profile.department.name
    assert body["can_see_personal_data"] is True


def test_schema_and_docs_are_served_without_a_cdn(client):
    client.force_login(StaffFactory().user)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs and "jsdelivr" not in docs


def test_purge_forgets_only_old_idempotency_keys():
    user = StaffFactory().user
    old = IdempotencyKey.objects.create(user=user, key="a", method="POST", path="/x",
                                        request_fingerprint="f", response_status=201)
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3))
    IdempotencyKey.objects.create(user=user, key="b", method="POST", path="/x",
                                  request_fingerprint="f", response_status=201)
    assert idempotency_keys_purge(older_than=timezone.now() - dt.timedelta(days=2)) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/cases/" in (tmp_path / "s.yml").read_text()
