"""The benchmarks' bulk complaint rows (`bench.complaint_rows`) are the rows the services
would leave: the ledger run finds nothing to change in them, the pages read them, and the
list's query count does not grow with them. The SLA bench gives its complaint cases their
records and puts its data back after each crossing run."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench import complaints_bench, sla_bench
from complaints.handling.models import Complaint, State
from complaints.penalties.models import PenaltyEntry, PenaltyEvent
from complaints.penalties.services import charges_sync
from demo.org import seed_org
from tickets.cases.models import Case
from tickets.sla import sweep
from tickets.sla.models import CaseTimer

pytestmark = pytest.mark.django_db

STATUS = {"received": "new", "dispatched": "in_progress", "assessed": "in_progress",
          "proposed": "in_progress", "escalated": "in_progress", "resolved": "resolved",
          "followed_up": "resolved", "closed": "closed"}


@pytest.fixture
def org(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seed_org()


def _ledger() -> list[tuple]:
    return list(PenaltyEntry.objects.order_by("key").values_list(
        "key", "person_id", "rule_set_id", "quoted_amount", "amount", "state", "evidence",
        "version"))


def test_generated_complaints_are_what_the_services_leave(org):
    """Every state is generated, each case in the status its complaint implies, and the
    ledger run over all of them (now) changes nothing: the entries are the ones it keeps
    for these facts, keyed, with their evidence."""
    now = timezone.now()
    complaints_bench.generate(400, stage=0, now=now, span=dt.timedelta(days=30),
                              progress=lambda line: None)
    complaints = list(complaints_bench.bench_complaints().select_related("case"))
    assert len(complaints) == 400
    assert {c.state for c in complaints} == set(State.values)
    for complaint in complaints:
        assert complaint.case.status == STATUS[complaint.state]
        assert complaint.case.grade == complaint.grade
    assert PenaltyEntry.objects.filter(rule="grade_fine").count() == sum(
        c.state == State.CLOSED for c in complaints)
    before = _ledger()
    report = charges_sync(complaint_ids=[c.pk for c in complaints], now=now)
    assert (report.created, report.requoted, report.excused) == (0, 0, 0)
    assert _ledger() == before


@pytest.mark.parametrize("size", [30, 120])
def test_the_list_and_page_read_them_with_a_fixed_number_of_queries(org, client, size):
    """The complaint list (as the center's supervisor and its manager) and a complaint's
    page open on the bench data, the list with the same number of queries whatever the
    number of complaints (9; the bench prints it at 20,000 and 200,000)."""
    complaints_bench.generate(size, stage=0, now=timezone.now(), progress=lambda line: None)
    users = get_user_model().objects
    for username in ("supervisor", "manager"):
        client.force_login(users.get(username=username))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("complaints:list")).status_code == 200
        assert len(queries) == 9
        complaint = complaints_bench.bench_complaints().order_by("?").first()
        assert client.get(complaint.get_absolute_url()).status_code == 200


def test_the_sla_bench_gives_its_complaint_cases_their_records(org):
    """The SLA bench's complaint cases get their complaint records (state by the case's
    status, D only with an invalid verdict), whose ledger is the ledger run's own; a second
    pass adds nothing."""
    sla_bench._generate(1500)
    now = timezone.now()
    sla_bench._complaint_records(now)
    cases = Case.objects.filter(kind="complaint")
    assert cases.exists() and not cases.filter(complaint__isnull=True).exists()
    for complaint in Complaint.objects.select_related("case"):
        assert complaint.case.status == STATUS[complaint.state] or (
            complaint.case.status == "waiting_customer" and complaint.state == "proposed")
        assert complaint.grade == complaint.case.grade
        assert complaint.case.handling_department_id == complaint.handling_department_id
    count = Complaint.objects.count()
    sla_bench._complaint_records(now)
    assert Complaint.objects.count() == count
    report = charges_sync(complaint_ids=Complaint.objects.values_list("pk", flat=True),
                          now=now)
    assert (report.created, report.requoted) == (0, 0)


def test_the_sla_bench_crossing_runs_put_the_ledger_and_the_listeners_back(org):
    """A crossing run with the ledger listener charges complaints and leaves the ledger as
    it was; one without it charges nothing; the sweep's listeners are back either way."""
    sla_bench._generate(3000)
    now = timezone.now()
    sla_bench._complaint_records(now)
    sweep.sla_sweep(now=now)  # the warm-up: nothing else crosses at `now`
    listeners = list(sweep._crossing_listeners)
    before = _ledger()
    events = PenaltyEvent.objects.count()
    running = CaseTimer.objects.filter(state="running", events__isnull=True).count()
    crossings = min(100, running // 2)
    *_, charged = sla_bench._sweep_runs(1, crossings, now, listeners=True)
    assert charged > 0
    assert _ledger() == before and PenaltyEvent.objects.count() == events
    *_, charged = sla_bench._sweep_runs(1, crossings, now, offset=1, listeners=False)
    assert charged == 0
    assert sweep._crossing_listeners == listeners
