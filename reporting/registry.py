"""What reporting contributes to the kernel (servicedesk.registry), imported by
ReportingConfig.ready(): its pages and API, the SLA dashboard's menu entry and who may see it."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry
from servicedesk.roles import FLOOR_LEAD_ROLES, MANAGEMENT_ROLES, Role

registry.page_urls("reporting/", "reporting.urls")
registry.api_urls("reporting/", "reporting.api_urls")

registry.nav_entry(_("SLA dashboard"), "reporting:sla",
                   permission="reporting.view_sla_dashboard", order=200, area="reports")

# Floor leads, supervisors and management watch the live SLA dashboard.
registry.grant([*FLOOR_LEAD_ROLES, Role.SUPERVISOR, *MANAGEMENT_ROLES],
               ["reporting.view_sla_dashboard"])
