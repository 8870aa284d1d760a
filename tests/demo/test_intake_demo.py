"""The intake demo data: believable shape, idempotent, and later codes continue after it."""

import pytest
from django.core.management import call_command

from tickets.cases.models import Case
from tickets.contacts.models import Contact
from tickets.customers.models import Customer
from tickets.customers.services import customer_create

pytestmark = pytest.mark.django_db


def test_seed_intake_twice_adds_nothing_the_second_time():
    call_command("seed_demo", intake_scale=0.02)
    counts = (Customer.objects.count(), Contact.objects.count(), Case.objects.count())
    assert all(counts)
    call_command("seed_intake_demo", scale=0.02)
    assert (Customer.objects.count(), Contact.objects.count(), Case.objects.count()) == counts


def test_codes_continue_after_the_demo_data():
    from tests.factories import StaffFactory

    call_command("seed_demo", intake_scale=0.02)
    existing = set(Customer.objects.values_list("code", flat=True))
    new = customer_create(name="新客户", phone="13100131000", by=StaffFactory().user)
    assert new.code not in existing


def test_every_demo_case_has_its_opening_event_and_a_contact():
    call_command("seed_demo", intake_scale=0.02)
    assert not Case.objects.filter(events__isnull=True).exists()
    # Cases of the demo feedback filings are opened by the filing, not from a contact.
    assert Contact.objects.filter(case__isnull=False).values("case").distinct().count() == (
        Case.objects.filter(feedback_filing__isnull=True).count()
    )


def test_demo_timelines_lead_to_each_case_status():
    from django.db.models import Count, Max, Q

    call_command("seed_demo", intake_scale=0.02)
    # Logging a contact (a "commented" row) or a filing's step adds a timeline row but does
    # not change the case (no new version).
    cases = Case.objects.annotate(
        n=Count("events", filter=~Q(events__kind__in=["commented", "filing_step"])),
        last_at=Max("events__at"))
    for case in cases:
        last = case.events.filter(kind__in=["opened", "status_changed", "reopened"]).order_by(
            "-at", "-id").first()
        assert last.data["to"] == case.status, case.number
        assert case.version == case.n, case.number


def test_demo_timers_agree_with_what_the_services_and_sweep_compute():
    """The bulk planner's SLA picture of every demo case equals the one the sweep and
    `cases_sla_refresh` arrive at from the same timers."""
    from django.utils import timezone

    from demo.sla_live import LIVE_MARKER
    from tickets.sla.services import cases_sla_refresh
    from tickets.sla.sweep import sla_sweep

    call_command("seed_demo", intake_scale=0.05)
    generated = Case.objects.exclude(description__startswith=LIVE_MARKER).filter(
        feedback_filing__isnull=True)  # those two open through the services
    planned = dict(generated.values_list("pk", "sla_state"))
    assert {"breached", "met", "met_late"} <= set(planned.values())
    sla_sweep(now=timezone.now(), deliver=False)
    cases_sla_refresh(generated.values("pk"))
    assert dict(generated.values_list("pk", "sla_state")) == planned


def test_the_live_demo_has_cases_due_within_the_hour_and_breached_ones():
    import datetime as dt

    from django.utils import timezone

    from demo.sla_live import LIVE_MARKER, seed_sla_live
    from tickets.sla.models import SlaEvent
    from tickets.sla.sweep import sla_sweep

    call_command("seed_demo", intake_scale=0.02)
    now = timezone.now()
    live = Case.objects.filter(description__startswith=LIVE_MARKER)
    assert live.filter(sla_due_at__gt=now, sla_due_at__lt=now + dt.timedelta(hours=1)).exists()
    sla_sweep(now=now, deliver=False)
    assert SlaEvent.objects.filter(case__in=live, kind="breached").exists()
    assert seed_sla_live(now=now) == 0  # still live: nothing added
