"""Business durations read as hours and minutes, never as (calendar) days."""

import datetime as dt

from django.utils import translation

from servicedesk.templatetags.durations import business_duration


def test_business_time_is_hours_and_minutes_even_beyond_a_day():
    with translation.override("zh-hans"):
        assert business_duration(dt.timedelta(hours=48)) == "48小时 00分"
        assert business_duration(dt.timedelta(minutes=5)) == "05分"
        assert business_duration(-dt.timedelta(hours=1, minutes=30)) == "已超时 1小时 30分"
        assert business_duration(None) == "—"
