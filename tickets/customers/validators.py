"""Normalise and validate what callers tell us: phone numbers and resident ID numbers.

Pure functions: each returns the one stored form of a value or raises ValidationError.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.validation import BIRTH_DATE_EARLIEST, birth_date_is_plausible

# re.ASCII everywhere: \d must not accept digits of other scripts that NFKC keeps.
# Mainland mobile numbers, with an optional country code (+86 / 86 / 0086).
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})", re.ASCII)
# Landlines with the area code set apart: 010-12345678, (021)12345678, 0755 1234567,
# optionally followed by an extension: 010-12345678-123 or 010-12345678转123.
_LANDLINE_SEPARATED = re.compile(
    r"(?:\((0\d{2,3})\)|(0\d{2,3})[\s-]+)[\s-]*(\d{7,8})(?:[\s-]*(?:-|转)[\s-]*(\d{1,6}))?",
    re.ASCII,
)
# Landlines written as one run of digits: the area code is told by its first digits
# (010 and 02x have three digits, 03xx-09xx four), then 7–8 digits and an optional extension.
_LANDLINE_COMPACT = re.compile(
    r"(0(?:1\d|2\d)|0[3-9]\d{2})(\d{7,8})(?:[\s-]*(?:-|转)[\s-]*(\d{1,6}))?",
    re.ASCII,
)

# What `phone_normalize` and `id_number_normalize` take, written plainly, for the API's
# schema (`pattern`): a mobile number (+86 / 86 / 0086 first or not) or a landline with its
# area code (010-12345678, 07551234567, an extension after a dash); an ID number of 17
# digits and a digit or X (whose birth date and check character are checked besides).
# Spaces, brackets, 转 and full-width digits are taken too but not advertised.
PHONE_PATTERN = (r"^(?:(?:\+?86|0086)?1[3-9]\d{9}"
                 r"|0(?:[12]\d|[3-9]\d{2})-?\d{7,8}(?:-\d{1,6})?)$")
ID_NUMBER_PATTERN = r"^\d{17}[\dXx]$"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)


def _plain(value: object) -> str:
    """Full-width digits and brackets (common with Chinese input methods) made ASCII."""
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def phone_normalize(value: object) -> str:
    """The stored form of a phone number.

    Mobile numbers become eleven digits (`13812345678`); landlines become
    `area-number` or `area-number-extension` (`010-12345678`, `0755-1234567-123`).
    """
    text = _plain(value)
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    compact = re.sub(r"[\s-]", "", text)
    if match := _MOBILE.fullmatch(compact):
        return match.group(1)
    landline = _LANDLINE_SEPARATED.fullmatch(text) or _LANDLINE_COMPACT.fullmatch(text)
    if landline:
        groups = [g for g in landline.groups() if g]
        return "-".join(groups)
    raise ValidationError(
        _(
            "Enter a mainland mobile number (11 digits starting with 1) or a landline "
            "with its area code, such as 010-12345678."
        ),
        code="invalid_phone",
    )


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character of the first seventeen digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_normalize(value: object, *, today: dt.date | None = None) -> str:
    """The stored form of an 18-character resident ID number (upper-case X), or "" when
    none was given. Checks the shape, the birth date (a real date from 1900-01-01 to
    `today`, Beijing time by default) and the check character."""
    text = re.sub(r"\s", "", _plain(value)).upper()
    if not text:
        return ""
    if not _ID_SHAPE.fullmatch(text):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="invalid_id_shape",
        )
    try:
        birth_date = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number is not a real date."),
            code="invalid_id_birth_date",
        ) from None
    if not birth_date_is_plausible(birth_date, today=today or timezone.localdate()):
        raise ValidationError(
            _("The birth date in this ID number must lie between %(earliest)s and today.")
            % {"earliest": BIRTH_DATE_EARLIEST.isoformat()},
            code="implausible_id_birth_date",
        )
    if id_number_check_char(text[:17]) != text[17]:
        raise ValidationError(
            _("This ID number's check character is wrong; please check the number."),
            code="invalid_id_check",
        )
    return text
