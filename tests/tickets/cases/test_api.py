"""/api/v1/cases/: opening through `case_open`, field-level 400s that write nothing,
Idempotency-Key retries, optimistic concurrency (409), access (404 / 403), a list whose
query count does not grow, and the filters."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from servicedesk.roles import Role
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.tickets.cases.factories import case_open_for_test, category
from tests.tickets.customers.factories import CustomerFactory
from tickets.cases.models import Case, CaseEvent
from tickets.cases.services import case_transition

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def agent():
    return StaffFactory(role=Role.TIER2).user


@pytest.fixture
def body():
    chosen = category("consultation-product-function")
    return {"kind": chosen.kind, "category": chosen.pk, "customer": CustomerFactory().pk,
            "subject": "询问产品功能", "description": "客户问如何导出报表"}


def test_create_returns_201_with_a_number_and_an_opening_event(agent, body):
    response = _api(agent).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("K") and data["status"] == Case.Status.NEW
    assert data["version"] == 1
    assert data["first_contact_owner"] == agent.pk
    assert data["department"] == agent.staff_profile.department_id
    assert data["category_name"] == "产品功能"
    assert [e["kind"] for e in data["timeline"]] == [CaseEvent.Kind.OPENED]
    assert data["timeline"][0]["actor_name"] == agent.staff_profile.display_name


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("category", lambda body: {"category": 999999}),
        ("category", lambda body: {"category": category("complaint-product-quality").pk}),
        ("promised_callback_at", lambda body: {"promised_callback_at": "tomorrow-ish"}),
        ("kind", lambda body: {"kind": "gossip"}),
        ("subject", lambda body: {"subject": ""}),
    ],
)
def test_invalid_input_is_a_field_level_400_and_writes_nothing(agent, body, field, change):
    response = _api(agent).post(URL, {**body, **change(body)}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_retried_post_with_the_same_idempotency_key_opens_one_case(agent, body):
    api = _api(agent)
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="call-7")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="call-7")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_patch_changes_the_case_and_bumps_its_version(agent):
    case = case_open_for_test(by=agent)
    response = _api(agent).patch(f"{URL}{case.pk}/", {"subject": "改为物流问题", "version": 1},
                                 format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["subject"] == "改为物流问题"
    assert response.json()["version"] == 2
    assert response.json()["timeline"][-1]["kind"] == CaseEvent.Kind.EDITED


def test_patch_without_a_version_is_a_field_level_400(agent):
    case = case_open_for_test(by=agent)
    response = _api(agent).patch(f"{URL}{case.pk}/", {"subject": "新主题"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    case.refresh_from_db()
    assert case.subject != "新主题" and case.version == 1


def test_patch_of_a_fixed_field_is_a_field_level_400(agent):
    case = case_open_for_test(by=agent)
    response = _api(agent).patch(f"{URL}{case.pk}/", {"kind": "complaint", "version": 1},
                                 format="json")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_second_patch_with_the_same_version_gets_409_with_the_current_version(agent):
    case = case_open_for_test(by=agent)
    api = _api(agent)
    first = api.patch(f"{URL}{case.pk}/", {"subject": "第一次", "version": 1}, format="json")
    second = api.patch(f"{URL}{case.pk}/", {"subject": "第二次", "version": 1}, format="json")
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert second.json()["current_version"] == 2
    assert second.json()["detail"]
    case.refresh_from_db()
    assert case.subject == "第一次"


def test_transition_moves_the_case_and_writes_a_timeline_event(agent):
    case = case_open_for_test(by=agent)
    response = _api(agent).post(f"{URL}{case.pk}/transition/",
                                {"to_status": "in_progress", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Case.Status.IN_PROGRESS
    assert response.json()["version"] == 2
    assert response.json()["timeline"][-1]["kind"] == CaseEvent.Kind.STATUS_CHANGED


def test_illegal_transition_is_a_field_level_400_and_writes_nothing(agent):
    case = case_open_for_test(by=agent)
    response = _api(agent).post(f"{URL}{case.pk}/transition/",
                                {"to_status": "closed", "version": 1}, format="json")
    assert response.status_code == 400
    assert "to_status" in response.json()
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.version == 1
    assert case.events.count() == 1


def test_transition_with_a_stale_version_gets_409(agent):
    case = case_open_for_test(by=agent)
    case_transition(case=case, to_status=Case.Status.IN_PROGRESS, by=agent, expected_version=1)
    response = _api(agent).post(f"{URL}{case.pk}/transition/",
                                {"to_status": "resolved", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_other_department_gets_404_and_does_not_see_the_case_in_the_list(agent):
    other = case_open_for_test(by=StaffFactory(department=DepartmentFactory()).user)
    api = _api(agent)
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.patch(f"{URL}{other.pk}/", {"subject": "x", "version": 1},
                     format="json").status_code == 404
    assert api.get(URL).json()["results"] == []


def test_tier1_patch_on_someone_elses_case_gets_403(agent):
    case = case_open_for_test(by=agent)
    tier1 = StaffFactory(role=Role.TIER1, department=agent.staff_profile.department).user
    api = _api(tier1)
    assert api.get(f"{URL}{case.pk}/").status_code == 200
    response = api.patch(f"{URL}{case.pk}/", {"subject": "不是我的", "version": 1},
                         format="json")
    assert response.status_code == 403
    assert api.post(f"{URL}{case.pk}/transition/", {"to_status": "in_progress", "version": 1},
                    format="json").status_code == 403
    case.refresh_from_db()
    assert case.version == 1


@pytest.mark.parametrize("n", [1, 15])
def test_list_queries_do_not_grow_with_cases(agent, n, django_assert_num_queries):
    team = agent.staff_profile.team
    for _ in range(n):
        case_open_for_test(by=agent, assignee=agent, team=team)
    api = _api(get_user_model().objects.get(pk=agent.pk))  # as a request loads it: no cache
    # the staff profile and the page (with customer, category, assignee, team, department
    # joined): cursor pagination counts nothing
    with django_assert_num_queries(2):
        response = api.get(URL)
    assert len(response.json()["results"]) == n


def test_status_filter_takes_several_statuses(agent):
    new = case_open_for_test(by=agent)
    started = case_open_for_test(by=agent)
    case_transition(case=started, to_status=Case.Status.IN_PROGRESS, by=agent,
                    expected_version=1)
    resolved = case_open_for_test(by=agent)
    case_transition(case=resolved, to_status=Case.Status.RESOLVED, by=agent, expected_version=1)
    api = _api(agent)
    both = api.get(URL, {"status": ["new", "in_progress"]}).json()["results"]
    assert {c["id"] for c in both} == {new.pk, started.pk}
    assert api.get(URL, {"status": "bogus"}).status_code == 400


def test_customer_phone_filter_accepts_any_written_form(agent):
    wanted = case_open_for_test(by=agent, customer=CustomerFactory(phone="13800138000"))
    case_open_for_test(by=agent, customer=CustomerFactory(phone="13900139000"))
    api = _api(agent)
    for written in ("138 0013 8000", "+86 138-0013-8000", "13800138000"):
        results = api.get(URL, {"customer_phone": written}).json()["results"]
        assert [c["id"] for c in results] == [wanted.pk]
    response = api.get(URL, {"customer_phone": "abc"})
    assert response.status_code == 400
    assert "customer_phone" in response.json()


def test_opened_filters_take_iso_datetimes_and_refuse_bad_ones(agent):
    case = case_open_for_test(by=agent)
    api = _api(agent)
    after = api.get(URL, {"opened_after": "2000-01-01T00:00:00+08:00"}).json()["results"]
    assert [c["id"] for c in after] == [case.pk]
    assert api.get(URL, {"opened_before": "2000-01-01T00:00:00+08:00"}).json()["results"] == []
    response = api.get(URL, {"opened_after": "last tuesday"})
    assert response.status_code == 400
    assert "opened_after" in response.json()


def test_kind_and_customer_filters(agent):
    consultation = case_open_for_test(by=agent)
    complaint = case_open_for_test(by=agent, code="complaint-product-quality")
    api = _api(agent)
    kinds = api.get(URL, {"kind": "complaint"}).json()["results"]
    assert [c["id"] for c in kinds] == [complaint.pk]
    customers = api.get(URL, {"customer": consultation.customer_id}).json()["results"]
    assert [c["id"] for c in customers] == [consultation.pk]


def test_list_is_newest_first(agent):
    first = case_open_for_test(by=agent)
    second = case_open_for_test(by=agent)
    results = _api(agent).get(URL).json()["results"]
    assert [c["id"] for c in results] == [second.pk, first.pk]
    assert "timeline" not in results[0]


def test_management_may_read_and_move_cases_but_not_open_them(agent, body):
    case = case_open_for_test(by=agent)
    manager = _api(StaffFactory(role=Role.MANAGER).user)
    assert manager.post(URL, body, format="json").status_code == 403
    assert manager.get(f"{URL}{case.pk}/").status_code == 200
    response = manager.post(f"{URL}{case.pk}/transition/",
                            {"to_status": "in_progress", "version": 1}, format="json")
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_user_without_a_staff_profile_sees_no_cases(agent):
    case = case_open_for_test(by=agent)
    outsider = _api(UserFactory())
    assert outsider.get(URL).json()["results"] == []
    assert outsider.get(f"{URL}{case.pk}/").status_code == 404


def test_the_cursor_walks_every_case_once_newest_first():
    import datetime as dt

    from django.utils import timezone

    agent = StaffFactory(role=Role.TIER2).user
    t0 = timezone.now() - dt.timedelta(hours=1)
    opened = [case_open_for_test(by=agent, now=t0 + dt.timedelta(minutes=i)) for i in range(5)]
    api, url, seen = _api(agent), f"{URL}?page_size=2", []
    while url:
        page = api.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == [c.pk for c in reversed(opened)]


def test_the_grade_is_read_only_on_the_cases_api(agent, body):
    """Grading left the cases API (complaints are graded through /api/v1/complaints/): a
    grade in a POST or a PATCH is refused on `grade` and nothing is written; the case shows
    its grade."""
    complaint_body = {**body, "kind": "complaint",
                      "category": category("complaint-product-quality").pk}
    response = _api(agent).post(URL, {**complaint_body, "grade": "A"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"grade"}
    assert Case.objects.count() == 0
    case = case_open_for_test(by=agent, code="complaint-product-quality", grade="C")
    response = _api(agent).patch(f"{URL}{case.pk}/", {"grade": "A", "reason": "升级",
                                                      "version": case.version},
                                 format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"grade"}
    stored = Case.objects.get(pk=case.pk)
    assert (stored.grade, stored.version) == ("C", 1)
    assert _api(agent).get(f"{URL}{case.pk}/").json()["grade"] == "C"
