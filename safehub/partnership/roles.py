"""Every role in SafeHub and what each may do: the one place where this is defined.

Views, APIs and selectors ask `has_capability(user, Capability.X)`; nothing else in the
code base decides from a role name. The "Trust core" adds record-level scope on top of
these capabilities (`access.can` / `visible_to`), never instead of them.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from safehub.partnership.models import User


class Role(models.TextChoices):
    HUB_PRACTITIONER = "hub_practitioner", "Hub practitioner"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    POLICE_OFFICER = "police_officer", "Police officer"
    POLICE_SUPERVISOR = "police_supervisor", "Police supervisor"
    HEALTH_PRACTITIONER = "health_practitioner", "Health practitioner"
    DESIGNATED_SAFEGUARDING_LEAD = "dsl", "Designated safeguarding lead"
    PARTNERSHIP_ANALYST = "partnership_analyst", "Partnership analyst"
    PARTNERSHIP_MANAGER = "partnership_manager", "Partnership business manager"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    ENCOMPASS_COORDINATOR = "encompass_coordinator", "Operation Encompass coordinator"
    MISSING_COORDINATOR = "missing_coordinator", "Missing children coordinator"
    RHI_WORKER = "rhi_worker", "Return home interview worker"
    DISCLOSURE_OFFICER = "disclosure_officer", "Disclosure officer"
    DISCLOSURE_SUPERVISOR = "disclosure_supervisor", "Disclosure unit supervisor"
    SYSTEM_ADMIN = "system_admin", "System administrator"


class Capability(StrEnum):
    SEARCH_PEOPLE = "search_people"
    VIEW_PERSON = "view_person"
    # Record scope (see safehub.access.policy): every person, or those a user or their
    # team has a legitimate relationship with, or emergency access outside that scope.
    VIEW_ALL_PEOPLE = "view_all_people"
    VIEW_RELATED_PEOPLE = "view_related_people"
    BREAK_GLASS = "break_glass"
    # Sensitive fields (see safehub.access.policy.SENSITIVE_FIELDS).
    VIEW_CONFIDENTIAL_ADDRESSES = "view_confidential_addresses"
    VIEW_POLICE_REFERENCES = "view_police_references"
    VIEW_SCHOOL_ROLL = "view_school_roll"
    VIEW_DIRECTORY = "view_directory"
    VIEW_CALENDARS = "view_calendars"
    MANAGE_CALENDARS = "manage_calendars"
    MANAGE_DIRECTORY = "manage_directory"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_PERFORMANCE = "view_performance"
    REVIEW_ACCESS = "review_access"
    USE_API = "use_api"
    # The Children's Hub front door: any partner agency's practitioner may raise a concern.
    RECORD_CONTACT = "record_contact"
    # The Children's Hub (safehub.hub): working the hub's queue, deciding referrals, and
    # answering the hub's multi-agency checks for one's own agency.
    WORK_HUB_QUEUE = "work_hub_queue"
    DECIDE_REFERRAL = "decide_referral"
    ANSWER_RESEARCH = "answer_research"
    # Folding two records found to be one person into one, and undoing it (safehub.people.merge).
    MERGE_PEOPLE = "merge_people"
    # Adding an entry to a person's chronology for one's own agency, and deciding who may
    # read the agency's entries (safehub.people.services).
    ADD_CHRONOLOGY = "add_chronology"
    # Strategy discussions and conferences (safehub.meetings): arranging them, chairing them
    # (recording attendance and the decision), overriding quorum with a reason, and being
    # invited to them (accepting or declining).
    CONVENE_MEETINGS = "convene_meetings"
    CHAIR_MEETINGS = "chair_meetings"
    OVERRIDE_QUORUM = "override_quorum"
    ATTEND_MEETINGS = "attend_meetings"
    # Operation Encompass (safehub.encompass): the police record domestic abuse incidents;
    # a school's Key Adult (and the council's education team) receives and acknowledges the
    # notices; the coordinator sees every notice in the council's area and chases late ones.
    RECORD_INCIDENT = "record_incident"
    # Police investigations (safehub.investigations): investigating officers open and work
    # them and propose closures; supervisors review and sign closures off; the council's
    # social workers and managers see the closures of their children's and may challenge.
    INVESTIGATE = "investigate"
    SUPERVISE_INVESTIGATIONS = "supervise_investigations"
    CHALLENGE_CLOSURE = "challenge_closure"
    RECEIVE_ENCOMPASS = "receive_encompass"
    COORDINATE_ENCOMPASS = "coordinate_encompass"
    # Missing children (safehub.missing): the police record episodes and open a child in
    # care's Philomena record; the council's missing-children coordinator (its missing lead)
    # sees every episode of the council's children, the digests, interviews and flags, and the
    # children missing education; an independent provider's worker records the return home
    # interviews referred to it; police and the council, as first responders, refer to the
    # National Referral Mechanism; schools and the council record children missing education.
    RECORD_MISSING = "record_missing"
    COORDINATE_MISSING = "coordinate_missing"
    RECORD_RETURN_INTERVIEW = "record_return_interview"
    MAINTAIN_PHILOMENA = "maintain_philomena"
    REFER_NRM = "refer_nrm"
    RECORD_MISSING_EDUCATION = "record_missing_education"
    # DBS local checks (safehub.dbs): the force's disclosure unit works the checks (only it may
    # read one: disclosures are sensitive); a supervisor gives the quality review every
    # disclosure needs, and never of their own assessment.
    WORK_DBS_CHECKS = "work_dbs_checks"
    REVIEW_DISCLOSURES = "review_disclosures"
    # The partnership's commitments (safehub.measures): the board's business manager records
    # the promises the partners make, and hears when one is not kept.
    MANAGE_COMMITMENTS = "manage_commitments"


_PRACTITIONER = {
    Capability.SEARCH_PEOPLE,
    Capability.VIEW_PERSON,
    Capability.VIEW_RELATED_PEOPLE,
    Capability.BREAK_GLASS,
    Capability.VIEW_DIRECTORY,
    Capability.VIEW_CALENDARS,
    Capability.USE_API,
    Capability.RECORD_CONTACT,
    Capability.ATTEND_MEETINGS,
    Capability.ADD_CHRONOLOGY,
}
# The Children's Hub is the front door: it must find any child, wherever they are known.
# Seeing every record, the hub also finds the duplicates and merges them.
_FRONT_DOOR = {Capability.VIEW_ALL_PEOPLE, Capability.WORK_HUB_QUEUE, Capability.MERGE_PEOPLE}
_CHILDRENS_SOCIAL_CARE = {Capability.VIEW_CONFIDENTIAL_ADDRESSES, Capability.CONVENE_MEETINGS}
_POLICE = {Capability.VIEW_POLICE_REFERENCES}
# Only the force's own people record domestic abuse incidents (the hub reads police
# references but records no incident, so this is not part of _POLICE).
_RECORDS_INCIDENTS = {Capability.RECORD_INCIDENT}
# Agencies' practitioners check their own records when the hub asks (the hub itself does not).
_ANSWERS_CHECKS = {Capability.ANSWER_RESEARCH}
# The police and the council are the first responders of the National Referral Mechanism.
_FIRST_RESPONDER = {Capability.REFER_NRM}

CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.HUB_PRACTITIONER: frozenset(_PRACTITIONER | _FRONT_DOOR | _CHILDRENS_SOCIAL_CARE | _POLICE),
    Role.SOCIAL_WORKER: frozenset(
        _PRACTITIONER
        | _CHILDRENS_SOCIAL_CARE
        | _ANSWERS_CHECKS
        | _FIRST_RESPONDER
        | {Capability.CHAIR_MEETINGS, Capability.CHALLENGE_CLOSURE, Capability.MAINTAIN_PHILOMENA}
    ),
    Role.TEAM_MANAGER: frozenset(
        _PRACTITIONER
        | _FRONT_DOOR
        | _CHILDRENS_SOCIAL_CARE
        | _FIRST_RESPONDER
        | {
            Capability.VIEW_PERFORMANCE,
            Capability.DECIDE_REFERRAL,
            Capability.CHAIR_MEETINGS,
            Capability.OVERRIDE_QUORUM,
            Capability.CHALLENGE_CLOSURE,
        }
    ),
    Role.POLICE_OFFICER: frozenset(
        _PRACTITIONER
        | _POLICE
        | _RECORDS_INCIDENTS
        | _ANSWERS_CHECKS
        | _FIRST_RESPONDER
        | {Capability.INVESTIGATE, Capability.RECORD_MISSING}
    ),
    Role.POLICE_SUPERVISOR: frozenset(
        _PRACTITIONER
        | _POLICE
        | _RECORDS_INCIDENTS
        | _ANSWERS_CHECKS
        | _FIRST_RESPONDER
        | {
            Capability.VIEW_PERFORMANCE,
            Capability.INVESTIGATE,
            Capability.SUPERVISE_INVESTIGATIONS,
            Capability.RECORD_MISSING,
        }
    ),
    Role.HEALTH_PRACTITIONER: frozenset(_PRACTITIONER | _ANSWERS_CHECKS),
    # A school's lead sees the children on its own roll, never a partnership-wide search.
    Role.DESIGNATED_SAFEGUARDING_LEAD: frozenset(
        {
            Capability.VIEW_SCHOOL_ROLL,
            Capability.VIEW_PERSON,
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.ANSWER_RESEARCH,
            Capability.RECORD_CONTACT,
            Capability.ATTEND_MEETINGS,
            Capability.ADD_CHRONOLOGY,
            Capability.RECEIVE_ENCOMPASS,
            Capability.RECORD_MISSING_EDUCATION,
            # Schools' management systems read and acknowledge notices and answer checks.
            Capability.USE_API,
        }
    ),
    Role.PARTNERSHIP_ANALYST: frozenset(
        {Capability.VIEW_PERFORMANCE, Capability.VIEW_DIRECTORY, Capability.VIEW_CALENDARS, Capability.USE_API}
    ),
    # The safeguarding partnership's business manager: the board's figures and its commitments.
    Role.PARTNERSHIP_MANAGER: frozenset(
        {
            Capability.VIEW_PERFORMANCE,
            Capability.MANAGE_COMMITMENTS,
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.USE_API,
        }
    ),
    Role.PRIVACY_OFFICER: frozenset({Capability.REVIEW_ACCESS, Capability.VIEW_DIRECTORY}),
    # Sits in the council's hub or education team: receives notices for children with no
    # school, and phones schools that have not acknowledged theirs.
    Role.ENCOMPASS_COORDINATOR: frozenset(
        {
            # The records of children notified to the council (a legitimate relationship each).
            Capability.VIEW_PERSON,
            Capability.VIEW_RELATED_PEOPLE,
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.RECEIVE_ENCOMPASS,
            Capability.COORDINATE_ENCOMPASS,
            Capability.VIEW_PERFORMANCE,
            # The hub asks the council's education safeguarding team about a child with no
            # school (children missing education): the team's officers answer that check.
            Capability.ANSWER_RESEARCH,
        }
    ),
    # The council's missing lead: every episode of the council's children (a legitimate
    # relationship each), the daily digest, the interviews and flags, and the CME list.
    Role.MISSING_COORDINATOR: frozenset(
        {
            Capability.VIEW_PERSON,
            Capability.VIEW_RELATED_PEOPLE,
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.VIEW_PERFORMANCE,
            Capability.COORDINATE_MISSING,
            Capability.MAINTAIN_PHILOMENA,
            Capability.RECORD_MISSING_EDUCATION,
            Capability.USE_API,
        }
        | _FIRST_RESPONDER
    ),
    # An independent provider's worker: the interviews referred to the provider, nothing else.
    Role.RHI_WORKER: frozenset({Capability.RECORD_RETURN_INTERVIEW, Capability.VIEW_DIRECTORY}),
    # The force's disclosure unit: the DBS checks and nothing of the index beyond them.
    Role.DISCLOSURE_OFFICER: frozenset(
        {Capability.WORK_DBS_CHECKS, Capability.VIEW_DIRECTORY, Capability.VIEW_CALENDARS, Capability.USE_API}
    ),
    Role.DISCLOSURE_SUPERVISOR: frozenset(
        {
            Capability.WORK_DBS_CHECKS,
            Capability.REVIEW_DISCLOSURES,
            Capability.VIEW_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.USE_API,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {
            Capability.VIEW_DIRECTORY,
            Capability.MANAGE_DIRECTORY,
            Capability.VIEW_CALENDARS,
            Capability.MANAGE_CALENDARS,
            Capability.MANAGE_SETTINGS,
            Capability.USE_API,
        }
    ),
}


def capabilities_of(roles: Iterable[str]) -> frozenset[Capability]:
    granted: set[Capability] = set()
    for role in roles:
        granted |= CAPABILITIES.get(Role(role), frozenset())
    return frozenset(granted)


def has_capability(user: "User", capability: Capability) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return capability in user.capabilities


def require_capability(user: Any, *capabilities: Capability) -> "User":
    """The signed-in user if they hold any of `capabilities`; else PermissionDenied (a 403 page)."""
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDenied
    return cast("User", user)
