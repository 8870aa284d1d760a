"""/api/v1/person-checks/: the list (filters month, department, state), a check with the
definition, the complaints behind its count, the steps the caller may take and the history,
and the steps file-report/, accept/, return/ with the API's answers: 400 with field keys,
403 for the wrong person or role, 404 for a check the caller may not see, 409 with
`current_version` for a stale version — and nothing written when refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from complaints.checks.models import PersonMonthCheck
from servicedesk.api.filtering import MONTH_PATTERN
from servicedesk.roles import Role
from tests.complaints.checks.factories import bj, complaints_for, filed, flagged_person
from tests.factories import DepartmentFactory, StaffFactory

URL = "/api/v1/person-checks/"
pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _row(check):
    return PersonMonthCheck.objects.filter(pk=check.pk).values().get()


def test_the_list_filters_by_month_department_and_state():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    _a, april = flagged_person(department=mine)
    _b, other = flagged_person(department=theirs)
    filed(other)
    march_person, _ = flagged_person(department=mine)
    complaints_for(march_person, 3, month_day=bj(2026, 3, 3))
    from complaints.checks.services import person_checks_run

    person_checks_run(month=bj(2026, 3, 3).date(), now=bj(2026, 3, 31))
    api = _api(StaffFactory(role=Role.MANAGER).user)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert len(ids()) == 4
    assert len(ids(month="2026-04")) == 3 and len(ids(month="2026-03")) == 1
    assert april.pk in ids(month="2026-04", department=mine.pk)
    assert other.pk not in ids(department=mine.pk)
    assert ids(state="report_filed") == {other.pk}
    assert other.pk not in ids(state=["flagged", "returned"])


@pytest.mark.parametrize("query", ["month=2026-13", "month=april", "month=9999-12",
                                   "state=done", "department=0", "month="])
def test_a_bad_filter_is_a_400_naming_it(query):
    response = _api(StaffFactory(role=Role.MANAGER).user).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_row_says_who_how_many_and_where_to_find_the_complaints():
    person, check = flagged_person(4)
    row = _api(StaffFactory(role=Role.MANAGER).user).get(URL).json()["results"][0]
    assert row["id"] == check.pk and row["month"] == "2026-04"
    assert (row["person"], row["person_name"], row["complaints"], row["threshold"]) == (
        person.pk, person.first_name, 4, 3)
    assert row["department"] == person.staff_profile.department_id
    assert row["state"] == "flagged" and row["flagged_at"] == "2026-04-30T12:00:00+08:00"
    assert row["complaints_url"] == (
        f"/complaints/?responsible={person.pk}&verdict=valid&month=2026-04")


def test_the_detail_has_the_definition_the_complaints_the_actions_and_the_history():
    person, check = flagged_person(3)
    body = _api(person).get(f"{URL}{check.pk}/").json()
    assert "valid" in body["definition"] or "有效" in body["definition"]
    assert [c["grade"] for c in body["counted"]] == ["C", "C", "C"]
    assert body["counted"][0]["filed_at"] == "2026-04-10T10:00:00+08:00"
    assert body["counted"][0]["type"] == "服务态度"
    assert body["actions"] == ["file_report"]
    assert [e["kind"] for e in body["timeline"]] == ["flagged"]


def test_visibility_in_the_api_follows_the_pages():
    mine = DepartmentFactory()
    _person, check = flagged_person(department=mine)
    for role, department, status in [
        (Role.SUPERVISOR, mine, 200), (Role.SUPERVISOR, DepartmentFactory(), 404),
        (Role.TIER1, mine, 404), (Role.GENERAL_MANAGER, None, 200),
    ]:
        extra = {"team": None} if department is None else {}
        api = _api(StaffFactory(role=role, department=department, **extra).user)
        assert api.get(f"{URL}{check.pk}/").status_code == status, role
        assert api.get(URL).json()["count"] == (1 if status == 200 else 0)


def test_the_report_flow_through_the_api():
    person, check = flagged_person()
    manager = StaffFactory(role=Role.MANAGER).user
    filed_answer = _api(person).post(f"{URL}{check.pk}/file-report/", {
        "analysis": "节假日排班不足", "measures": "补充培训", "version": 1}, format="json")
    assert filed_answer.status_code == 200, filed_answer.json()
    assert (filed_answer.json()["state"], filed_answer.json()["version"]) == (
        "report_filed", 2)
    returned = _api(manager).post(f"{URL}{check.pk}/return/", {"note": "补充具体措施",
                                                               "version": 2}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    again = _api(person).post(f"{URL}{check.pk}/file-report/", {
        "analysis": "节假日排班不足", "measures": "补充培训, 主管跟进"}, format="json")
    assert again.status_code == 200
    accepted = _api(manager).post(f"{URL}{check.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["state"] == "accepted" and body["decided_by"] == manager.pk
    assert [e["kind"] for e in body["timeline"]] == [
        "flagged", "report_filed", "returned", "report_filed", "accepted"]
    assert body["timeline"][2]["reason"] == "补充具体措施"


def test_missing_texts_are_a_400_with_field_keys_and_write_nothing():
    person, check = flagged_person()
    before = _row(check)
    response = _api(person).post(f"{URL}{check.pk}/file-report/",
                                 {"analysis": " ", "measures": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"analysis", "measures"}
    response = _api(person).post(f"{URL}{check.pk}/file-report/", {"analysis": "x"},
                                 format="json")
    assert response.status_code == 400 and "measures" in response.json()
    assert _row(check) == before


def test_a_step_out_of_turn_is_a_400_on_state():
    person, check = flagged_person()
    response = _api(StaffFactory(role=Role.MANAGER).user).post(
        f"{URL}{check.pk}/accept/", {}, format="json")
    assert response.status_code == 400 and "state" in response.json()


def test_the_wrong_person_or_role_is_403_and_writes_nothing():
    department = DepartmentFactory()
    person, check = flagged_person(department=department)
    filed(check)
    check.refresh_from_db()
    before = _row(check)
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=department).user
    for user, step, body in [
        (supervisor, "accept", {}), (supervisor, "return", {"note": "x"}),
        (person, "accept", {}), (StaffFactory(role=Role.MANAGER).user, "file-report",
                                 {"analysis": "x", "measures": "y"}),
    ]:
        response = _api(user).post(f"{URL}{check.pk}/{step}/", body, format="json")
        assert response.status_code == 403, (step, response.json())
    assert _row(check) == before


def test_an_invisible_check_is_404_for_reading_and_for_steps():
    _person, check = flagged_person()
    outsider = StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()).user
    assert _api(outsider).get(f"{URL}{check.pk}/").status_code == 404
    assert _api(outsider).post(f"{URL}{check.pk}/file-report/",
                               {"analysis": "x", "measures": "y"},
                               format="json").status_code == 404


def test_a_stale_version_is_a_409_with_the_current_version():
    person, check = flagged_person()
    filed(check)
    before = _row(check)
    response = _api(StaffFactory(role=Role.MANAGER).user).post(
        f"{URL}{check.pk}/accept/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2 and response.json()["code"] == "conflict"
    assert _row(check) == before


def test_the_api_reads_json_only():
    person, check = flagged_person()
    response = _api(person).post(f"{URL}{check.pk}/file-report/",
                                 {"analysis": "x", "measures": "y"}, format="multipart")
    assert response.status_code == 415
    assert _row(check)["state"] == "flagged"


def test_the_schema_documents_the_steps_and_their_409():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for step in ("file-report", "accept", "return"):
        operation = schema["paths"][f"/api/v1/person-checks/{{id}}/{step}/"]["post"]
        assert {"400", "403", "404", "409"} <= set(operation["responses"])
    listing = schema["paths"]["/api/v1/person-checks/"]["get"]
    assert "valid" in listing["description"] and "Beijing" in listing["description"]
    month = next(p for p in listing["parameters"] if p["name"] == "month")
    assert month["schema"]["pattern"] == MONTH_PATTERN  # years 2000–9998, months 01–12
