"""The grading rule of seed 002 (投诉的界定): the suggested grade is the most severe level
any criterion reaches. Pure: no database, the same code behind the intake form's live
grade, the grade-preview endpoint and the intake service.

| grade | reached by |
|---|---|
| A | procedure `serious`, emotion `extreme`, loss ≥ 3000 yuan (以上 includes 3000), impact `wide` |
| B | procedure `careless`, emotion `strong`, 0 < loss < 3000, impact `some` |
| C | nothing of the above (calm customer, no loss, no impact) |

D is never suggested: it comes only from the department's "invalid" verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from complaints.handling.models import Emotion, Grade, Impact, Procedure
from servicedesk.types import StrOrPromise

# 3000 yuan or more is an A loss (seed 002: 3000 元以上; 以上 includes the bound).
A_LOSS_FROM = Decimal("3000")
# The model's column holds 12 digits, two of them decimals.
LOSS_LIMIT = Decimal("10000000000")

# Severity of each grade the criteria can reach (higher is more severe).
_SEVERITY = {Grade.C: 0, Grade.B: 1, Grade.A: 2}


@dataclass(frozen=True)
class Criteria:
    procedure: str
    emotion: str
    loss_yuan: Decimal
    impact: str

    def as_json(self) -> dict[str, str]:
        return {"procedure": self.procedure, "emotion": self.emotion,
                "loss_yuan": str(self.loss_yuan), "impact": self.impact}


@dataclass(frozen=True)
class Reason:
    """One criterion that reached a grade: its field, the grade and the words for it."""

    field: str
    grade: str
    text: StrOrPromise


@dataclass(frozen=True)
class Suggestion:
    grade: str
    reasons: tuple[Reason, ...]  # the criteria that reached `grade` (empty for C)


def grade_suggest(criteria: Criteria) -> Suggestion:
    """The most severe grade any criterion reaches, with the criteria that reach it.
    The criteria must be valid levels and a loss ≥ 0 (see `criteria_errors`)."""
    reached: list[Reason] = []
    if criteria.procedure == Procedure.SERIOUS:
        reached.append(Reason("procedure", Grade.A, _("Serious breach of procedure")))
    elif criteria.procedure == Procedure.CARELESS:
        reached.append(Reason("procedure", Grade.B,
                              _("Breach of procedure or carelessness")))
    if criteria.emotion == Emotion.EXTREME:
        reached.append(Reason("emotion", Grade.A, _("Customer's emotion extremely strong")))
    elif criteria.emotion == Emotion.STRONG:
        reached.append(Reason("emotion", Grade.B, _("Customer's emotion strong")))
    if criteria.loss_yuan >= A_LOSS_FROM:
        reached.append(Reason("loss_yuan", Grade.A,
                              _("Economic loss of 3000 yuan or more")))
    elif criteria.loss_yuan > 0:
        reached.append(Reason("loss_yuan", Grade.B, _("Economic loss under 3000 yuan")))
    if criteria.impact == Impact.WIDE:
        reached.append(Reason("impact", Grade.A, _("Wide negative impact on the image")))
    elif criteria.impact == Impact.SOME:
        reached.append(Reason("impact", Grade.B, _("Some negative impact on the image")))
    if not reached:
        return Suggestion(Grade.C, ())
    top = max(reached, key=lambda r: _SEVERITY[Grade(r.grade)]).grade
    return Suggestion(top, tuple(r for r in reached if r.grade == top))


def criteria_errors(*, procedure: str, emotion: str, loss_yuan: Decimal | None,
                    impact: str) -> dict[str, StrOrPromise]:
    """Field errors of the four criteria (empty when they can be graded)."""
    errors: dict[str, StrOrPromise] = {}
    if procedure not in Procedure.values:
        errors["procedure"] = _("Choose how the procedure was followed.")
    if emotion not in Emotion.values:
        errors["emotion"] = _("Choose the customer's emotion.")
    if impact not in Impact.values:
        errors["impact"] = _("Choose the impact on the company's image.")
    if loss_yuan is None:
        errors["loss_yuan"] = _("Enter the economic loss in yuan (0 when there is none).")
    elif not loss_yuan.is_finite() or loss_yuan < 0:
        errors["loss_yuan"] = _("The economic loss cannot be negative.")
    elif loss_yuan >= LOSS_LIMIT:  # before quantize(): 1E+30 has no two-decimal form
        errors["loss_yuan"] = _("The economic loss is too large.")
    elif loss_yuan != loss_yuan.quantize(Decimal("0.01")):
        errors["loss_yuan"] = _("Give the loss in yuan with at most two decimals.")
    return errors
