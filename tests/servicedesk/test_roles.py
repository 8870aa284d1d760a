"""Roles, their permission groups and the navigation each role sees."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from servicedesk.roles import Role, group_name, role_permissions
from servicedesk.selectors import navigation_for
from servicedesk.services import staff_set_role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_its_permissions():
    for role in Role:
        group = Group.objects.get(name=group_name(role))
        perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert set(role_permissions()[role]) <= perms, role


def test_changing_role_moves_the_user_between_role_groups():
    profile = StaffFactory(role=Role.TIER1)
    staff_set_role(profile=profile, role=Role.SUPERVISOR)
    names = set(profile.user.groups.values_list("name", flat=True))
    assert names == {group_name(Role.SUPERVISOR)}


def test_only_administrators_reach_the_admin_site():
    admin = StaffFactory(role=Role.ADMINISTRATOR)
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    assert admin.user.is_staff and not supervisor.user.is_staff
    staff_set_role(profile=admin, role=Role.MANAGER)
    admin.user.refresh_from_db()
    assert not admin.user.is_staff


def _nav_urls(user):
    return [item.url for item in navigation_for(user=user)]


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        (Role.TIER1, ["home", "calendars"], ["org", "health"]),
        (Role.TEAM_LEAD, ["home", "org", "calendars"], ["health"]),
        (Role.SUPERVISOR, ["home", "org", "calendars", "health"], []),
        (Role.MANAGER, ["home", "org", "calendars", "health"], []),
    ],
)
def test_navigation_depends_on_role(role, sees, does_not_see):
    user = StaffFactory(role=role).user
    urls = _nav_urls(user)
    for name in sees:
        assert reverse(name) in urls
    for name in does_not_see:
        assert reverse(name) not in urls
    assert reverse("admin:index") not in urls


def test_administrator_navigation_includes_the_admin_site():
    user = StaffFactory(role=Role.ADMINISTRATOR).user
    assert reverse("admin:index") in _nav_urls(user)


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        (Role.TIER1, "org", 403),
        (Role.TIER1, "health", 403),
        (Role.TIER1, "calendars", 200),
        (Role.TEAM_LEAD, "org", 200),
        (Role.SUPERVISOR, "org", 200),
        (Role.MANAGER, "calendars", 200),
    ],
)
def test_pages_check_the_role(client, role, url_name, status):
    client.force_login(StaffFactory(role=role).user)
    assert client.get(reverse(url_name)).status_code == status


@pytest.mark.parametrize("url_name", ["home", "org", "calendars", "health"])
def test_pages_send_anonymous_visitors_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
