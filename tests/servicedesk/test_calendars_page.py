"""The planners' calendar page computes a deadline and answers bad input field by field."""

import pytest
from django.urls import reverse

from servicedesk.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner_client(client):
    client.force_login(StaffFactory(role=Role.TEAM_LEAD).user)
    return client


def test_deadline_skips_labour_day_in_beijing_time(planner_client):
    response = planner_client.post(
        reverse("calendars"),
        {"calendar": "work_0900_1800_cn", "start": "2026-04-30T17:00", "duration": "2h"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'datetime="2026-05-06T10:00:00+08:00"' in html
    assert "2026-05-06 10:00" in html
    assert "<html" not in html  # an htmx request gets only the result fragment


@pytest.mark.parametrize(
    ("data", "field_label", "message"),
    [
        ({"calendar": "nope", "start": "2026-04-30T17:00", "duration": "2h"}, "日历", "未知的日历"),
        ({"calendar": "24x7", "start": "2026-04-31T17:00", "duration": "2h"}, "开始时间", "有效"),
        ({"calendar": "24x7", "start": "2026-04-30T17:00", "duration": "2x"}, "工作时长",
         "无法识别的时长"),
        # issue 10 item 2: years the engine does not count were a 500
        ({"calendar": "work_0900_1800_cn", "start": "0001-01-01T00:00", "duration": "8h"},
         "开始时间", "1901"),
        ({"calendar": "work_0900_1800_cn", "start": "9999-12-31T23:00", "duration": "8h"},
         "开始时间", "2199"),
    ],
)
def test_bad_input_gets_a_chinese_field_error(planner_client, data, field_label, message):
    response = planner_client.post(reverse("calendars"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f"<strong>{field_label}</strong>" in html
    assert message in html
    assert "datetime=" not in html


def test_the_page_lists_the_seeded_calendars(planner_client):
    html = planner_client.get(reverse("calendars")).content.decode()
    for name in ("24x7", "work_0900_1800_cn", "line_0900_2300_7d"):
        assert f"<code>{name}</code>" in html
