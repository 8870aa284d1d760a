"""What the exports package contributes to the kernel (servicedesk.registry)."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry
from servicedesk.roles import MANAGEMENT_ROLES, Role

registry.nav_entry(_("Exports"), "tickets:exports", permission="tickets.export_case",
                   order=300, area="reports")

# Bulk export (CSV / Excel) of the lists a role sees, masked as on the page unless the role
# also holds view_personal_data. Agents and floor leads do not bulk-export.
registry.grant([Role.SUPERVISOR, *MANAGEMENT_ROLES],
               ["tickets.export_customer", "tickets.export_case", "tickets.export_contact"])
