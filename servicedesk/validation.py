"""What a plausible date, time and piece of text is: the one place the services ask, so that
the API, the pages, the admin and any other caller get the same field errors.

Dates and times are judged relative to `now` (the service's own `now`):

- an **event time** (a contact came in, was answered, ended) happened: not in the future
  (a minute of clock skew allowed) and not more than `EVENT_MAX_AGE` ago;
- an **appointment** (an expected visit, a promised call-back) is ahead: not before now (a
  few minutes of typing allowed) and not more than `APPOINTMENT_MAX_AHEAD` ahead;
- a **business date** (an order's ship dates) lies within `BUSINESS_DATE_WINDOW` of today;
- a **birth date** (in a resident ID number) lies between `BIRTH_DATE_EARLIEST` and today.

Every time must carry its time zone: a naive one is refused, never guessed.

Text is cleaned by `text_normalize` (NFC; bidirectional controls removed everywhere; white
space and zero-width characters removed at both ends; a single-line value keeps no line
breaks) and capped (`NAME_MAX_LENGTH`, `LINE_MAX_LENGTH`, `NOTE_MAX_LENGTH`,
`TEXT_MAX_LENGTH`); a name needs at least one visible character (a letter, digit,
punctuation mark or symbol)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import FieldErrors
from servicedesk.types import StrOrPromise

# --- dates and times -------------------------------------------------------------------------

# A contact logged today may have come in up to a year ago (a late import from the phone
# system), never "years" ago; a minute ahead of our clock is skew, more is a mistake.
EVENT_MAX_AGE = dt.timedelta(days=366)
EVENT_FUTURE_TOLERANCE = dt.timedelta(minutes=1)
# Visits and promised call-backs are planned within a year; a page's time input has minute
# precision, so "now" typed by an agent may lie a few minutes behind the server's clock.
APPOINTMENT_MAX_AHEAD = dt.timedelta(days=366)
APPOINTMENT_PAST_TOLERANCE = dt.timedelta(minutes=5)
# An order's original ship date and the new promised date: within a year of today.
BUSINESS_DATE_WINDOW = dt.timedelta(days=366)
BIRTH_DATE_EARLIEST = dt.date(1900, 1, 1)

# --- text ------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 100  # a person's name (the model's column)
LINE_MAX_LENGTH = 200  # a subject, a company
NOTE_MAX_LENGTH = 2000  # a reason, a step's note
TEXT_MAX_LENGTH = 4000  # a description, a summary, a customer's notes

# Bidirectional controls: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
# and the marks U+200E, U+200F and U+061C. They can make "exe.txt" read "txt.exe" and have
# no place in a name or a note; they are removed wherever they stand.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Zero-width characters are legitimate inside some scripts (U+200D joins emoji, U+200C
# shapes Persian) but not at the edges, where they only hide that a value is "empty".
_EDGE_INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff"
# Control characters other than tab and line breaks (C0, DEL, C1).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def _as_aware(
    errors: FieldErrors, field: str, value: dt.datetime | None, required: StrOrPromise | None
) -> dt.datetime | None:
    if value is None:
        if required is not None:
            errors.add(field, required)
        return None
    if timezone.is_naive(value):
        errors.add(field, _("Give the time with its time zone."))
        return None
    return value


def event_time_clean(
    errors: FieldErrors, field: str, value: dt.datetime | None, *, now: dt.datetime,
    required: StrOrPromise | None = None,
) -> dt.datetime | None:
    """`value` if it is a plausible time of something that happened (aware, not in the
    future, not older than `EVENT_MAX_AGE`); else None with a field error (or None without
    one when no value was given and none is `required`)."""
    value = _as_aware(errors, field, value, required)
    if value is None:
        return None
    if value > now + EVENT_FUTURE_TOLERANCE:
        errors.add(field, _("This time lies in the future."))
        return None
    if value < now - EVENT_MAX_AGE:
        errors.add(field, _("This time lies more than a year in the past."))
        return None
    return value


def appointment_clean(
    errors: FieldErrors, field: str, value: dt.datetime | None, *, now: dt.datetime,
    required: StrOrPromise | None = None,
) -> dt.datetime | None:
    """`value` if it is a plausible planned time (aware, not in the past, not more than
    `APPOINTMENT_MAX_AHEAD` ahead); else None with a field error."""
    value = _as_aware(errors, field, value, required)
    if value is None:
        return None
    if value < now - APPOINTMENT_PAST_TOLERANCE:
        errors.add(field, _("This time lies in the past."))
        return None
    if value > now + APPOINTMENT_MAX_AHEAD:
        errors.add(field, _("This time lies more than a year ahead."))
        return None
    return value


def business_date_clean(
    errors: FieldErrors, field: str, value: dt.date | None, *, today: dt.date,
    required: StrOrPromise | None = None,
) -> dt.date | None:
    """`value` if it lies within `BUSINESS_DATE_WINDOW` of `today`; else None with a field
    error."""
    if value is None:
        if required is not None:
            errors.add(field, required)
        return None
    if value < today - BUSINESS_DATE_WINDOW:
        errors.add(field, _("This date lies more than a year in the past."))
        return None
    if value > today + BUSINESS_DATE_WINDOW:
        errors.add(field, _("This date lies more than a year ahead."))
        return None
    return value


def birth_date_is_plausible(value: dt.date, *, today: dt.date) -> bool:
    return BIRTH_DATE_EARLIEST <= value <= today


# --- text ------------------------------------------------------------------------------------


def _strip_edges(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = text.strip().strip(_EDGE_INVISIBLES)
    return text


def text_normalize(value: object, *, single_line: bool = False) -> str:
    """The stored form of a free text: NFC, no bidirectional controls, no other control
    characters than tab and line breaks (none of those either in a `single_line` value,
    where a run of them becomes one space), no white space or zero-width characters at
    either end."""
    text = _CONTROLS.sub("", _BIDI_CONTROLS.sub("", "" if value is None else str(value)))
    text = unicodedata.normalize("NFC", text)
    if single_line:
        text = _LINE_BREAKS.sub(" ", text).replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _strip_edges(text)


def has_visible_character(text: str) -> bool:
    """Whether `text` shows anything: a letter, digit, punctuation mark or symbol."""
    return any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in text)


def text_clean(
    errors: FieldErrors, field: str, value: object, *, max_length: int = TEXT_MAX_LENGTH,
    single_line: bool = False, required: StrOrPromise | None = None,
) -> str:
    """`value` normalised (`text_normalize`); a field error when it is longer than
    `max_length` characters, or when it is `required` and shows nothing."""
    text = text_normalize(value, single_line=single_line)
    if required is not None and not has_visible_character(text):
        errors.add(field, required)
    elif len(text) > max_length:
        errors.add(
            field,
            _("At most %(max)d characters (this has %(length)d).")
            % {"max": max_length, "length": len(text)},
        )
    return text


def name_clean(
    errors: FieldErrors, field: str, value: object, *, required: StrOrPromise,
    max_length: int = NAME_MAX_LENGTH,
) -> str:
    """A person's name: one line, at most `max_length` characters, at least one visible
    character (a name of spaces or zero-width characters is no name)."""
    return text_clean(errors, field, value, max_length=max_length, single_line=True,
                      required=required)
