"""The demo looks like a center that keeps up (issue 10 item 19): at the scale `make run`
seeds, most open cases are on time, a handful warned or breached, and the supervisor
starts with the notifications of the last hour unread, not a month of them."""

import io
import sys

import pytest
from django.utils import timezone

from tickets.cases.models import Case, SlaState

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    """`seed_demo` at full scale, then the scheduler's first sweep; rolled back after the
    module (each test runs in a savepoint inside it)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from tickets.sla.sweep import sla_sweep

    with django_db_blocker.unblock():
        seed = transaction.atomic()
        seed.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ):
                call_command("seed_demo", stdout=io.StringIO())
                sla_sweep(now=timezone.now())
        except BaseException:
            seed.__exit__(*sys.exc_info())
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        seed.__exit__(None, None, None)


def test_few_open_demo_cases_are_breached(full_demo):
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES)
    total = open_cases.count()
    breached = open_cases.filter(sla_state=SlaState.BREACHED).count()
    on_track = open_cases.filter(sla_state=SlaState.ON_TRACK).count()
    assert total >= 30
    assert breached >= 1  # a handful, so the dashboard has something to show
    assert breached <= 0.10 * total, (breached, total)
    assert on_track >= 0.5 * total, (on_track, total)


def test_the_supervisor_starts_with_few_unread_notifications(full_demo):
    from django.contrib.auth import get_user_model

    from servicedesk.models import Notification

    supervisor = get_user_model().objects.get(username="supervisor")
    mine = Notification.objects.filter(recipient=supervisor)
    assert mine.exists()  # the past is there, read
    assert mine.filter(read_at__isnull=True).count() <= 20
