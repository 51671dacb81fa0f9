"""Finding the child: candidate records for what a practitioner typed, and why each matched."""

import datetime
import functools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from safehub.audit.models import AuditEvent
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.matching import (
    NAME_VARIANT_GROUPS,
    are_name_variants,
    find_candidates,
    masked,
    postcode_district,
)
from safehub.people.models import DatePrecision, NameKind, Person, PersonAddress, PersonName
from tests.factories import (
    AddressFactory,
    AdultFactory,
    IdentifierFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    valid_nhs_number,
    valid_upn,
)

pytestmark = pytest.mark.django_db

GIVEN = ["Amelia", "Noah", "Isla", "Leo", "Freya", "Arlo", "Maya", "Theo", "Olivia", "Harry", "Ruby", "Oscar"]
FAMILY = ["Ashworth", "Thornton", "Pemberton", "Whitaker", "Hargreaves", "Crossley", "Holroyd", "Sutcliffe"]
# Names sharing nothing with the lists above, for people who must not be confused with them.
OTHER_GIVEN = ["Bartholomew", "Gwendolyn", "Ptolemy", "Zebedee"]
OTHER_FAMILY = ["Quigley", "Venkataraman", "Zbrojewski", "Okonkwo"]
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
child_dates = st.dates(min_value=datetime.date(2008, 1, 1), max_value=datetime.date(2024, 12, 31))


@pytest.fixture
def practitioner(db):
    police = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    return UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])


def rolled_back(test):
    """Each Hypothesis example in its own transaction, undone afterwards."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        with transaction.atomic():
            test(*args, **kwargs)
            transaction.set_rollback(True)

    return run


def live_at(person: Person, postcode: str, *, start=None, end=None, confidential=False) -> None:
    PersonAddress.objects.create(
        person=person,
        address=AddressFactory(postcode=postcode),
        start_date=start,
        end_date=end,
        is_confidential=confidential,
    )


def find(user, **terms):
    return find_candidates(user=user, **terms)


def one_letter_wrong(name: str, position: int, letter: str, how: str) -> str:
    """`name` with one typing slip after its first letter."""
    position = 1 + position % (len(name) - 1)
    if how == "replace":
        return name[:position] + letter + name[position + 1 :]
    if how == "insert":
        return name[:position] + letter + name[position:]
    if how == "delete":
        return name[:position] + name[position + 1 :]
    if position == len(name) - 1:
        position -= 1
    return name[:position] + name[position + 1] + name[position] + name[position + 2 :]


# Properties -----------------------------------------------------------------------------


@HYPOTHESIS
@given(dob=child_dates, given_name=st.sampled_from(GIVEN), family=st.sampled_from(FAMILY))
@rolled_back
def test_a_date_of_birth_with_day_and_month_swapped_is_found(practitioner, dob, given_name, family):
    assume(dob.day <= 12 and dob.day != dob.month)
    child = PersonFactory(given_names=given_name, family_name=family, date_of_birth=dob)
    PersonFactory(given_names=given_name, family_name="Unrelated", date_of_birth=dob)

    typed = dob.replace(day=dob.month, month=dob.day)
    candidates = find(practitioner, given_names=given_name, family_name=family, date_of_birth=typed)

    found = {c.person.pk: c for c in candidates}
    assert child.pk in found
    assert "Date of birth matches with day and month swapped" in found[child.pk].reasons


@HYPOTHESIS
@given(
    dob=child_dates,
    given_name=st.sampled_from(GIVEN),
    family=st.sampled_from(FAMILY),
    position=st.integers(min_value=0, max_value=20),
    letter=st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    how=st.sampled_from(["replace", "insert", "delete", "transpose"]),
)
@rolled_back
def test_a_family_name_with_one_letter_wrong_is_found(practitioner, dob, given_name, family, position, letter, how):
    typed = one_letter_wrong(family, position, letter, how)
    assume(typed.lower() != family.lower())
    child = PersonFactory(given_names=given_name, family_name=family, date_of_birth=dob)

    candidates = find(practitioner, given_names=given_name, family_name=typed, date_of_birth=dob)

    assert child.pk in [c.person.pk for c in candidates]


@HYPOTHESIS
@given(dob=child_dates, given_name=st.sampled_from(GIVEN), family=st.sampled_from(FAMILY), n=st.integers(0, 500))
@rolled_back
def test_an_nhs_number_match_always_ranks_first(practitioner, dob, given_name, family, n):
    # Decoys agree with everything typed except the NHS number; the true record agrees with nothing else.
    for _ in range(3):
        decoy = PersonFactory(given_names=given_name, family_name=family, date_of_birth=dob)
        live_at(decoy, "RV1 1AA")
    upn = valid_upn("990", n)
    IdentifierFactory(person=decoy, scheme="upn", value=upn)
    target = PersonFactory(given_names="Zebedee", family_name="Quigley", date_of_birth=datetime.date(1990, 1, 1))
    nhs = valid_nhs_number(n)
    IdentifierFactory(person=target, value=nhs)

    candidates = find(
        practitioner,
        given_names=given_name,
        family_name=family,
        date_of_birth=dob,
        nhs_number=f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
        upn=upn,
        postcode="rv11aa",
    )

    assert candidates[0].person == target
    assert "NHS number matches" in candidates[0].reasons
    assert len(candidates) == 4


@HYPOTHESIS
@given(
    dob=child_dates,
    given_name=st.sampled_from(GIVEN),
    family=st.sampled_from(FAMILY),
    other_given=st.sampled_from(OTHER_GIVEN),
    other_family=st.sampled_from(OTHER_FAMILY),
    years_apart=st.integers(min_value=3, max_value=40),
)
@rolled_back
def test_an_unrelated_person_is_not_returned(
    practitioner, dob, given_name, family, other_given, other_family, years_apart
):
    stranger = AdultFactory(
        given_names=other_given, family_name=other_family, date_of_birth=dob.replace(year=dob.year - years_apart, day=1)
    )
    live_at(stranger, "HX9 9ZZ")
    IdentifierFactory(person=stranger)

    candidates = find(
        practitioner, given_names=given_name, family_name=family, date_of_birth=dob, postcode="RV1 1AA", upn=""
    )

    assert stranger.pk not in [c.person.pk for c in candidates]


# Reasons --------------------------------------------------------------------------------


def test_a_family_name_that_sounds_alike_says_so(practitioner):
    child = PersonFactory(given_names="Isla", family_name="Smith", date_of_birth=datetime.date(2016, 5, 4))

    [candidate] = find(practitioner, given_names="Isla", family_name="Smyth", date_of_birth=datetime.date(2016, 5, 4))

    assert candidate.person == child
    assert "Family name sounds alike (Smyth ~ Smith)" in candidate.reasons


def test_a_known_variant_of_the_given_name_matches(practitioner):
    child = PersonFactory(given_names="John Paul", family_name="Hartley", date_of_birth=datetime.date(2012, 8, 30))

    [candidate] = find(practitioner, given_names="Jon", family_name="Hartley", date_of_birth=datetime.date(2012, 8, 30))

    assert candidate.person == child
    assert "Given name is a known variant (Jon ~ John)" in candidate.reasons


def test_a_previous_family_name_matches_without_the_current_one(practitioner):
    child = PersonFactory(given_names="Maya", family_name="Okafor", date_of_birth=datetime.date(2014, 2, 9))
    PersonName.objects.create(person=child, kind=NameKind.PREVIOUS, given_names="Maya", family_name="Barraclough")

    [candidate] = find(
        practitioner, given_names="Maya", family_name="Barraclough", date_of_birth=datetime.date(2014, 2, 9)
    )

    assert candidate.person == child
    assert "Previous name matches" in candidate.reasons


def test_a_previous_name_is_found_by_name_alone(practitioner):
    child = PersonFactory(given_names="Maya", family_name="Okafor")
    PersonName.objects.create(person=child, kind=NameKind.PREVIOUS, given_names="Maya", family_name="Barraclough")

    assert [c.person for c in find(practitioner, given_names="Maya", family_name="Barraclough")] == [child]


def test_a_date_of_birth_one_digit_out_is_found_with_the_family_name(practitioner):
    child = PersonFactory(given_names="Theo", family_name="Whitaker", date_of_birth=datetime.date(2015, 3, 17))

    [candidate] = find(
        practitioner, given_names="Theo", family_name="Whitaker", date_of_birth=datetime.date(2015, 3, 18)
    )

    assert candidate.person == child
    assert "Date of birth differs by one digit" in candidate.reasons


def test_a_partial_date_of_birth_matches_its_month(practitioner):
    adult = AdultFactory(
        given_names="Dean",
        family_name="Crossley",
        date_of_birth=datetime.date(1988, 6, 1),
        date_of_birth_precision=DatePrecision.MONTH,
    )

    [candidate] = find(
        practitioner, family_name="Crossley", given_names="Dean", date_of_birth=datetime.date(1988, 6, 23)
    )

    assert candidate.person == adult
    assert "Month and year of birth match (the day is not recorded)" in candidate.reasons


def test_current_and_past_postcodes_are_told_apart(practitioner):
    here = PersonFactory(given_names="Ruby", family_name="Holroyd", date_of_birth=datetime.date(2013, 1, 5))
    moved = PersonFactory(given_names="Ruby", family_name="Holroyd", date_of_birth=datetime.date(2013, 1, 5))
    live_at(here, "RV3 4AB", start=datetime.date(2020, 1, 1))
    live_at(moved, "RV3 4AB", start=datetime.date(2015, 1, 1), end=datetime.date(2019, 12, 31))

    found = {
        c.person: c.reasons for c in find(practitioner, given_names="Ruby", family_name="Holroyd", postcode="rv34ab")
    }

    assert "Postcode matches a current address" in found[here]
    assert "Postcode matches a past address" in found[moved]


def test_a_confidential_address_is_not_matched_for_those_who_may_not_see_it(practitioner, social_worker):
    child = PersonFactory(given_names="Freya", family_name="Sutcliffe")
    live_at(child, "RV5 5RF", confidential=True)
    terms = {"given_names": "Freya", "family_name": "Sutcliffe", "postcode": "RV5 5RF"}

    [police_view] = find(practitioner, **terms)
    [social_care_view] = find(social_worker, **terms)

    assert "Postcode matches a current address" not in police_view.reasons
    assert police_view.postcode_district == "Withheld"
    assert "Postcode matches a current address" in social_care_view.reasons
    assert social_care_view.postcode_district == "RV5"


def test_candidates_show_identifiers_by_their_last_four_characters_only(practitioner):
    child = PersonFactory(given_names="Oscar", family_name="Pemberton", date_of_birth=datetime.date(2011, 11, 11))
    nhs = IdentifierFactory(person=child).value
    IdentifierFactory(person=child, scheme="police", value="RW/24/000123")

    [candidate] = find(practitioner, given_names="Oscar", family_name="Pemberton", date_of_birth=child.date_of_birth)

    assert candidate.identifiers == [f"NHS number ending {nhs[-4:]}"]


def test_matching_searches_people_the_user_may_not_open(practitioner):
    child = PersonFactory(given_names="Arlo", family_name="Thornton", date_of_birth=datetime.date(2019, 7, 7))

    candidates = find(practitioner, given_names="Arlo", family_name="Thornton", date_of_birth=child.date_of_birth)

    assert [c.person for c in candidates] == [child]
    assert not Person.objects.filter(pk=child.pk, legitimate_relationships__isnull=False).exists()


def test_a_merged_record_is_never_a_candidate(practitioner):
    kept = PersonFactory(given_names="Leo", family_name="Hargreaves", date_of_birth=datetime.date(2017, 9, 1))
    PersonFactory(
        given_names="Leo", family_name="Hargreaves", date_of_birth=datetime.date(2017, 9, 1), merged_into=kept
    )

    assert [c.person for c in find(practitioner, given_names="Leo", family_name="Hargreaves")] == [kept]


def test_the_search_and_its_candidates_are_audited(practitioner):
    child = PersonFactory(given_names="Isla", family_name="Crossley", date_of_birth=datetime.date(2016, 4, 3))

    find(practitioner, given_names="Isla", family_name="Crossley", date_of_birth=datetime.date(2016, 4, 3))

    event = AuditEvent.objects.get(action="person.matched")
    assert event.actor == practitioner
    assert event.detail["criteria"] == {"given_names": "Isla", "family_name": "Crossley", "date_of_birth": "2016-04-03"}
    assert event.detail["candidates"] == [child.pk]


def test_only_those_who_may_record_a_concern_may_look_for_matches(db):
    officer = UserFactory(roles=[Role.PRIVACY_OFFICER])

    with pytest.raises(PermissionDenied):
        find(officer, family_name="Crossley")
    assert not AuditEvent.objects.filter(action="person.matched").exists()


def test_nothing_typed_finds_nothing(practitioner):
    PersonFactory()

    assert find(practitioner) == []


# Helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [("jon", "john"), ("bill", "william"), ("kate", "catherine"), ("liz", "beth")])
def test_known_given_name_variants(a, b):
    assert are_name_variants(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("aleksander", "alexander"),  # ks for x
        ("stephan", "stefan"),  # ph for f
        ("yelena", "elena"),  # Cyrillic transliterated two ways
        ("nadiya", "nadia"),
        ("dmitry", "dmitri"),
        ("lilly", "lily"),  # a doubled letter
        ("hannah", "hanna"),  # a final h
        ("kasia", "katarzyna"),  # Polish, Yoruba and Arabic short forms
        ("seun", "oluwaseun"),
        ("mo", "muhammad"),
        ("mohammed", "muhammad"),
    ],
)
def test_names_spelt_another_way_or_from_another_alphabet_are_variants(a, b):
    assert are_name_variants(a, b)
    assert are_name_variants(b, a)


@pytest.mark.parametrize(("a", "b"), [("ella", "ellie"), ("isla", "ella"), ("leo", "lea"), ("mia", "maya")])
def test_names_a_letter_or_two_apart_are_not_variants(a, b):
    """Different names a twin may be given: a misspelling is judged elsewhere (who is called that)."""
    assert not are_name_variants(a, b)


def test_different_names_are_not_variants():
    assert not are_name_variants("john", "james")
    assert all(name == name.lower() for group in NAME_VARIANT_GROUPS for name in group)


def test_minimal_identity_helpers():
    assert postcode_district("rv34ab") == "RV3"
    assert masked("9990001234") == "ending 1234"


def test_a_misspelt_name_at_the_same_address_is_offered_not_taken_for_a_twin(practitioner):
    """Lilly for Lily, at her address and date of birth, is Lily misspelt: she is offered to the
    practitioner. A clearly different name there is another child of the house."""
    lily = PersonFactory(given_names="Lily", family_name="Begum", date_of_birth=datetime.date(2015, 12, 9))
    live_at(lily, "RV12 6UB")
    found = find(
        practitioner, given_names="Lilly", family_name="Begum", date_of_birth=lily.date_of_birth, postcode="RV12 6UB"
    )
    assert [c.person for c in found] == [lily]
    assert not any("twin" in reason for reason in found[0].reasons)
    other = find(
        practitioner, given_names="Maryam", family_name="Begum", date_of_birth=lily.date_of_birth, postcode="RV12 6UB"
    )
    assert lily not in [c.person for c in other]  # another child of the house: a twin or sibling


def test_given_and_family_names_the_other_way_round_are_found(practitioner):
    emily = PersonFactory(given_names="Emily", family_name="Patel", date_of_birth=datetime.date(2012, 6, 22))
    found = find(practitioner, given_names="Patel", family_name="Emily", date_of_birth=emily.date_of_birth)
    assert [c.person for c in found] == [emily]
    assert "Given and family names match the other way round" in found[0].reasons
