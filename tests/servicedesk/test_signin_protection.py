"""Issue 10 item 4: sign-in throttling. A few wrong passwords lock the username and the
client address for a while (django-axes), on the sign-in page and on the API's token
endpoint alike, with a Chinese message; an administrator unlocks (admin or command); the
API and the password-reset form are throttled."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from servicedesk.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-2026"
LOCKED = "登录失败次数过多"


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER1, user__username="lock-me", password=PASSWORD).user


def sign_in(client, username, password, address="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def token(api, username, password, address="10.1.1.1"):
    return api.post(reverse("api-token"), {"username": username, "password": password},
                    REMOTE_ADDR=address)


def test_the_page_refuses_the_right_password_after_25_wrong_ones(client, agent):
    for _ in range(25):
        sign_in(client, "lock-me", "wrong")
    response = sign_in(client, "lock-me", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_page_locks_at_the_fifth_failure_not_before(client, agent):
    for _ in range(4):
        assert sign_in(client, "lock-me", "wrong").status_code == 200  # the form again
    assert sign_in(client, "lock-me", PASSWORD).status_code == 302  # still signs in
    client.logout()
    for _ in range(5):
        sign_in(client, "lock-me", "wrong")
    assert sign_in(client, "lock-me", PASSWORD).status_code == 429


def test_the_token_endpoint_refuses_the_right_password_after_25_wrong_ones(agent):
    api = APIClient()
    statuses = [token(api, "lock-me", "wrong").status_code for _ in range(25)]
    assert statuses[:4] == [400] * 4 and set(statuses[4:]) <= {429}
    response = token(api, "lock-me", PASSWORD)  # locked out, and throttled by now too
    assert response.status_code == 429
    assert "token" not in response.json()


def test_the_token_endpoint_says_locked_out_in_chinese(agent):
    api = APIClient()
    for _ in range(5):
        token(api, "lock-me", "wrong")
    body = token(api, "lock-me", PASSWORD).json()
    assert body["code"] == "locked_out" and LOCKED in body["detail"]


def test_failures_from_one_address_lock_it_for_every_username(client, agent):
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert sign_in(client, "lock-me", PASSWORD, address="10.9.9.9").status_code == 429
    assert sign_in(client, "lock-me", PASSWORD, address="10.2.2.2").status_code == 302


def test_failures_for_one_username_lock_it_from_every_address(client, agent):
    for n in range(5):
        sign_in(client, "lock-me", "wrong", address=f"10.3.3.{n}")
    assert sign_in(client, "lock-me", PASSWORD, address="10.4.4.4").status_code == 429


def test_the_lock_ends_after_the_cool_off(client, agent, settings):
    for _ in range(5):
        sign_in(client, "lock-me", "wrong")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert sign_in(client, "lock-me", PASSWORD).status_code == 302


def test_the_unlock_command_lets_the_user_in_again(client, agent):
    for _ in range(5):
        sign_in(client, "lock-me", "wrong", address="10.5.5.5")
    call_command("axes_reset_username", "lock-me")
    assert sign_in(client, "lock-me", PASSWORD, address="10.6.6.6").status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, agent):
    for _ in range(5):
        sign_in(client, "lock-me", "wrong")
    admin = StaffFactory(role=Role.ADMINISTRATOR, user__is_staff=True,
                         user__is_superuser=True).user
    client.force_login(admin)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "lock-me" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="lock-me")
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()
    assert sign_in(client, "lock-me", PASSWORD).status_code == 302


def test_the_token_endpoint_is_throttled_per_client():
    StaffFactory(user__username="often", password=PASSWORD)
    api = APIClient()
    statuses = [token(api, "often", PASSWORD).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]  # API_THROTTLE_TOKEN: 10/minute


def test_every_api_user_is_throttled(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**SimpleRateThrottle.THROTTLE_RATES, "user": "3/minute"})
    api = APIClient()
    api.force_authenticate(StaffFactory().user)
    statuses = [api.get(reverse("api-me")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_throttle_rates_are_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"anon", "user", "auth-token"}


def test_the_password_reset_form_sends_at_most_three_mails_an_hour_to_one_address(client):
    StaffFactory(user__username="forgetful", user__email="wang@example.cn")
    statuses = [client.post(reverse("password_reset"), {"email": "wang@example.cn"})
                .status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    refused = client.post(reverse("password_reset"), {"email": "WANG@example.cn"})
    assert "过于频繁" in refused.content.decode()


def test_the_password_reset_form_is_limited_per_client(client, settings):
    settings.PASSWORD_RESET_PER_CLIENT_PER_HOUR = 2
    statuses = [client.post(reverse("password_reset"), {"email": f"n{n}@example.cn"})
                .status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_a_forged_forwarded_for_does_not_escape_the_lock_without_trusted_proxies(client, agent):
    for n in range(5):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"},
                    REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(client, "lock-me", PASSWORD, address="10.7.7.7").status_code == 429


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(settings):
    from django.test import RequestFactory

    from servicedesk.signin import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
