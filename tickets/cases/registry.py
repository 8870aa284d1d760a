"""What the cases package contributes to the kernel (servicedesk.registry)."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, Role
from tickets.cases.api import CaseViewSet
from tickets.cases.models import CaseKind, CaseStatus

registry.api_route("cases", CaseViewSet, basename="case")
registry.enum_name("CaseStatusEnum", CaseStatus.choices)
registry.enum_name("CaseKindEnum", CaseKind.choices)

registry.nav_entry(_("My queue"), "tickets:queue", permission="tickets.add_case", order=110)
registry.nav_entry(_("Cases"), "tickets:cases", permission="tickets.view_case", order=120,
                   area="work")

# Every role sees (its department's) cases and works on them; those who take calls open them.
registry.grant(Role, ["tickets.view_case", "tickets.view_casecategory",
                      "tickets.view_caseevent", "tickets.change_case"])
registry.grant(INTAKE_ROLES, ["tickets.add_case"])
