import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tickets.customers.validators import id_number_check_char, id_number_normalize, phone_normalize

VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "86-138-1234-5678",
        " 13812345678 ",
        "１３８１２３４５６７８",  # full-width digits from a Chinese input method
    ],
)
def test_mobile_variants_normalise_to_eleven_digits(typed):
    assert phone_normalize(typed) == "13812345678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("010-12345678", "010-12345678"),
        ("010 12345678", "010-12345678"),
        ("(021)12345678", "021-12345678"),
        ("（021）12345678", "021-12345678"),
        ("(021) 12345678", "021-12345678"),
        ("0755-1234567", "0755-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("01012345678", "010-12345678"),
        ("075512345678", "0755-12345678"),
        ("010-12345678-123", "010-12345678-123"),
        ("010-12345678转8001", "010-12345678-8001"),
    ],
)
def test_landlines_normalise_to_area_code_dash_number(typed, stored):
    assert phone_normalize(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901",  # second digit 2 is no mobile network
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "+1 138 1234 5678",
        "10-12345678",  # area code without the leading 0
        "010-123456",  # six-digit number
        "010-123456789",  # nine-digit number
        "01234-1234567",  # five-digit area code
        "abc",
        "138abcd5678",
    ],
)
def test_invalid_phone_numbers_are_rejected(typed):
    with pytest.raises(ValidationError) as error:
        phone_normalize(typed)
    assert error.value.code == "invalid_phone"


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_a_missing_phone_number_is_required(typed):
    with pytest.raises(ValidationError) as error:
        phone_normalize(typed)
    assert error.value.code == "required"


def test_a_valid_id_number_is_accepted():
    assert id_number_normalize(VALID_ID) == VALID_ID


def test_a_lower_case_x_becomes_upper_case():
    assert id_number_normalize(VALID_ID.lower()) == VALID_ID


def test_an_empty_id_number_stays_empty():
    assert id_number_normalize("") == ""
    assert id_number_normalize("  ") == ""


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("11010519491231002", "invalid_id_shape"),  # 17 characters
        ("11010519491231002XX", "invalid_id_shape"),
        ("1101051949123100X2", "invalid_id_shape"),  # X not at the end
        ("110105194912310021", "invalid_id_check"),
        ("110105194902300021", "invalid_id_birth_date"),  # 30 February
        ("110105194913010021", "invalid_id_birth_date"),  # month 13
    ],
)
def test_invalid_id_numbers_are_rejected(typed, code):
    with pytest.raises(ValidationError) as error:
        id_number_normalize(typed)
    assert error.value.code == code


def test_the_birth_date_of_a_leap_day_is_real_only_in_leap_years():
    leap = "11010520000229001"
    assert id_number_normalize(leap + id_number_check_char(leap))
    not_leap = "11010519000229001"  # 1900 was no leap year
    with pytest.raises(ValidationError):
        id_number_normalize(not_leap + id_number_check_char(not_leap))


def _id_number(born: dt.date) -> str:
    first17 = f"110105{born:%Y%m%d}001"
    return first17 + id_number_check_char(first17)


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        (dt.date(1899, 12, 31), False),
        (dt.date(1900, 1, 1), True),
        (dt.date(1949, 12, 31), True),
        (dt.date(2026, 6, 30), True),  # `today` below: 2026-06-30
        (dt.date(2026, 7, 1), False),
        (dt.date(9999, 12, 31), False),
        (dt.date(1000, 1, 1), False),
    ],
)
def test_an_id_number_birth_date_lies_between_1900_and_today(born, accepted):
    number = _id_number(born)
    if accepted:
        assert id_number_normalize(number, today=dt.date(2026, 6, 30)) == number
    else:
        with pytest.raises(ValidationError) as error:
            id_number_normalize(number, today=dt.date(2026, 6, 30))
        assert error.value.code == "implausible_id_birth_date"
        assert "1900-01-01" in error.value.messages[0]


@given(born=st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)),
       today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_the_birth_date_boundary_is_exact(born, today):
    number = _id_number(born)
    if dt.date(1900, 1, 1) <= born <= today:
        assert id_number_normalize(number, today=today) == number
    else:
        with pytest.raises(ValidationError):
            id_number_normalize(number, today=today)


_id_first17 = st.builds(
    lambda region, born, order: f"{region:06d}{born:%Y%m%d}{order:03d}",
    st.integers(min_value=110000, max_value=659999),
    # birth dates from 1900 up to a day that has passed (future birth dates are refused)
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(first17=_id_first17)
def test_every_id_number_with_its_computed_check_char_passes(first17):
    number = first17 + id_number_check_char(first17)
    assert id_number_normalize(number) == number
    assert id_number_normalize(number.lower()) == number


@given(first17=_id_first17, wrong=st.sampled_from("0123456789X"))
def test_any_other_check_char_fails(first17, wrong):
    if wrong == id_number_check_char(first17):
        wrong = "X" if wrong != "X" else "0"
    with pytest.raises(ValidationError):
        id_number_normalize(first17 + wrong)


@given(
    subscriber=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "86", "+86 ", "86-"]),
    style=st.sampled_from(["plain", "spaces", "dashes"]),
)
def test_mobile_variants_all_normalise_to_the_same_number(subscriber, prefix, style):
    body = subscriber
    if style != "plain":
        sep = " " if style == "spaces" else "-"
        body = sep.join([subscriber[:3], subscriber[3:7], subscriber[7:]])
    assert phone_normalize(prefix + body) == subscriber


def test_digits_of_other_scripts_are_rejected():
    with pytest.raises(ValidationError):
        phone_normalize("1380000000٣")  # Arabic-Indic three
    with pytest.raises(ValidationError):
        id_number_normalize("11010519491231002٣")
