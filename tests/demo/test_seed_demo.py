"""seed_demo builds a believable center and is idempotent."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from demo.org import DEMO_PASSWORD
from servicedesk.models import Department, StaffProfile, Team
from servicedesk.roles import Role

pytestmark = pytest.mark.django_db


def _counts():
    return (Department.objects.count(), Team.objects.count(), StaffProfile.objects.count())


def test_seed_demo_twice_creates_nothing_the_second_time(seeded_demo, capsys):
    # The first run is the package's `seeded_demo`.
    assert "新建部门 5 个" in seeded_demo
    first = _counts()
    call_command("seed_demo", intake_scale=0.02)
    assert _counts() == first
    assert "新建部门 0 个, 班组 0 个, 员工 0 人" in capsys.readouterr().out


def test_seed_demo_covers_every_role_with_about_sixty_staff(seeded_demo):
    """49 in the service center and its departments' heads, 15 more in the business
    departments (a supervisor each, and the people complaints are charged to)."""
    roles = set(StaffProfile.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert 55 <= StaffProfile.objects.count() <= 70


def test_printed_demo_logins_work(seeded_demo, capsys):
    call_command("seed_demo", intake_scale=0.02)
    for out in (seeded_demo, capsys.readouterr().out):
        assert DEMO_PASSWORD in out
        for username in ("agent01", "supervisor", "manager", "gm", "admin"):
            assert username in out
            # with the request, as the sign-in page does (django-axes counts by client)
            request = RequestFactory().post("/accounts/login/")
            assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
