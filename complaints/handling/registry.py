"""What the handling package contributes to the kernel (servicedesk.registry): the
complaints API, the schema names of its choice sets and the role grants."""

from django.utils.translation import gettext_lazy as _

from complaints.handling.api import SUGGESTED_GRADE_CHOICES, ComplaintViewSet
from complaints.handling.models import (
    Emotion,
    GradeRecordKind,
    Impact,
    Procedure,
    ProposalResponse,
    Satisfaction,
    Source,
    State,
    Temperament,
    Verdict,
)
from complaints.handling.selectors import CASE_FLOW, complaint_pages_of_cases
from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, MANAGEMENT_ROLES, Role

registry.api_route("complaints", ComplaintViewSet, basename="complaint")
registry.enum_name("ComplaintStateEnum", State.choices)
registry.enum_name("ComplaintSourceEnum", Source.choices)
registry.enum_name("ComplaintProcedureEnum", Procedure.choices)
registry.enum_name("ComplaintEmotionEnum", Emotion.choices)
registry.enum_name("ComplaintImpactEnum", Impact.choices)
registry.enum_name("ComplaintTemperamentEnum", Temperament.choices)
registry.enum_name("ComplaintVerdictEnum", Verdict.choices)
registry.enum_name("ComplaintSatisfactionEnum", Satisfaction.choices)
registry.enum_name("ProposalResponseEnum", ProposalResponse.choices)
registry.enum_name("GradeRecordKindEnum", GradeRecordKind.choices)
registry.enum_name("SuggestedGradeEnum", SUGGESTED_GRADE_CHOICES)

# Every role sees (its departments') complaints with their records; those who take calls
# file them and may choose another grade than the suggestion (with a reason); management
# closes them. Every other step is decided by role and department in
# complaints.handling.selectors, not by a permission. Complaint types are admin data.
registry.grant(Role, [
    "complaints.view_complaint",
    "complaints.view_complainttype",
    "complaints.view_graderecord",
    "complaints.view_proposal",
    "complaints.view_followup",
])
registry.grant(INTAKE_ROLES, ["complaints.add_complaint", "complaints.grade_complaint"])
registry.grant(MANAGEMENT_ROLES, ["complaints.grade_complaint",
                                  "complaints.close_complaint"])
registry.grant([Role.ADMINISTRATOR], ["complaints.add_complainttype",
                                      "complaints.change_complainttype"])

# The complaint pages (complaints/urls.py): the list in the case-work menu.
registry.nav_entry(_("Complaints"), "complaints:list", permission="complaints.view_complaint",
                   order=125, area="work")

# A complaint's case moves only through the complaint's steps: the case page and the cases
# API refuse its status changes and feedback, pointing to the complaint page.
registry.case_flow(
    CASE_FLOW, pages=complaint_pages_of_cases, link=_("Complaint record"),
    refusal=_("This case belongs to a complaint: it moves only through the complaint's "
              "steps. Take the step on the complaint's page: %(url)s"),
)
