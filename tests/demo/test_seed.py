"""The demo partnership generator: deterministic, valid identifiers, one user per role, usable calendars."""

import datetime
import hashlib

import pytest
from django.contrib.auth import authenticate
from django.db import transaction

from safehub.demo import seed as demo
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import Role
from safehub.people.identifiers import validate_nhs_number, validate_upn
from safehub.people.models import (
    Address,
    ChronologyEntry,
    Enrolment,
    Identifier,
    IdentifierScheme,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
)
from safehub.people.selectors import school_roll
from safehub.timescales.calendar import SchoolCalendar
from safehub.timescales.models import SchoolClosure, TermDate

# Small enough for a unit test, big enough for every kind of household to appear.
CHILDREN = 400
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _digest() -> str:
    """A fingerprint of the generated people: names, dates of birth and identifiers, in creation order."""
    hasher = hashlib.sha256()
    for row in Person.objects.order_by("pk").values_list(
        "kind", "given_names", "family_name", "sex", "date_of_birth", "expected_due_date"
    ):
        hasher.update(repr(row).encode())
    for row in Identifier.objects.order_by("pk").values_list("scheme", "value"):
        hasher.update(repr(row).encode())
    for row in Enrolment.objects.order_by("pk").values_list("organisation__urn", "start_date", "end_date"):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


def _seed_and_digest(seed: int) -> str:
    """Seed inside a savepoint that is rolled back, so the next seed starts from an empty database."""
    with transaction.atomic():
        demo.seed_demo(size="small", seed=seed, children=CHILDREN)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


@pytest.fixture
def summary() -> demo.DemoSummary:
    return demo.seed_demo(size="small", seed=2026, children=CHILDREN)


def test_the_same_seed_on_the_same_day_gives_the_same_people():
    assert _seed_and_digest(7) == _seed_and_digest(7)


def test_a_different_seed_gives_different_people():
    assert _seed_and_digest(7) != _seed_and_digest(8)


def test_makes_exactly_the_number_of_children_asked_for(summary):
    assert Person.objects.filter(kind=PersonKind.CHILD).count() == CHILDREN
    assert summary.counts["children"] == CHILDREN


def test_small_size_makes_two_thousand_children():
    demo.seed_demo(size="small", seed=1)
    assert Person.objects.filter(kind=PersonKind.CHILD).count() == demo.SIZES["small"] == 2_000


def test_children_are_under_eighteen_and_born_by_today(summary):
    today = datetime.date(2026, 11, 26)
    for dob in Person.objects.filter(kind=PersonKind.CHILD).values_list("date_of_birth", flat=True):
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
    born = Person.objects.exclude(kind=PersonKind.UNBORN)
    with_nhs = Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values("person_id")
    assert not born.exclude(pk__in=with_nhs).exists()
    for unborn in Person.objects.filter(kind=PersonKind.UNBORN):
        assert unborn.mother is not None
        assert unborn.mother.sex == "female"
        assert unborn.expected_due_date > datetime.date(2026, 11, 26)


def test_siblings_and_parents_are_related(summary):
    assert Relationship.objects.filter(kind=RelationshipKind.SIBLING).exists()
    assert Relationship.objects.filter(kind=RelationshipKind.STEP_PARENT).exists()
    children = Person.objects.filter(kind=PersonKind.CHILD)
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


def test_is_seeded_flips_after_seeding():
    assert not demo.is_seeded()
    demo.seed_demo(size="small", seed=3, children=50)
    assert demo.is_seeded()


def test_refuses_to_seed_a_database_that_already_has_data(summary):
    with pytest.raises(demo.DemoDataError, match="empty database"):
        demo.seed_demo(size="small", children=10)


def test_rejects_an_unknown_size():
    with pytest.raises(ValueError, match="choose small, medium or large"):
        demo.seed_demo(size="huge")


def test_reports_progress_to_the_end_of_every_stage():
    reports: list[tuple[str, int, int]] = []
    demo.seed_demo(size="small", seed=5, children=60, progress=lambda *report: reports.append(report))
    last = {stage: (done, total) for stage, done, total in reports}
    assert "children and families" in last
    assert all(done == total for done, total in last.values())


def test_a_confidential_address_never_names_its_town_in_the_chronology():
    demo.seed_demo(size="small", seed=2026)
    refuges = PersonAddress.objects.filter(is_confidential=True, person__kind=PersonKind.CHILD)
    assert refuges.exists()
    towns = set(Address.objects.values_list("town", flat=True))
    for residence in refuges.select_related("person"):
        summaries = ChronologyEntry.objects.filter(person=residence.person, category="address")
        assert list(summaries.values_list("summary", flat=True)) == ["Moved to a confidential address"]
        assert not any(town in summary for summary in summaries.values_list("summary", flat=True) for town in towns)


def test_a_step_parents_own_child_is_their_child_and_a_sibling_of_the_others():
    demo.seed_demo(size="small", seed=2026, children=1_000)
    step_families = Relationship.objects.filter(kind=RelationshipKind.STEP_PARENT).values("person_id")
    own = Relationship.objects.filter(
        kind=RelationshipKind.PARENT, person_id__in=step_families, related_to__kind=PersonKind.CHILD
    )
    assert own.exists()
    for relationship in own[:20]:
        half_sibling = relationship.related_to
        step_children = Relationship.objects.filter(
            person=relationship.person, kind=RelationshipKind.STEP_PARENT
        ).values("related_to_id")
        siblings = Relationship.objects.filter(kind=RelationshipKind.SIBLING, related_to=half_sibling)
        assert siblings.filter(person_id__in=step_children).exists()


@pytest.mark.django_db
def test_every_demo_user_has_a_confirmed_demo_authenticator():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safehub.core.mfa import demo_code
    from safehub.demo.seed import seed_demo
    from safehub.partnership.models import User

    seed_demo(size="small", seed=7, children=60)
    for user in User.objects.filter(username__in=[username for username, *_ in demo.names.DEMO_STAFF]):
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
        assert len(demo_code(user.username)) == 6


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
