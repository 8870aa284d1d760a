"""What the person-check package contributes to the kernel (servicedesk.registry): its API
routes, its page in the navigation, who reads the checks, and the hourly job."""

from django.utils.translation import gettext_lazy as _

from complaints.checks.api import PersonCheckViewSet
from complaints.checks.models import CheckState
from complaints.checks.tasks import person_checks_task
from servicedesk.registry import registry
from servicedesk.roles import MANAGEMENT_ROLES, Role

registry.api_route("person-checks", PersonCheckViewSet, basename="person-check")
registry.enum_name("PersonCheckStateEnum", CheckState.choices)

# Supervisors and above find the page in the menu; a flagged person reaches their own check
# from the notice they get (the page shows anybody the checks they may see).
registry.nav_entry(_("Person checks"), "complaints:person-checks",
                   permission="complaints.view_personmonthcheck", order=460, area="work")
registry.grant([Role.SUPERVISOR, *MANAGEMENT_ROLES],
               ["complaints.view_personmonthcheck", "complaints.view_personmonthcheckevent"])

# Hourly, for the current and the previous month: cheap (one grouped count per month) and
# idempotent, so a person is flagged within the hour of reaching the threshold.
registry.periodic_job("person-checks", task=person_checks_task.name, schedule=3600.0,
                      expires=3000)
