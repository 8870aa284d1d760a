"""Choosing a complaint on the incoming-call page: the call is logged (no case yet) and the
agent goes on to the complaint form with the caller, the call and the category (linked by
URL: tickets does not import complaints); every other category still opens its case."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import Case
from tickets.contacts.models import Contact

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent(client):
    seed_sla_policies()
    user = StaffFactory(role=Role.TIER1).user
    client.force_login(user)
    return user


def _intake(customer, code: str, **overrides) -> dict:
    return {"customer": customer.pk, "caller_phone": customer.phone,
            "queued_at": timezone.now().isoformat(), "channel": "inbound_call",
            "category": category(code).pk, "subject": "", "description": "",
            **overrides}


def test_a_complaint_category_logs_the_call_and_goes_on_to_the_complaint_form(client, agent):
    customer = CustomerFactory()
    response = client.post(reverse("tickets:intake"), _intake(
        customer, "complaint-product-quality", description="冰箱漏水，第二次报修"))
    contact = Contact.objects.get()
    assert (contact.customer, contact.agent, contact.case) == (customer, agent, None)
    assert Case.objects.count() == 0  # the complaint form opens the case
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("complaints:new")
    assert parse_qs(target.query) == {
        "customer": [str(customer.pk)], "contact": [str(contact.pk)],
        "category": [str(category("complaint-product-quality").pk)],
        "description": ["冰箱漏水，第二次报修"]}


def test_from_the_card_without_a_reload_the_browser_is_sent_on(client, agent):
    """The card's form posts with htmx: the answer tells htmx to go to the form."""
    customer = CustomerFactory()
    response = client.post(reverse("tickets:intake"),
                           _intake(customer, "complaint-service-attitude"), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("complaints:new") + "?customer=")
    assert Contact.objects.get().case_id is None


def test_the_complaint_form_gets_the_caller_and_the_call(client, agent):
    """Followed, the link fills in the caller and carries the call."""
    customer = CustomerFactory()
    response = client.post(reverse("tickets:intake"),
                           _intake(customer, "complaint-service-attitude"))
    form = client.get(response.url).context["form"]
    assert form.initial["customer"] == customer.code
    assert form.initial["contact"] == Contact.objects.get().pk


def test_other_categories_still_open_their_case_and_need_a_subject(client, agent):
    customer = CustomerFactory()
    refused = client.post(reverse("tickets:intake"),
                          _intake(customer, "consultation-product-function"))
    assert refused.status_code == 400
    assert "subject" in refused.context["entries"][0]["intake_form"].errors
    assert Contact.objects.count() == 0 and Case.objects.count() == 0
    opened = client.post(reverse("tickets:intake"),
                         _intake(customer, "consultation-product-function", subject="咨询"),
                         **HTMX)
    assert opened.status_code == 200
    assert Case.objects.get().kind == "consultation"


def test_the_card_says_a_complaint_goes_on_to_the_complaint_form(client, agent):
    CustomerFactory(phone="13800138001")
    html = client.get(reverse("tickets:incoming"), {"phone": "13800138001"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans", **HTMX).content.decode()
    assert 'class="intake-complaint-hint"' in html
