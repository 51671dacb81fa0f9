"""A concern that arrives with no person choosing (an import, the API, a police incident) is
linked to a record only when the match is sure; anything less goes to a person to choose.

The defect found in use: "Alexandra Adams", with her twin brother Alexander's date of birth
and postcode, was linked to his record by fuzzy names, and a wrong link puts one child's
chronology on another's and opens it to the wrong people."""

import datetime

import pytest

from safehub.encompass.services.incidents import ChildInput, match_child
from safehub.hub.models import SubjectRole
from safehub.hub.services.contacts import SubjectInput, match_automatically
from safehub.people.models import PersonKind, Sex
from tests.factories import (
    AddressFactory,
    AdultFactory,
    IdentifierFactory,
    PersonAddressFactory,
    PersonFactory,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db

BORN = datetime.date(2015, 3, 14)


def _at(person, address):
    PersonAddressFactory(person=person, address=address, start_date=datetime.date(2015, 3, 20))
    return person


@pytest.fixture
def twins():
    home = AddressFactory(postcode="RV3 7QT")
    brother = _at(PersonFactory(given_names="Alexander", family_name="Adams", date_of_birth=BORN, sex=Sex.MALE), home)
    sister = _at(PersonFactory(given_names="Alexandra", family_name="Adams", date_of_birth=BORN, sex=Sex.FEMALE), home)
    return brother, sister


def _linked(given, family, dob=BORN, **extra):
    subject = SubjectInput(role=SubjectRole.CHILD, given_names=given, family_name=family, date_of_birth=dob, **extra)
    return match_automatically(subject).person


def test_a_twin_not_yet_on_record_is_never_linked_to_her_brother():
    home = AddressFactory(postcode="RV3 7QT")
    _at(PersonFactory(given_names="Alexander", family_name="Adams", date_of_birth=BORN, sex=Sex.MALE), home)
    assert _linked("Alexandra", "Adams", postcode="RV3 7QT") is None
    assert _linked("Alexandra", "Adams", postcode="RV3 7QT", sex=Sex.FEMALE) is None


def test_each_twin_is_linked_by_her_or_his_own_exact_name(twins):
    brother, sister = twins
    assert _linked("Alexandra", "Adams", postcode="RV3 7QT") == sister
    assert _linked("alexander", " ADAMS ", postcode="RV3 7QT") == brother


def test_an_exact_name_and_date_of_birth_with_a_different_sex_is_left_to_a_person(twins):
    brother, _ = twins
    assert _linked("Alexander", "Adams", sex=Sex.FEMALE) is None
    assert _linked("Alexander", "Adams", sex=Sex.MALE) == brother


def test_a_misspelt_or_nicknamed_sibling_is_left_to_a_person():
    home = AddressFactory(postcode="RV4 2NB")
    _at(PersonFactory(given_names="Jaden", family_name="Holroyd", date_of_birth=BORN, sex=Sex.MALE), home)
    _at(PersonFactory(given_names="Jayden", family_name="Holroyd", date_of_birth=datetime.date(2017, 6, 2)), home)
    # Close names, same family, same address: a person tells the brothers apart.
    assert _linked("Jaydon", "Holroyd", postcode="RV4 2NB") is None
    assert _linked("Jayden", "Holroyd", postcode="RV4 2NB") is None  # Jayden was born in 2017


def test_a_parent_and_child_of_the_same_name_are_each_linked_only_by_their_own_date_of_birth():
    home = AddressFactory(postcode="RV1 1AA")
    father = _at(
        AdultFactory(given_names="Dean", family_name="Marsh", date_of_birth=datetime.date(1988, 2, 1), sex=Sex.MALE),
        home,
    )
    son = _at(PersonFactory(given_names="Dean", family_name="Marsh", date_of_birth=BORN, sex=Sex.MALE), home)
    assert _linked("Dean", "Marsh") == son
    adult = SubjectInput(
        role=SubjectRole.ADULT, given_names="Dean", family_name="Marsh", date_of_birth=father.date_of_birth
    )
    assert match_automatically(adult).person == father
    # Without a date of birth, the name alone links neither.
    assert _linked("Dean", "Marsh", dob=None) is None
    # A child's referral never links the father, even by his date of birth.
    assert _linked("Dean", "Marsh", dob=father.date_of_birth) is None


def test_an_nhs_number_links_despite_a_misspelling_but_not_against_a_different_sex_or_date_of_birth(twins):
    brother, _ = twins
    nhs = IdentifierFactory(person=brother).value
    assert _linked("Alexnder", "Adams", nhs_number=nhs) == brother
    assert _linked("Alexander", "Adams", nhs_number=nhs, sex=Sex.FEMALE) is None
    assert _linked("Alexander", "Adams", dob=datetime.date(2016, 3, 14), nhs_number=nhs) is None
    assert _linked("Bartholomew", "Adams", nhs_number=nhs) is None


def test_an_exact_name_and_date_of_birth_with_a_different_nhs_number_on_record_is_left_to_a_person(twins):
    brother, _ = twins
    IdentifierFactory(person=brother, value=valid_nhs_number(101))
    other = valid_nhs_number(202)
    assert other != valid_nhs_number(101)
    assert _linked("Alexander", "Adams", nhs_number=other) is None


def test_two_records_with_the_same_exact_name_and_date_of_birth_are_left_to_a_person():
    for postcode in ("RV5 1AA", "RV6 2BB"):
        _at(
            PersonFactory(given_names="Ruby", family_name="Booth", date_of_birth=BORN),
            AddressFactory(postcode=postcode),
        )
    assert _linked("Ruby", "Booth") is None


def test_a_police_incident_links_a_child_by_the_same_rule():
    home = AddressFactory(postcode="RV3 7QT")
    brother = _at(PersonFactory(given_names="Alexander", family_name="Adams", date_of_birth=BORN, sex=Sex.MALE), home)
    sister = ChildInput(
        given_names="Alexandra", family_name="Adams", present=True, date_of_birth=BORN, postcode="RV3 7QT"
    )
    assert match_child(sister, on_behalf_of="test") is None
    himself = ChildInput(given_names="Alexander", family_name="Adams", present=True, date_of_birth=BORN, sex=Sex.MALE)
    assert match_child(himself, on_behalf_of="test") == brother
    assert brother.kind == PersonKind.CHILD


def test_a_namesake_with_a_different_nhs_number_still_makes_the_exact_name_ambiguous():
    # The namesake's own NHS number lowers their score out of the candidates: still, two
    # records share the name and date of birth, so a person chooses.
    first = PersonFactory(given_names="Ruby", family_name="Booth", date_of_birth=BORN)
    second = PersonFactory(given_names="Ruby", family_name="Booth", date_of_birth=BORN)
    IdentifierFactory(person=second, value=valid_nhs_number(303))
    assert first != second
    assert _linked("Ruby", "Booth", nhs_number=valid_nhs_number(404)) is None
    assert _linked("Ruby", "Booth") is None


@pytest.fixture
def evie():
    home = AddressFactory(postcode="RV8 3LD")
    return _at(PersonFactory(given_names="Evie", family_name="Ashworth-Khan", date_of_birth=BORN, sex=Sex.FEMALE), home)


def test_one_slip_confirmed_by_the_current_address_links(evie):
    """Exact but for one slip, and she lives at the postcode given: a misspelt, punctuated or
    half family name, the day and month swapped, one digit wrong, the names the other way round,
    or a known variant of her name when the sex given agrees."""
    assert _linked("Evie", "Ashworth Khan", postcode="RV8 3LD") == evie
    assert _linked("Evie", "Ashwort-Khan", postcode="RV8 3LD") == evie
    assert _linked("Evie", "Khan", postcode="RV8 3LD") == evie
    assert _linked("Evie", "Ashworth-Khan", dob=datetime.date(2015, 3, 4), postcode="RV8 3LD") == evie  # 14 as 4
    assert _linked("Evie", "Ashworth-Khan", dob=datetime.date(2015, 3, 41 - 27), postcode="RV8 3LD") == evie
    assert _linked("Ashworth-Khan", "Evie", postcode="RV8 3LD") == evie
    assert _linked("Eve", "Ashworth-Khan", postcode="RV8 3LD", sex=Sex.FEMALE) == evie  # Eve ~ Evie


def test_without_the_address_only_a_misspelt_name_or_swapped_day_and_month_links(evie):
    """No postcode to confirm her: a misspelt name or the names the other way round still link
    with her exact date of birth, because no one else is like her. A date one digit out, or a
    variant of her name, does not: with a name alone those fit a stranger too often. Nor does
    any slip with a postcode she never had: that is a second difference (a stranger elsewhere)."""
    assert _linked("Evie", "Ashwort-Khan") == evie
    assert _linked("Evie", "Ashwort-Khan", postcode="RV9 9ZZ") is None
    assert _linked("Evie", "Ashworth-Khan", postcode="RV9 9ZZ") == evie  # exact: she may have moved
    assert _linked("Ashworth-Khan", "Evie") == evie
    assert _linked("Evie", "Ashworth-Khan", dob=datetime.date(2015, 3, 4)) is None
    assert _linked("Evie", "Ashworth-Khan", dob=datetime.date(2015, 3, 4), postcode="RV9 9ZZ") is None
    assert _linked("Eve", "Ashworth-Khan") is None  # a variant needs the address and the sex


def test_a_slip_is_left_to_a_person_against_anything_else(evie):
    assert _linked("Evie", "Ashwort-Khan", postcode="RV8 3LD", sex=Sex.MALE) is None
    assert _linked("Evie", "Ashwort-Khan", dob=datetime.date(2015, 3, 4), postcode="RV8 3LD") is None  # two slips
    assert _linked("Evie", "Ashworth-Khan", dob=datetime.date(2016, 3, 4), postcode="RV8 3LD") is None  # two digits


def test_a_misspelt_given_name_links_only_when_no_one_is_called_that(evie):
    """Evee is a slip for Evie; Evi, once someone in the index is called Evi, is a name: an
    absent twin called Evi looks just like that."""
    assert _linked("Evee", "Ashworth-Khan", postcode="RV8 3LD") == evie
    PersonFactory(given_names="Evi", family_name="Okafor", date_of_birth=datetime.date(2019, 1, 2))
    assert _linked("Evi", "Ashworth-Khan", postcode="RV8 3LD") is None


def test_without_a_date_of_birth_the_exact_name_at_her_address_links(evie):
    """Unless someone else of the family there has a name like it (a sibling)."""
    assert _linked("Evie", "Ashworth-Khan", dob=None, postcode="RV8 3LD") == evie
    assert _linked("Evie", "Ashworth-Khan", dob=None) is None  # the name alone
    assert _linked("Evie", "Ashworth-Khan", dob=None, postcode="RV9 9ZZ") is None
    _at(
        PersonFactory(given_names="Evi", family_name="Ashworth-Khan", date_of_birth=datetime.date(2019, 1, 2)),
        evie.addresses.first().address,
    )
    assert _linked("Evie", "Ashworth-Khan", dob=None, postcode="RV8 3LD") is None


def test_a_twin_at_the_address_leaves_any_slip_to_a_person(evie):
    _at(
        PersonFactory(given_names="Eva", family_name="Ashworth-Khan", date_of_birth=BORN, sex=Sex.FEMALE),
        evie.addresses.first().address,
    )
    assert _linked("Evie", "Ashwort-Khan", postcode="RV8 3LD") is None
    assert _linked("Ashworth-Khan", "Evie", postcode="RV8 3LD") is None
    assert _linked("Evie", "Ashworth-Khan", postcode="RV8 3LD") == evie  # her exact details still link


def test_an_nhs_number_links_the_names_written_the_other_way_round(twins):
    brother, _ = twins
    nhs = IdentifierFactory(person=brother).value
    assert _linked("Adams", "Alexander", nhs_number=nhs) == brother


def test_a_misspelt_name_is_left_to_a_person_when_someone_at_the_records_home_has_a_name_like_it():
    """With no postcode typed, the household is where the record lives now."""
    home = AddressFactory(postcode="RV4 2NB")
    jaden = _at(PersonFactory(given_names="Jaden", family_name="Holroyd", date_of_birth=BORN, sex=Sex.MALE), home)
    assert _linked("Jadne", "Holroyd") == jaden
    _at(PersonFactory(given_names="Jayden", family_name="Holroyd", date_of_birth=datetime.date(2017, 6, 2)), home)
    assert _linked("Jadne", "Holroyd") is None
    assert _linked("Jaden", "Holroyd") == jaden  # his exact details still link
