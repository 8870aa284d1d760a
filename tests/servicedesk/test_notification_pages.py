"""The in-app notification list: only one's own, unread count for the bell, mark read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.models import Notification
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def note(user, key, title="K2026 已超时（办结）", urgent=False):
    now = timezone.now()
    return Notification.objects.create(recipient=user, key=key, at=now, created_at=now,
                                       title=title, url="/tickets/cases/1/", urgent=urgent)


def test_the_list_shows_only_my_notifications_newest_first(client):
    me, other = StaffFactory().user, StaffFactory().user
    note(me, "a", title="第一条")
    later = note(me, "b", title="第二条")
    later.created_at += dt.timedelta(minutes=1)
    later.save()
    note(other, "c", title="别人的通知")
    client.force_login(me)
    html = client.get(reverse("notifications")).content.decode()
    assert html.index("第二条") < html.index("第一条")
    assert "别人的通知" not in html


def test_the_bell_counts_unread_and_reading_clears_it(client):
    me = StaffFactory().user
    first = note(me, "a")
    note(me, "b")
    client.force_login(me)
    badge = client.get(reverse("notifications-count")).content.decode()
    assert '<span class="notice-count"' in badge and ">2<" in badge
    client.post(reverse("notifications-read"), {"id": first.pk})
    assert ">1<" in client.get(reverse("notifications-count")).content.decode()
    client.post(reverse("notifications-read"))
    assert "notice-count" not in client.get(reverse("notifications-count")).content.decode()


def test_marking_someone_elses_notification_read_changes_nothing(client):
    me, other = StaffFactory().user, StaffFactory().user
    theirs = note(other, "x")
    client.force_login(me)
    client.post(reverse("notifications-read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("notifications")).status_code == 302
