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


@pytest.mark.parametrize("fmt", ["multipart", "form"])
def test_a_body_that_is_not_json_is_refused_and_marks_nothing(fmt):
    """A multipart or form body used to be read as empty, which marks every unread
    notification read: the API reads JSON only (415 otherwise)."""
    me = StaffFactory().user
    note(me, "a")
    client = APIClient()
    client.force_authenticate(me)
    if fmt == "multipart":
        answer = client.post(URL + "read/", {"junk": "[1, 2]"}, format="multipart")
    else:
        answer = client.post(URL + "read/", "junk=1",
                             content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 415
    assert Notification.objects.filter(read_at=None).count() == 1


def test_the_schema_offers_json_request_bodies_only(client):
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    media = {media_type
             for path in schema["paths"].values() for operation in path.values()
             if isinstance(operation, dict) and "requestBody" in operation
             for media_type in operation["requestBody"]["content"]}
    assert media == {"application/json"}
