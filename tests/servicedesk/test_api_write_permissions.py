"""Issue 10 items 5 and 12: every write endpoint of the API checks the same model
permission as its page (one rule, `servicedesk.api.permissions.WriteNeedsPermission`), and
records are worked by staff only: a user without a staff profile (a superuser who only
administers) reads none and writes none.

The walk below takes every write operation from the OpenAPI schema, so a new endpoint
fails here until this table says which permission its page needs."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import StaffFactory, UserFactory
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import feedback_file_for_test
from tickets.customers.models import Customer

pytestmark = pytest.mark.django_db

# Writes whose rule is not a model permission.
BY_ROLE = "decided by role in the record's access helper"
OWN = "the caller's own data"
SIGN_IN = "signing in and out"
STAFF = "any staff member (a computation that writes nothing)"

WRITE_PERMISSIONS = {
    ("/api/v1/auth/token/", "post"): SIGN_IN,
    ("/api/v1/auth/token/", "delete"): SIGN_IN,
    ("/api/v1/me/notifications/read/", "post"): OWN,
    ("/api/v1/customers/", "post"): "tickets.add_customer",
    ("/api/v1/customers/{id}/", "put"): "tickets.change_customer",
    ("/api/v1/customers/{id}/", "patch"): "tickets.change_customer",
    ("/api/v1/contacts/", "post"): "tickets.add_contact",
    ("/api/v1/cases/", "post"): "tickets.add_case",
    ("/api/v1/cases/{id}/", "patch"): "tickets.change_case",
    ("/api/v1/cases/{id}/feedback/", "post"): "tickets.change_case",
    ("/api/v1/cases/{id}/transition/", "post"): "tickets.change_case",
    ("/api/v1/registrations/", "post"): "tickets.add_customerregistration",
    ("/api/v1/registrations/{id}/approve/", "post"): BY_ROLE,
    ("/api/v1/registrations/{id}/reject/", "post"): BY_ROLE,
    ("/api/v1/registrations/{id}/convert/", "post"): BY_ROLE,
    ("/api/v1/registrations/{id}/dispute/", "post"): BY_ROLE,
    ("/api/v1/feedback-filings/", "post"): "tickets.add_feedbackfiling",
    ("/api/v1/feedback-filings/{id}/hand-over/", "post"): "tickets.change_feedbackfiling",
    ("/api/v1/feedback-filings/{id}/follow-up/", "post"): "tickets.change_feedbackfiling",
    ("/api/v1/feedback-filings/{id}/close/", "post"): "tickets.change_feedbackfiling",
    ("/api/v1/delay-filings/", "post"): "tickets.add_delayfiling",
    ("/api/v1/delay-filings/{id}/review/", "post"): BY_ROLE,
    ("/api/v1/delay-filings/{id}/approve/", "post"): BY_ROLE,
    ("/api/v1/delay-filings/{id}/notify/", "post"): "tickets.change_delayfiling",
    ("/api/v1/delay-filings/{id}/deliver/", "post"): "tickets.change_delayfiling",
    ("/api/v1/delay-filings/{id}/compensate/", "post"): "tickets.change_delayfiling",
    ("/api/v1/complaints/", "post"): "complaints.add_complaint",
    ("/api/v1/complaints/grade-preview/", "post"): STAFF,
    ("/api/v1/complaints/{id}/dispatch/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/verdict/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/propose/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/escalate/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/interim/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/resolve/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/follow-up/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/regrade/", "post"): BY_ROLE,
    ("/api/v1/complaints/{id}/close/", "post"): "complaints.close_complaint",
    ("/api/v1/person-checks/{id}/file-report/", "post"): BY_ROLE,
    ("/api/v1/person-checks/{id}/accept/", "post"): BY_ROLE,
    ("/api/v1/person-checks/{id}/return/", "post"): BY_ROLE,
    ("/api/v1/penalties/quote/", "post"): STAFF,
    ("/api/v1/penalties/{id}/waive/", "post"): "complaints.waive_penaltyentry",
    ("/api/v1/penalties/{id}/adjust/", "post"): "complaints.waive_penaltyentry",
    ("/api/v1/sla-excuses/", "post"): "complaints.add_slaexcuse",
    ("/api/v1/sla-excuses/{id}/approve/", "post"): "complaints.change_slaexcuse",
    ("/api/v1/sla-excuses/{id}/reject/", "post"): "complaints.change_slaexcuse",
}
MODEL_PERMISSION_WRITES = sorted(
    key for key, rule in WRITE_PERMISSIONS.items()
    if rule not in (BY_ROLE, OWN, SIGN_IN, STAFF))


def write_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(path, method) for path, operations in schema["paths"].items()
            for method in operations if method in ("post", "put", "patch", "delete")}


def test_every_write_endpoint_of_the_schema_is_in_the_table():
    assert write_operations() == set(WRITE_PERMISSIONS)


def manager_with_every_permission_but(excluded: str | None):
    """A manager (who sees every department's records) holding every permission of the
    database except `excluded`, given to them directly (no role group)."""
    profile = StaffFactory(role=Role.MANAGER)
    user = profile.user
    user.groups.clear()
    granted = Permission.objects.all()
    if excluded:
        app_label, codename = excluded.split(".")
        granted = granted.exclude(content_type__app_label=app_label, codename=codename)
    user.user_permissions.set(granted)
    return type(user).objects.get(pk=user.pk)  # no cached permissions


def call(api, path, method):
    return getattr(api, method)(path.replace("{id}", "999999"), {}, format="json")


@pytest.mark.parametrize(("path", "method"), MODEL_PERMISSION_WRITES)
def test_a_write_without_the_pages_permission_is_refused(path, method):
    api = APIClient()
    api.force_authenticate(manager_with_every_permission_but(WRITE_PERMISSIONS[path, method]))
    response = call(api, path, method)
    assert response.status_code == 403, (path, method, response.content)


@pytest.mark.parametrize(("path", "method"), MODEL_PERMISSION_WRITES)
def test_the_same_write_with_the_permission_gets_past_the_check(path, method):
    api = APIClient()
    api.force_authenticate(manager_with_every_permission_but(None))
    # an empty body or an unknown id: refused further on, not by the permission check
    assert call(api, path, method).status_code in (400, 404)


def test_a_manager_can_neither_register_nor_correct_a_customer():
    """The issue's case: managers lack add_customer / change_customer, as on the pages."""
    api = APIClient()
    api.force_authenticate(StaffFactory(role=Role.MANAGER).user)
    created = api.post("/api/v1/customers/", {"name": "张伟", "phone": "13800138000"},
                       format="json")
    customer = CustomerFactory(name="李娜")
    changed = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "王芳"}, format="json")
    assert (created.status_code, changed.status_code) == (403, 403)
    assert Customer.objects.count() == 1 and Customer.objects.get().name == "李娜"


def test_an_agent_registers_and_corrects_customers():
    api = APIClient()
    api.force_authenticate(StaffFactory(role=Role.TIER1).user)
    created = api.post("/api/v1/customers/", {"name": "张伟", "phone": "13800138000"},
                       format="json")
    assert created.status_code == 201
    changed = api.patch(f"/api/v1/customers/{created.json()['id']}/", {"name": "王芳"},
                        format="json")
    assert changed.status_code == 200


# --- item 12: a user without a staff profile works no records ----------------------------


def test_a_superuser_without_a_staff_profile_creates_no_customer_and_lists_none():
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    CustomerFactory()
    created = api.post("/api/v1/customers/", {"name": "张伟", "phone": "13800138000"},
                       format="json")
    assert created.status_code == 403
    assert api.get("/api/v1/customers/").json()["results"] == []
    assert Customer.objects.count() == 1


def test_a_superuser_without_a_staff_profile_takes_no_step():
    filing = feedback_file_for_test()
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    response = api.post(f"/api/v1/feedback-filings/{filing.pk}/follow-up/", {"note": "x"},
                        format="json")
    assert response.status_code == 403


def test_an_administrator_with_a_staff_profile_creates_and_sees_customers():
    api = APIClient()
    api.force_authenticate(StaffFactory(role=Role.ADMINISTRATOR).user)
    created = api.post("/api/v1/customers/", {"name": "张伟", "phone": "13800138000"},
                       format="json")
    assert created.status_code == 201
    assert [c["id"] for c in api.get("/api/v1/customers/").json()["results"]] == [
        created.json()["id"]]


def test_the_filing_page_refuses_a_superuser_without_a_staff_profile(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(reverse("tickets:feedback-filings"), {"kind": "issue"})
    assert response.status_code == 403
