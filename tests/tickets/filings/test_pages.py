"""The filing pages: file in the browser, act from the detail page, field errors in place,
department scope (other department: 404), role checks (wrong role: 403), masked phones and
list pages whose query count does not grow with the rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import category
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import (
    delay_approved,
    delay_file_for_test,
    delay_reviewed,
    feedback_file_for_test,
)
from tickets.cases.models import Case
from tickets.filings.models import DelayFiling, FeedbackFiling

pytestmark = pytest.mark.django_db


def _action(name, kind, filing):
    return reverse(f"tickets:{kind}-filing-action", args=[filing.pk, name])


def test_filing_feedback_in_the_browser_opens_the_case(client):
    agent = StaffFactory(role=Role.TIER1)
    customer = CustomerFactory(phone="13900139000")
    client.force_login(agent.user)
    response = client.post(reverse("tickets:feedback-filings"), {
        "customer": customer.code.lower(), "kind": "need",
        "category": category("consultation-logistics-query").pk,
        "description": "希望能提供上门取件"}, follow=True)
    filing = FeedbackFiling.objects.get()
    assert response.redirect_chain[-1][0] == reverse("tickets:feedback-filing",
                                                     args=[filing.pk])
    html = response.content.decode()
    assert filing.case.number in html and "139****9000" in html and "13900139000" not in html
    assert Case.objects.get().kind == "consultation"


def test_an_unknown_customer_or_mismatched_category_is_a_field_error(client):
    client.force_login(StaffFactory(role=Role.TIER1).user)
    response = client.post(reverse("tickets:feedback-filings"), {
        "customer": "C000000000", "kind": "suggestion",
        "category": category("consultation-product-function").pk, "description": "建议"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    response = client.post(reverse("tickets:feedback-filings"), {
        "customer": CustomerFactory().code, "kind": "suggestion",
        "category": category("consultation-product-function").pk, "description": "建议"})
    assert response.status_code == 400
    assert FeedbackFiling.objects.count() == 0


def test_feedback_steps_from_the_detail_page(client):
    filing = feedback_file_for_test()
    lead = StaffFactory(role=Role.SUPERVISOR, department=filing.department)
    client.force_login(lead.user)
    assert client.post(_action("hand_over", "feedback", filing),
                       {"handler": lead.user.pk, "note": "主管处理"}).status_code == 302
    response = client.post(_action("close", "feedback", filing), {"note": "完成"})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    assert client.post(_action("follow_up", "feedback", filing),
                       {"note": "已回访"}).status_code == 302
    assert FeedbackFiling.objects.get().status == "followed_up"


def test_a_feedback_step_shows_on_the_filing_and_on_its_case_page(client):
    filing = feedback_file_for_test()
    lead = StaffFactory(role=Role.SUPERVISOR, department=filing.department)
    client.force_login(lead.user)
    client.post(_action("hand_over", "feedback", filing),
                {"handler": lead.user.pk, "note": "主管处理"})
    filing_html = client.get(reverse("tickets:feedback-filing", args=[filing.pk])).content
    # the one history partial: the step, the status it moved and its note
    assert "已移交" in filing_html.decode() and "主管处理" in filing_html.decode()
    case_html = client.get(reverse("tickets:case", args=[filing.case_id])).content.decode()
    assert "报备进展" in case_html and "问题与建议报备: 已移交" in case_html
    assert "主管处理" in case_html


def test_the_page_offers_only_the_steps_the_selector_allows(client):
    filing = feedback_file_for_test()
    lead = StaffFactory(role=Role.SUPERVISOR, department=filing.department)
    client.force_login(lead.user)
    html = client.get(reverse("tickets:feedback-filing", args=[filing.pk])).content.decode()
    assert _action("hand_over", "feedback", filing) in html
    assert _action("close", "feedback", filing) not in html
    assert client.post(_action("no_such_step", "feedback", filing), {}).status_code == 404


def test_another_departments_filings_are_404(client):
    feedback = feedback_file_for_test()
    delay = delay_file_for_test()
    client.force_login(StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user)
    assert client.get(reverse("tickets:feedback-filing", args=[feedback.pk])).status_code == 404
    assert client.get(reverse("tickets:delay-filing", args=[delay.pk])).status_code == 404
    assert client.post(_action("review", "delay", delay),
                       {"decision": "approve"}).status_code == 404


def test_a_tier1_agent_reviewing_a_delay_gets_403(client):
    delay = delay_file_for_test()
    client.force_login(StaffFactory(role=Role.TIER1, department=delay.department).user)
    response = client.post(_action("review", "delay", delay), {"decision": "approve"})
    assert response.status_code == 403
    assert DelayFiling.objects.get().status == "filed"


def test_staff_without_the_filing_permissions_get_403(client):
    user = StaffFactory(role=Role.TIER1).user
    user.groups.clear()
    client.force_login(user)
    assert client.get(reverse("tickets:delay-filings")).status_code == 403
    assert client.get(reverse("tickets:feedback-filings")).status_code == 403


def test_delay_flow_through_the_pages(client, settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.ConsoleChannel"}
    agent = StaffFactory(role=Role.TIER1)
    client.force_login(agent.user)
    today = timezone.localdate()
    response = client.post(reverse("tickets:delay-filings"), {
        "customer": CustomerFactory().code, "order_reference": "SO-77",
        "original_ship_date": today.isoformat(),
        "new_promised_date": today.replace(year=today.year + 1).isoformat(),
        "reason": "transport", "reason_detail": "暴雪封路"})
    filing = DelayFiling.objects.get()
    assert response.status_code == 302
    client.force_login(StaffFactory(role=Role.MANAGER, department=agent.department).user)
    assert client.post(_action("review", "delay", filing),
                       {"decision": "reject"}).status_code == 400  # no reason
    assert client.post(_action("review", "delay", filing),
                       {"decision": "approve"}).status_code == 302
    client.force_login(StaffFactory(role=Role.GENERAL_MANAGER).user)
    assert client.post(_action("approve", "delay", filing),
                       {"decision": "approve"}).status_code == 302
    client.force_login(agent.user)
    assert client.post(_action("notify", "delay", filing)).status_code == 302
    assert client.post(_action("notify", "delay", filing)).status_code == 400
    assert client.post(_action("deliver", "delay", filing),
                       {"delivered_on": today.isoformat()}).status_code == 302
    assert DelayFiling.objects.get().status == "delivered"
    page = client.get(reverse("tickets:delay-filing", args=[filing.pk])).content.decode()
    assert "console:delay-" in page


def test_a_failed_notice_shows_its_error_and_offers_a_retry(client, settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.EmailChannel"}
    filing = delay_approved()
    client.force_login(filing.filed_by)
    response = client.post(_action("notify", "delay", filing))
    assert response.status_code == 400
    html = response.content.decode()
    assert "no e-mail address" in html
    assert _action("notify", "delay", filing) in html


@pytest.mark.parametrize("n", [1, 15])
def test_feedback_list_queries_do_not_grow(client, n, django_assert_max_num_queries):
    agent = StaffFactory(role=Role.TIER1)
    for _ in range(n):
        feedback_file_for_test(by=agent.user)
    client.force_login(agent.user)
    client.get(reverse("tickets:feedback-filings"))  # warm the session and permissions
    with django_assert_max_num_queries(12):
        assert client.get(reverse("tickets:feedback-filings")).status_code == 200


@pytest.mark.parametrize("n", [1, 15])
def test_delay_list_queries_do_not_grow(client, n, django_assert_max_num_queries):
    agent = StaffFactory(role=Role.TIER1)
    for _ in range(n):
        delay_file_for_test(by=agent.user)
    delay_reviewed(by=agent.user)
    client.force_login(agent.user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("tickets:delay-filings")).status_code == 200


def test_navigation_shows_the_filing_pages_to_agents(client):
    client.force_login(StaffFactory(role=Role.TIER1).user)
    html = client.get(reverse("tickets:delay-filings")).content.decode()
    assert reverse("tickets:feedback-filings") in html


def test_the_hand_over_form_names_people_as_the_pages_do(client):
    """The handler choices show a person's name (servicedesk.presenters.person_name), not
    the user name."""
    filing = feedback_file_for_test()
    lead = StaffFactory(role=Role.SUPERVISOR, department=filing.department,
                        display_name="王主管")
    client.force_login(lead.user)
    page = client.get(reverse("tickets:feedback-filing", args=[filing.pk])).content.decode()
    assert f'<option value="{lead.user.pk}">王主管</option>' in page
