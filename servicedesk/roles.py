"""Staff roles (domain.md, "People and roles") and the permission group each one gets.

The groups are created by a data migration and kept in step by `roles_sync_groups`, so an
administrator sees one group per role in the admin and can tune it there.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TIER1 = "tier1", _("Tier-1 agent")
    TIER2 = "tier2", _("Tier-2 agent")
    PUBLIC_OPINION = "public_opinion", _("Public-opinion desk")
    MAJOR_SAFETY = "major_safety", _("Major-safety desk")
    TEAM_LEAD = "team_lead", _("Team lead")
    SHIFT_LEAD = "shift_lead", _("Shift lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    GENERAL_MANAGER = "general_manager", _("General manager")
    ADMINISTRATOR = "administrator", _("Administrator")


AGENT_ROLES = frozenset({Role.TIER1, Role.TIER2, Role.PUBLIC_OPINION, Role.MAJOR_SAFETY})
FLOOR_LEAD_ROLES = frozenset({Role.TEAM_LEAD, Role.SHIFT_LEAD})
MANAGEMENT_ROLES = frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMINISTRATOR})

# Permissions ("app_label.codename") each role's group carries. Later apps add theirs here
# and in a data migration that calls roles_sync_groups.
_SEE_ORG = ["servicedesk.view_department", "servicedesk.view_team", "servicedesk.view_company"]
_SEE_CALENDARS = ["servicedesk.view_businesscalendar", "servicedesk.view_officialday"]
_LEAD = [*_SEE_ORG, *_SEE_CALENDARS, "servicedesk.view_staffprofile"]
_HEALTH = ["servicedesk.view_system_health"]
_PERSONAL_DATA = ["servicedesk.view_personal_data"]
_SLA_DASHBOARD = ["reporting.view_sla_dashboard"]
_SEE_CUSTOMERS = ["tickets.view_customer"]
# Bulk export (CSV / Excel) of the lists a role sees, masked as on the page unless the role
# also holds view_personal_data. Agents and floor leads do not bulk-export.
_EXPORT = ["tickets.export_customer", "tickets.export_case", "tickets.export_contact"]
_SEE_CASES = [
    "tickets.view_case",
    "tickets.view_casecategory",
    "tickets.view_caseevent",
    "tickets.view_contact",
]
# 问题与需求、意见与建议报备 and 延期报备: seen and worked on (hand over, follow up, notify,
# deliver, compensate) by whoever sees the department's cases. Who reviews and approves a
# delay is decided by role in tickets.filings.selectors, not by a permission.
_FILINGS = [
    "tickets.view_feedbackfiling",
    "tickets.change_feedbackfiling",
    "tickets.view_feedbackevent",
    "tickets.view_delayfiling",
    "tickets.change_delayfiling",
    "tickets.view_delayevent",
]
_INTAKE = [
    *_SEE_CUSTOMERS,
    "tickets.add_customer",
    "tickets.change_customer",
    *_SEE_CASES,
    "tickets.add_case",
    "tickets.change_case",
    "tickets.add_contact",
    "tickets.view_customerregistration",
    "tickets.add_customerregistration",
    *_FILINGS,
    "tickets.add_feedbackfiling",
    "tickets.add_delayfiling",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TIER1: [*_SEE_CALENDARS, *_INTAKE],
    Role.TIER2: [*_SEE_CALENDARS, *_PERSONAL_DATA, *_INTAKE],
    Role.PUBLIC_OPINION: [*_SEE_CALENDARS, *_PERSONAL_DATA, *_INTAKE],
    Role.MAJOR_SAFETY: [*_SEE_CALENDARS, *_PERSONAL_DATA, *_INTAKE],
    Role.TEAM_LEAD: [*_LEAD, *_INTAKE, *_SLA_DASHBOARD],
    Role.SHIFT_LEAD: [*_LEAD, *_INTAKE, *_SLA_DASHBOARD],
    Role.SUPERVISOR: [*_LEAD, *_PERSONAL_DATA, *_HEALTH, *_INTAKE, *_EXPORT, *_SLA_DASHBOARD],
    Role.MANAGER: [*_LEAD, *_PERSONAL_DATA, *_HEALTH, *_SEE_CUSTOMERS, *_SEE_CASES,
                   "tickets.change_case", *_EXPORT, *_FILINGS, *_SLA_DASHBOARD],
    Role.GENERAL_MANAGER: [*_LEAD, *_PERSONAL_DATA, *_HEALTH, *_SEE_CUSTOMERS, *_SEE_CASES,
                           "tickets.change_case", "tickets.view_customerregistration",
                           "tickets.change_customerregistration", *_EXPORT, *_FILINGS,
                           *_SLA_DASHBOARD],
    Role.ADMINISTRATOR: [
        *_LEAD,
        *_SLA_DASHBOARD,
        *_INTAKE,
        *_PERSONAL_DATA,
        *_HEALTH,
        *_EXPORT,
        "servicedesk.view_exportlog",
        "servicedesk.add_department",
        "servicedesk.change_department",
        "servicedesk.add_team",
        "servicedesk.change_team",
        "servicedesk.add_staffprofile",
        "servicedesk.change_staffprofile",
        "servicedesk.add_businesscalendar",
        "servicedesk.change_businesscalendar",
        "servicedesk.add_officialday",
        "servicedesk.change_officialday",
        "servicedesk.delete_officialday",
        "servicedesk.add_officialyear",
        "servicedesk.change_officialyear",
        "servicedesk.view_officialyear",
    ],
}


def group_name(role: str) -> str:
    """The permission group of a role is named after its code, e.g. `role:supervisor`."""
    return f"role:{role}"


def roles_sync_groups(
    *, group_model, permission_model, strict: bool = True
) -> None:
    """Create one group per role and add the role's permissions to it. Idempotent and
    additive: permissions an administrator added to a group in the admin stay.

    Data migrations pass their historical models and strict=False (a permission of an app
    migrated later is added by the post_migrate run, which is strict).
    """
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name(role))
        wanted = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        found = list(permission_model.objects.filter(wanted).select_related("content_type"))
        missing = set(perms) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        if missing and strict:
            raise LookupError(f"Role {role} names unknown permissions: {sorted(missing)}")
        group.permissions.add(*found)
