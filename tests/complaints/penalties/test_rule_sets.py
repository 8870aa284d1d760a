"""Penalty rules are data, versioned: the version in force at an instant is the highest
whose `effective_from` is at or before it; saved versions are never edited; a new version
starts from the latest one's values with the next number, takes effect from now on, and
only administrators add one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints.penalties.models import PenaltyRuleSet
from complaints.penalties.selectors import NoRuleSet, rule_set_in_force
from complaints.penalties.services import rule_set_add
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.sla.factories import bj

pytestmark = pytest.mark.django_db


def version(number, effective_from, **amounts):
    v1 = PenaltyRuleSet.objects.get(version=1)
    values = {name: getattr(v1, name) for name in (
        "fine_d", "fine_c", "fine_b", "fine_a", "late_acceptance_per_day")}
    return PenaltyRuleSet.objects.create(version=number, effective_from=effective_from,
                                         **{**values, **amounts})


def test_version_1_is_seed_002():
    v1 = rule_set_in_force(bj(2026, 11, 23))
    assert (v1.version, v1.fine_d, v1.fine_c, v1.fine_b, v1.fine_a) == (
        1, Decimal("50.00"), Decimal("100.00"), Decimal("200.00"), Decimal("500.00"))
    assert (v1.loss_grades, v1.sanction_grades, v1.late_completion_grade,
            v1.repeat_multiplier, v1.late_acceptance_per_day) == (
        "AB", "A", "D", 2, Decimal("100.00"))


def test_the_highest_version_in_force_at_the_instant_wins():
    version(2, bj(2026, 12, 1))
    version(3, bj(2026, 11, 25))  # added later, in force earlier: still the higher one
    assert rule_set_in_force(bj(2026, 11, 24, 23, 59)).version == 1
    assert rule_set_in_force(bj(2026, 11, 25)).version == 3
    assert rule_set_in_force(bj(2026, 12, 2)).version == 3


def test_before_any_version_there_are_no_rules():
    with pytest.raises(NoRuleSet):
        rule_set_in_force(dt.datetime(1999, 1, 1, tzinfo=dt.UTC))


def test_an_administrator_adds_the_next_version_from_the_latest_values():
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    start = timezone.now() + dt.timedelta(days=1)
    rules = rule_set_add(by=admin, effective_from=start, values={"fine_c": Decimal("120")})
    assert (rules.version, rules.fine_c, rules.fine_a, rules.created_by) == (
        2, Decimal("120"), Decimal("500.00"), admin)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GENERAL_MANAGER, Role.SUPERVISOR])
def test_only_administrators_add_a_version(role):
    someone = StaffFactory(role=role).user
    with pytest.raises(PermissionDenied):
        rule_set_add(by=someone, effective_from=timezone.now() + dt.timedelta(days=1),
                     values={})
    assert PenaltyRuleSet.objects.count() == 1


def test_a_version_never_takes_effect_in_the_past():
    """Complaints already filed keep the rules they were filed under."""
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    with pytest.raises(ValidationError) as refused:
        rule_set_add(by=admin, effective_from=timezone.now() - dt.timedelta(hours=1),
                     values={})
    assert "effective_from" in refused.value.message_dict
    assert PenaltyRuleSet.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("fine_a", Decimal("-1")),
                                              ("loss_grades", "BA"),
                                              ("loss_grades", "AE"),
                                              ("late_completion_grade", "E")])
def test_a_version_with_impossible_values_is_refused(field, value):
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    with pytest.raises(ValidationError) as refused:
        rule_set_add(by=admin, effective_from=timezone.now() + dt.timedelta(days=1),
                     values={field: value})
    assert field in refused.value.message_dict
    assert PenaltyRuleSet.objects.count() == 1


@pytest.fixture
def admin_client(client):
    admin = StaffFactory(role=Role.ADMINISTRATOR).user
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    return client


def test_the_admins_add_form_starts_from_the_latest_version(admin_client):
    page = admin_client.get(reverse("admin:complaints_penaltyruleset_add"))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial["fine_a"] == Decimal("500.00")
    assert form.initial["effective_from"] > timezone.now()


def test_the_admin_saves_the_next_version_and_never_edits_a_saved_one(admin_client):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    response = admin_client.post(reverse("admin:complaints_penaltyruleset_add"), {
        "effective_from_0": start.strftime("%Y-%m-%d"),
        "effective_from_1": start.strftime("%H:%M:%S"),
        "fine_d": "50", "fine_c": "100", "fine_b": "250", "fine_a": "500",
        "loss_grades": "AB", "sanction_grades": "A", "late_completion_grade": "D",
        "repeat_multiplier": "2", "late_acceptance_per_day": "100", "note": "2027 版",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = PenaltyRuleSet.objects.get(version=2)
    assert v2.fine_b == Decimal("250") and v2.note == "2027 版"
    change = reverse("admin:complaints_penaltyruleset_change", args=[v2.pk])
    assert admin_client.get(change).status_code == 200  # viewed, read-only
    refused = admin_client.post(change, {"fine_b": "1"})
    assert refused.status_code == 403
    assert PenaltyRuleSet.objects.get(version=2).fine_b == Decimal("250")


def test_the_admin_refuses_a_version_in_the_past(admin_client):
    past = timezone.localtime(timezone.now() - dt.timedelta(days=1))
    response = admin_client.post(reverse("admin:complaints_penaltyruleset_add"), {
        "effective_from_0": past.strftime("%Y-%m-%d"),
        "effective_from_1": past.strftime("%H:%M:%S"),
        "fine_d": "50", "fine_c": "100", "fine_b": "200", "fine_a": "500",
        "loss_grades": "AB", "sanction_grades": "A", "late_completion_grade": "D",
        "repeat_multiplier": "2", "late_acceptance_per_day": "100", "note": "",
    })
    assert response.status_code == 200
    assert "effective_from" in response.context["adminform"].form.errors
    assert PenaltyRuleSet.objects.count() == 1
