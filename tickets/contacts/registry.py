"""What the contacts package contributes to the kernel (servicedesk.registry)."""

from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, Role
from tickets.contacts.api import ContactViewSet

registry.api_route("contacts", ContactViewSet, basename="contact")

# Every role reads the contact log; those who take calls write it.
registry.grant(Role, ["tickets.view_contact"])
registry.grant(INTAKE_ROLES, ["tickets.add_contact"])
