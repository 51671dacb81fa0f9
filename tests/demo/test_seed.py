"""The demo partnership generator: deterministic, valid identifiers, one user per role, usable calendars."""

import datetime
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate

from safehub.demo import seed as demo
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import Role
from safehub.people.demo import second_records
from safehub.people.identifiers import validate_nhs_number, validate_upn
from safehub.people.models import (
    Enrolment,
    Identifier,
    IdentifierScheme,
    Person,
    PersonKind,
    Relationship,
    RelationshipKind,
)
from safehub.people.selectors import school_roll
from safehub.timescales.calendar import SchoolCalendar
from safehub.timescales.models import SchoolClosure, TermDate
from tests.demo.conftest import seeded_once

# Small enough for a unit test, big enough for every kind of household to appear.
CHILDREN = 400
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(scope="module")
def summary(django_db_setup, django_db_blocker) -> Iterator[demo.DemoSummary]:
    with seeded_once(django_db_blocker, at=TODAY, children=CHILDREN) as summary:
        yield summary


def _family_records():
    """Everyone the generator made: not the second records another agency made of some children
    (safehub.people.demo._second_records), which are the duplicates the review queue holds."""
    return Person.objects.exclude(pk__in=second_records())


def test_makes_exactly_the_number_of_children_asked_for(summary):
    assert _family_records().filter(kind=PersonKind.CHILD).count() == CHILDREN
    assert summary.counts["children"] == CHILDREN


def test_some_children_have_a_second_record_at_their_home_without_an_nhs_number(summary):
    seconds = Person.objects.filter(pk__in=second_records())
    assert seconds.count() == summary.counts["second records of a child"] > 0
    # Those the demo's merges left alone (a merge moves the records' rows to the one kept).
    untouched = seconds.unmerged().filter(merges_kept__isnull=True)
    for second in untouched.prefetch_related("addresses", "identifiers"):
        assert not second.identifiers.all()
        home = second.addresses.get().address_id
        assert _family_records().filter(kind=PersonKind.CHILD, addresses__address_id=home).exists()


def test_children_are_under_eighteen_and_born_by_today(summary):
    today = datetime.date(2026, 11, 26)
    for dob in _family_records().filter(kind=PersonKind.CHILD).values_list("date_of_birth", flat=True):
        assert dob <= today
        assert (today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))) < 18


def test_every_nhs_number_and_upn_is_valid_and_unique(summary):
    nhs = list(Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values_list("value", flat=True))
    upns = list(Identifier.objects.filter(scheme=IdentifierScheme.UPN).values_list("value", flat=True))
    assert len(nhs) > CHILDREN
    assert len(upns) > CHILDREN // 2
    for value in nhs:
        assert validate_nhs_number(value) == value
        assert value.startswith("999")
    for value in upns:
        assert validate_upn(value) == value


def test_a_pupils_upn_starts_with_the_la_code_of_their_school(summary):
    codes = dict(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).values_list("pk", "la_code"))
    upns = Identifier.objects.filter(scheme=IdentifierScheme.UPN).select_related("person")
    for identifier in upns[:200]:
        schools = Enrolment.objects.filter(person=identifier.person).values_list(
            "organisation__local_authority_id", flat=True
        )
        assert {codes[la] for la in schools} == {identifier.value[1:4]}


def test_every_born_person_has_an_nhs_number_and_an_unborn_child_has_a_mother(summary):
    born = _family_records().unmerged().exclude(kind=PersonKind.UNBORN)
    with_nhs = Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values("person_id")
    assert not born.exclude(pk__in=with_nhs).exists()
    for unborn in Person.objects.filter(kind=PersonKind.UNBORN):
        assert unborn.mother is not None
        assert unborn.mother.sex == "female"
        assert unborn.expected_due_date > datetime.date(2026, 11, 26)


def test_siblings_and_parents_are_related(summary):
    assert Relationship.objects.filter(kind=RelationshipKind.SIBLING).exists()
    assert Relationship.objects.filter(kind=RelationshipKind.STEP_PARENT).exists()
    children = _family_records().unmerged().filter(kind=PersonKind.CHILD)
    with_parent = Relationship.objects.filter(kind=RelationshipKind.PARENT).values("related_to_id")
    assert not children.exclude(pk__in=with_parent).exists()


def test_every_role_has_exactly_one_demo_user_who_can_sign_in(summary):
    for role in Role:
        # The demo users' colleagues (safehub.demo.colleagues) hold roles too, but cannot sign in.
        holders = User.objects.filter(role_assignments__role=role)
        users = User.objects.filter(pk__in=[u.pk for u in holders if u.has_usable_password()])
        assert users.count() == 1, role
        user = users.get()
        assert authenticate(username=user.username, password=demo.DEMO_PASSWORD) == user
        assert user.teams.exclude(organisation=user.organisation).count() == 0
        assert user.teams.exists()
    assert len(demo.DEMO_PASSWORD) >= 12
    assert [u.username for u in summary.users] == [u.username for u in demo.demo_users()]
    assert len(summary.users) == len(Role)


def test_only_the_system_administrator_is_a_django_superuser(summary):
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["system.admin"]
    assert User.objects.get(username="system.admin").is_staff


def test_the_designated_safeguarding_lead_works_at_the_primary_with_the_most_pupils(summary):
    dsl = User.objects.get(username="school.dsl")
    assert dsl.organisation.kind == OrganisationKind.SCHOOL
    assert dsl.organisation.phase == "Primary"
    on_roll = Enrolment.objects.current_on().filter(end_date__isnull=True)
    largest = max(
        on_roll.filter(organisation=school).count()
        for school in Organisation.objects.filter(kind=OrganisationKind.SCHOOL, phase="Primary")
    )
    assert school_roll(user=dsl).count() == largest > 0


def test_every_local_authority_has_terms_covering_the_next_300_days(summary):
    today = datetime.date(2026, 11, 26)
    authorities = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
    assert authorities.count() == 4
    for la in authorities:
        terms = TermDate.objects.filter(local_authority=la)
        assert terms.filter(start_date__lte=today).exists()
        assert terms.filter(end_date__gte=today + datetime.timedelta(days=300)).exists()
        assert terms.count() == 18  # six half-terms in each of 2025/26, 2026/27 and 2027/28


def test_schools_follow_real_holidays(summary):
    school = Organisation.objects.filter(kind=OrganisationKind.SCHOOL, own_term_dates__isnull=True).first()
    calendar = SchoolCalendar(school, datetime.date(2026, 9, 1), datetime.date(2027, 8, 31))
    assert calendar.source == "local_authority"
    assert sum(calendar.is_school_day(datetime.date(2026, 11, day)) for day in range(23, 28)) >= 3
    assert not calendar.is_school_day(datetime.date(2026, 12, 29))  # Christmas holidays
    assert not calendar.is_school_day(datetime.date(2027, 3, 26))  # Good Friday 2027
    assert not calendar.is_school_day(datetime.date(2027, 8, 10))  # summer holidays


def test_every_school_has_five_inset_days_a_year_on_school_days(summary):
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
    for school in schools:
        insets = SchoolClosure.objects.filter(school=school, kind="inset")
        assert insets.count() == 15  # three academic years
        terms = list(TermDate.objects.filter(school=school).values_list("start_date", "end_date"))
        if not terms:
            terms = list(
                TermDate.objects.filter(local_authority_id=school.local_authority_id).values_list(
                    "start_date", "end_date"
                )
            )
        for closure in insets:
            assert closure.date.weekday() < 5
            assert any(start <= closure.date <= end for start, end in terms)


def test_some_academies_set_their_own_terms(summary):
    own = TermDate.objects.filter(school__isnull=False)
    assert own.exists()
    assert {t.school.establishment_type for t in own.select_related("school")} <= {
        "Academy converter",
        "Academy sponsor led",
        "Academy special converter",
    }


def test_refuses_to_seed_a_database_that_already_has_data(summary):
    with pytest.raises(demo.DemoDataError, match="empty database"):
        demo.seed_demo(size="small", children=10)


def test_the_demo_users_colleagues_staff_every_hub_and_most_schools_and_cannot_sign_in(summary):
    demo_usernames = {username for username, *_ in demo.names.DEMO_STAFF}
    colleagues = User.objects.exclude(username__in=demo_usernames)
    assert colleagues.exists()
    for colleague in colleagues:
        assert not colleague.has_usable_password()
        assert authenticate(username=colleague.username, password=demo.DEMO_PASSWORD) is None
        assert colleague.teams.count() == 1
        assert colleague.role_assignments.count() == 1
    for council in Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY):
        for role in (Role.HUB_PRACTITIONER, Role.TEAM_MANAGER, Role.SOCIAL_WORKER):
            assert User.objects.filter(organisation=council, role_assignments__role=role).exists(), (council, role)
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
    led = schools.filter(users__role_assignments__role=Role.DESIGNATED_SAFEGUARDING_LEAD).distinct().count()
    # Most schools have their lead in SafeHub; a few have no account, as in life.
    assert 0.9 * schools.count() <= led < schools.count()


def test_every_demo_user_has_a_confirmed_demo_authenticator(summary):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safehub.core.mfa import demo_code

    for user in User.objects.filter(username__in=[username for username, *_ in demo.names.DEMO_STAFF]):
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
        assert len(demo_code(user.username)) == 6
