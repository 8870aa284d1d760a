"""The kernel's rules of plausible dates, times and text (`servicedesk.validation`): per
rule a table of values around its edges, and hypothesis at the range boundaries."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.errors import FieldErrors
from servicedesk.validation import (
    APPOINTMENT_MAX_AHEAD,
    APPOINTMENT_PAST_TOLERANCE,
    BUSINESS_DATE_WINDOW,
    EVENT_FUTURE_TOLERANCE,
    EVENT_MAX_AGE,
    appointment_clean,
    business_date_clean,
    event_time_clean,
    has_visible_character,
    name_clean,
    text_clean,
    text_normalize,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)


def _run(check, value, **kwargs):
    errors = FieldErrors()
    result = check(errors, "f", value, **kwargs)
    return result, errors.get("f", [])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (NOW, True),
        (NOW + EVENT_FUTURE_TOLERANCE, True),
        (NOW + EVENT_FUTURE_TOLERANCE + SECOND, False),
        (NOW - EVENT_MAX_AGE, True),
        (NOW - EVENT_MAX_AGE - SECOND, False),
        (dt.datetime(1950, 1, 1, tzinfo=UTC), False),
        (dt.datetime(1, 1, 1, tzinfo=UTC), False),
        (dt.datetime(9999, 12, 31, tzinfo=UTC), False),
        (dt.datetime(2026, 12, 1, 7, 0), False),  # noqa: DTZ001  # naive
    ],
)
def test_an_event_time_is_not_in_the_future_and_not_years_old(value, ok):
    result, messages = _run(event_time_clean, value, now=NOW)
    assert (result is not None, not messages) == (ok, ok)


def test_a_missing_event_time_is_an_error_only_when_required():
    assert _run(event_time_clean, None, now=NOW) == (None, [])
    assert _run(event_time_clean, None, now=NOW, required="needed") == (None, ["needed"])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (NOW, True),
        (NOW - APPOINTMENT_PAST_TOLERANCE, True),
        (NOW - APPOINTMENT_PAST_TOLERANCE - SECOND, False),
        (NOW + APPOINTMENT_MAX_AHEAD, True),
        (NOW + APPOINTMENT_MAX_AHEAD + SECOND, False),
        (dt.datetime(1, 1, 1, tzinfo=UTC), False),
        (dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC), False),
        (dt.datetime(2026, 12, 2, 10, 0), False),  # noqa: DTZ001  # naive
    ],
)
def test_an_appointment_lies_ahead_within_a_year(value, ok):
    result, messages = _run(appointment_clean, value, now=NOW)
    assert (result is not None, not messages) == (ok, ok)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (NOW.date(), True),
        (NOW.date() - BUSINESS_DATE_WINDOW, True),
        (NOW.date() - BUSINESS_DATE_WINDOW - dt.timedelta(days=1), False),
        (NOW.date() + BUSINESS_DATE_WINDOW, True),
        (NOW.date() + BUSINESS_DATE_WINDOW + dt.timedelta(days=1), False),
        (dt.date(1, 1, 1), False),
        (dt.date(9999, 12, 31), False),
    ],
)
def test_a_business_date_lies_within_a_year_of_today(value, ok):
    result, messages = _run(business_date_clean, value, today=NOW.date())
    assert (result is not None, not messages) == (ok, ok)


_offsets = st.timedeltas(min_value=dt.timedelta(days=-800), max_value=dt.timedelta(days=800))
_nows = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
                     timezones=st.just(UTC))


@given(now=_nows, offset=_offsets)
def test_the_event_time_window_boundaries_are_exact(now, offset):
    result, messages = _run(event_time_clean, now + offset, now=now)
    inside = -EVENT_MAX_AGE <= offset <= EVENT_FUTURE_TOLERANCE
    assert (result is not None) == inside == (not messages)


@given(now=_nows, offset=_offsets)
def test_the_appointment_window_boundaries_are_exact(now, offset):
    result, messages = _run(appointment_clean, now + offset, now=now)
    inside = -APPOINTMENT_PAST_TOLERANCE <= offset <= APPOINTMENT_MAX_AHEAD
    assert (result is not None) == inside == (not messages)


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  张伟 ", "张伟"),
        ("\u200b张伟\u200b", "张伟"),  # zero-width space at the edges
        ("\ufeff 张伟 \u2060", "张伟"),
        ("张\u202e伟", "张伟"),  # right-to-left override
        ("\u2066abc\u2069", "abc"),  # isolates
        ("e\u0301", "\u00e9"),  # NFC: e + combining acute → é
        ("e\u202e\u0301", "\u00e9"),  # NFC after the control is gone
        ("line1\nline2", "line1 line2"),  # one line
        ("a\x00b\x07c", "abc"),  # control characters
        ("👩\u200d💻", "👩\u200d💻"),  # a zero-width joiner inside an emoji stays
    ],
)
def test_a_name_is_cleaned(typed, stored):
    errors = FieldErrors()
    assert name_clean(errors, "name", typed, required="name needed") == stored
    assert not errors


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "\u200b\u200b\u200b", "\u200b \u200c\u200d\ufeff", "\u202e\u202e", "\u0301",
     "\u3000", "\t\n"],
)
def test_a_name_without_a_visible_character_is_refused(typed):
    errors = FieldErrors()
    name_clean(errors, "name", typed, required="name needed")
    assert errors == {"name": ["name needed"]}


def test_a_free_text_keeps_its_lines_and_is_capped():
    errors = FieldErrors()
    assert text_clean(errors, "notes", " a\r\nb \n", max_length=3) == "a\nb"
    assert not errors
    text_clean(errors, "notes", "x" * 4, max_length=3)
    assert errors["notes"] and "3" in str(errors["notes"][0])


def test_a_megabyte_of_notes_is_refused():
    errors = FieldErrors()
    text_clean(errors, "notes", "备" * 1_000_000)
    assert "notes" in errors


@given(st.text())
def test_normalised_text_has_no_bidi_controls_and_no_invisible_edges(text):
    cleaned = text_normalize(text)
    assert not any(unicodedata.bidirectional(c) in {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI",
                                                     "RLI", "FSI", "PDI"} for c in cleaned)
    assert cleaned == cleaned.strip().strip("\u200b\u200c\u200d\u2060\ufeff")
    assert text_normalize(cleaned) == cleaned  # idempotent
    assert unicodedata.is_normalized("NFC", cleaned)


@given(st.text(alphabet=st.sampled_from(" \t\n\u200b\u200c\u200d\u2060\ufeff\u202e\u2066\u3000")))
def test_text_made_only_of_invisible_characters_shows_nothing(text):
    assert not has_visible_character(text_normalize(text))
