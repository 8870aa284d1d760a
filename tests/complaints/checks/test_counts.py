"""What counts against a person in a month (seed 002 处罚标准 8, complaints.checks.rules):
valid complaints only, naming them as the responsible person, filed (accepted) in the
Beijing calendar month; flagged at the threshold (3, 含三次) and not below it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.checks.models import PersonMonthCheck
from complaints.checks.selectors import person_month_counts
from complaints.checks.services import person_checks_run
from servicedesk.months import BEIJING, month_bounds, month_of, month_parse, month_shift, month_text
from tests.complaints.checks.factories import (
    bj,
    complaint_for_test,
    complaints_for,
    person_in,
)

APRIL = dt.date(2026, 4, 1)
NOW = bj(2026, 4, 30, 12)


# --- the month, pure ----------------------------------------------------------------------


def test_a_month_runs_from_the_first_midnight_beijing_time_to_the_next():
    """The month's bounds are Beijing midnights (16:00 UTC the day before)."""
    start, end = month_bounds(APRIL)
    assert start == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 4, 30, 16, tzinfo=dt.UTC)
    assert month_bounds(dt.date(2026, 12, 17)) == (bj(2026, 12, 1), bj(2027, 1, 1))


# naive bounds with a time zone drawn for the values: hypothesis's way to make aware ones
@given(st.datetimes(min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
                    max_value=dt.datetime(2999, 12, 31),  # noqa: DTZ001
                    timezones=st.just(dt.UTC)))
def test_an_instant_lies_in_exactly_the_month_of_its_beijing_date(instant):
    """Property: `month_of` agrees with the bounds: start ≤ instant < end, and the
    neighbouring months do not hold it."""
    month = month_of(instant)
    start, end = month_bounds(month)
    assert start <= instant < end
    assert month == instant.astimezone(BEIJING).date().replace(day=1)
    assert month_bounds(month_shift(month, -1))[1] == start
    assert month_bounds(month_shift(month, 1))[0] == end


@pytest.mark.parametrize(("text", "month"), [
    ("2026-04", APRIL), (" 2026-12 ", dt.date(2026, 12, 1)), ("2026-13", None),
    ("2026-4", None), ("26-04", None), ("9999-12", None), ("1999-12", None), ("", None),
    (None, None), ("2026-04-01", None), ("２０２６-04", None),
])
def test_a_month_is_written_yyyy_mm(text, month):
    """`?month=` and the API's month filter take YYYY-MM only, in the supported years."""
    assert month_parse(text) == month
    if month is not None:
        assert month_text(month) == text.strip()


# --- the count, in the database ------------------------------------------------------------

needs_db = pytest.mark.django_db


@needs_db
def test_only_valid_complaints_count():
    """An invalid complaint (D, a warning) is no complaint against the person."""
    person = person_in()
    complaints_for(person, 2)
    complaint_for_test(responsible=person, filed_at=bj(2026, 4, 20), verdict="invalid")
    complaint_for_test(responsible=person, filed_at=bj(2026, 4, 21), verdict="")
    assert person_month_counts(month=APRIL)[person.pk][0] == 2
    report = person_checks_run(month=APRIL, now=NOW)
    assert report.flagged == () and not PersonMonthCheck.objects.exists()


@needs_db
def test_only_complaints_naming_the_person_as_responsible_count():
    """Filing a complaint, or one naming nobody, counts against nobody."""
    person, agent = person_in(), person_in()
    complaints_for(person, 2, by=agent)
    complaint_for_test(responsible=None, filed_at=bj(2026, 4, 12), by=person)
    complaint_for_test(responsible=agent, filed_at=bj(2026, 4, 13), by=person)
    counts = person_month_counts(month=APRIL)
    assert counts[person.pk][0] == 2 and counts[agent.pk][0] == 1
    assert None not in counts
    person_checks_run(month=APRIL, now=NOW)
    assert not PersonMonthCheck.objects.exists()


@needs_db
def test_the_beijing_month_edges_decide_the_month():
    """2026-03-31T23:59+08:00 is March (though 15:59 UTC on the 31st); 2026-04-01T00:00
    +08:00 is April (though 16:00 UTC on 31 March)."""
    person = person_in()
    complaints_for(person, 2, month_day=bj(2026, 4, 15))
    complaint_for_test(responsible=person, filed_at=bj(2026, 3, 31, 23, 59))
    person_checks_run(month=APRIL, now=NOW)
    assert not PersonMonthCheck.objects.exists()  # 2 in April

    complaint_for_test(responsible=person, filed_at=bj(2026, 4, 1, 0, 0))
    person_checks_run(month=APRIL, now=NOW)
    check = PersonMonthCheck.objects.get()
    assert (check.month, check.complaints) == (APRIL, 3)
    assert person_month_counts(month=dt.date(2026, 3, 1))[person.pk][0] == 1


@needs_db
def test_the_last_instant_of_the_month_counts_and_the_next_month_does_not():
    """The month ends before 2026-05-01T00:00+08:00: 23:59:59.999999 on 30 April is in."""
    person = person_in()
    complaints_for(person, 2, month_day=bj(2026, 4, 2))
    complaint_for_test(responsible=person, filed_at=bj(2026, 5, 1, 0, 0))
    assert person_month_counts(month=APRIL)[person.pk][0] == 2
    complaint_for_test(responsible=person,
                       filed_at=bj(2026, 4, 30, 23, 59, 59, 999999))
    assert person_month_counts(month=APRIL)[person.pk][0] == 3


@needs_db
@pytest.mark.parametrize(("n", "flagged"), [(2, False), (3, True), (4, True)])
def test_three_complaints_flag_a_person_and_two_do_not(n, flagged):
    """含三次: exactly three is a flag, two is not, four is (with its count)."""
    person = person_in()
    complaints_for(person, n)
    report = person_checks_run(month=dt.date(2026, 4, 17), now=NOW)  # any day of the month
    checks = list(PersonMonthCheck.objects.all())
    assert bool(checks) is flagged
    if flagged:
        [check] = checks
        assert (check.person_id, check.month, check.complaints, check.threshold) == (
            person.pk, APRIL, n, 3)
        assert report.flagged == (check.pk,)
        assert check.state == "flagged" and check.flagged_at == NOW
        assert check.department_id == person.staff_profile.department_id


@needs_db
def test_the_threshold_is_a_setting_and_a_check_keeps_the_one_it_was_flagged_at(settings):
    """COMPLAINT_PERSON_MONTH_THRESHOLD decides new flags; an existing check keeps its
    threshold and still has its count raised."""
    settings.COMPLAINT_PERSON_MONTH_THRESHOLD = 2
    early, late = person_in(), person_in()
    complaints_for(early, 2)
    complaints_for(late, 2, month_day=bj(2026, 4, 20))
    person_checks_run(month=APRIL, now=NOW)
    assert PersonMonthCheck.objects.get(person=early).threshold == 2

    settings.COMPLAINT_PERSON_MONTH_THRESHOLD = 4
    complaint_for_test(responsible=early, filed_at=bj(2026, 4, 25))
    complaint_for_test(responsible=late, filed_at=bj(2026, 4, 26))
    complaint_for_test(responsible=person_in(), filed_at=bj(2026, 4, 26))
    report = person_checks_run(month=APRIL, now=NOW)
    assert report.threshold == 4 and report.flagged == () and report.grown == 2
    rows = {c.person_id: (c.complaints, c.threshold) for c in PersonMonthCheck.objects.all()}
    assert rows == {early.pk: (3, 2), late.pk: (3, 2)}


def test_the_definition_says_valid_responsible_and_beijing_month():
    """The words on the page and in the API (Chinese first)."""
    from django.utils import translation

    from complaints.checks.rules import COUNT_DEFINITION

    with translation.override("zh-hans"):
        text = str(COUNT_DEFINITION % {"threshold": 3})
    assert "有效" in text and "责任人" in text and "北京时间" in text and "3" in text
    assert "无效" in text
