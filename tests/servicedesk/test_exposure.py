"""Issue 10 item 10: less on the open internet. API tokens expire (API_TOKEN_LIFETIME_DAYS,
30 by default) and their owner revokes them; the schema and docs need a sign-in unless
API_SCHEMA_PUBLIC (the DEBUG default). The anonymous /healthz is in test_health.py."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "token-pass-2026"


@pytest.fixture
def user():
    return StaffFactory(user__username="tokens", password=PASSWORD).user


def sign_in(api):
    response = api.post(reverse("api-token"), {"username": "tokens", "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def age(token_key, days):
    Token.objects.filter(key=token_key).update(created=timezone.now() - dt.timedelta(days=days))


def test_a_token_says_when_it_expires(user):
    body = sign_in(APIClient())
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(days=29, hours=23) < expires - timezone.now() <= dt.timedelta(days=30)


def test_a_token_works_for_30_days_and_not_after(user):
    key = sign_in(APIClient())["token"]
    age(key, 29)
    assert with_token(key).get(reverse("api-me")).status_code == 200
    age(key, 30)
    response = with_token(key).get(reverse("api-me"))
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_the_lifetime_is_a_setting(user, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 1
    key = sign_in(APIClient())["token"]
    age(key, 2)
    assert with_token(key).get(reverse("api-me")).status_code == 401


def test_signing_in_again_after_expiry_issues_a_new_token(user):
    old = sign_in(APIClient())["token"]
    assert sign_in(APIClient())["token"] == old  # still valid: the same one
    age(old, 31)
    new = sign_in(APIClient())["token"]
    assert new != old
    assert with_token(new).get(reverse("api-me")).status_code == 200
    assert with_token(old).get(reverse("api-me")).status_code == 401


def test_a_user_revokes_their_own_token(user):
    key = sign_in(APIClient())["token"]
    other = StaffFactory().user
    other_token = Token.objects.create(user=other)
    assert with_token(key).delete(reverse("api-token")).status_code == 204
    assert with_token(key).get(reverse("api-me")).status_code == 401
    assert Token.objects.filter(pk=other_token.pk).exists()  # nobody else's


def test_revoking_needs_a_signed_in_caller():
    assert APIClient().delete(reverse("api-token")).status_code in (401, 403)


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_schema_and_docs_need_a_sign_in_when_not_public(name, settings, user):
    settings.API_SCHEMA_PUBLIC = False
    assert APIClient().get(reverse(name)).status_code in (401, 403)
    key = sign_in(APIClient())["token"]
    assert with_token(key).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_schema_and_docs_are_public_when_the_setting_says_so(name, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert APIClient().get(reverse(name)).status_code == 200


def test_production_keeps_the_schema_private_by_default():
    import subprocess
    import sys

    code = ("import django, os; django.setup(); from django.conf import settings; "
            "print(settings.API_SCHEMA_PUBLIC, settings.API_TOKEN_LIFETIME_DAYS)")
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.cn",
           "DJANGO_SETTINGS_MODULE": "servicedesk.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,  # noqa: S603
                         text=True, check=True).stdout.split()
    assert out[-2:] == ["False", "30"]
