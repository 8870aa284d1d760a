"""The shared pages render in Chinese, with bounded queries."""

import pytest
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html


def test_english_is_selectable(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_wrong_password_gets_a_chinese_message_and_no_session(client):
    StaffFactory(role=Role.TIER1, user__username="agent-x", password="right-pass-123")
    response = client.post(reverse("login"), {"username": "agent-x", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_shows_the_staff_profile(client):
    profile = StaffFactory(role=Role.SUPERVISOR, display_name="王主管")
    client.force_login(profile.user)
    html = client.get(reverse("home")).content.decode()
    assert "王主管" in html
    assert "主管" in html
    assert 'id="main-nav"' in html


@pytest.mark.parametrize("departments", [1, 8])
def test_org_page_queries_do_not_grow_with_departments(
    client, departments, django_assert_num_queries
):
    viewer = StaffFactory(role=Role.SUPERVISOR)
    for _ in range(departments):
        team = TeamFactory(department=DepartmentFactory())
        StaffFactory(department=team.department, team=team)
    client.force_login(viewer.user)
    with django_assert_num_queries(7):
        response = client.get(reverse("org"))
    assert response.status_code == 200
    assert response.content.decode().count('<section class="card">') == departments + 1
