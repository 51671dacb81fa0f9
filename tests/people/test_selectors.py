"""Reads of people: search, who sees whom, households and chronology."""

import datetime

import pytest
from django.utils import timezone

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people import selectors
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    DatePrecision,
    IdentifierScheme,
    NameKind,
    PersonName,
    RelationshipKind,
)
from safehub.people.selectors import PersonSearch, household_of, persons_visible_to, search_people
from tests.factories import (
    AdultFactory,
    EnrolmentFactory,
    IdentifierFactory,
    OrganisationFactory,
    PersonAddressFactory,
    PersonFactory,
    RelationshipFactory,
    SchoolFactory,
    UserFactory,
    valid_nhs_number,
    valid_upn,
)


@pytest.fixture
def practitioner(db):
    """A Children's Hub practitioner, who may find anyone: these tests are about how search,
    households and chronologies work. Who may see whom is tested in tests/access."""
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="991"),
        roles=[Role.HUB_PRACTITIONER],
    )


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def dsl(school):
    return UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])


def found(user, **terms):
    return set(search_people(user=user, search=PersonSearch(**terms)))


def test_search_by_the_start_of_either_name_and_every_word_must_match(practitioner):
    amelia = PersonFactory(given_names="Amelia Rose", family_name="Hartley")
    PersonFactory(given_names="Amelia", family_name="Brook")

    assert found(practitioner, name="hart") == {amelia}
    assert found(practitioner, name="AMELIA hart") == {amelia}
    assert found(practitioner, name="rose") == {amelia}  # a second given name
    assert found(practitioner, name="artley") == set()  # not the middle of a name


def test_search_by_either_half_of_a_double_barrelled_name(practitioner):
    child = PersonFactory(family_name="Hartley-Stone")

    assert found(practitioner, name="stone") == {child}


def test_search_by_a_previous_or_other_name_finds_the_person_once(practitioner):
    child = PersonFactory(given_names="Amelia", family_name="Hartley")
    PersonName.objects.create(person=child, kind=NameKind.BIRTH, given_names="Amelia", family_name="Stone")
    PersonName.objects.create(person=child, kind=NameKind.ALIAS, given_names="Millie", family_name="Stone")

    results = list(search_people(user=practitioner, search=PersonSearch(name="Stone")))

    assert results == [child]


def test_search_by_full_date_of_birth(practitioner):
    child = PersonFactory(date_of_birth=datetime.date(2015, 3, 27))
    PersonFactory(date_of_birth=datetime.date(2015, 3, 28))

    assert found(practitioner, date_of_birth=datetime.date(2015, 3, 27)) == {child}


def test_search_by_date_of_birth_matches_partial_dates_of_birth_on_record(practitioner):
    month_known = PersonFactory(date_of_birth=datetime.date(2015, 3, 1), date_of_birth_precision=DatePrecision.MONTH)
    year_known = PersonFactory(date_of_birth=datetime.date(2015, 1, 1), date_of_birth_precision=DatePrecision.YEAR)
    PersonFactory(date_of_birth=datetime.date(2015, 4, 1), date_of_birth_precision=DatePrecision.MONTH)
    PersonFactory(date_of_birth=datetime.date(2015, 3, 1))  # born on the 1st, not the 27th

    assert found(practitioner, date_of_birth=datetime.date(2015, 3, 27)) == {month_known, year_known}


def test_search_by_nhs_number_typed_with_spaces(practitioner):
    nhs = valid_nhs_number(11)
    identifier = IdentifierFactory(value=nhs)

    assert found(practitioner, identifier=f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}") == {identifier.person}


def test_search_by_upn_in_lower_case(practitioner):
    upn = valid_upn("990", 7)
    identifier = IdentifierFactory(scheme=IdentifierScheme.UPN, value=upn)

    assert found(practitioner, identifier=upn.lower()) == {identifier.person}


def test_search_by_postcode_typed_without_a_space_includes_past_addresses(practitioner):
    current = PersonAddressFactory(address__postcode="RV1 2AB").person
    moved_away = PersonAddressFactory(address__postcode="RV1 2AB", end_date=datetime.date(2021, 1, 1)).person
    PersonAddressFactory(address__postcode="RV1 2AC")

    assert found(practitioner, postcode="rv12ab") == {current, moved_away}


def test_search_combines_terms(practitioner):
    child = PersonFactory(family_name="Hartley", date_of_birth=datetime.date(2015, 3, 27))
    PersonFactory(family_name="Hartley", date_of_birth=datetime.date(2016, 3, 27))

    assert found(practitioner, name="Hartley", date_of_birth=datetime.date(2015, 3, 27)) == {child}


def test_empty_search_finds_nobody(practitioner):
    PersonFactory()

    assert found(practitioner) == set()


def test_dsl_sees_only_children_on_the_schools_current_roll(dsl, school):
    on_roll = EnrolmentFactory(organisation=school).person
    left = EnrolmentFactory(organisation=school, end_date=datetime.date(2024, 7, 19)).person
    starts_later = EnrolmentFactory(
        organisation=school, start_date=timezone.localdate() + datetime.timedelta(days=30)
    ).person
    elsewhere = EnrolmentFactory().person

    visible = set(persons_visible_to(dsl))

    assert on_roll in visible
    assert visible.isdisjoint({left, starts_later, elsewhere})


def test_search_never_reaches_beyond_what_the_user_may_see(dsl, school):
    on_roll = EnrolmentFactory(organisation=school, person__family_name="Hartley").person
    EnrolmentFactory(person__family_name="Hartley")

    assert found(dsl, name="Hartley") == {on_roll}


def test_get_person_outside_the_roll_is_404(dsl, school):
    from django.http import Http404

    elsewhere = EnrolmentFactory().person

    with pytest.raises(Http404):
        selectors.get_person(user=dsl, pk=elsewhere.pk)


def test_user_without_people_capabilities_sees_nobody(db):
    analyst = UserFactory(roles=[Role.PARTNERSHIP_ANALYST])
    PersonFactory()

    assert not persons_visible_to(analyst).exists()


def test_school_roll_lists_current_pupils_by_name(dsl, school):
    zara = EnrolmentFactory(organisation=school, person__given_names="Zara", person__family_name="Young")
    adam = EnrolmentFactory(organisation=school, person__given_names="Adam", person__family_name="Abbott")
    EnrolmentFactory(organisation=school, end_date=datetime.date(2024, 7, 19))

    assert list(selectors.school_roll(user=dsl)) == [adam, zara]
    assert list(selectors.school_roll(user=dsl, name="you")) == [zara]


def test_household_lists_relationships_in_both_directions(practitioner):
    child = PersonFactory()
    mother = RelationshipFactory(related_to=child, kind=RelationshipKind.PARENT).person
    baby = RelationshipFactory(person=child, related_to=PersonFactory(), kind=RelationshipKind.SIBLING).related_to
    own_child_of_child = PersonFactory()
    RelationshipFactory(person=child, related_to=own_child_of_child, kind=RelationshipKind.CARER)

    household = {m.person: m for m in household_of(user=practitioner, person=child)}

    assert household[mother].relationship == "Parent"
    assert household[baby].relationship == "Sibling"
    assert household[own_child_of_child].relationship == "Cared for"
    # Seen from the mother's record, the child is her child.
    from_mother = household_of(user=practitioner, person=mother)
    assert [(m.person, m.relationship) for m in from_mother] == [(child, "Child")]


def test_household_includes_co_residents_and_marks_ended_relationships(practitioner):
    child = PersonFactory()
    home = PersonAddressFactory(person=child).address
    lodger = PersonAddressFactory(address=home, person=AdultFactory()).person
    former_resident = PersonAddressFactory(address=home, end_date=datetime.date(2021, 1, 1)).person
    stepfather = RelationshipFactory(
        related_to=child, kind=RelationshipKind.STEP_PARENT, end_date=datetime.date(2022, 1, 1)
    ).person

    household = {m.person: m for m in household_of(user=practitioner, person=child)}

    assert household[lodger].relationship == "Lives at the same address"
    assert household[lodger].current is True
    assert former_resident not in household
    assert household[stepfather].current is False
    assert list(household)[-1] == stepfather  # ended relationships last


def test_household_marks_people_the_viewer_may_not_open(dsl, school):
    child = EnrolmentFactory(organisation=school).person
    sibling_on_roll = EnrolmentFactory(organisation=school).person
    RelationshipFactory(person=child, related_to=sibling_on_roll, kind=RelationshipKind.SIBLING)
    mother = RelationshipFactory(related_to=child).person

    household = {m.person: m for m in household_of(user=dsl, person=child)}

    assert household[sibling_on_roll].visible is True
    assert household[mother].visible is False


def test_chronology_is_newest_first_and_hides_other_agencies_own_entries(practitioner):
    child = PersonFactory()
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="990")
    now = timezone.now()

    def entry(hours_ago, organisation=None, visibility=ChronologyVisibility.PARTNERSHIP):
        return ChronologyEntry.objects.create(
            person=child,
            occurred_at=now - datetime.timedelta(hours=hours_ago),
            category="note",
            summary=f"{hours_ago} hours ago",
            organisation=organisation,
            visibility=visibility,
        )

    oldest = entry(30)
    own = entry(20, practitioner.organisation, ChronologyVisibility.RECORDING_AGENCY)
    entry(10, council, ChronologyVisibility.RECORDING_AGENCY)
    newest = entry(1, council)

    assert list(selectors.chronology_for(user=practitioner, person=child)) == [newest, own, oldest]
