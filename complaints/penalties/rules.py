"""The penalty rules of seed 002 (处罚标准 1–6) as one pure function over a rule set: the
same code gives the quote endpoint, the closing page's preview and the ledger's entries.

1. The grade fine to the responsible person: D 50, C 100, B 200, A 500 (a rule set's
   amounts); B and A also bear the economic loss; A carries an administrative sanction.
2. Finished late without a special reason: the responsible person is charged the fine of
   a D complaint as well.
3. Neglect that caused a second complaint: the grade fine (1) is multiplied (doubled).
4. Accepted late: 100 per started day late, to the person who should have accepted it.

All amounts are Decimal yuan with two places; nothing is a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from complaints.penalties.models import PenaltyRule, PenaltyRuleSet

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Charge:
    rule: str  # a PenaltyRule value
    amount: Decimal
    administrative_sanction: bool = False
    # Who bears it: "responsible" (the complaint's responsible person) or "acceptor" (whoever
    # should have accepted it).
    bearer: str = "responsible"
    detail: dict | None = None


@dataclass(frozen=True)
class Quote:
    charges: tuple[Charge, ...]
    rule_set: PenaltyRuleSet

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00")).quantize(CENT)

    @property
    def administrative_sanction(self) -> bool:
        return any(c.administrative_sanction for c in self.charges)


def penalty_quote(
    rules: PenaltyRuleSet,
    *,
    grade: str,
    loss_yuan: Decimal = Decimal("0"),
    late_acceptance_days: int = 0,
    completed_late_without_reason: bool = False,
    repeat_by_neglect: bool = False,
) -> Quote:
    """What a complaint of `grade` charges under `rules`. `grade` may be "" (no verdict yet:
    only the late-acceptance charge applies)."""
    if late_acceptance_days < 0:
        raise ValueError("late_acceptance_days must be >= 0")
    if loss_yuan < 0:
        raise ValueError("loss_yuan must be >= 0")
    charges: list[Charge] = []
    if grade:
        fine = rules.fine_for(grade)
        multiplier = rules.repeat_multiplier if repeat_by_neglect else 1
        charges.append(Charge(
            PenaltyRule.GRADE_FINE, (fine * multiplier).quantize(CENT),
            administrative_sanction=grade in rules.sanction_grades,
            detail={"grade": grade, "fine": str(fine), "multiplier": multiplier},
        ))
        if grade in rules.loss_grades and loss_yuan > 0:
            charges.append(Charge(PenaltyRule.ECONOMIC_LOSS, loss_yuan.quantize(CENT),
                                  detail={"loss_yuan": str(loss_yuan)}))
        if completed_late_without_reason:
            charges.append(Charge(
                PenaltyRule.LATE_COMPLETION,
                rules.fine_for(rules.late_completion_grade).quantize(CENT),
                detail={"as_grade": rules.late_completion_grade},
            ))
    if late_acceptance_days > 0:
        charges.append(Charge(
            PenaltyRule.LATE_ACCEPTANCE,
            (rules.late_acceptance_per_day * late_acceptance_days).quantize(CENT),
            bearer="acceptor",
            detail={"days": late_acceptance_days,
                    "per_day": str(rules.late_acceptance_per_day)},
        ))
    return Quote(tuple(charges), rules)
