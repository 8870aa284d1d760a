"""What the filings package contributes to the kernel (servicedesk.registry)."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry
from servicedesk.roles import INTAKE_ROLES, Role
from tickets.filings.api.delays import DelayFilingViewSet
from tickets.filings.api.feedback import FeedbackFilingViewSet
from tickets.filings.models import (
    CompensationKind,
    DelayNoticeStatus,
    DelayStatus,
    FeedbackKind,
    FeedbackStatus,
)

registry.api_route("feedback-filings", FeedbackFilingViewSet, basename="feedback-filing")
registry.api_route("delay-filings", DelayFilingViewSet, basename="delay-filing")
registry.enum_name("FeedbackKindEnum", FeedbackKind.choices)
registry.enum_name("FeedbackStatusEnum", FeedbackStatus.choices)
registry.enum_name("DelayStatusEnum", DelayStatus.choices)
registry.enum_name("DelayNoticeStatusEnum", DelayNoticeStatus.choices)
registry.enum_name("CompensationKindEnum", CompensationKind.choices)

registry.nav_entry(_("Feedback filings"), "tickets:feedback-filings",
                   permission="tickets.view_feedbackfiling", order=310, area="work")
registry.nav_entry(_("Delay filings"), "tickets:delay-filings",
                   permission="tickets.view_delayfiling", order=320, area="work")

# 问题与需求、意见与建议报备 and 延期报备: seen and worked on (hand over, follow up, notify,
# deliver, compensate) by whoever sees the department's cases, filed by those who take
# calls. Who reviews and approves a delay is decided by role in tickets.filings.selectors,
# not by a permission.
registry.grant(Role, [
    "tickets.view_feedbackfiling",
    "tickets.change_feedbackfiling",
    "tickets.view_feedbackevent",
    "tickets.view_delayfiling",
    "tickets.change_delayfiling",
    "tickets.view_delayevent",
])
registry.grant(INTAKE_ROLES, ["tickets.add_feedbackfiling", "tickets.add_delayfiling"])
