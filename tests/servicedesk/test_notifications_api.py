"""/api/v1/me/notifications/: only one's own, unread filter, marking read."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.models import Notification
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notifications/"


def note(user, key):
    now = timezone.now()
    return Notification.objects.create(recipient=user, key=key, at=now, created_at=now,
                                       title=f"通知 {key}")


def test_a_person_lists_only_their_own_notifications_and_marks_them_read():
    me, other = StaffFactory().user, StaffFactory().user
    mine = [note(me, "a"), note(me, "b")]
    theirs = note(other, "c")
    client = APIClient()
    client.force_authenticate(me)
    listed = client.get(URL).json()["results"]
    assert {n["key"] for n in listed} == {"a", "b"}
    answer = client.post(URL + "read/", {"ids": [mine[0].pk, theirs.pk]}, format="json")
    assert answer.json() == {"marked": 1, "unread": 1}
    assert [n["key"] for n in client.get(URL + "?unread=1").json()["results"]] == ["b"]
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(URL + "read/", {}, format="json").json() == {"marked": 1, "unread": 0}


def test_bad_ids_are_a_field_error():
    client = APIClient()
    client.force_authenticate(StaffFactory().user)
    answer = client.post(URL + "read/", {"ids": ["x"]}, format="json")
    assert answer.status_code == 400 and "ids" in answer.json()


def test_anonymous_callers_are_refused():
    assert APIClient().get(URL).status_code in (401, 403)
