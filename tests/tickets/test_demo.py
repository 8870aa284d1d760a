"""The intake demo data: believable shape, idempotent, and later codes continue after it."""

import pytest
from django.core.management import call_command

from tickets.models import Case, Contact, Customer
from tickets.services import customer_create

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
    from django.db.models import Count, Max

    call_command("seed_demo", intake_scale=0.02)
    cases = Case.objects.annotate(n=Count("events"), last_at=Max("events__at"))
    for case in cases:
        last = case.events.order_by("-at", "-id").first()
        assert last.to_value == case.status, case.number
        assert case.version == case.n, case.number
