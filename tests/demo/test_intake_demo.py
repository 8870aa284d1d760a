"""The intake demo data: believable shape, idempotent, later codes continue after it, and
its SLA timers are the ones the services leave after the same history."""

import pytest
from django.core.management import call_command

from complaints.handling.models import Source
from tickets.cases.models import Case
from tickets.contacts.models import Contact
from tickets.customers.models import Customer
from tickets.customers.services import customer_create

# Every test starts from the package's `seeded_demo` (seed_demo at intake scale 0.05).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def test_seed_intake_twice_adds_nothing_the_second_time():
    counts = (Customer.objects.count(), Contact.objects.count(), Case.objects.count())
    assert all(counts)
    call_command("seed_intake_demo", scale=0.02)
    assert (Customer.objects.count(), Contact.objects.count(), Case.objects.count()) == counts


def test_codes_continue_after_the_demo_data():
    from tests.factories import StaffFactory

    existing = set(Customer.objects.values_list("code", flat=True))
    new = customer_create(name="新客户", phone="13100131000", by=StaffFactory().user)
    assert new.code not in existing


def test_every_demo_case_has_its_opening_event_and_a_contact():
    from demo.complaints import CALLED_IN

    assert not Case.objects.filter(events__isnull=True).exists()
    # Cases of the demo feedback filings are opened by the filing, not from a contact, and
    # so are complaints that did not come in by phone (a letter to the opinion board, a
    # customer at the store, the media, a safety incident).
    from_contacts = set(Contact.objects.filter(case__isnull=False).values_list("case",
                                                                               flat=True))
    assert from_contacts == set(
        Case.objects.filter(feedback_filing__isnull=True)
        .exclude(complaint__isnull=False, complaint__source__in=set(
            Source.values) - set(CALLED_IN))
        .values_list("pk", flat=True))


def test_demo_timelines_lead_to_each_case_status():
    from django.db.models import Count, Max, Q

    # Logging a contact (a "commented" row), a filing's step or a complaint's step (the
    # complaint has its own version) adds a timeline row but does not change the case (no
    # new version), nor do the new deadlines ("sla") beside a re-grade that moved them.
    cases = Case.objects.annotate(
        n=Count("events", filter=~Q(events__kind__in=["commented", "filing_step",
                                                      "complaint_step", "sla"])),
        last_at=Max("events__at"))
    for case in cases:
        last = case.events.filter(kind__in=["opened", "status_changed", "reopened"]).order_by(
            "-at", "-id").first()
        assert last.data["to"] == case.status, case.number
        assert case.version == case.n, case.number


TIMER_FIELDS = ("kind", "policy_id", "calendar_id", "state", "target", "started_at",
                "paused_business", "paused_at", "due_at", "warn_at", "stopped_at",
                "warned_at", "breached_at", "elapsed_at_stop")
# The statuses a generated demo case went through after "new", in order.
DEMO_PATHS = {
    "new": [],
    "in_progress": ["in_progress"],
    "waiting_customer": ["in_progress", "waiting_customer"],
    "resolved": ["in_progress", "resolved"],
    "closed": ["in_progress", "resolved", "closed"],
}


def _sla_picture(case_id: int) -> tuple:
    from tickets.sla.models import CaseTimer

    case = Case.objects.get(pk=case_id)
    timers = list(CaseTimer.objects.filter(case_id=case_id).order_by("kind")
                  .values_list(*TIMER_FIELDS))
    return case.sla_state, case.sla_due_at, timers


def _replay(demo_case: Case, *, sweep_at, seeded_sweeps=()):
    """Open a case like `demo_case` through the services and take it through the demo
    case's steps at the demo's instants, the minute sweep running before each step and
    at `seeded_sweeps` (the instants of the sweeps seeding ran after them, see
    `demo.sla_live.sla_history_settle`); its SLA picture then, and after a sweep at
    `sweep_at`."""
    from tickets.cases.services import case_open, case_transition
    from tickets.sla.sweep import sla_sweep

    steps = list(demo_case.events.filter(kind__in=["opened", "status_changed"])
                 .order_by("at", "id").values_list("at", flat=True))[1:]
    path = DEMO_PATHS[demo_case.status]
    assert len(steps) == len(path), demo_case.number
    by = demo_case.first_contact_owner
    case = case_open(customer=demo_case.customer, kind=demo_case.kind,
                     category=demo_case.category, subject=demo_case.subject, by=by,
                     department=demo_case.department, grade=demo_case.grade,
                     now=demo_case.opened_at)
    for to_status, at in zip(path, steps, strict=True):
        sla_sweep(now=at, deliver=False)
        case = case_transition(case=case, to_status=to_status, by=by,
                               expected_version=case.version, now=at)
    for at in seeded_sweeps:
        sla_sweep(now=at, deliver=False)
    before = _sla_picture(case.pk)
    sla_sweep(now=sweep_at, deliver=False)
    return before, _sla_picture(case.pk)


def test_demo_timers_are_the_ones_the_services_leave_after_the_same_history():
    """A sample of the bulk-written demo cases (one of each kind, status and SLA state)
    replayed through `case_open`, `case_transition` and the sweep: the same timers, field
    by field, and the same SLA summary, before and after a sweep now. Over all generated
    cases, the sweep's marks agree with `cases_sla_refresh`."""
    from django.db import transaction
    from django.utils import timezone

    from complaints.penalties.models import SlaExcuse
    from demo.sla_live import LIVE_MARKER
    from tickets.cases.models import CaseEvent
    from tickets.sla.models import CaseTimer, SlaEvent
    from tickets.sla.services import cases_sla_refresh
    from tickets.sla.sweep import sla_sweep

    generated = Case.objects.exclude(description__startswith=LIVE_MARKER).filter(
        feedback_filing__isnull=True, complaint__isnull=True,
    )  # those three open through the services
    sample: dict[tuple, int] = {}
    for pk, kind, status, state in generated.order_by("pk").values_list(
            "pk", "kind", "status", "sla_state"):
        sample.setdefault((kind, status, state), pk)
    assert len(sample) >= 10
    planned = {pk: _sla_picture(pk) for pk in sample.values()}
    # when seeding swept the history (its SLA events' `recorded_at`), after the case's steps
    seeded_sweeps = {pk: sorted(set(SlaEvent.objects.filter(case_id=pk).exclude(
        recorded_at__in=CaseEvent.objects.filter(case_id=pk).values("at")).values_list(
        "recorded_at", flat=True))) for pk in sample.values()}

    now = timezone.now()
    sla_sweep(now=now, deliver=False)
    swept_states = dict(generated.values_list("pk", "sla_state"))
    assert {"breached", "met", "met_late"} <= set(swept_states.values())
    cases_sla_refresh(generated.values("pk"))  # the sweep's shortcut marks agree with it
    assert dict(generated.values_list("pk", "sla_state")) == swept_states
    swept = {pk: _sla_picture(pk) for pk in sample.values()}

    # the replays' sweeps see only their own timers (the demo complaints' excuses name some)
    SlaExcuse.objects.all().delete()
    CaseTimer.objects.all().delete()
    for pk in sample.values():
        demo_case = Case.objects.select_related(
            "customer", "category", "department", "first_contact_owner").get(pk=pk)
        with transaction.atomic():
            before, after = _replay(demo_case, sweep_at=now, seeded_sweeps=seeded_sweeps[pk])
            transaction.set_rollback(True)
        assert before == planned[pk], demo_case.number
        assert after == swept[pk], demo_case.number


def test_the_live_demo_has_cases_due_within_the_hour_and_breached_ones():
    import datetime as dt

    from django.utils import timezone

    from demo.sla_live import LIVE_MARKER, seed_sla_live
    from tickets.sla.models import SlaEvent
    from tickets.sla.sweep import sla_sweep

    now = timezone.now()
    live = Case.objects.filter(description__startswith=LIVE_MARKER)
    assert live.filter(sla_due_at__gt=now, sla_due_at__lt=now + dt.timedelta(hours=1)).exists()
    sla_sweep(now=now, deliver=False)
    assert SlaEvent.objects.filter(case__in=live, kind="breached").exists()
    assert seed_sla_live(now=now) == 0  # still live: nothing added
