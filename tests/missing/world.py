"""A force, two councils (each with a missing-children team, a coordinator and a commissioned
interview provider with its worker), and a girl of 14 in care, for the missing-children tests."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from safehub.missing.models import MissingArrangement, Reporter, RiskGrade
from safehub.missing.services import ChildDetails, EpisodeInput, ReturnInput, record_episode, record_return
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles, **extra):
    user = UserFactory(organisation=team.organisation, roles=list(roles), **extra)
    user.teams.add(team)
    return user


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    w.council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")
    w.other_council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Wolds Council", la_code="991")
    w.provider = OrganisationFactory(kind=OrganisationKind.OTHER, name="Safe Return Partnership")
    w.other_provider = OrganisationFactory(kind=OrganisationKind.OTHER, name="Compass Young People")
    w.team = TeamFactory(organisation=w.council, name="Missing Children Team", email="missing@riverside.example")
    w.other_team = TeamFactory(organisation=w.other_council, name="Missing Children Team", email="")
    MissingArrangement.objects.create(local_authority=w.council, team=w.team, rhi_provider=w.provider)
    MissingArrangement.objects.create(local_authority=w.other_council, team=w.other_team, rhi_provider=w.other_provider)
    w.coordinator = member(w.team, Role.MISSING_COORDINATOR)
    w.other_coordinator = member(w.other_team, Role.MISSING_COORDINATOR)
    w.cp_team = TeamFactory(organisation=w.council, name="Child Protection Team")
    w.manager = member(w.cp_team, Role.TEAM_MANAGER)
    w.worker = UserFactory(organisation=w.provider, roles=[Role.RHI_WORKER])
    w.other_worker = UserFactory(organisation=w.other_provider, roles=[Role.RHI_WORKER])
    w.cait = TeamFactory(organisation=w.force, name="Missing Persons Unit")
    w.officer = member(w.cait, Role.POLICE_OFFICER)
    w.nurse = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Trust"),
        roles=[Role.HEALTH_PRACTITIONER],
    )
    w.child = PersonFactory(given_names="Kayla", family_name="Thorne", date_of_birth=datetime.date(2012, 3, 1))
    return w


def episode_input(w, *, reference: str = "MP/1/26", at: datetime.datetime, **extra) -> EpisodeInput:
    values = {
        "police_reference": reference,
        # Matched as at the front door: the exact full name and date of birth.
        "child": ChildDetails(given_names="Kayla", family_name="Thorne", date_of_birth=datetime.date(2012, 3, 1)),
        "reported_at": at,
        "reported_by": Reporter.CHILDRENS_HOME,
        "last_seen_location": "Outside the children's home",
        "risk_grade": RiskGrade.MEDIUM,
        "local_authority": w.council,
    }
    values.update(extra)
    return EpisodeInput(**values)


def report(w, *, reference: str = "MP/1/26", at: datetime.datetime, by=None, **extra):
    episode, _ = record_episode(episode=episode_input(w, reference=reference, at=at, **extra), by=by or w.officer)
    return episode


def bring_back(w, episode, *, at: datetime.datetime, **extra):
    values = {"returned_at": at, "found_location": "A flat in town", "found_by": "Police"}
    values.update(extra)
    return record_return(episode=episode, by=w.officer, given=ReturnInput(**values))
