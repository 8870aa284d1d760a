"""Staff roles (domain.md, "People and roles") and the permission group each one gets.

The groups are created by a data migration and kept in step by `roles_sync_groups`, so an
administrator sees one group per role in the admin and can tune it there.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry


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

# Who takes calls and opens cases on the floor: the agents, their leads, supervisors and
# administrators (who stand in for any of them). Managers and the general manager oversee.
INTAKE_ROLES = AGENT_ROLES | FLOOR_LEAD_ROLES | {Role.SUPERVISOR, Role.ADMINISTRATOR}

# The kernel's own permissions ("app_label.codename") each role's group carries. Every app
# grants its own from its AppConfig.ready() through `servicedesk.registry.registry.grant`;
# `role_permissions()` is the sum.
_SEE_ORG = ["servicedesk.view_department", "servicedesk.view_team", "servicedesk.view_company"]
_SEE_CALENDARS = ["servicedesk.view_businesscalendar", "servicedesk.view_officialday"]
_LEAD = [*_SEE_ORG, *_SEE_CALENDARS, "servicedesk.view_staffprofile"]
_HEALTH = ["servicedesk.view_system_health"]
_PERSONAL_DATA = ["servicedesk.view_personal_data"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TIER1: [*_SEE_CALENDARS],
    Role.TIER2: [*_SEE_CALENDARS, *_PERSONAL_DATA],
    Role.PUBLIC_OPINION: [*_SEE_CALENDARS, *_PERSONAL_DATA],
    Role.MAJOR_SAFETY: [*_SEE_CALENDARS, *_PERSONAL_DATA],
    Role.TEAM_LEAD: [*_LEAD],
    Role.SHIFT_LEAD: [*_LEAD],
    Role.SUPERVISOR: [*_LEAD, *_PERSONAL_DATA, *_HEALTH],
    Role.MANAGER: [*_LEAD, *_PERSONAL_DATA, *_HEALTH],
    Role.GENERAL_MANAGER: [*_LEAD, *_PERSONAL_DATA, *_HEALTH],
    Role.ADMINISTRATOR: [
        *_LEAD,
        *_PERSONAL_DATA,
        *_HEALTH,
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


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions: the kernel's own (ROLE_PERMISSIONS) followed by those the
    apps granted through the registry."""
    granted = registry.grants()
    unknown = set(granted) - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(f"Permissions granted to unknown roles: {sorted(unknown)}")
    return {
        role: list(dict.fromkeys([*ROLE_PERMISSIONS[role], *granted.get(role, [])]))
        for role in Role
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
    for role, perms in role_permissions().items():
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
