"""The intake form (`/complaints/new/`): the criteria, the suggestion the server shows
(without the page's script), the decided grade with its reason, the temperament's advice,
the desk notice and what to tell the customer; the caller and the call carried from the
incoming-call page; every refusal re-rendered on the form with nothing written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from complaints.handling.models import Complaint, GradeRecord
from tests.complaints.handling.factories import complaint_type
from tests.tickets.contacts.factories import contact_log_for_test
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import seed_sla_policies
from tickets.cases.models import Case
from tickets.contacts.models import Contact

pytestmark = pytest.mark.django_db

URL = reverse("complaints:new")


@pytest.fixture(autouse=True)
def _policies():
    seed_sla_policies()


def _post(center, who, **overrides) -> dict:
    data = {
        "customer": who.code, "type": center.kind.pk, "source": "hotline",
        "description": "空调不制冷，已报修两次", "procedure": "none", "emotion": "calm",
        "loss_yuan": "0", "impact": "none", "temperament": "", "grade": "",
        "grade_reason": "", "subject": "",
    }
    data.update(overrides)
    return data


def _written() -> tuple[int, int, int]:
    return Complaint.objects.count(), Case.objects.count(), GradeRecord.objects.count()


def test_the_form_shows_the_starting_grade_advice_and_what_to_tell(client, center):
    """Unposted, the criteria start at "nothing reached" and the page shows C; every
    temperament's advice is on the page (one shown when chosen); the first-contact panel
    holds the handling department, contact person and phone of each type."""
    client.force_login(center.agent)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="suggested-grade" data-grade="C">C<', html)
    assert html.count("data-advice=") == 5  # four temperaments and the empty hint
    first_contact = response.context["first_contacts"][str(center.kind.pk)]
    assert first_contact["department"] == "售后服务部"
    assert first_contact["phone"] == "0755-83216000"
    assert first_contact["contact_person"] == "售后部长"
    assert 'id="desk-notice" role="status" hidden' in html
    assert reverse("complaint-grade-preview") in html


def test_filing_goes_to_the_complaint_page_saying_the_grade_and_what_to_tell(client, center):
    """A loss of 5000 yuan is an A: filed as suggested, the message names the grade and
    the handling department with its contact person and phone."""
    customer = CustomerFactory()
    client.force_login(center.agent)
    response = client.post(URL, _post(center, customer, loss_yuan="5000",
                                      temperament="angry"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:complaint", args=[complaint.pk])
    assert (complaint.grade, complaint.suggested_grade, complaint.temperament) == (
        "A", "A", "angry")
    assert complaint.customer == customer and complaint.filed_by == center.agent
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert complaint.case.number in page
    assert "A – 重大投诉" in page
    assert "售后服务部" in page and "售后部长" in page and "0755-83216000" in page


def test_the_customer_may_be_given_by_phone(client, center):
    customer = CustomerFactory(phone="13912345670")
    client.force_login(center.agent)
    response = client.post(URL, _post(center, customer, customer="139 1234 5670"))
    assert response.status_code == 302
    assert Complaint.objects.get().customer == customer


def test_a_phone_shared_by_two_customers_asks_for_the_code(client, center):
    first = CustomerFactory(phone="13912345671")
    second = CustomerFactory(phone="13912345671")
    client.force_login(center.agent)
    response = client.post(URL, _post(center, first, customer="13912345671"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    errors = response.context["form"].errors["customer"]
    assert first.code in errors[0] and second.code in errors[0]
    assert _written() == (0, 0, 0)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"grade": "C", "loss_yuan": "5000"}, "grade_reason"),  # another grade, no reason
    ({"loss_yuan": "-1"}, "loss_yuan"),
    ({"loss_yuan": "abc"}, "loss_yuan"),
    ({"procedure": "nonsense"}, "procedure"),
    ({"emotion": ""}, "emotion"),
    ({"customer": "C209901999"}, "customer"),
    ({"type": ""}, "type"),
    ({"source": ""}, "source"),
    ({"description": ""}, "description"),
    ({"grade": "D"}, "grade"),  # D only by the invalid verdict
])
def test_a_refused_intake_comes_back_with_its_error_and_writes_nothing(
        client, center, overrides, field):
    """The form's and the service's field errors are shown on their fields (in Chinese);
    no complaint, case or grading record is written."""
    customer = CustomerFactory()
    client.force_login(center.agent)
    response = client.post(URL, _post(center, customer, **overrides),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert _written() == (0, 0, 0)


def test_after_a_refusal_the_server_shows_the_suggestion_of_the_posted_criteria(client, center):
    """Without the page's script, the suggestion comes from the server: the posted
    criteria (a 5000-yuan loss) suggest A, with the criterion that reached it."""
    client.force_login(center.agent)
    response = client.post(URL, _post(center, CustomerFactory(), loss_yuan="5000",
                                      description=""), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="suggested-grade" data-grade="A">A<', html)
    assert "3000" in html  # the reason: a loss of 3000 yuan or more
    assert 'value="5000"' in html  # what was typed stays
    assert '<option value="" selected>按建议等级（A）</option>' in html


def test_another_grade_with_a_reason_is_recorded(client, center):
    client.force_login(center.agent)
    response = client.post(URL, _post(center, CustomerFactory(), grade="B",
                                      grade_reason="客户情绪激动，扬言投诉到消协"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.suggested_grade, complaint.grade) == ("C", "B")
    record = complaint.grade_records.get()
    assert (record.grade, record.reason, record.by) == ("B", "客户情绪激动，扬言投诉到消协",
                                                        center.agent)


def test_a_desk_source_shows_the_notice_and_files_for_the_desk(client, center):
    """A media complaint: the notice says who will see it; the complaint is the desk's."""
    client.force_login(center.opinion_desk)
    response = client.post(URL, _post(center, CustomerFactory(), source="media",
                                      description=""), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert 'id="desk-notice" role="status">' in html  # shown, not hidden
    assert "舆情" in html
    response = client.post(URL, _post(center, CustomerFactory(), source="media"))
    assert response.status_code == 302
    assert Complaint.objects.get().desk == "public_opinion"


def test_the_call_is_carried_from_the_incoming_call_page_and_linked(client, center):
    """`?customer=&contact=&category=`: the caller's code, the call (hidden) and the type
    of a category only one type has are filled in; filing links the call to the case."""
    customer = CustomerFactory()
    contact = contact_log_for_test(agent=center.agent, customer=customer)
    attitude = complaint_type("service-attitude", owner=center.business)
    client.force_login(center.agent)
    response = client.get(f"{URL}?customer={customer.pk}&contact={contact.pk}"
                          f"&category={attitude.category_id}&description=店员态度差")
    form = response.context["form"]
    assert form.initial == {"customer": customer.code, "contact": contact.pk,
                            "source": "call_letter", "type": attitude.pk,
                            "description": "店员态度差"}
    assert f'name="contact" value="{contact.pk}"' in response.content.decode()
    response = client.post(URL, _post(center, customer, contact=contact.pk,
                                      type=attitude.pk))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    contact.refresh_from_db()
    assert contact.case_id == complaint.case_id


def test_a_call_of_another_agent_cannot_be_linked(client, center):
    """The hidden call must be one this agent logged and has not linked: another's is
    refused, nothing written, and it is never prefilled."""
    customer = CustomerFactory()
    theirs = contact_log_for_test(agent=center.agent2, customer=customer)
    client.force_login(center.agent)
    response = client.get(f"{URL}?customer={customer.pk}&contact={theirs.pk}")
    assert "contact" not in response.context["form"].initial
    response = client.post(URL, _post(center, customer, contact=theirs.pk))
    assert response.status_code == 400
    assert _written() == (0, 0, 0)
    assert Contact.objects.get().case_id is None


def test_a_role_that_does_not_take_complaints_gets_403(client, center):
    """Managers oversee: they neither open the form nor file (nothing written)."""
    client.force_login(center.manager)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post(center, CustomerFactory())).status_code == 403
    assert _written() == (0, 0, 0)
