"""Use cases of complaints that write (seed 002 投诉流程管理制度): filing with the grade from
the facts (`intake`), the handling steps and the re-grade (`steps`); what they share
(`common`). Import them from here."""

from complaints.handling.services.common import ComplaintConflict
from complaints.handling.services.intake import complaint_file, loss_parse
from complaints.handling.services.steps import (
    complaint_close,
    complaint_dispatch,
    complaint_escalate,
    complaint_follow_up,
    complaint_interim,
    complaint_propose,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)

__all__ = [
    "ComplaintConflict",
    "complaint_close",
    "complaint_dispatch",
    "complaint_escalate",
    "complaint_file",
    "complaint_follow_up",
    "complaint_interim",
    "complaint_propose",
    "complaint_regrade",
    "complaint_resolve",
    "complaint_verdict",
    "loss_parse",
]
