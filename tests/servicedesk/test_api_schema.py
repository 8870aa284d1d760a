"""The OpenAPI schema says what the API does (servicedesk.api.schema and the kernel's
serializer fields): error answers of every operation, the Idempotency-Key and its 422, the
case steps' real answer, blank choices, minLength on required strings, the exports'
filters, and RFC 3339 date-times however old."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from drf_spectacular.generators import SchemaGenerator

from servicedesk.api.fields import DateTimeField
from servicedesk.api.filtering import INSTANT_PATTERN

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_operation_documents_its_error_answers(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"403", "404"} <= codes, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in codes, (method, path)
        if path != "/api/v1/auth/token/":
            assert "401" in codes, (method, path)


def test_a_stale_version_409_is_documented_where_a_change_carries_the_version(schema):
    paths = schema["paths"]
    assert "409" in paths["/api/v1/cases/{id}/"]["patch"]["responses"]
    assert "409" in paths["/api/v1/cases/{id}/transition/"]["post"]["responses"]
    assert "409" in paths["/api/v1/cases/{id}/feedback/"]["post"]["responses"]


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/contacts/", "/api/v1/customers/",
                                  "/api/v1/registrations/", "/api/v1/feedback-filings/",
                                  "/api/v1/delay-filings/"])
def test_an_idempotent_create_documents_its_header_and_the_422(schema, path):
    operation = schema["paths"][path]["post"]
    assert "422" in operation["responses"]
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key"
               for p in operation["parameters"])


@pytest.mark.parametrize("step", ["transition", "feedback"])
def test_a_case_step_is_documented_to_answer_the_case(schema, step):
    answer = schema["paths"][f"/api/v1/cases/{{id}}/{step}/"]["post"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/CaseDetail")


def test_a_blank_compensation_kind_is_in_the_schema(schema):
    field = _component(schema, "DelayFiling")["properties"]["compensation_kind"]
    refs = [choice["$ref"].rsplit("/", 1)[-1] for choice in field["oneOf"]]
    assert "BlankEnum" in refs and "CompensationKindEnum" in refs


def test_a_required_string_must_not_be_empty(schema):
    request = _component(schema, "CustomerRequest")
    assert request["properties"]["name"]["minLength"] == 1
    assert "name" in request["required"]


@pytest.mark.parametrize(("path", "param"), [("/api/v1/cases/export/", "opened_after"),
                                             ("/api/v1/contacts/export/", "queued_after"),
                                             ("/api/v1/customers/export/", "created_after")])
def test_an_export_lists_its_lists_filters(schema, path, param):
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert {"format", param} <= set(parameters)
    assert parameters[param]["schema"]["pattern"] == INSTANT_PATTERN


def test_a_date_time_before_1901_is_written_as_rfc_3339():
    # Beijing's offset before 1901 was local mean time, +08:05:43, which RFC 3339 cannot write
    old = dt.datetime(1900, 6, 1, 4, 0, tzinfo=dt.UTC)
    written = DateTimeField().to_representation(old)
    assert RFC3339.match(written) and written == "1900-06-01T04:00:00Z"
    recent = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)
    assert DateTimeField().to_representation(recent) == "2026-06-01T12:00:00+08:00"
    assert ZoneInfo("Asia/Shanghai").utcoffset(old.replace(tzinfo=None)).seconds % 60


# --- what the schemathesis run (tests/fuzz) found the schema did not say -------------------


def test_no_query_parameter_may_be_empty_so_every_text_one_has_a_min_length(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            assert not parameter.get("allowEmptyValue"), (method, path, parameter["name"])
            value = parameter["schema"]
            value = value.get("items", value) if value.get("type") == "array" else value
            if value.get("type") == "string" and "enum" not in value:
                assert value.get("minLength", 0) >= 1, (method, path, parameter["name"])


@pytest.mark.parametrize(("path", "name"), [
    ("/api/v1/cases/", "assignee"), ("/api/v1/cases/export/", "customer"),
    ("/api/v1/contacts/", "agent"), ("/api/v1/registrations/", "department"),
    ("/api/v1/feedback-filings/", "handler"), ("/api/v1/delay-filings/", "customer"),
])
def test_an_id_filter_is_a_whole_number_from_1(schema, path, name):
    parameter = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)
    assert parameter["schema"]["type"] == "integer"
    assert parameter["schema"]["minimum"] == 1


def test_yes_no_filters_and_the_page_size_say_what_they_take(schema):
    def parameter(path, name):
        return next(p["schema"] for p in schema["paths"][path]["get"]["parameters"]
                    if p["name"] == name)

    assert parameter("/api/v1/delay-filings/", "overdue")["type"] == "boolean"
    assert parameter("/api/v1/me/notifications/", "urgent")["type"] == "boolean"
    assert set(parameter("/api/v1/me/notifications/", "unread")["enum"]) == {
        "true", "false", "1", "0"}
    assert parameter("/api/v1/cases/", "page_size") == {"type": "integer", "minimum": 1,
                                                       "maximum": 200}


def test_a_case_patch_lists_only_what_may_change_and_requires_the_version(schema):
    from tickets.cases.services import CASE_EDITABLE_FIELDS

    body = _component(schema, schema["paths"]["/api/v1/cases/{id}/"]["patch"]["requestBody"]
                      ["content"]["application/json"]["schema"]["$ref"])
    assert set(body["properties"]) == CASE_EDITABLE_FIELDS | {"version", "reason"}
    assert body["required"] == ["version"]


def test_phone_and_id_numbers_state_their_pattern_in_requests_only(schema):
    from tickets.customers.validators import ID_NUMBER_PATTERN, PHONE_PATTERN

    components = schema["components"]["schemas"]
    for name in ("CustomerRequest", "PatchedCustomerRequest", "RegistrationRequest"):
        assert components[name]["properties"]["phone"]["pattern"] == PHONE_PATTERN
    assert components["RegistrationRequest"]["properties"]["id_number"]["pattern"] == (
        ID_NUMBER_PATTERN)
    customer_id = components["CustomerRequest"]["properties"]["id_number"]["oneOf"]
    assert {"pattern": ID_NUMBER_PATTERN}.items() <= customer_id[0].items()
    # an answer may be masked (139****5678)
    assert "pattern" not in components["Customer"]["properties"]["phone"]
    phone = next(p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
                 if p["name"] == "customer_phone")
    assert phone["schema"]["pattern"] == PHONE_PATTERN


@pytest.mark.parametrize("phone", ["13812345678", "+8613812345678", "008613812345678",
                                   "010-12345678", "01012345678", "0755-1234567",
                                   "07551234567", "021-87654321-123"])
def test_what_the_phone_pattern_allows_the_service_takes(phone):
    from tickets.customers.validators import PHONE_PATTERN, phone_normalize

    assert re.fullmatch(PHONE_PATTERN, phone)
    phone_normalize(phone)


@pytest.mark.parametrize("phone", ["0", "12812345678", "1381234567", "010-123456", "x"])
def test_what_the_phone_pattern_refuses_the_service_refuses(phone):
    from django.core.exceptions import ValidationError

    from tickets.customers.validators import PHONE_PATTERN, phone_normalize

    assert not re.fullmatch(PHONE_PATTERN, phone)
    with pytest.raises(ValidationError):
        phone_normalize(phone)


def test_a_compensation_amount_states_its_form(schema):
    amount = schema["components"]["schemas"]["CompensateRequest"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert not re.fullmatch(amount["pattern"], "")
    assert re.fullmatch(amount["pattern"], "20.00")


def test_no_mixin_describes_the_operations_of_its_viewsets(schema):
    for path, method, operation in _operations(schema):
        description = operation.get("description", "")
        assert "Adds the `export`" not in description, (method, path)
        assert "Idempotency-Key." not in description, (method, path)
    for name, component in schema["components"]["schemas"].items():
        assert "ModelSerializer" not in component.get("description", ""), name
