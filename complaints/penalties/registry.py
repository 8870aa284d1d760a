"""What the penalties package contributes to the kernel (servicedesk.registry) and to the
SLA sweep: the ledger charges complaints from the sweep's breaches."""

from django.utils.translation import gettext_lazy as _

from complaints.penalties.api import PenaltyEntryViewSet, SlaExcuseViewSet
from complaints.penalties.models import EntryState, ExcuseReason, ExcuseState, PenaltyRule
from complaints.penalties.services import crossings_charge
from complaints.penalties.tasks import late_acceptance_requote_task
from servicedesk.registry import registry
from servicedesk.roles import MANAGEMENT_ROLES, Role
from tickets.sla.sweep import crossing_listen

registry.api_route("penalties", PenaltyEntryViewSet, basename="penalty")
registry.api_route("sla-excuses", SlaExcuseViewSet, basename="sla-excuse")
registry.enum_name("PenaltyRuleEnum", PenaltyRule.choices)
registry.enum_name("PenaltyEntryStateEnum", EntryState.choices)
registry.enum_name("SlaExcuseStateEnum", ExcuseState.choices)
registry.enum_name("SlaExcuseReasonEnum", ExcuseReason.choices)

registry.nav_entry(_("Penalty ledger"), "complaints:penalties",
                   permission="complaints.view_penaltyentry", order=440, area="reports")
registry.nav_entry(_("SLA excuses"), "complaints:sla-excuses",
                   permission="complaints.view_slaexcuse", order=450, area="work")

# Late acceptance and late completion are charged from the sweep's breaches, in its
# transaction; a late acceptance still running grows by the day (re-quoted every 10 min).
crossing_listen(crossings_charge)
registry.periodic_job("penalties-late-acceptance", task=late_acceptance_requote_task.name,
                      schedule=600.0, expires=550)

# Everybody sees their own charges (and a supervisor their department's, management all:
# complaints.penalties.selectors.penalties_visible_to); managers waive and adjust;
# supervisors and management export. A supervisor asks to excuse a late clock, management
# decides; only administrators add a version of the rules, which nobody edits.
registry.grant(Role, ["complaints.view_penaltyentry", "complaints.view_penaltyevent"])
registry.grant(MANAGEMENT_ROLES, ["complaints.waive_penaltyentry",
                                  "complaints.change_slaexcuse"])
registry.grant([Role.SUPERVISOR, *MANAGEMENT_ROLES], [
    "complaints.export_penaltyentry", "complaints.view_slaexcuse",
    "complaints.view_penaltyruleset",
])
registry.grant([Role.SUPERVISOR], ["complaints.add_slaexcuse"])
registry.grant([Role.ADMINISTRATOR], ["complaints.add_penaltyruleset"])
