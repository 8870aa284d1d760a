"""What the customers package contributes to the kernel (servicedesk.registry)."""

from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, Role
from tickets.customers.api import CustomerViewSet

registry.api_route("customers", CustomerViewSet, basename="customer")

# Every role looks customers up; those who take calls also register and correct them.
registry.grant(Role, ["tickets.view_customer"])
registry.grant(INTAKE_ROLES, ["tickets.add_customer", "tickets.change_customer"])
