"""Every penalty rule of seed 002 (处罚标准) through the one quote function, table-driven,
with exact Decimal amounts: the grade fines, the loss borne by B and A, the doubling for a
repeat caused by neglect, late completion charged as a D, late acceptance per started
day, the administrative sanction of A."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.penalties.models import PenaltyRuleSet
from complaints.penalties.rules import penalty_quote


def seed_rules() -> PenaltyRuleSet:
    """Version 1 as the data migration seeds it (unsaved: the quote is pure)."""
    return PenaltyRuleSet(
        version=1, fine_d=Decimal("50"), fine_c=Decimal("100"), fine_b=Decimal("200"),
        fine_a=Decimal("500"), loss_grades="AB", sanction_grades="A",
        late_completion_grade="D", repeat_multiplier=2,
        late_acceptance_per_day=Decimal("100"),
    )


def charges(quote):
    return {c.rule: c.amount for c in quote.charges}


@pytest.mark.parametrize(("grade", "loss", "expected", "total", "sanction"), [
    ("D", "0", {"grade_fine": Decimal("50.00")}, Decimal("50.00"), False),
    ("C", "0", {"grade_fine": Decimal("100.00")}, Decimal("100.00"), False),
    ("B", "0", {"grade_fine": Decimal("200.00")}, Decimal("200.00"), False),
    ("A", "0", {"grade_fine": Decimal("500.00")}, Decimal("500.00"), True),
    # B and A bear the economic loss; C and D never do (seed 002 处罚标准 1–4).
    ("B", "2999.99", {"grade_fine": Decimal("200.00"), "economic_loss": Decimal("2999.99")},
     Decimal("3199.99"), False),
    ("A", "5000", {"grade_fine": Decimal("500.00"), "economic_loss": Decimal("5000.00")},
     Decimal("5500.00"), True),
    ("C", "800", {"grade_fine": Decimal("100.00")}, Decimal("100.00"), False),
    ("D", "800", {"grade_fine": Decimal("50.00")}, Decimal("50.00"), False),
])
def test_grade_fine_and_loss(grade, loss, expected, total, sanction):
    """Rule 1: D 50, C 100, B 200 + loss, A 500 + loss + an administrative sanction."""
    quote = penalty_quote(seed_rules(), grade=grade, loss_yuan=Decimal(loss))
    assert charges(quote) == expected
    assert quote.total == total
    assert quote.administrative_sanction is sanction


@pytest.mark.parametrize(("grade", "fine"), [("D", "100.00"), ("C", "200.00"),
                                             ("B", "400.00"), ("A", "1000.00")])
def test_neglect_that_caused_a_repeat_doubles_the_grade_fine_only(grade, fine):
    """Rule 3: the grade fine is doubled; the loss borne is not."""
    quote = penalty_quote(seed_rules(), grade=grade, loss_yuan=Decimal("1000"),
                          repeat_by_neglect=True)
    assert charges(quote)["grade_fine"] == Decimal(fine)
    if grade in "AB":
        assert charges(quote)["economic_loss"] == Decimal("1000.00")


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
def test_late_completion_is_charged_as_a_d_on_top(grade):
    """Rule 2: finished late without a special reason charges 50 (a D's fine) as well."""
    quote = penalty_quote(seed_rules(), grade=grade, completed_late_without_reason=True)
    assert charges(quote)["late_completion"] == Decimal("50.00")
    assert quote.total == seed_rules().fine_for(grade) + Decimal("50")


@pytest.mark.parametrize(("days", "amount"), [(0, None), (1, "100.00"), (2, "200.00"),
                                              (3, "300.00"), (10, "1000.00")])
def test_late_acceptance_is_100_per_started_day(days, amount):
    """Rule 4: 100 yuan per started day late, to whoever should have accepted it."""
    quote = penalty_quote(seed_rules(), grade="", late_acceptance_days=days)
    late = [c for c in quote.charges if c.rule == "late_acceptance"]
    if amount is None:
        assert late == []
    else:
        assert late[0].amount == Decimal(amount)
        assert late[0].bearer == "acceptor"


def test_another_rule_version_changes_the_amounts():
    """The amounts are data: a version with other fines quotes other amounts."""
    rules = seed_rules()
    rules.fine_a, rules.repeat_multiplier = Decimal("800"), 3
    quote = penalty_quote(rules, grade="A", repeat_by_neglect=True)
    assert charges(quote) == {"grade_fine": Decimal("2400.00")}


def test_negative_input_is_refused():
    """A negative loss or number of days is a programming error, never a charge."""
    with pytest.raises(ValueError):
        penalty_quote(seed_rules(), grade="C", loss_yuan=Decimal("-1"))
    with pytest.raises(ValueError):
        penalty_quote(seed_rules(), grade="C", late_acceptance_days=-1)


@given(grade=st.sampled_from("ABCD"),
       loss=st.decimals(min_value=0, max_value=10_000_000, places=2),
       days=st.integers(min_value=0, max_value=400), late=st.booleans(),
       repeat=st.booleans())
def test_the_total_is_the_exact_sum_of_the_charges(grade, loss, days, late, repeat):
    """Money stays Decimal with two places: the total is the sum of the charges, the loss
    is passed on to the fen for B and A, and nothing is ever negative."""
    quote = penalty_quote(seed_rules(), grade=grade, loss_yuan=loss,
                          late_acceptance_days=days, completed_late_without_reason=late,
                          repeat_by_neglect=repeat)
    assert quote.total == sum(c.amount for c in quote.charges)
    assert all(c.amount >= 0 and c.amount.as_tuple().exponent == -2 for c in quote.charges)
    borne = charges(quote).get("economic_loss")
    assert borne == (loss if grade in "AB" and loss > 0 else None)
