"""A partnership ready for strategy discussions and conferences: a council with its hub and
social-care duty team, a police force (CAIT), an NHS trust (safeguarding team) and a school,
each with people in them, a child on the school's roll with a parent, and a hub contact
decided for a strategy discussion."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from safehub.hub.models import (
    Consent,
    Contact,
    ContactSource,
    ContactState,
    ContactSubject,
    Decision,
    FamilyAwareness,
    LawfulBasis,
    SubjectRole,
)
from safehub.meetings.models import MeetingFormat, MeetingKind
from safehub.meetings.services import convening
from safehub.partnership.models import OrganisationKind, Partnership
from safehub.partnership.roles import Role
from safehub.people.models import PersonKind, Relationship, RelationshipKind
from tests.factories import (
    EnrolmentFactory,
    LocalAuthorityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles, **extra):
    user = UserFactory(organisation=team.organisation, roles=list(roles), **extra)
    user.teams.add(team)
    return user


_references = iter(range(1, 1_000_000))


def build_meetings_world(*, video_template: str = "https://meet.example.org/safehub-{room}") -> SimpleNamespace:
    council = LocalAuthorityFactory(name="Riverside Council", la_code="992")
    partnership = council.partnership
    partnership.video_provider_name = "Example Meet"
    partnership.video_link_template = video_template
    partnership.save()
    assert Partnership.current() == partnership
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police", partnership=partnership)
    trust = OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Riverside NHS Trust", partnership=partnership)
    school = SchoolFactory(local_authority=council, partnership=partnership, name="Millbrook Primary School")
    w = SimpleNamespace(partnership=partnership, council=council, force=force, trust=trust, school=school)
    w.hub = TeamFactory(organisation=council, name="Children's Hub")
    w.duty = TeamFactory(organisation=council, name="Children's Social Care duty team", is_duty_team=True)
    w.cait = TeamFactory(organisation=force, name="Child Abuse Investigation Team")
    w.force_duty = TeamFactory(organisation=force, name="Force Control Room duty team", is_duty_team=True)
    w.trust_team = TeamFactory(organisation=trust, name="Safeguarding Children Team", is_duty_team=True)
    w.school_team = TeamFactory(organisation=school, name="Safeguarding", is_duty_team=True)
    w.practitioner = member(w.hub, Role.HUB_PRACTITIONER)
    w.manager = member(w.hub, Role.TEAM_MANAGER)
    w.social_worker = member(w.duty, Role.SOCIAL_WORKER)
    w.officer = member(w.cait, Role.POLICE_OFFICER)
    w.supervisor = member(w.cait, Role.POLICE_SUPERVISOR)
    w.nurse = member(w.trust_team, Role.HEALTH_PRACTITIONER)
    w.deputy_nurse = member(w.trust_team, Role.HEALTH_PRACTITIONER)
    w.dsl = member(w.school_team, Role.DESIGNATED_SAFEGUARDING_LEAD)
    w.outsider = UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])
    w.analyst = UserFactory(organisation=council, roles=[Role.PARTNERSHIP_ANALYST])
    w.child = PersonFactory()
    EnrolmentFactory(person=w.child, organisation=school, start_date=datetime.date(2020, 9, 1))
    w.mother = PersonFactory(kind=PersonKind.ADULT, given_names="Dana", date_of_birth=datetime.date(1990, 4, 2))
    Relationship.objects.create(person=w.mother, related_to=w.child, kind=RelationshipKind.PARENT)
    w.contact = decided_contact(w)
    return w


def decided_contact(w, *, decided_at: datetime.datetime | None = None, person=None) -> Contact:
    decided_at = decided_at or timezone.now()
    contact = Contact.objects.create(
        reference=f"CT-2026-{next(_references):05d}",
        received_at=decided_at - datetime.timedelta(hours=3),
        source=ContactSource.SCHOOL,
        source_organisation=w.school,
        referrer_name="A Teacher",
        referrer_user=w.dsl,
        what_happened="The child came to school with a bruise and said a parent hit them.",
        family_awareness=FamilyAwareness.NOT_AWARE,
        consent=Consent.NOT_SOUGHT,
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        hub_team=w.hub,
        state=ContactState.DECIDED,
        decision=Decision.STRATEGY_DISCUSSION,
        decided_at=decided_at,
        decided_by=w.manager,
        decision_rationale="Reasonable cause to suspect significant harm.",
    )
    person = person or w.child
    ContactSubject.objects.create(contact=contact, role=SubjectRole.CHILD, person=person)
    return contact


@pytest.fixture
def world(db):
    return build_meetings_world()


def convene_strategy_discussion(w, *, starts_at=None, format=MeetingFormat.VIDEO, **extra):
    starts_at = starts_at or timezone.now() + datetime.timedelta(hours=4)
    return convening.convene(
        kind=MeetingKind.STRATEGY_DISCUSSION,
        by=extra.pop("by", w.practitioner),
        chair=extra.pop("chair", w.manager),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        format=format,
        venue=extra.pop("venue", "Riverside House, room 2" if format != MeetingFormat.VIDEO else ""),
        contact=extra.pop("contact", w.contact),
        **extra,
    )


__all__ = ["build_meetings_world", "convene_strategy_discussion", "decided_contact", "london", "member", "time_machine"]
