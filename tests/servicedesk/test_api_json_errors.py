"""Issue 10, item 8: everything under `/api/` answers JSON, also where Django rather than DRF
answers (`servicedesk.api.middleware`): an unknown route, a body over the upload limit."""

import pytest
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tickets.customers.models import Customer

pytestmark = pytest.mark.django_db


def _api(role=Role.TIER2):
    api = APIClient()
    api.force_authenticate(StaffFactory(role=role).user)
    return api


def test_a_body_over_the_upload_limit_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = _api().post("/api/v1/customers/",
                           {"name": "张伟", "phone": "13800138000", "notes": "x" * 20_000},
                           format="json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "10000" in response.json()["detail"]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/cases/abc/", "/api/v2/",
                                  "/api/"])
def test_an_unknown_api_route_is_a_json_404(client, path):
    client.force_login(StaffFactory(role=Role.TIER2).user)
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_pages_keep_their_html_404(client):
    client.force_login(StaffFactory(role=Role.TIER2).user)
    response = client.get("/tickets/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_redirect_to_the_slashed_route_is_kept(client):
    client.force_login(StaffFactory(role=Role.TIER2).user)
    response = client.get("/api/v1/cases")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/cases/")


def test_a_drf_404_keeps_its_own_answer():
    response = _api().get("/api/v1/cases/999999/")
    assert response.status_code == 404
    assert response.json() != {} and "code" not in response.json()
