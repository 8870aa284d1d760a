"""The person-check pages: the month's list (month navigation, the definition and the
threshold on the page, the link to the person's complaints) and a check's page (the
complaints behind the count, the report form for the person, accept / return for
managers, the history). Visibility: management all, a supervisor their department's, a
person their own (404 for anything else); steps by the wrong person are 403 and change
nothing; the query count does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from complaints.checks.models import PersonMonthCheck
from complaints.checks.selectors import complaints_list_url
from complaints.checks.services import person_checks_run
from complaints.handling.models import Complaint, Verdict
from servicedesk.roles import Role
from tests.complaints.checks.factories import (
    bj,
    complaint_for_test,
    complaints_for,
    filed,
    flagged_person,
    person_in,
)
from tests.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:person-checks")
APRIL = "?month=2026-04"


def _detail(check):
    return reverse("complaints:person-check", args=[check.pk])


def _action(check, name):
    return reverse("complaints:person-check-action", args=[check.pk, name])


def _listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-check="(\d+)"', response.content.decode())}


@pytest.fixture
def two_departments():
    """A flagged person in each of two departments."""
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    person, check = flagged_person(department=mine)
    other, other_check = flagged_person(department=theirs)
    return mine, person, check, other, other_check


@pytest.mark.parametrize(("role", "sees"), [
    (Role.MANAGER, {"check", "other"}), (Role.GENERAL_MANAGER, {"check", "other"}),
    (Role.ADMINISTRATOR, {"check", "other"}), (Role.SUPERVISOR, {"check"}),
    (Role.TEAM_LEAD, set()), (Role.TIER1, set()),
])
def test_who_sees_which_checks_in_list_and_detail(client, two_departments, role, sees):
    mine, _person, check, _other, other_check = two_departments
    client.force_login(StaffFactory(role=role, department=mine).user)
    checks = {"check": check, "other": other_check}
    assert _listed(client.get(LIST + APRIL)) == {checks[name].pk for name in sees}
    for name, shown in checks.items():
        assert client.get(_detail(shown)).status_code == (200 if name in sees else 404)


def test_a_flagged_person_sees_their_own_check_only(client, two_departments):
    _mine, person, check, _other, other_check = two_departments
    client.force_login(person)
    assert _listed(client.get(LIST + APRIL)) == {check.pk}
    assert client.get(_detail(check)).status_code == 200
    assert client.get(_detail(other_check)).status_code == 404


def test_the_list_says_the_definition_the_threshold_and_links_the_complaints(client):
    _person, check = flagged_person(4)
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    html = client.get(LIST + APRIL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "有效" in html and "责任人" in html and "北京时间" in html
    assert "3" in html  # the threshold in force
    link = f"/complaints/?responsible={check.person_id}&amp;verdict=valid&amp;month=2026-04"
    assert f'href="{link}"' in html
    assert ">4</a>" in html


def test_the_list_navigates_by_month_and_defaults_to_this_month(client):
    person = person_in()
    complaints_for(person, 3, month_day=bj(2026, 3, 5))
    person_checks_run(month=dt.date(2026, 3, 1), now=bj(2026, 3, 31))
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    html = client.get(LIST + "?month=2026-03").content.decode()
    assert 'href="?month=2026-02"' in html and 'href="?month=2026-04"' in html
    assert len(_listed(client.get(LIST + "?month=2026-03"))) == 1
    assert _listed(client.get(LIST + APRIL)) == set()
    assert _listed(client.get(LIST)) == set()  # this month (2026-12 on the test clock)
    edge = client.get(LIST + "?month=2000-01").content.decode()
    assert "?month=1999-12" not in edge and 'href="?month=2000-02"' in edge


@pytest.mark.parametrize("month", ["2026-13", "abc", "9999-12", "2026-4"])
def test_a_bad_month_is_a_field_error(client, month):
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    response = client.get(LIST, {"month": month})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


def test_the_check_page_lists_the_complaints_behind_the_count(client):
    """Number, grade, type and time of each counted complaint; an invalid one is not
    there; a desk-only one shows its number without a link to a person who may not open
    it."""
    department = DepartmentFactory()
    person = person_in(department)
    counted = complaints_for(person, 2)
    desk = complaint_for_test(responsible=person, filed_at=bj(2026, 4, 20), source="media",
                              desk=Role.PUBLIC_OPINION, grade="B")
    from tickets.cases.models import Case

    Case.objects.filter(pk=desk.case_id).update(desk=Role.PUBLIC_OPINION)
    invalid = complaint_for_test(responsible=person, filed_at=bj(2026, 4, 21),
                                 verdict="invalid")
    person_checks_run(month=dt.date(2026, 4, 1), now=bj(2026, 4, 30))
    check = PersonMonthCheck.objects.get()
    client.force_login(person)
    html = client.get(_detail(check)).content.decode()
    table = re.search(r'<table id="check-complaints">.*?</table>', html, re.S).group(0)
    for complaint in [*counted, desk]:
        assert complaint.case.number in table
    assert invalid.case.number not in table
    assert table.count("服务态度") == 3 and "<td>B</td>" in table and "2026-04-20 00:00" in table
    assert f'href="/tickets/cases/{desk.case_id}/"' not in table
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    manager_view = client.get(_detail(check)).content.decode()
    assert f'href="/tickets/cases/{desk.case_id}/"' in manager_view


def test_the_person_files_and_the_manager_accepts_in_the_browser(client):
    person, check = flagged_person()
    client.force_login(person)
    page = client.get(_detail(check)).content.decode()
    assert 'id="action-file_report"' in page and 'id="action-accept"' not in page
    response = client.post(_action(check, "file_report"), {
        "analysis": "高峰期回复慢", "measures": "参加培训", "expected_version": 1})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.state == "report_filed"

    manager = StaffFactory(role=Role.MANAGER).user
    client.force_login(manager)
    page = client.get(_detail(check)).content.decode()
    assert 'id="action-accept"' in page and 'id="action-return"' in page
    assert "高峰期回复慢" in page
    response = client.post(_action(check, "accept"), {"note": "", "expected_version": 2},
                           follow=True)
    assert response.status_code == 200
    check.refresh_from_db()
    assert (check.state, check.decided_by_id) == ("accepted", manager.pk)
    assert 'id="check-actions"' not in response.content.decode()


def test_a_return_without_a_note_is_a_field_error_in_place(client):
    _person, check = flagged_person()
    check = filed(check)
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    response = client.post(_action(check, "return"), {"note": " ",
                                                      "expected_version": check.version})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-error"' in html
    check.refresh_from_db()
    assert check.state == "report_filed"


def test_a_return_shows_its_note_and_the_form_keeps_the_report(client):
    person, check = flagged_person()
    check = filed(check)
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    client.post(_action(check, "return"), {"note": "请补充培训计划", "expected_version": 2})
    client.force_login(person)
    html = client.get(_detail(check)).content.decode()
    assert 'id="return-note"' in html and "请补充培训计划" in html
    assert "沟通不到位" in re.search(r'<form[^>]*id="action-file_report".*?</form>', html,
                                    re.S).group(0)


def test_a_stale_page_is_refused_and_says_so(client):
    person, check = flagged_person()
    check = filed(check)
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    response = client.post(_action(check, "accept"), {"note": "", "expected_version": 1})
    assert response.status_code == 400
    check.refresh_from_db()
    assert check.state == "report_filed"


@pytest.mark.parametrize(("who", "action"), [
    ("colleague", "file_report"), ("supervisor", "accept"), ("person", "accept"),
    ("manager", "file_report"),
])
def test_a_step_by_the_wrong_person_is_403_and_changes_nothing(client, who, action):
    department = DepartmentFactory()
    person, check = flagged_person(department=department)
    if action == "accept":
        check = filed(check)
    users = {
        "colleague": lambda: StaffFactory(role=Role.SUPERVISOR, department=DepartmentFactory()),
        "supervisor": lambda: StaffFactory(role=Role.SUPERVISOR, department=department),
        "manager": lambda: StaffFactory(role=Role.MANAGER),
    }
    user = person if who == "person" else users[who]().user
    before = PersonMonthCheck.objects.filter(pk=check.pk).values().get()
    client.force_login(user)
    response = client.post(_action(check, action), {"analysis": "x", "measures": "y",
                                                     "note": "", "expected_version": 2})
    assert response.status_code in (403, 404)
    assert response.status_code == (404 if who == "colleague" else 403)
    assert PersonMonthCheck.objects.filter(pk=check.pk).values().get() == before


def test_an_unknown_step_is_404(client):
    person, check = flagged_person()
    client.force_login(person)
    assert client.post(_action(check, "approve")).status_code == 404


def test_the_history_shows_each_step(client):
    person, check = flagged_person()
    filed(check)
    client.force_login(person)
    html = client.get(_detail(check), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    timeline = re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)
    assert timeline.count("<li>") == 2


@pytest.mark.parametrize("n", [1, 8])
def test_the_list_page_queries_do_not_grow_with_the_rows(client, n, django_assert_max_num_queries):
    department = DepartmentFactory()
    for _ in range(n):
        complaints_for(person_in(department), 3)
    person_checks_run(month=dt.date(2026, 4, 1), now=bj(2026, 4, 30))
    client.force_login(StaffFactory(role=Role.SUPERVISOR, department=department).user)
    with django_assert_max_num_queries(8):
        response = client.get(LIST + APRIL)
    assert len(_listed(response)) == n


@pytest.mark.parametrize("n", [3, 9])
def test_the_check_page_queries_do_not_grow_with_the_complaints(client, n,
                                                               django_assert_max_num_queries):
    person, check = flagged_person(n)
    check = filed(check)
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    with django_assert_max_num_queries(11):
        response = client.get(_detail(check))
    assert response.content.decode().count("服务态度") == n


def test_the_menu_offers_the_page_to_supervisors_and_above(client):
    from servicedesk.selectors import navigation_for

    for role, shown in [(Role.SUPERVISOR, True), (Role.MANAGER, True),
                        (Role.GENERAL_MANAGER, True), (Role.ADMINISTRATOR, True),
                        (Role.TEAM_LEAD, False), (Role.TIER1, False)]:
        urls = [item.url for item in navigation_for(user=StaffFactory(role=role).user)]
        assert (LIST in urls) is shown, role


def test_the_pages_read_chinese_in_every_state(client):
    """Chinese first: the list and the check page (each state, each form) hold no English
    word (the page-wide check opens only pages without an id)."""
    from tests.servicedesk.test_pages_in_chinese import foreign_words

    person, check = flagged_person()
    manager = StaffFactory(role=Role.MANAGER)
    codes = {person.username, manager.user.username}
    pages = []
    for step in ("flagged", "filed", "returned"):
        if step == "filed":
            check = filed(check)
        elif step == "returned":
            from complaints.checks.services import check_report_decide

            check = check_report_decide(check=check, by=manager.user, accept=False,
                                        note="请补充")
        for user in (person, manager.user):
            client.force_login(user)
            pages.append(client.get(_detail(check), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    pages.append(client.get(LIST + APRIL, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    pages.append(client.get(LIST + "?month=2026-13", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    for response in pages:
        assert foreign_words(response.content.decode(), codes) == []


def test_the_count_links_to_exactly_the_complaints_it_holds(client):
    """The count's link opens the complaint list filtered to those complaints: the person's
    valid ones of that Beijing month, not an invalid one, nor one of the month after, nor
    another person's."""
    person, check = flagged_person(3)
    counted = set(Complaint.objects.filter(responsible=person).values_list("case__number",
                                                                            flat=True))
    complaint_for_test(responsible=person, filed_at=bj(2026, 4, 12), verdict=Verdict.INVALID)
    complaint_for_test(responsible=person, filed_at=bj(2026, 5, 1))
    complaint_for_test(responsible=person_in(), filed_at=bj(2026, 4, 12))
    client.force_login(StaffFactory(role=Role.MANAGER).user)
    html = client.get(complaints_list_url(check=check)).content.decode()
    listed = set(re.findall(r"K\d{13}", html))
    assert listed == counted
