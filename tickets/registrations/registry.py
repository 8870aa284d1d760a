"""What the registrations package contributes to the kernel (servicedesk.registry)."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, Role
from tickets.registrations.api import RegistrationViewSet
from tickets.registrations.models import RegistrationStatus
from tickets.registrations.selectors import REGISTRATION_ACTIONS
from tickets.registrations.tasks import registration_expire_task

registry.api_route("registrations", RegistrationViewSet, basename="registration")
registry.enum_name("RegistrationStatusEnum", RegistrationStatus.choices)
registry.enum_name("RegistrationActionEnum", REGISTRATION_ACTIONS)

registry.nav_entry(_("Customer registrations"), "tickets:registrations",
                   permission="tickets.view_customerregistration", order=130,
                   area="work")

registry.periodic_job("registrations-expire", task=registration_expire_task.name,
                      schedule=60.0, expires=55)

# Those who take calls file registrations; the general manager sees them and decides.
registry.grant([*INTAKE_ROLES, Role.GENERAL_MANAGER], ["tickets.view_customerregistration"])
registry.grant(INTAKE_ROLES, ["tickets.add_customerregistration"])
registry.grant([Role.GENERAL_MANAGER], ["tickets.change_customerregistration"])
