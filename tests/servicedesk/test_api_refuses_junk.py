"""Issue 10's schemathesis run (tests/fuzz): what it found in the API, each kept by a plain
test. A parameter's junk value is a 400 naming it, never a quiet "no filter"; a method a
route does not take is a 405 (not a 404 or a 500); an id beyond what a table holds is
refused, not a 500."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.api.filtering import MAX_ID, BooleanFilter, FilterSet
from servicedesk.models import Notification
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.filings.factories import delay_file_for_test
from tickets.contacts.models import Contact

pytestmark = pytest.mark.django_db


def _api(role=Role.SUPERVISOR, **kwargs):
    api = APIClient()
    user = StaffFactory(role=role, **kwargs).user
    api.force_authenticate(user)
    api.user = user
    return api


@pytest.mark.parametrize("url", [
    "/api/v1/cases/?opened_after=", "/api/v1/cases/?page_size=",
    "/api/v1/cases/export/?q=", "/api/v1/customers/?created_before=",
    "/api/v1/customers/export/?name=", "/api/v1/delay-filings/?overdue=",
    "/api/v1/feedback-filings/?filed_before=", "/api/v1/feedback-filings/statistics/?start=",
    "/api/v1/me/notifications/?urgent=", "/api/v1/reporting/sla-dashboard/?team=",
    "/api/v1/reporting/sla-dashboard/cases/?state=", "/api/v1/cases/?cursor=",
    "/api/v1/cases/?status=new&status=",
])
def test_an_empty_query_value_is_a_400_naming_the_parameter(url):
    response = _api(Role.MANAGER).get(url)
    assert response.status_code == 400
    name = url.rsplit("?", 1)[1].rsplit("&", 1)[-1].rstrip("=")
    assert list(response.json()) == [name]
    assert response.json()[name] == ["请为此参数提供取值，或不传此参数。"]


@pytest.mark.parametrize("url", [
    "/api/v1/delay-filings/?overdue=null", "/api/v1/delay-filings/?overdue=1",
    "/api/v1/me/notifications/?urgent=null", "/api/v1/contacts/?answered=yes",
    "/api/v1/registrations/?is_relative=True",
])
def test_a_yes_no_filter_takes_only_true_or_false(url):
    response = _api().get(url)
    assert response.status_code == 400
    assert list(response.json()) == [url.rsplit("?", 1)[1].split("=")[0]]


def test_a_yes_no_filter_filters():
    api = _api()
    now = timezone.now()
    for key, urgent in (("a", True), ("b", False)):
        Notification.objects.create(recipient=api.user, key=key, title=key, urgent=urgent,
                                    at=now, created_at=now)
    urgent = api.get("/api/v1/me/notifications/?urgent=true").json()["results"]
    calm = api.get("/api/v1/me/notifications/?urgent=false").json()["results"]
    assert ([n["key"] for n in urgent], [n["key"] for n in calm]) == (["a"], ["b"])


def test_a_page_form_keeps_its_yes_no_as_django_writes_it():
    class ContactYesNo(FilterSet):
        answered = BooleanFilter()

        class Meta:
            model = Contact
            fields: list[str] = []

    assert ContactYesNo({"answered": "1"}, local_times=True).is_valid()
    assert ContactYesNo({"answered": "unknown"}, local_times=True).is_valid()
    assert not ContactYesNo({"answered": "1"}).is_valid()


@pytest.mark.parametrize("value", ["null", "0", "201", "abc", "1.5", "-3"])
def test_a_page_size_outside_1_to_200_is_a_400(value):
    response = _api().get(f"/api/v1/cases/?page_size={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_a_page_size_in_range_is_the_page_size():
    assert _api().get("/api/v1/cases/?page_size=200").status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/cases/?assignee=1.5", "/api/v1/cases/?customer=0",
    f"/api/v1/feedback-filings/?handler={MAX_ID + 1}", "/api/v1/contacts/?agent=-1",
    "/api/v1/registrations/?filed_by=x",
])
def test_an_id_filter_takes_a_whole_number_from_1(url):
    response = _api().get(url)
    assert response.status_code == 400
    assert list(response.json()) == [url.rsplit("?", 1)[1].split("=")[0]]


@pytest.mark.parametrize("url", ["/api/v1/contacts/?agent=987654", "/api/v1/contacts/?case=1",
                                 "/api/v1/registrations/?department=987654",
                                 f"/api/v1/cases/?team={MAX_ID}"])
def test_an_id_nobody_has_matches_nothing_like_any_filter_value(url):
    response = _api().get(url)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("method", ["trace", "put", "delete"])
@pytest.mark.parametrize("path", [
    "/api/v1/cases/", "/api/v1/contacts/1/", "/api/v1/customers/export/",
    "/api/v1/cases/export/?format=csv", "/api/v1/me/", "/api/v1/me/notifications/read/",
])
def test_a_method_a_route_does_not_take_is_a_405(path, method):
    response = _api().generic(method.upper(), path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


def test_options_describes_a_write_whose_permission_is_declared_per_action():
    response = _api().options("/api/v1/me/notifications/read/")
    assert response.status_code == 200


def test_marking_read_an_id_beyond_any_table_is_a_400_not_a_500():
    response = _api().post("/api/v1/me/notifications/read/", {"ids": [MAX_ID + 1]},
                           format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


@pytest.mark.parametrize("amount", ["1e2", "", " 20", "20.001", 20, 20.5])
def test_a_compensation_amount_is_yuan_written_as_text(amount):
    filing = delay_file_for_test()
    api = _api(department=filing.department)
    response = api.post(f"/api/v1/delay-filings/{filing.pk}/compensate/",
                        {"kind": "coupon", "amount": amount}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]


def test_a_phone_filter_still_takes_a_number_however_written():
    customer = CustomerFactory(phone="13812345678")
    found = _api().get("/api/v1/customers/", {"phone": "+86 138-1234-5678"}).json()
    assert [c["id"] for c in found["results"]] == [customer.pk]
