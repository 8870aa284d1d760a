"""The registry the apps fill at ready(): their entries reach the kernel's navigation, API,
role groups, beat schedule, health page and schema names without the kernel naming them."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from drf_spectacular.settings import spectacular_settings

from servicedesk.registry import RegistryConflict, registry
from servicedesk.roles import Role, group_name, role_permissions, roles_sync_groups
from servicedesk.selectors import navigation_for
from tests.factories import StaffFactory


@pytest.fixture
def scratch_registry():
    """Registrations made by the test are forgotten afterwards."""
    saved = registry.snapshot()
    yield registry
    registry.restore(saved)


def _nav_urls(user) -> list[str]:
    return [item.url for item in navigation_for(user=user)]


@pytest.mark.django_db
def test_the_apps_menu_entries_sit_between_the_kernels_in_their_order():
    user = StaffFactory(role=Role.ADMINISTRATOR).user
    assert _nav_urls(user) == [reverse(name) for name in [
        "home", "tickets:incoming", "tickets:queue", "tickets:cases", "complaints:list",
        "tickets:registrations",
        "reporting:sla", "tickets:exports", "tickets:feedback-filings", "tickets:delay-filings",
        "complaints:penalties", "complaints:sla-excuses", "complaints:person-checks",
        "org", "calendars", "health", "admin:index",
    ]]


@pytest.mark.django_db
def test_a_registered_menu_entry_shows_to_holders_of_its_permission_only(scratch_registry):
    scratch_registry.nav_entry("Notifications", "notifications",
                               permission="servicedesk.view_system_health", order=905)
    supervisor = StaffFactory(role=Role.SUPERVISOR).user
    urls = _nav_urls(supervisor)
    assert urls.index(reverse("org")) + 1 == urls.index(reverse("notifications"))
    assert urls.index(reverse("notifications")) + 1 == urls.index(reverse("calendars"))
    assert reverse("notifications") not in _nav_urls(StaffFactory(role=Role.TIER1).user)


def test_the_apps_api_routes_and_includes_are_under_api_v1():
    assert {route.prefix for route in registry.api_routes()} >= {
        "customers", "cases", "contacts", "registrations", "feedback-filings", "delay-filings"}
    assert reverse("case-list") == "/api/v1/cases/"
    assert reverse("delay-filing-list") == "/api/v1/delay-filings/"
    assert reverse("api-sla-dashboard") == "/api/v1/reporting/sla-dashboard/"
    assert reverse("notification-list") == "/api/v1/me/notifications/"


def test_the_apps_pages_are_included_under_their_prefix():
    assert {(pages.prefix, pages.urlconf) for pages in registry.page_includes()} >= {
        ("tickets/", "tickets.urls"), ("reporting/", "reporting.urls")}
    assert reverse("tickets:queue") == "/tickets/queue/"
    assert reverse("reporting:sla") == "/reporting/sla/"


def test_role_permissions_add_the_apps_grants_to_the_kernels_own():
    permissions = role_permissions()
    assert "reporting.view_sla_dashboard" in permissions[Role.TEAM_LEAD]
    assert "reporting.view_sla_dashboard" not in permissions[Role.TIER1]
    assert "tickets.add_case" in permissions[Role.TIER1]
    assert "tickets.add_case" not in permissions[Role.MANAGER]
    assert "tickets.export_case" in permissions[Role.SUPERVISOR]
    assert "tickets.export_case" not in permissions[Role.SHIFT_LEAD]
    assert "tickets.change_customerregistration" in permissions[Role.GENERAL_MANAGER]
    assert "tickets.view_customerregistration" not in permissions[Role.MANAGER]
    assert "servicedesk.view_system_health" in permissions[Role.SUPERVISOR]


@pytest.mark.django_db
def test_a_registered_grant_reaches_the_role_group(scratch_registry):
    scratch_registry.grant([Role.TIER1], ["servicedesk.view_system_health"])
    roles_sync_groups(group_model=Group, permission_model=Permission)
    group = Group.objects.get(name=group_name(Role.TIER1))
    assert group.permissions.filter(codename="view_system_health").exists()


def test_a_grant_to_an_unknown_role_is_refused(scratch_registry):
    scratch_registry.grant(["janitor"], ["servicedesk.view_team"])
    with pytest.raises(Exception, match="janitor"):
        role_permissions()


def test_the_beat_schedule_holds_the_kernels_and_the_apps_jobs_by_name(scratch_registry):
    assert set(settings.CELERY_BEAT_SCHEDULE) == {
        "heartbeat", "idempotency-keys-purge", "registrations-expire", "sla-sweep",
        "person-checks", "penalties-late-acceptance"}
    assert settings.CELERY_BEAT_SCHEDULE["sla-sweep"] == {
        "task": "tickets.sla.tasks.sla_sweep_task", "schedule": 60.0,
        "options": {"expires": 55}}
    scratch_registry.periodic_job("nightly", task="x.tasks.nightly_task", schedule=86400.0,
                                  expires=3600)
    assert "nightly" in settings.CELERY_BEAT_SCHEDULE


def test_the_health_page_watches_the_jobs_the_apps_name():
    assert registry.watched_jobs() == {"sla-sweep": 180}


def test_the_apps_name_their_shared_choice_sets_in_the_schema():
    assert set(spectacular_settings.ENUM_NAME_OVERRIDES) == {
        "CaseStatusEnum", "CaseKindEnum", "FeedbackKindEnum", "FeedbackStatusEnum",
        "DelayStatusEnum", "DelayNoticeStatusEnum", "CompensationKindEnum",
        "RegistrationStatusEnum", "RegistrationActionEnum", "PersonCheckStateEnum",
        "ComplaintStateEnum", "ComplaintSourceEnum", "ComplaintProcedureEnum",
        "ComplaintEmotionEnum", "ComplaintImpactEnum", "ComplaintTemperamentEnum",
        "ComplaintVerdictEnum", "ComplaintSatisfactionEnum", "ProposalResponseEnum",
        "GradeRecordKindEnum", "SuggestedGradeEnum", "PenaltyRuleEnum",
        "PenaltyEntryStateEnum", "SlaExcuseStateEnum", "SlaExcuseReasonEnum"}


def test_registering_the_same_entry_twice_is_harmless_and_a_different_one_is_refused(
    scratch_registry,
):
    route = next(r for r in registry.api_routes() if r.prefix == "cases")
    scratch_registry.api_route("cases", route.viewset, basename="case")
    with pytest.raises(RegistryConflict):
        scratch_registry.api_route("cases", route.viewset, basename="other-case")
    with pytest.raises(RegistryConflict):
        scratch_registry.nav_entry("Queue", "tickets:queue", permission=None, order=1)


def test_the_complaints_app_registers_the_flow_that_owns_its_cases(scratch_registry):
    """The tickets app learns which cases another flow moves only from the registry: the
    complaint flow (its page per case), registered once; a second, different flow under
    the same name is refused."""
    flows = {flow.name: flow for flow in registry.case_flows()}
    assert set(flows) == {"complaint"}
    flow = flows["complaint"]
    assert "%(url)s" in str(flow.refusal)
    scratch_registry.case_flow("complaint", pages=flow.pages, link=flow.link,
                               refusal=flow.refusal)
    with pytest.raises(RegistryConflict):
        scratch_registry.case_flow("complaint", pages=lambda ids: {}, link=flow.link,
                                   refusal=flow.refusal)
