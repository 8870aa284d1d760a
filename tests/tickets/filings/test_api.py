"""/api/v1/feedback-filings/ and /api/v1/delay-filings/: filing through the rules,
field-level 400s that write nothing, masking, department scope (404), roles (403), the
step endpoints, filters, statistics, and one filing per Idempotency-Key."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

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

FEEDBACK = "/api/v1/feedback-filings/"
DELAYS = "/api/v1/delay-filings/"
pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _feedback_body(**overrides):
    body = {"customer": CustomerFactory(phone="13500135000").pk, "kind": "suggestion",
            "category": category("suggestion-feedback").pk, "description": "建议延长客服时间"}
    body.update(overrides)
    return body


def _delay_body(**overrides):
    today = timezone.localdate()
    body = {"customer": CustomerFactory(phone="13600136000").pk, "order_reference": "SO-1",
            "original_ship_date": today.isoformat(),
            "new_promised_date": (today + dt.timedelta(days=5)).isoformat(),
            "reason": "production", "reason_detail": "生产线检修"}
    body.update(overrides)
    return body


def test_filing_feedback_opens_the_case_and_masks_the_phone_for_tier1():
    response = _api(StaffFactory(role=Role.TIER1).user).post(FEEDBACK, _feedback_body(),
                                                             format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["customer_phone"]) == ("filed", "135****5000")
    assert Case.objects.get(pk=body["case"]).number == body["case_number"]
    assert [e["kind"] for e in body["timeline"]] == ["filed"]


def test_the_phone_is_shown_to_roles_with_the_personal_data_permission():
    feedback_file_for_test(customer=CustomerFactory(phone="13500135001"))
    body = _api(StaffFactory(role=Role.MANAGER).user).get(FEEDBACK).json()
    assert body["results"][0]["customer_phone"] == "13500135001"


@pytest.mark.parametrize(("field", "value"), [("kind", "praise"), ("description", " "),
                                              ("customer", 999999), ("category", None)])
def test_bad_feedback_input_is_a_field_level_400_and_writes_nothing(field, value):
    response = _api(StaffFactory().user).post(FEEDBACK, _feedback_body(**{field: value}),
                                              format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (FeedbackFiling.objects.count(), Case.objects.count()) == (0, 0)


def test_a_retried_feedback_filing_files_once():
    api, body = _api(StaffFactory().user), _feedback_body()
    first = api.post(FEEDBACK, body, format="json", HTTP_IDEMPOTENCY_KEY="fb-1")
    again = api.post(FEEDBACK, body, format="json", HTTP_IDEMPOTENCY_KEY="fb-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert (FeedbackFiling.objects.count(), Case.objects.count()) == (1, 1)


def test_feedback_steps_through_the_api():
    filing = feedback_file_for_test()
    api = _api(StaffFactory(role=Role.SUPERVISOR, department=filing.department).user)
    url = f"{FEEDBACK}{filing.pk}/"
    refused = api.post(f"{url}follow-up/", {"note": "回访"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()
    assert api.post(f"{url}hand-over/", {"handler": filing.filed_by_id},
                    format="json").status_code == 200
    assert api.post(f"{url}follow-up/", {"note": "回访"}, format="json").status_code == 200
    closed = api.post(f"{url}close/", {"note": "已采纳"}, format="json")
    assert closed.status_code == 200
    assert [e["kind"] for e in closed.json()["timeline"]] == [
        "filed", "handed_over", "followed_up", "closed"]


def test_feedback_of_another_department_is_404_and_unlisted():
    filing = feedback_file_for_test()
    api = _api(StaffFactory(role=Role.TIER1, department=DepartmentFactory()).user)
    assert api.get(f"{FEEDBACK}{filing.pk}/").status_code == 404
    assert api.post(f"{FEEDBACK}{filing.pk}/close/", {"note": "x"},
                    format="json").status_code == 404
    assert api.get(FEEDBACK).json()["count"] == 0


def test_feedback_filters_and_statistics():
    agent = StaffFactory(role=Role.TIER1)
    for kind in ["issue", "need", "suggestion", "suggestion"]:
        feedback_file_for_test(kind=kind, by=agent.user)
    api = _api(agent.user)
    assert api.get(FEEDBACK, {"kind": "suggestion"}).json()["count"] == 2
    assert api.get(FEEDBACK, {"status": "closed"}).json()["count"] == 0
    stats = api.get(f"{FEEDBACK}statistics/").json()
    assert stats["total"] == 4
    assert stats["by_kind"] == {"issue": 1, "need": 1, "suggestion": 2}
    bad = api.get(f"{FEEDBACK}statistics/", {"start": "2026-01-01T00:00:00"})
    assert bad.status_code == 400 and "start" in bad.json()


def test_filing_a_delay_and_its_field_errors():
    api = _api(StaffFactory(role=Role.TIER1).user)
    response = api.post(DELAYS, _delay_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["customer_phone"], body["is_overdue"]) == (
        "filed", "136****6000", False)
    today = timezone.localdate()
    refused = api.post(DELAYS, _delay_body(new_promised_date=today.isoformat(),
                                           reason="weather"), format="json")
    assert refused.status_code == 400
    assert {"reason"} <= set(refused.json())
    refused = api.post(DELAYS, _delay_body(new_promised_date=today.isoformat()),
                       format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["new_promised_date"]
    assert DelayFiling.objects.count() == 1


def test_a_retried_delay_filing_files_once():
    api, body = _api(StaffFactory().user), _delay_body()
    for _ in range(2):
        assert api.post(DELAYS, body, format="json",
                        HTTP_IDEMPOTENCY_KEY="delay-1").status_code == 201
    assert DelayFiling.objects.count() == 1


def test_review_by_the_wrong_role_is_403_and_by_another_department_404():
    filing = delay_file_for_test()
    url = f"{DELAYS}{filing.pk}/review/"
    tier1 = _api(StaffFactory(role=Role.TIER1, department=filing.department).user)
    assert tier1.post(url, {"decision": "approve"}, format="json").status_code == 403
    outsider = _api(StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user)
    assert outsider.post(url, {"decision": "approve"}, format="json").status_code == 404
    assert DelayFiling.objects.get().status == "filed"


def test_the_delay_flow_through_the_api(settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.ConsoleChannel"}
    filing = delay_file_for_test()
    url = f"{DELAYS}{filing.pk}/"
    supervisor = _api(StaffFactory(role=Role.SUPERVISOR, department=filing.department).user)
    rejected = supervisor.post(f"{url}review/", {"decision": "reject"}, format="json")
    assert rejected.status_code == 400 and list(rejected.json()) == ["reason"]
    assert supervisor.post(f"{url}review/", {"decision": "approve"},
                           format="json").status_code == 200
    gm = _api(StaffFactory(role=Role.GENERAL_MANAGER).user)
    approved = gm.post(f"{url}approve/", {"decision": "approve"}, format="json").json()
    assert (approved["status"], approved["notice"]["status"]) == ("approved", "pending")
    notified = supervisor.post(f"{url}notify/", format="json").json()
    assert notified["status"] == "notified"
    assert notified["notice"]["attempts"][0]["reference"] == f"console:delay-{filing.pk}"
    again = supervisor.post(f"{url}notify/", format="json")
    assert again.status_code == 400 and "notice" in again.json()
    bad = supervisor.post(f"{url}compensate/", {"kind": "coupon", "amount": "0"},
                          format="json")
    assert bad.status_code == 400 and "amount" in bad.json()
    paid = supervisor.post(f"{url}compensate/", {"kind": "coupon", "amount": "30.00"},
                           format="json").json()
    assert (paid["compensation_kind"], paid["compensation_amount"]) == ("coupon", "30.00")
    delivered = supervisor.post(f"{url}deliver/",
                                {"delivered_on": timezone.localdate().isoformat()},
                                format="json").json()
    assert delivered["status"] == "delivered"
    assert [e["kind"] for e in delivered["timeline"]] == [
        "filed", "reviewed", "approved", "notified", "compensated", "delivered"]


def test_a_failed_notice_is_answered_with_its_status_and_can_be_retried(settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.EmailChannel"}
    filing = delay_approved()
    api = _api(filing.filed_by)
    body = api.post(f"{DELAYS}{filing.pk}/notify/", format="json").json()
    assert body["notice"]["status"] == "failed"
    assert body["notice"]["attempts"][0]["error"] == "no e-mail address"
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.ConsoleChannel"}
    body = api.post(f"{DELAYS}{filing.pk}/notify/", format="json").json()
    assert body["notice"]["status"] == "sent" and len(body["notice"]["attempts"]) == 2


def test_delay_filters_status_reason_dates_and_overdue():
    agent = StaffFactory(role=Role.TIER1)
    today = timezone.localdate()
    late = delay_approved(by=agent.user, reason="transport",
                          original_ship_date=today - dt.timedelta(days=5),
                          new_promised_date=today)
    DelayFiling.objects.filter(pk=late.pk).update(
        new_promised_date=today - dt.timedelta(days=1))  # time passed since the approval
    delay_reviewed(by=agent.user)
    delay_file_for_test(by=agent.user)
    api = _api(agent.user)
    assert api.get(DELAYS).json()["count"] == 3
    assert api.get(DELAYS, {"overdue": "true"}).json()["count"] == 1
    assert api.get(DELAYS, {"reason": "transport"}).json()["count"] == 1
    assert api.get(DELAYS, {"status": ["filed", "reviewed"]}).json()["count"] == 2
    assert api.get(DELAYS, {"new_date_to": today.isoformat()}).json()["count"] == 1
    assert api.get(DELAYS, {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("url", [FEEDBACK, DELAYS])
def test_list_queries_do_not_grow_with_the_filings(url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = StaffFactory(role=Role.TIER1)
    api = _api(agent.user)
    make = feedback_file_for_test if url == FEEDBACK else delay_approved
    counts = []
    for n in (1, 10):
        while len(api.get(url).json()["results"]) < n:
            make(by=agent.user)
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get(url).json()["results"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("url", [FEEDBACK, DELAYS])
def test_staff_without_the_add_permission_cannot_file(url):
    user = StaffFactory(role=Role.TIER1).user
    user.groups.clear()
    body = _feedback_body() if url == FEEDBACK else _delay_body()
    assert _api(user).post(url, body, format="json").status_code == 403
    assert not FeedbackFiling.objects.exists() and not DelayFiling.objects.exists()


def test_a_manager_may_not_file_but_may_follow_up():
    filing = feedback_file_for_test()
    api = _api(StaffFactory(role=Role.MANAGER).user)
    assert api.post(FEEDBACK, _feedback_body(), format="json").status_code == 403
    assert api.post(f"{FEEDBACK}{filing.pk}/hand-over/", {"handler": filing.filed_by_id},
                    format="json").status_code == 200
