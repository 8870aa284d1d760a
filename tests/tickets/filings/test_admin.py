"""The admin shows feedback and delay filings with their history, read-only: nothing can
be added, changed or deleted there (the services write them)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.tickets.filings.factories import delay_approved, feedback_file_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.cn", "x"))
    return client


@pytest.mark.parametrize("model", ["feedbackfiling", "delayfiling", "delaynotice"])
def test_filings_are_listed_and_shown_but_not_added(admin_client, model):
    feedback = feedback_file_for_test()
    delay = delay_approved()
    obj = {"feedbackfiling": feedback, "delayfiling": delay, "delaynotice": delay.notice}[model]
    assert admin_client.get(reverse(f"admin:tickets_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse(f"admin:tickets_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert admin_client.get(reverse(f"admin:tickets_{model}_add")).status_code == 403
    assert b'name="_save"' not in page.content
