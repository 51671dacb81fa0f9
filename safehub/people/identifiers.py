"""Validation and formatting of the identifiers SafeHub records for a person.

NHS number: ten digits whose last is a modulus-11 check digit (NHS Data Dictionary).
UPN: the DfE unique pupil number, a check letter followed by twelve characters.
"""

import re

from django.core.exceptions import ValidationError

NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# The DfE check-letter alphabet: 23 letters, without I, O and S.
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_PATTERN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid NHS number can end them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate_nhs_number(value: str) -> str:
    """Return the NHS number as ten digits, or raise a ValidationError saying what is wrong."""
    digits = normalise_nhs_number(value)
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("An NHS number is 10 digits, like 999 123 4564.", code="nhs_format")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            "This is not a valid NHS number: its last digit does not match the check digit. "
            "Check it against the NHS card or letter.",
            code="nhs_check_digit",
        )
    return digits


def format_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def upn_check_letter(last_twelve: str) -> str:
    """The UPN check letter for the twelve characters after it (DfE algorithm).

    Each character is weighted by its position (2 to 13); a letter in the last position
    (a temporary UPN) counts as its index in the check-letter alphabet.
    """
    total = 0
    for position, char in enumerate(last_twelve, start=2):
        value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)
        total += value * position
    return UPN_CHECK_LETTERS[total % 23]


def validate_upn(value: str) -> str:
    upn = (value or "").strip().upper().replace(" ", "")
    if not UPN_PATTERN.match(upn) or (upn[-1].isalpha() and upn[-1] not in UPN_CHECK_LETTERS):
        raise ValidationError(
            "A UPN is 13 characters: a letter, 11 digits, then a digit or letter, like A801200001011.",
            code="upn_format",
        )
    if upn[0] not in UPN_CHECK_LETTERS or upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "This is not a valid UPN: its first letter does not match the check letter. "
            "Check it against the school's records.",
            code="upn_check_letter",
        )
    return upn


POLICE_REFERENCE_PATTERN = re.compile(r"^[A-Z0-9/-]{4,30}$")


def validate_police_reference(value: str) -> str:
    ref = (value or "").strip().upper()
    if not POLICE_REFERENCE_PATTERN.match(ref):
        raise ValidationError(
            "A police person reference is 4 to 30 letters, digits, '/' or '-'.", code="police_reference_format"
        )
    return ref
