"""Who sees a complaint (`complaints_visible_to`: the case's rule, `cases_scoped`): its
department and, once dispatched, the handling department; a desk-only complaint (media,
consumer association, skip-level: public opinion; safety: major safety) only that desk,
supervisors and above — in the selector, the API list and detail, the complaint page and
the tickets case export alike. And the case page links its complaint."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.handling.selectors import complaints_visible_to, get_complaint_for_user
from servicedesk.roles import Role
from tests.complaints.handling.factories import _staff, complaint_file_for_test, dispatched

pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def complaints(center):
    """A hotline complaint, a media complaint (public-opinion desk) and a safety incident
    (major-safety desk), filed by the desks and the agent of the service center."""
    return {
        "hotline": complaint_file_for_test(center, source="hotline"),
        "media": complaint_file_for_test(center, by=center.opinion_desk, source="media"),
        "safety": complaint_file_for_test(center, by=center.safety_desk, source="safety"),
    }


SEES = {
    "agent": {"hotline"},
    "agent2": {"hotline"},
    "opinion_desk": {"hotline", "media"},
    "safety_desk": {"hotline", "safety"},
    "service_supervisor": {"hotline", "media", "safety"},
    "manager": {"hotline", "media", "safety"},
    "general_manager": {"hotline", "media", "safety"},
    "administrator": {"hotline", "media", "safety"},
    "business_supervisor": set(),  # nothing is dispatched to after-sales yet
    "other_agent": set(),
}


@pytest.mark.parametrize(("who", "expected"), SEES.items())
def test_desk_only_complaints_are_seen_by_their_desk_supervisors_and_above(center, complaints,
                                                                         who, expected):
    """The selector, the API list, the API detail (404 otherwise) and the complaint page
    (404 otherwise) agree on what each role sees."""
    user = getattr(center, who)
    names = {c.pk: name for name, c in complaints.items()}
    assert {names[pk] for pk in complaints_visible_to(user=user).values_list("pk", flat=True)
            } == expected
    listed = _api(user).get("/api/v1/complaints/").json()["results"]
    assert {names[row["id"]] for row in listed} == expected
    for name, complaint in complaints.items():
        detail = _api(user).get(f"/api/v1/complaints/{complaint.pk}/")
        assert detail.status_code == (200 if name in expected else 404), (who, name)


@pytest.mark.parametrize("who", ["agent", "safety_desk", "other_agent"])
def test_the_complaint_page_is_404_for_whoever_does_not_see_it(client, center, complaints,
                                                               who):
    """The page of a media complaint: 404 for the agent, the other desk and another
    department; the public-opinion desk reaches it."""
    client.force_login(getattr(center, who))
    url = reverse("complaints:complaint", args=[complaints["media"].pk])
    assert client.get(url).status_code == 404
    client.force_login(center.opinion_desk)
    assert client.get(url).status_code in (200, 302)


def test_dispatch_shows_the_complaint_to_the_handling_department(center, complaints):
    """After dispatch the handling department's staff see the complaint (a desk-only one:
    only its supervisors and above)."""
    dispatched(center, complaints["hotline"])
    media = complaints["media"]
    from complaints.handling.services import complaint_dispatch

    complaint_dispatch(complaint=media, by=center.opinion_desk, expected_version=1)
    member = _staff(Role.TIER1, center.business, "售后客服")
    assert set(complaints_visible_to(user=member)) == {complaints["hotline"]}
    assert set(complaints_visible_to(user=center.business_supervisor)) == {
        complaints["hotline"], media}
    assert get_complaint_for_user(user=center.business_supervisor,
                                  complaint_id=media.pk) == media
    assert not complaints_visible_to(user=center.other_supervisor).exists()


def _exported_numbers(response):
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(text[1:]))  # after the BOM
    return {row[0] for row in rows}


@pytest.mark.parametrize("url", ["/api/v1/cases/export/", "/tickets/exports/cases/"])
def test_the_case_export_leaves_out_desk_only_complaints(client, center, complaints, url):
    """The tickets case export (API and page) holds the desk-only complaints' cases only
    for those who see them: an agent given the export permission gets the hotline case
    alone; the public-opinion desk adds the media case; the supervisor gets all three."""
    export = Permission.objects.get(content_type__app_label="tickets", codename="export_case")
    numbers = {name: c.case.number for name, c in complaints.items()}
    expectations = [("agent2", {"hotline"}), ("opinion_desk", {"hotline", "media"}),
                    ("service_supervisor", {"hotline", "media", "safety"})]
    for who, expected in expectations:
        user = getattr(center, who)
        user.user_permissions.add(export)
        user = type(user).objects.get(pk=user.pk)
        if url.startswith("/api/"):
            response = _api(user).get(url)
        else:
            client.force_login(user)
            response = client.get(url)
        assert _exported_numbers(response) == {numbers[name] for name in expected}, who


def test_the_case_page_links_its_complaint(client, center, complaints):
    """A complaint case's page links to its complaint page (the reverse one-to-one); an
    ordinary case's page has no such link."""
    from tests.tickets.cases.factories import case_open_for_test

    complaint = complaints["hotline"]
    client.force_login(center.agent)
    html = client.get(reverse("tickets:case", args=[complaint.case_id])).content.decode()
    assert f'id="case-complaint" href="/complaints/{complaint.pk}/"' in html
    assert "投诉记录" in html
    plain = case_open_for_test(by=center.agent, code="complaint-product-quality", grade="C")
    html = client.get(reverse("tickets:case", args=[plain.pk])).content.decode()
    assert 'id="case-complaint"' not in html
