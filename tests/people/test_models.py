"""Invariants of a single person record and its identifiers."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from safehub.people.models import DatePrecision, Identifier, IdentifierScheme, Person, PersonKind
from tests.factories import AdultFactory, IdentifierFactory, PersonFactory, valid_nhs_number


def test_identifier_full_clean_refuses_an_invalid_nhs_number_with_a_clear_message(db):
    identifier = Identifier(person=PersonFactory(), scheme=IdentifierScheme.NHS_NUMBER, value="943 476 5918")

    with pytest.raises(ValidationError) as error:
        identifier.full_clean()

    assert error.value.message_dict["value"] == [
        "This is not a valid NHS number: its last digit does not match the check digit. "
        "Check it against the NHS card or letter."
    ]


def test_identifier_full_clean_stores_the_nhs_number_as_ten_digits(db):
    identifier = Identifier(person=PersonFactory(), scheme=IdentifierScheme.NHS_NUMBER, value="943 476 5919")

    identifier.full_clean()

    assert identifier.value == "9434765919"
    assert str(identifier) == "NHS number 943 476 5919"


def test_the_same_nhs_number_cannot_belong_to_two_people(db):
    existing = IdentifierFactory(value=valid_nhs_number(5))
    duplicate = Identifier(person=PersonFactory(), scheme=IdentifierScheme.NHS_NUMBER, value=existing.value)

    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_unborn_child_must_be_linked_to_the_mother(db):
    unborn = Person(kind=PersonKind.UNBORN, expected_due_date=datetime.date(2027, 3, 1))

    with pytest.raises(ValidationError) as error:
        unborn.full_clean()

    assert error.value.message_dict["mother"] == ["Link an unborn child to the mother's record."]


def test_unborn_child_has_no_date_of_birth(db):
    unborn = Person(kind=PersonKind.UNBORN, mother=AdultFactory(), date_of_birth=datetime.date(2020, 1, 1))

    with pytest.raises(ValidationError) as error:
        unborn.full_clean()

    assert "expected due date, not a date of birth" in error.value.message_dict["date_of_birth"][0]


def test_unborn_child_with_mother_and_due_date_is_valid(db):
    unborn = Person(kind=PersonKind.UNBORN, mother=AdultFactory(), expected_due_date=datetime.date(2027, 3, 1))

    unborn.full_clean()

    assert unborn.date_of_birth_display == "Due 1 March 2027"


def test_only_an_unborn_child_has_an_expected_due_date(db):
    child = Person(kind=PersonKind.CHILD, expected_due_date=datetime.date(2027, 3, 1))

    with pytest.raises(ValidationError) as error:
        child.full_clean()

    assert "expected_due_date" in error.value.message_dict


@time_machine.travel(datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC))
def test_date_of_birth_cannot_be_in_the_future(db):
    with pytest.raises(ValidationError, match="today or in the past"):
        Person(date_of_birth=datetime.date(2026, 11, 27)).full_clean()
    Person(date_of_birth=datetime.date(2026, 11, 26)).full_clean()


@pytest.mark.parametrize(
    ("precision", "stored", "display"),
    [
        (DatePrecision.MONTH, datetime.date(2015, 3, 1), "March 2015 (month only)"),
        (DatePrecision.YEAR, datetime.date(2015, 1, 1), "2015 (year only)"),
        (DatePrecision.DAY, datetime.date(2015, 3, 27), "27 March 2015"),
    ],
)
def test_partial_date_of_birth_stored_with_unknown_parts_as_one(db, precision, stored, display):
    person = Person(date_of_birth=stored, date_of_birth_precision=precision)

    person.full_clean()

    assert person.date_of_birth_display == display


@pytest.mark.parametrize(
    ("precision", "stored"),
    [
        (DatePrecision.MONTH, datetime.date(2015, 3, 27)),
        (DatePrecision.YEAR, datetime.date(2015, 3, 1)),
        (DatePrecision.YEAR, datetime.date(2015, 1, 27)),
    ],
)
def test_partial_date_of_birth_with_known_looking_parts_is_refused(db, precision, stored):
    with pytest.raises(ValidationError, match="unknown parts as 1"):
        Person(date_of_birth=stored, date_of_birth_precision=precision).full_clean()


def test_age_is_counted_from_the_birthday(db):
    person = Person(date_of_birth=datetime.date(2015, 3, 27))

    assert person.age_on(datetime.date(2025, 3, 26)) == 9
    assert person.age_on(datetime.date(2025, 3, 27)) == 10


def test_reference_does_not_name_the_person(db):
    person = PersonFactory(given_names="Amelia", family_name="Hartley")

    assert person.reference == f"P-{person.pk:07d}"
    assert "Hartley" not in str(person)
