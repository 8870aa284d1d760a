"""Schemathesis over the OpenAPI schema of `/api/v1`, in-process over WSGI, as a signed-in
supervisor and a signed-in agent, on a small demo center (so that operations hit real rows):
every check schemathesis has — no 5xx, every response matches its schema, every status code
is documented, valid data accepted, invalid data refused, …

Marked `fuzz`: left out of the default run (tests/conftest.py), run by `make fuzz` and by
its own step in `.ci/run`. `FUZZ_EXAMPLES` sets the examples per operation (default 25).

Two things keep the run honest, besides the checks:
- the run must reach the API: the role stays signed in (`RoleToken`), the throttles and
  the sign-in lockout are raised for it, and after each role every operation must have
  answered something else than 401 to the role's token (`_assert_the_run_reached_the_api`);
- one narrow allowance (`CONFIG`): where the API refuses data the schema cannot call
  invalid, a 400 with field errors counts as the right answer to "valid" data.
"""

from __future__ import annotations

import collections
import os
import uuid

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from servicedesk.api.authentication import token_issue

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ROLES = ["supervisor", "agent01"]

# Operations whose "valid" data the API may rightly refuse with a 400 and field errors, for
# rules no OpenAPI schema can state. Each is a rule of the service, tested in tests/tickets
# and tests/servicedesk; everywhere else (every list, export, dashboard and detail) data the
# schema allows must be accepted.
RULES_BEYOND_THE_SCHEMA = {
    # wrong credentials (schemathesis draws usernames and passwords)
    "auth_token_create": "the username and password must belong to a user",
    # a related id must name a row that exists and that the caller may see or assign
    "cases_create": "category, customer, assignee, team and department must exist",
    "cases_partial_update": "category, assignee and team must exist; dates near today",
    "contacts_create": "customer, case and category must exist; times in the last year",
    "delay_filings_create": "the customer must exist; dates after the order, near today",
    "feedback_filings_create": "customer and category must exist",
    "feedback_filings_hand_over_create": "the handler must exist and may work the filing",
    # ID numbers carry a birth date and a check character; visits lie ahead
    "customers_create": "the ID number's birth date and check character; unique numbers",
    "customers_update": "the ID number's birth date and check character; unique numbers",
    "customers_partial_update": "the ID number's birth date and check character",
    "registrations_create": "the ID number; the visit within the next year; first filing",
    # a step depends on the record's state (filed → reviewed → approved → notified → …)
    "cases_transition_create": "the lifecycle allows the move from the current status",
    "cases_feedback_create": "only a complaint awaiting its feedback step",
    "delay_filings_review_create": "only a filed delay; a rejection needs a reason",
    "delay_filings_approve_create": "only a reviewed delay",
    "delay_filings_notify_create": "only an approved delay not yet notified",
    "delay_filings_deliver_create": "only an approved delay; the date after the filing",
    "delay_filings_compensate_create": "once per delivered delay; above zero",
    "feedback_filings_follow_up_create": "only a handed-over filing",
    "feedback_filings_close_create": "only a followed-up filing",
    "registrations_dispute_create": "within the dispute window, with a reason",
    # a complaint's customer and type must exist; another grade than the criteria suggest
    # needs a reason; its steps depend on its state (received → dispatched → assessed → …)
    # and on fields of the department (a responsible person of it, a reason)
    "complaints_create": "customer and type must exist; a chosen grade needs its reason",
    "complaints_dispatch_create": "only a received complaint; another department: a reason",
    "complaints_verdict_create": "only a dispatched complaint; a member as responsible",
    "complaints_propose_create": "only after the verdict (or the escalation)",
    "complaints_escalate_create": "only after the verdict; with a reason",
    "complaints_interim_create": "only while it is handled; with the text",
    "complaints_resolve_create": "only an accepted proposal; hand-in time not ahead",
    "complaints_follow_up_create": "only once a proposal was accepted",
    "complaints_close_create": "only once followed up or the customer satisfied",
    "complaints_regrade_create": "A–C other than its grade, with a reason; not once invalid",
    # an excuse names a late clock of a complaint case the caller sees; a ledger entry is
    # waived or adjusted once, with a reason; an excuse is decided once, not by its asker
    "penalties_quote_create": "a version of the rules must be in force at `at`",
    "sla_excuses_create": "the clock must exist, be late and belong to a visible complaint",
    "sla_excuses_approve_create": "only a requested excuse; never by whoever asked it",
    "sla_excuses_reject_create": "only a requested excuse, with a note",
    "penalties_waive_create": "only an entry not yet waived or excused; with a reason",
    "penalties_adjust_create": "only an entry not waived or excused; with a reason",
    # a person check's report is filed by the flagged person, then accepted or returned
    "person_checks_file_report_create": "only a flagged or returned check; both texts",
    "person_checks_accept_create": "only a filed report; never one's own",
    "person_checks_return_create": "only a filed report, with a note; never one's own",
    # the period's start must come before its end
    "feedback_filings_statistics_retrieve": "start before end",
}
# schemathesis' default for positive data, plus 400
_ACCEPTED_WITH_400 = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict({
    "operations": [{
        "include-operation-id": sorted(RULES_BEYOND_THE_SCHEMA),
        "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED_WITH_400}},
    }],
})

# The user this run signs in as (see `api_schema` and `RoleToken`).
_SIGNED_IN: dict[str, int] = {}
# The ids of real rows behind each `{id}` path, filled per run (see `real_ids`).
_REAL_IDS: dict[str, list[int]] = {}
# (operation, status) of each answer to a request carrying the role's token.
_ANSWERS: collections.Counter[tuple[str, int]] = collections.Counter()


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
def api_schema(request, db, wsgi_app, settings, monkeypatch):
    """The schema as the role's client reads it, on a freshly seeded demo center."""
    # schemathesis 4.32 renames the test per operation through `_nodeid`, which pytest 9
    # no longer has (it keeps `_id`): give it one to write to.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    from django.contrib.auth import get_user_model
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads its throttle rates (API_THROTTLE_*) once, at import: raise them where it
    # keeps them. The run sends thousands of requests a minute as one user from one
    # address; throttled, it would see mostly 429s (which the checks accept) and test little.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "1000000/minute"))
    # After five of the fuzzer's wrong passwords on `POST auth/token/`, django-axes would
    # lock the test client's address out of signing in, and every later sign-in would be a
    # 429: the run is to test the endpoint, not its lockout (tests/servicedesk has those).
    settings.AXES_FAILURE_LIMIT = 1_000_000
    call_command("seed_demo", intake_scale=0.01, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.get(username=request.param)
    _SIGNED_IN["user"] = user.pk
    headers = {"Authorization": f"Token {token_issue(user=user).key}"}
    _REAL_IDS.clear()
    _REAL_IDS.update(real_ids())
    _ANSWERS.clear()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=headers,
                                            config=CONFIG)
    yield schema
    _assert_the_run_reached_the_api(schema, role=request.param)


def _assert_the_run_reached_the_api(schema, *, role: str) -> None:
    """Every operation answered the role's token with something else than 401 (with one
    token kept after the run's own `DELETE auth/token/`, every later operation got only
    401s, which the checks accept: the run had tested nothing), and half the reads at least answered
    200 at least once (an agent may not export or see the dashboard)."""
    operations = {result.ok().label for result in schema.get_all_operations()}
    answered = {label for (label, status), n in _ANSWERS.items() if status != 401}
    assert operations <= answered, f"{role}: only 401 from {sorted(operations - answered)}"
    reads = {label for label in operations if label.startswith("GET ")}
    read_ok = {label for (label, status) in _ANSWERS if status == 200}
    assert len(reads & read_ok) >= len(reads) // 2, (
        f"{role}: no 200 from {sorted(reads - read_ok)}")


def real_ids() -> dict[str, list[int]]:
    from complaints.checks.models import PersonMonthCheck
    from complaints.handling.models import Complaint
    from complaints.penalties.models import PenaltyEntry, SlaExcuse
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
        "/api/v1/complaints/": Complaint, "/api/v1/penalties/": PenaltyEntry,
        "/api/v1/sla-excuses/": SlaExcuse, "/api/v1/person-checks/": PersonMonthCheck,
    }
    return {prefix: list(model.objects.order_by("-pk").values_list("pk", flat=True)[:20])
            for prefix, model in tables.items()}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, an `{id}` of a row that exists (a drawn id rarely does), in place of
    a drawn id the schema allows (never of one drawn to break it: `abc` must stay `abc`)."""
    if not path_parameters or not _is_id(path_parameters.get("id")):
        return st.just(path_parameters)
    ids = next((ids for prefix, ids in _REAL_IDS.items()
                if context.operation.path.startswith(prefix)), [])
    if not ids:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters),
                     st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk}))


def _is_id(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isascii()
                                      and value.isdigit())


@schemathesis.auth()
class RoleToken:
    """Every request carries the role's token (the schema's `tokenAuth`); schemathesis
    knows it is real, so its auth checks send it without, or altered, to see a 401.

    The run itself revokes it (`DELETE auth/token/`): the next request's 401 makes
    schemathesis fetch a token again and repeat the request, and this signs in anew, as a
    client would."""

    def get(self, case, ctx):
        from django.contrib.auth import get_user_model

        return token_issue(user=get_user_model().objects.get(pk=_SIGNED_IN["user"])).key

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@schemathesis.hook
def before_call(context, case, kwargs):
    """A client sends a fresh Idempotency-Key with each new request (a drawn one repeats,
    in every phase, and the replay of another body is rightly a 422)."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers = {**case.headers, "Idempotency-Key": str(uuid.uuid4())}


@schemathesis.hook
def after_call(context, case, response):
    if (case.headers or {}).get("Authorization", "").startswith("Token "):
        _ANSWERS[(case.operation.label, response.status_code)] += 1


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case):
    case.call_and_validate()
