"""The grading rule of seed 002 (投诉的界定), table-driven: each criterion at each level
alone, ties between criteria, the loss at its edges (0, 2999.99, 3000, 3000.01), and a
hypothesis property: the suggestion is the most severe level any criterion reaches, and
never D. Also the criteria's field errors."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.handling.grading import Criteria, criteria_errors, grade_suggest

CALM = {"procedure": "none", "emotion": "calm", "loss_yuan": Decimal("0"), "impact": "none"}


def suggest(**changes):
    return grade_suggest(Criteria(**{**CALM, **changes}))


@pytest.mark.parametrize(("field", "value", "grade"), [
    ("procedure", "none", "C"),
    ("procedure", "careless", "B"),
    ("procedure", "serious", "A"),
    ("emotion", "calm", "C"),
    ("emotion", "strong", "B"),
    ("emotion", "extreme", "A"),
    ("impact", "none", "C"),
    ("impact", "some", "B"),
    ("impact", "wide", "A"),
    ("loss_yuan", Decimal("0"), "C"),
    ("loss_yuan", Decimal("0.01"), "B"),
    ("loss_yuan", Decimal("2999.99"), "B"),
    ("loss_yuan", Decimal("3000"), "A"),
    ("loss_yuan", Decimal("3000.00"), "A"),
    ("loss_yuan", Decimal("3000.01"), "A"),
    ("loss_yuan", Decimal("5000"), "A"),
])
def test_each_criterion_alone_reaches_its_grade(field, value, grade):
    """Each criterion at each level, the others calm: C when nothing is reached, B for
    careless / strong / 0 < loss < 3000 / some, A for serious / extreme / loss ≥ 3000
    (以上 includes 3000) / wide."""
    suggestion = suggest(**{field: value})
    assert suggestion.grade == grade
    if grade == "C":
        assert suggestion.reasons == ()
    else:
        assert [(r.field, r.grade) for r in suggestion.reasons] == [(field, grade)]


@pytest.mark.parametrize(("changes", "grade", "fields"), [
    ({"procedure": "careless", "emotion": "strong"}, "B", ["procedure", "emotion"]),
    ({"procedure": "careless", "emotion": "extreme"}, "A", ["emotion"]),
    ({"impact": "wide", "loss_yuan": Decimal("3000")}, "A", ["loss_yuan", "impact"]),
    ({"impact": "some", "loss_yuan": Decimal("2999.99"), "emotion": "strong",
      "procedure": "careless"}, "B", ["procedure", "emotion", "loss_yuan", "impact"]),
    ({"procedure": "serious", "emotion": "extreme", "loss_yuan": Decimal("9999"),
      "impact": "wide"}, "A", ["procedure", "emotion", "loss_yuan", "impact"]),
    ({"procedure": "serious", "impact": "some"}, "A", ["procedure"]),
])
def test_ties_name_every_criterion_at_the_top_grade(changes, grade, fields):
    """The most severe level wins; the reasons are the criteria that reach it (all of them
    on a tie), never those below it."""
    suggestion = suggest(**changes)
    assert suggestion.grade == grade
    assert [r.field for r in suggestion.reasons] == fields
    assert {r.grade for r in suggestion.reasons} == {grade}


SEVERITY = {"C": 0, "B": 1, "A": 2}
LEVEL = {
    "procedure": {"none": "C", "careless": "B", "serious": "A"},
    "emotion": {"calm": "C", "strong": "B", "extreme": "A"},
    "impact": {"none": "C", "some": "B", "wide": "A"},
}


def _loss_grade(loss: Decimal) -> str:
    return "A" if loss >= 3000 else "B" if loss > 0 else "C"


@given(
    procedure=st.sampled_from(list(LEVEL["procedure"])),
    emotion=st.sampled_from(list(LEVEL["emotion"])),
    impact=st.sampled_from(list(LEVEL["impact"])),
    loss=st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2,
                     allow_nan=False, allow_infinity=False),
)
def test_the_suggestion_is_the_most_severe_criterion_and_never_d(procedure, emotion, impact,
                                                                  loss):
    """Property: for any valid criteria the suggestion is the maximum severity over the
    four criteria (by the table above, computed independently) and is never D."""
    suggestion = grade_suggest(Criteria(procedure=procedure, emotion=emotion, loss_yuan=loss,
                                        impact=impact))
    levels = [LEVEL["procedure"][procedure], LEVEL["emotion"][emotion],
              LEVEL["impact"][impact], _loss_grade(loss)]
    assert suggestion.grade == max(levels, key=SEVERITY.__getitem__)
    assert suggestion.grade != "D"
    assert criteria_errors(procedure=procedure, emotion=emotion, loss_yuan=loss,
                           impact=impact) == {}


@pytest.mark.parametrize(("changes", "field"), [
    ({"procedure": "sloppy"}, "procedure"),
    ({"emotion": ""}, "emotion"),
    ({"impact": "huge"}, "impact"),
    ({"loss_yuan": None}, "loss_yuan"),
    ({"loss_yuan": Decimal("-0.01")}, "loss_yuan"),
    ({"loss_yuan": Decimal("1.005")}, "loss_yuan"),
    ({"loss_yuan": Decimal("NaN")}, "loss_yuan"),
    ({"loss_yuan": Decimal("Infinity")}, "loss_yuan"),
    ({"loss_yuan": Decimal("10000000000")}, "loss_yuan"),
    ({"loss_yuan": Decimal("1E+30")}, "loss_yuan"),
])
def test_bad_criteria_are_field_errors(changes, field):
    """Unknown levels, a missing or negative loss, more than two decimals, not a number and
    a loss beyond the column (1E+30 too, which has no two-decimal form) are errors on their
    own field only."""
    assert set(criteria_errors(**{**CALM, **changes})) == {field}
