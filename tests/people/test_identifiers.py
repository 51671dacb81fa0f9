"""NHS numbers, UPNs and police person references: validation and formatting."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from safehub.people.identifiers import (
    UPN_CHECK_LETTERS,
    format_nhs_number,
    nhs_check_digit,
    upn_check_letter,
    validate_nhs_number,
    validate_police_reference,
    validate_upn,
)
from tests.factories import valid_nhs_number, valid_upn

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_a_valid_nhs_number_is_returned_as_ten_digits():
    assert validate_nhs_number("9434765919") == "9434765919"


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 9434765919 ", "943 4765 919"])
def test_nhs_number_may_be_typed_with_spaces_or_hyphens(typed):
    assert validate_nhs_number(typed) == "9434765919"


def test_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="last digit does not match the check digit") as error:
        validate_nhs_number("9434765918")
    assert error.value.code == "nhs_check_digit"


@pytest.mark.parametrize("typed", ["943476591", "94347659190", "943476591X", ""])
def test_nhs_number_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(ValidationError, match="10 digits") as error:
        validate_nhs_number(typed)
    assert error.value.code == "nhs_format"


def test_nine_digits_whose_check_would_be_ten_make_no_valid_nhs_number():
    # 11 - (sum mod 11) == 10 exactly when the weighted sum is 1 mod 11.
    first_nine = next(f"{n:09d}" for n in range(1000) if nhs_check_digit(f"{n:09d}") is None)
    assert nhs_check_digit(first_nine) is None
    for last in "0123456789":
        with pytest.raises(ValidationError):
            validate_nhs_number(first_nine + last)


def test_check_digit_eleven_becomes_zero():
    assert nhs_check_digit("000000000") == 0
    assert validate_nhs_number("0000000000") == "0000000000"


def test_test_range_numbers_start_999_and_are_valid():
    for n in range(50):
        number = valid_nhs_number(n)
        assert number.startswith("999")
        assert validate_nhs_number(number) == number


@given(nine_digits)
def test_every_nhs_number_with_its_check_digit_validates_and_no_other_last_digit_does(first_nine):
    check = nhs_check_digit(first_nine)
    for last in range(10):
        number = f"{first_nine}{last}"
        if last == check:
            assert validate_nhs_number(number) == number
        else:
            with pytest.raises(ValidationError):
                validate_nhs_number(number)


def test_nhs_number_is_shown_in_three_three_four():
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("123") == "123"


def test_valid_upn_is_accepted_in_any_case():
    upn = valid_upn("990", 12)

    assert validate_upn(upn.lower()) == upn


def test_upn_with_the_wrong_check_letter_is_refused():
    upn = valid_upn("990", 12)
    wrong = next(letter for letter in UPN_CHECK_LETTERS if letter != upn[0]) + upn[1:]

    with pytest.raises(ValidationError, match="does not match the check letter") as error:
        validate_upn(wrong)
    assert error.value.code == "upn_check_letter"


@pytest.mark.parametrize(
    "typed", ["A80120000101", "A8012000010111", "18012000010112", "A80120A001011", "A80120000101S"]
)
def test_upn_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(ValidationError, match="13 characters") as error:
        validate_upn(typed)
    assert error.value.code == "upn_format"


upn_bodies = st.builds(
    lambda digits, last: digits + last,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(list("0123456789" + UPN_CHECK_LETTERS)),
)


@given(upn_bodies)
def test_upn_round_trip_check_letter_then_validate(body):
    upn = upn_check_letter(body) + body

    assert validate_upn(upn) == upn
    for letter in UPN_CHECK_LETTERS:
        if letter != upn[0]:
            with pytest.raises(ValidationError):
                validate_upn(letter + body)


@pytest.mark.parametrize(
    ("typed", "stored"), [("rv/1234/26", "RV/1234/26"), (" 01-2345 ", "01-2345"), ("ABCD", "ABCD")]
)
def test_police_reference_is_kept_upper_case(typed, stored):
    assert validate_police_reference(typed) == stored


@pytest.mark.parametrize("typed", ["ABC", "RV 1234", "RV_1234", "X" * 31, ""])
def test_police_reference_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(ValidationError, match="4 to 30 letters"):
        validate_police_reference(typed)
