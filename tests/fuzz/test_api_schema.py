"""Schemathesis over the OpenAPI schema of `/api/v1`, in-process over WSGI, as a signed-in
supervisor and a signed-in agent, on a small demo center (so that operations hit real rows):
every check schemathesis has — no 5xx, every response matches its schema, every status code
is documented, valid data accepted, invalid data refused, …

Marked `fuzz`: left out of the default run (tests/conftest.py), run by `make fuzz` and by
its own step in `.ci/run`. `FUZZ_EXAMPLES` sets the examples per operation (default 25).
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ROLES = ["supervisor", "agent01"]

# The API token of the role this run signs in as (see `api_schema`).
_SIGNED_IN: dict[str, str] = {}
# The ids of real rows behind each `{id}` path, filled per run (see `real_ids`).
_REAL_IDS: dict[str, list[int]] = {}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application inside the test's transaction: like Django's test
    client, it must not close the connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def api_schema(request, db, wsgi_app):
    """The schema as the role's client reads it, on a freshly seeded demo center."""
    # schemathesis 4.32 renames the test per operation through `_nodeid`, which pytest 9
    # no longer has (it keeps `_id`): give it one to write to.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    from django.contrib.auth import get_user_model

    call_command("seed_demo", intake_scale=0.01, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.get(username=request.param)
    token, _ = Token.objects.get_or_create(user=user)
    _SIGNED_IN["token"] = token.key
    headers = {"Authorization": f"Token {token.key}"}
    _REAL_IDS.clear()
    _REAL_IDS.update(real_ids())
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app,
                                            headers=headers)
    return schema


def real_ids() -> dict[str, list[int]]:
    from servicedesk.models import Notification
    from tickets.cases.models import Case
    from tickets.contacts.models import Contact
    from tickets.customers.models import Customer
    from tickets.filings.models import DelayFiling, FeedbackFiling
    from tickets.registrations.models import CustomerRegistration as Registration

    tables = {
        "/api/v1/cases/": Case, "/api/v1/contacts/": Contact, "/api/v1/customers/": Customer,
        "/api/v1/registrations/": Registration, "/api/v1/feedback-filings/": FeedbackFiling,
        "/api/v1/delay-filings/": DelayFiling, "/api/v1/me/notifications/": Notification,
    }
    return {prefix: list(model.objects.order_by("-pk").values_list("pk", flat=True)[:20])
            for prefix, model in tables.items()}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, an `{id}` of a row that exists (a drawn id rarely does)."""
    if not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    ids = next((ids for prefix, ids in _REAL_IDS.items()
                if context.operation.path.startswith(prefix)), [])
    if not ids:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters),
                     st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk}))


@schemathesis.auth()
class RoleToken:
    """Every request carries the role's token (the schema's `tokenAuth`); schemathesis
    knows it is real, so its auth checks send it without, or altered, to see a 401."""

    def get(self, case, ctx):
        return _SIGNED_IN["token"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schemathesis.hook
def map_headers(context, headers):
    """A client sends a fresh Idempotency-Key with each new request (a drawn one repeats,
    and the replay of another body is rightly a 422)."""
    if headers and "Idempotency-Key" in headers:
        return {**headers, "Idempotency-Key": str(uuid.uuid4())}
    return headers


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case):
    case.call_and_validate()
