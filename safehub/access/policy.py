"""The one place that decides who may see what. Everything that reads personal data asks here.

- `visible_persons(user)`: the people a user may open, as a QuerySet, evaluated afresh on
  every call (so revoking or expiring a relationship takes effect on the next request).
- `visible_chronology(user, person)`: the entries of a person's timeline the user may read.
- `can(user, action, obj)`: one yes or no for "view", "view_field:<name>", "break_glass",
  "review_access", and the hub's "allocate", "screen", "answer" and "decide".
- `visible_contacts(user)`, `visible_research_requests(user)` and `contact_view(user, contact)`:
  the Children's Hub's contacts, which hold personal data too (see "Contacts" below).
- `visible_meetings(user)`, `managed_meetings(user)` and `can(user, "manage" | "chair" |
  "override_quorum" | "read_minutes", meeting)`, `can(user, "respond", invitation)`: strategy
  discussions and conferences (see "Meetings" below).
- `SENSITIVE_FIELDS`: fields only some roles may see; everyone else sees "Withheld".

Scope comes from capabilities (safehub.partnership.roles), never from role names:
VIEW_ALL_PEOPLE (the front door), VIEW_RELATED_PEOPLE (legitimate relationships and
break-glass grants), VIEW_SCHOOL_ROLL (a school's own pupils).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Model, Q, QuerySet

from safehub.access.models import BreakGlassGrant, LegitimateRelationship, RelationshipSource
from safehub.dbs.models import EventKind as CheckEventKind
from safehub.dbs.models import LocalCheck
from safehub.encompass.models import Incident, Notice, RecipientKind
from safehub.hub.models import Contact, ResearchRequest
from safehub.investigations.models import Investigation, InvestigationSubject, SubjectRole
from safehub.meetings.models import Attendance, Invitation, Meeting, ResponseState
from safehub.missing.models import Episode, EpisodeState, MissingEducation, ReturnInterview
from safehub.partnership.models import HEALTH_KINDS, OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import ChronologyEntry, ChronologyVisibility, Enrolment, Person, PersonAddress


@dataclass(frozen=True)
class SensitiveField:
    name: str
    label: str
    capability: Capability


# Fields shown only to those who hold the capability; everyone else sees "Withheld".
# Health detail and police intelligence join this list when those records arrive.
SENSITIVE_FIELDS: dict[str, SensitiveField] = {
    field.name: field
    for field in (
        SensitiveField(
            "confidential_address",
            "A confidential address, such as a refuge",
            Capability.VIEW_CONFIDENTIAL_ADDRESSES,
        ),
        SensitiveField("police_reference", "A police person reference", Capability.VIEW_POLICE_REFERENCES),
    )
}

# Agencies that see every entry recorded for the partnership, not only their own and shared ones.
STATUTORY_PARTNER_KINDS = frozenset({OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.POLICE_FORCE} | HEALTH_KINDS)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def active_relationships(user: User) -> QuerySet[LegitimateRelationship]:
    """The user's own relationships and their teams', in force now."""
    return LegitimateRelationship.objects.active().filter(Q(user=user) | Q(team__members=user))


def active_grants(user: User) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.active().filter(user=user)


def visible_persons(user: User) -> QuerySet[Person]:
    """Every person the user may open now."""
    if not _signed_in(user):
        return Person.objects.none()
    if has_capability(user, Capability.VIEW_ALL_PEOPLE):
        return Person.objects.all()
    scope = Q(pk__in=[])
    if has_capability(user, Capability.VIEW_RELATED_PEOPLE):
        scope |= Q(pk__in=active_relationships(user).values("person_id"))
    if has_capability(user, Capability.BREAK_GLASS):
        scope |= Q(pk__in=active_grants(user).values("person_id"))
    if has_capability(user, Capability.VIEW_SCHOOL_ROLL) and user.organisation_id:
        on_roll = Enrolment.objects.current_on().filter(organisation_id=user.organisation_id)
        scope |= Q(pk__in=on_roll.values("person_id"))
    return Person.objects.filter(scope)


def may_open_person(user: User, person_id: int) -> bool:
    """Whether the person is in `visible_persons(user)`, asked of each scope by the person's id:
    the same answer, without the database planning `id IN (every record the user may open)`
    across the whole index (64 ms a call at 400,000 people on SQLite; well under 1 ms so)."""
    if not _signed_in(user):
        return False
    if has_capability(user, Capability.VIEW_ALL_PEOPLE):
        in_scope = True
    else:
        in_scope = (
            (
                has_capability(user, Capability.VIEW_RELATED_PEOPLE)
                and active_relationships(user).filter(person_id=person_id).exists()
            )
            or (
                has_capability(user, Capability.BREAK_GLASS)
                and active_grants(user).filter(person_id=person_id).exists()
            )
            or (
                has_capability(user, Capability.VIEW_SCHOOL_ROLL)
                and user.organisation_id is not None
                and Enrolment.objects.current_on()
                .filter(organisation_id=user.organisation_id, person_id=person_id)
                .exists()
            )
        )
    return in_scope and Person.objects.filter(pk=person_id).exists()


def visible_chronology(user: User, person: Person) -> QuerySet[ChronologyEntry]:
    """The entries of the person's timeline the user may read (the person must be visible).

    The recording agency sees its own entries; the statutory partners (council, police,
    health) also see partnership-wide entries; a school or any other agency sees only what
    it recorded or what was shared with it.
    """
    entries = ChronologyEntry.objects.filter(person=person)
    if not may_open_person(user, person.pk):
        return entries.none()
    organisation = user.organisation
    if organisation is None:
        return entries.filter(visibility=ChronologyVisibility.PARTNERSHIP)
    own_or_shared = Q(organisation_id=organisation.pk) | Q(shared_with=organisation)
    if organisation.kind in STATUTORY_PARTNER_KINDS:
        return entries.filter(own_or_shared | Q(visibility=ChronologyVisibility.PARTNERSHIP)).distinct()
    return entries.filter(own_or_shared).distinct()


def may_see_field(user: User, name: str) -> bool:
    return has_capability(user, SENSITIVE_FIELDS[name].capability)


def field_access(user: User) -> dict[str, bool]:
    """For templates and serializers: each sensitive field's name and whether the user may see it."""
    return {name: may_see_field(user, name) for name in SENSITIVE_FIELDS}


def _person_of(obj: Model | None) -> Person | None:
    if isinstance(obj, Person):
        return obj
    person = getattr(obj, "person", None)
    return person if isinstance(person, Person) else None


def can(user: User, action: str, obj: Model | None = None) -> bool:
    """Whether the user may do `action` to `obj` now."""
    if not _signed_in(user):
        return False
    if action == "review_access":
        return has_capability(user, Capability.REVIEW_ACCESS)
    if action in CONTACT_ACTIONS:
        return _can_on_contact(user, action, obj)
    if action in MEETING_ACTIONS:
        return _can_on_meeting(user, action, obj)
    if action in ENCOMPASS_ACTIONS:
        return _can_on_encompass(user, action, obj)
    if action in INVESTIGATION_ACTIONS:
        return _can_on_investigation(user, action, obj)
    if action in MISSING_ACTIONS:
        return _can_on_missing(user, action, obj)
    if action in DBS_ACTIONS:
        return _can_on_check(user, action, obj)
    if action == "view":
        if isinstance(obj, Contact):
            return contact_view(user, obj) is not None
        if isinstance(obj, Meeting):
            return visible_meetings(user).filter(pk=obj.pk).exists()
        if isinstance(obj, Notice):
            return visible_notices(user).filter(pk=obj.pk).exists()
        if isinstance(obj, Incident):
            return visible_incidents(user).filter(pk=obj.pk).exists()
        if isinstance(obj, Investigation):
            return visible_investigations(user).filter(pk=obj.pk).exists()
        if isinstance(obj, Episode):
            return visible_episodes(user).filter(pk=obj.pk).exists()
        if isinstance(obj, ReturnInterview):
            return visible_interviews(user).filter(pk=obj.pk).exists()
        if isinstance(obj, LocalCheck):
            return visible_checks(user).filter(pk=obj.pk).exists()
        if isinstance(obj, ChronologyEntry):
            return visible_chronology(user, obj.person).filter(pk=obj.pk).exists()
        person = _person_of(obj)
        return person is not None and may_open_person(user, person.pk)
    if action.startswith("view_field:"):
        name = action.removeprefix("view_field:")
        if name not in SENSITIVE_FIELDS:
            raise ValueError(f"No sensitive field is called {name!r}: add it to SENSITIVE_FIELDS.")
        if isinstance(obj, PersonAddress) and not obj.is_confidential and name == "confidential_address":
            return can(user, "view", obj)
        return may_see_field(user, name) and (obj is None or can(user, "view", obj))
    if action == "break_glass":
        person = _person_of(obj)
        if person is None or not has_capability(user, Capability.BREAK_GLASS):
            return False
        return not may_open_person(user, person.pk)
    raise ValueError(f"Unknown access action {action!r}.")


def active_grant_for(user: User, person: Person) -> BreakGlassGrant | None:
    """The user's emergency access to this person in force now, if any."""
    if not _signed_in(user):
        return None
    return active_grants(user).filter(person=person).order_by("-expires_at").first()


def access_basis(user: User, person: Person) -> str:
    """Why the user may open this record, in words for the audit log (no personal data)."""
    if has_capability(user, Capability.VIEW_ALL_PEOPLE):
        return "partnership-wide access (front door)"
    grant = active_grant_for(user, person) if has_capability(user, Capability.BREAK_GLASS) else None
    if has_capability(user, Capability.VIEW_RELATED_PEOPLE):
        relationship = active_relationships(user).filter(person=person).order_by("starts_at").first()
        if relationship is not None:
            holder = "team" if relationship.team_id else "own"
            return f"{relationship.get_source_display().lower()} ({holder})"
    if grant is not None:
        return f"break-glass: {grant.reason}"
    if has_capability(user, Capability.VIEW_SCHOOL_ROLL):
        return "on the school's roll"
    return ""


# Contacts ---------------------------------------------------------------------------------
#
# A contact is seen at one of three depths (`ContactView`):
# - the hub: members of the contact's hub team who work the hub queue, and the local
#   authority's team managers who decide referrals, see all of it;
# - an agency answering a check: a practitioner whose team has an open (unanswered) research
#   request for the contact sees only what answering needs: who it is about and what happened;
# - the referrer (`referrer_user`) sees their own contact's outcome only.
# Everyone else sees nothing: the contact does not exist for them (404, never 403).


class ContactView(StrEnum):
    HUB = "hub"
    RESEARCH = "research"
    REFERRER = "referrer"


CONTACT_ACTIONS = frozenset({"allocate", "screen", "answer", "decide"})


def _hub_scope(user: User) -> Q:
    scope = Q(pk__in=[])
    if has_capability(user, Capability.WORK_HUB_QUEUE):
        scope |= Q(hub_team__members=user)
    if has_capability(user, Capability.DECIDE_REFERRAL) and user.organisation_id:
        scope |= Q(hub_team__organisation_id=user.organisation_id)
    return scope


def open_research_requests_to(user: User) -> QuerySet[ResearchRequest]:
    """Unanswered checks addressed to one of the user's teams, for those who answer checks."""
    if not _signed_in(user) or not has_capability(user, Capability.ANSWER_RESEARCH):
        return ResearchRequest.objects.none()
    return ResearchRequest.objects.filter(answered_at__isnull=True, team__members=user)


def _research_scope(user: User) -> Q:
    return Q(pk__in=open_research_requests_to(user).values("contact_id"))


def visible_contacts(user: User) -> QuerySet[Contact]:
    """Every contact the user may open now, at any depth (see `contact_view` for how much)."""
    if not _signed_in(user):
        return Contact.objects.none()
    scope = _hub_scope(user) | _research_scope(user) | Q(referrer_user=user)
    return Contact.objects.filter(pk__in=Contact.objects.filter(scope).values("pk"))


def hub_contacts(user: User) -> QuerySet[Contact]:
    """The contacts the user sees in full, as a member of the hub (its queue)."""
    if not _signed_in(user):
        return Contact.objects.none()
    return Contact.objects.filter(pk__in=Contact.objects.filter(_hub_scope(user)).values("pk"))


def contact_view(user: User, contact: Contact) -> ContactView | None:
    """How much of the contact the user may see: the deepest view that applies, or None."""
    if not _signed_in(user):
        return None
    if hub_contacts(user).filter(pk=contact.pk).exists():
        return ContactView.HUB
    if open_research_requests_to(user).filter(contact=contact).exists():
        return ContactView.RESEARCH
    if contact.referrer_user_id is not None and contact.referrer_user_id == user.pk:
        return ContactView.REFERRER
    return None


def visible_research_requests(user: User) -> QuerySet[ResearchRequest]:
    """The hub sees every check of its contacts; an agency sees its own open checks."""
    if not _signed_in(user):
        return ResearchRequest.objects.none()
    scope = Q(contact__in=hub_contacts(user)) | Q(pk__in=open_research_requests_to(user).values("pk"))
    return ResearchRequest.objects.filter(pk__in=ResearchRequest.objects.filter(scope).values("pk"))


def _can_on_contact(user: User, action: str, obj: Model | None) -> bool:
    if action == "answer":
        return isinstance(obj, ResearchRequest) and open_research_requests_to(user).filter(pk=obj.pk).exists()
    if not isinstance(obj, Contact) or contact_view(user, obj) != ContactView.HUB:
        return False
    if action in {"allocate", "screen"}:
        return has_capability(user, Capability.WORK_HUB_QUEUE)
    # "decide": a team manager of the local authority whose hub holds the contact.
    return (
        has_capability(user, Capability.DECIDE_REFERRAL)
        and user.organisation_id is not None
        and user.organisation_id == obj.hub_team.organisation_id
    )


# Meetings ---------------------------------------------------------------------------------
#
# A strategy discussion or conference is seen by:
# - those who run it: members of the team that convened it, its chair and convenor, and the
#   team managers of its local authority; they change it, invite, and (with the capability)
#   chair it;
# - those invited: the named invitee, or every member of the invited team, while the
#   invitation stands (a withdrawn one no longer shows the meeting).
# The minutes are shared with the agencies that attended, and with those who run it.


MEETING_ACTIONS = frozenset({"manage", "chair", "override_quorum", "read_minutes", "respond"})


def _managing_scope(user: User) -> Q:
    scope = Q(chair=user) | Q(convened_by=user)
    if has_capability(user, Capability.CONVENE_MEETINGS):
        scope |= Q(team__members=user)
    # A council's team managers oversee all its meetings.
    if has_capability(user, Capability.OVERRIDE_QUORUM) and user.organisation_id:
        scope |= Q(local_authority_id=user.organisation_id)
    return scope


def open_invitations_to(user: User) -> QuerySet[Invitation]:
    """Invitations addressed to the user by name or to one of their teams, not withdrawn."""
    if not _signed_in(user) or not has_capability(user, Capability.ATTEND_MEETINGS):
        return Invitation.objects.none()
    # Distinct: an accepted team invitation names its invitee and keeps its team, so the join
    # through the team's members would give it once per member.
    return (
        Invitation.objects.filter(Q(invitee=user) | Q(team__members=user))
        .exclude(response=ResponseState.WITHDRAWN)
        .distinct()
    )


def managed_meetings(user: User) -> QuerySet[Meeting]:
    """The meetings the user runs: their team's, or ones they convened or chair."""
    if not _signed_in(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(_managing_scope(user)).values("pk"))


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """Every meeting the user may open: those they run and those they are invited to."""
    if not _signed_in(user):
        return Meeting.objects.none()
    scope = _managing_scope(user) | Q(pk__in=open_invitations_to(user).values("meeting_id"))
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(scope).values("pk"))


def _attended_organisations(meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(invitation__meeting=meeting, status__in=["in_person", "video", "phone", "deputy"])


def _can_on_meeting(user: User, action: str, obj: Model | None) -> bool:
    if action == "respond":
        return isinstance(obj, Invitation) and open_invitations_to(user).filter(pk=obj.pk).exists()
    if not isinstance(obj, Meeting):
        return False
    runs_it = managed_meetings(user).filter(pk=obj.pk).exists()
    if action == "manage":
        return runs_it and (has_capability(user, Capability.CONVENE_MEETINGS) or obj.chair_id == user.pk)
    if action == "chair":
        return obj.chair_id == user.pk or (runs_it and has_capability(user, Capability.CHAIR_MEETINGS))
    if action == "override_quorum":
        return has_capability(user, Capability.OVERRIDE_QUORUM) and (runs_it or obj.chair_id == user.pk)
    # "read_minutes"
    if runs_it:
        return True
    if not visible_meetings(user).filter(pk=obj.pk).exists() or user.organisation_id is None:
        return False
    return _attended_organisations(obj).filter(Q(invitation__organisation_id=user.organisation_id)).exists()


# Operation Encompass ------------------------------------------------------------------------
#
# A notice is seen by the Key Adults of the school it is addressed to (designated safeguarding
# leads of that organisation), by the members of the council education team it was sent to,
# and by the council's coordinators (every notice to its schools and to itself). An incident,
# with the adults and the place, is seen only by its own force's officers.

ENCOMPASS_ACTIONS = frozenset({"acknowledge"})


def _notice_scope(user: User) -> Q:
    scope = Q(pk__in=[])
    if has_capability(user, Capability.RECEIVE_ENCOMPASS):
        if has_capability(user, Capability.VIEW_SCHOOL_ROLL) and user.organisation_id:
            scope |= Q(recipient_kind=RecipientKind.SCHOOL, organisation_id=user.organisation_id)
        scope |= Q(recipient_kind=RecipientKind.LOCAL_AUTHORITY, team__members=user)
    if has_capability(user, Capability.COORDINATE_ENCOMPASS) and user.organisation_id:
        scope |= Q(organisation_id=user.organisation_id) | Q(organisation__local_authority_id=user.organisation_id)
    return scope


def visible_notices(user: User) -> QuerySet[Notice]:
    if not _signed_in(user):
        return Notice.objects.none()
    return Notice.objects.filter(pk__in=Notice.objects.filter(_notice_scope(user)).values("pk"))


def visible_incidents(user: User) -> QuerySet[Incident]:
    if not _signed_in(user) or not has_capability(user, Capability.RECORD_INCIDENT) or not user.organisation_id:
        return Incident.objects.none()
    return Incident.objects.filter(force_id=user.organisation_id)


def acknowledgeable_notices(user: User) -> QuerySet[Notice]:
    """The notices the user may acknowledge: their own school's (a Key Adult) or their council
    team's (not the coordinator's chase list, which is for phoning)."""
    if not _signed_in(user) or not has_capability(user, Capability.RECEIVE_ENCOMPASS):
        return Notice.objects.none()
    scope = Q(recipient_kind=RecipientKind.LOCAL_AUTHORITY, team__members=user)
    if has_capability(user, Capability.VIEW_SCHOOL_ROLL) and user.organisation_id:
        scope |= Q(recipient_kind=RecipientKind.SCHOOL, organisation_id=user.organisation_id)
    return Notice.objects.filter(pk__in=Notice.objects.filter(scope).values("pk"))


def _can_on_encompass(user: User, action: str, obj: Model | None) -> bool:
    # "acknowledge": the notice's own recipients (not the coordinator, who chases it).
    return isinstance(obj, Notice) and acknowledgeable_notices(user).filter(pk=obj.pk).exists()


# Police investigations ----------------------------------------------------------------------
#
# An investigation is read by its own force's investigating officers, and by the council's
# lead for each child who is a victim in it: the social worker allocated to the child, the
# managers of that social worker's team, and the council's managers who ran the strategy
# discussion it came from. Health and schools never read one. Within the force, officers
# work it and supervisors sign off; the council's lead may challenge its closure.

INVESTIGATION_ACTIONS = frozenset({"investigate", "supervise", "challenge"})


def _victims_allocated(relationships: QuerySet[LegitimateRelationship]) -> Q:
    victims = InvestigationSubject.objects.filter(
        role=SubjectRole.VICTIM, person__in=relationships.values("person_id")
    ).values("investigation_id")
    return Q(pk__in=victims)


def _investigation_scope(user: User) -> Q:
    scope = Q(pk__in=[])
    if user.organisation_id is None:
        return scope
    if has_capability(user, Capability.INVESTIGATE):
        scope |= Q(force_id=user.organisation_id)
    if has_capability(user, Capability.CHALLENGE_CLOSURE):
        scope |= _victims_allocated(LegitimateRelationship.objects.active().filter(user=user))
        if has_capability(user, Capability.OVERRIDE_QUORUM):
            team_allocations = LegitimateRelationship.objects.active().filter(user__teams__in=user.teams.values("pk"))
            scope |= _victims_allocated(team_allocations)
            scope |= Q(strategy_discussion__local_authority_id=user.organisation_id)
            scope |= _victims_at_schools_of(user.organisation_id)
    return scope


def _victims_at_schools_of(council_id: int) -> Q:
    """Investigations whose child victim is on the roll of a school of this council today."""
    pupils = Enrolment.objects.current_on().filter(organisation__local_authority_id=council_id).values("person_id")
    victims = InvestigationSubject.objects.filter(role=SubjectRole.VICTIM, person__in=pupils)
    return Q(pk__in=victims.values("investigation_id"))


def visible_investigations(user: User) -> QuerySet[Investigation]:
    """Every investigation the user may open."""
    if not _signed_in(user):
        return Investigation.objects.none()
    return Investigation.objects.filter(pk__in=Investigation.objects.filter(_investigation_scope(user)).values("pk"))


def council_leads(investigation: Investigation) -> list[User]:
    """Who in the council is told of a closure and may challenge it: the social workers
    allocated to a child victim and their teams' managers; with none, the managers of the
    council that ran the strategy discussion, or of the councils whose schools the child
    victims attend (so a closure is never left with no one in the council told)."""
    victims = investigation.subjects.filter(role=SubjectRole.VICTIM).values("person_id")
    allocated = LegitimateRelationship.objects.active().filter(person_id__in=victims, user__isnull=False)
    workers = [
        u
        for u in User.objects.filter(pk__in=allocated.values("user_id"), is_active=True).order_by("pk")
        if has_capability(u, Capability.CHALLENGE_CLOSURE)
    ]
    managers = [
        u
        for u in User.objects.filter(is_active=True, teams__members__in=[w.pk for w in workers])
        .distinct()
        .order_by("pk")
        if has_capability(u, Capability.CHALLENGE_CLOSURE) and has_capability(u, Capability.OVERRIDE_QUORUM)
    ]
    if not workers:
        # No social worker allocated: the managers of the council that ran the strategy
        # discussion, else of the councils whose schools the child victims attend.
        if investigation.strategy_discussion_id is not None:
            assert investigation.strategy_discussion is not None
            councils: set[int] = {investigation.strategy_discussion.local_authority_id}
        else:
            schools = Enrolment.objects.current_on().filter(person_id__in=victims)
            councils = {
                pk for pk in schools.values_list("organisation__local_authority_id", flat=True) if pk is not None
            }
        managers = [
            u
            for u in User.objects.filter(is_active=True, organisation_id__in=councils).order_by("pk")
            if has_capability(u, Capability.CHALLENGE_CLOSURE) and has_capability(u, Capability.OVERRIDE_QUORUM)
        ]
    return list({u.pk: u for u in workers + managers}.values())


def _can_on_investigation(user: User, action: str, obj: Model | None) -> bool:
    if not isinstance(obj, Investigation) or user.organisation_id is None:
        return False
    own_force = obj.force_id == user.organisation_id
    if action == "investigate":
        return own_force and has_capability(user, Capability.INVESTIGATE)
    if action == "supervise":
        return own_force and has_capability(user, Capability.SUPERVISE_INVESTIGATIONS)
    # "challenge": the council's lead for a child victim.
    return (
        not own_force
        and has_capability(user, Capability.CHALLENGE_CLOSURE)
        and visible_investigations(user).filter(pk=obj.pk).exists()
    )


# Missing children -----------------------------------------------------------------------------
#
# An episode is read by its own force's officers; by the missing-children coordinators and
# team managers of each council told of it (where the child lives or is placed, and the
# placing authority of a child in care); by the social workers allocated to the child; and,
# through its return home interview only, by the provider the interview was referred to (a
# provider's worker sees those children and no others). A child in care's Philomena record
# is opened by the police while the child is missing (audited with the purpose), and kept by
# the council. Children missing education are seen by the council's coordinators and by the
# school that told the council.

MISSING_ACTIONS = frozenset({"update_episode", "record_interview", "open_philomena", "maintain_philomena"})


def _council_missing_lead(user: User) -> bool:
    return bool(
        user.organisation_id
        and (has_capability(user, Capability.COORDINATE_MISSING) or has_capability(user, Capability.OVERRIDE_QUORUM))
    )


def _episode_scope(user: User) -> Q:
    scope = Q(pk__in=[])
    if user.organisation_id is None:
        return scope
    if has_capability(user, Capability.RECORD_MISSING):
        scope |= Q(force_id=user.organisation_id)
    if _council_missing_lead(user):
        scope |= Q(local_authority_id=user.organisation_id) | Q(placing_authority_id=user.organisation_id)
    if has_capability(user, Capability.CHALLENGE_CLOSURE):
        allocated = LegitimateRelationship.objects.active().filter(user=user, source=RelationshipSource.ALLOCATION)
        scope |= Q(person__in=allocated.values("person_id"))
    if has_capability(user, Capability.RECORD_RETURN_INTERVIEW):
        scope |= Q(interview__provider_id=user.organisation_id)
    return scope


def visible_episodes(user: User) -> QuerySet[Episode]:
    """Every missing episode the user may open."""
    if not _signed_in(user):
        return Episode.objects.none()
    return Episode.objects.filter(pk__in=Episode.objects.filter(_episode_scope(user)).values("pk"))


def visible_interviews(user: User) -> QuerySet[ReturnInterview]:
    """The return home interviews of the episodes the user may open (for a provider's worker,
    the interviews referred to the provider)."""
    if not _signed_in(user):
        return ReturnInterview.objects.none()
    if has_capability(user, Capability.RECORD_RETURN_INTERVIEW) and not has_capability(user, Capability.VIEW_PERSON):
        return ReturnInterview.objects.filter(provider_id=user.organisation_id or 0)
    return ReturnInterview.objects.filter(episode__in=visible_episodes(user))


def visible_missing_education(user: User) -> QuerySet[MissingEducation]:
    if not _signed_in(user) or user.organisation_id is None:
        return MissingEducation.objects.none()
    scope = Q(pk__in=[])
    if has_capability(user, Capability.COORDINATE_MISSING):
        scope |= Q(local_authority_id=user.organisation_id)
    if has_capability(user, Capability.RECORD_MISSING_EDUCATION):
        scope |= Q(school_id=user.organisation_id)
    return MissingEducation.objects.filter(scope)


def _can_on_missing(user: User, action: str, obj: Model | None) -> bool:
    if user.organisation_id is None:
        return False
    if action == "update_episode":
        return (
            isinstance(obj, Episode)
            and obj.force_id == user.organisation_id
            and has_capability(user, Capability.RECORD_MISSING)
        )
    if action == "record_interview":
        return (
            isinstance(obj, ReturnInterview)
            and obj.provider_id == user.organisation_id
            and has_capability(user, Capability.RECORD_RETURN_INTERVIEW)
        )
    person = _person_of(obj)
    if person is None:
        return False
    if action == "open_philomena":
        # The force's officers, while the child is reported missing to it.
        return (
            has_capability(user, Capability.RECORD_MISSING)
            and Episode.objects.filter(
                person=person, force_id=user.organisation_id, state=EpisodeState.MISSING
            ).exists()
        )
    # "maintain_philomena": the council's coordinators, and the social workers allocated.
    if not has_capability(user, Capability.MAINTAIN_PHILOMENA):
        return False
    if has_capability(user, Capability.COORDINATE_MISSING):
        return may_open_person(user, person.pk)
    return active_relationships(user).filter(person=person, source=RelationshipSource.ALLOCATION).exists()


# DBS local checks ------------------------------------------------------------------------------
# A check may hold what the police know of an applicant and what they will disclose: only the
# force's disclosure unit reads one. Nobody else, not even the force's own officers, and not
# the partnership's analysts (who see no figures of it either).

DBS_ACTIONS = frozenset({"work_check", "review_disclosure"})


def visible_checks(user: User) -> QuerySet[LocalCheck]:
    """The DBS local checks the user may open: their force's, for its disclosure unit."""
    if not _signed_in(user) or user.organisation_id is None:
        return LocalCheck.objects.none()
    if not has_capability(user, Capability.WORK_DBS_CHECKS):
        return LocalCheck.objects.none()
    return LocalCheck.objects.filter(force_id=user.organisation_id)


def _can_on_check(user: User, action: str, obj: Model | None) -> bool:
    if not isinstance(obj, LocalCheck) or obj.force_id != user.organisation_id:
        return False
    if action == "work_check":
        return has_capability(user, Capability.WORK_DBS_CHECKS)
    # "review_disclosure": a supervisor, and a second person: never one who assessed it, now or
    # before it was sent back (else a send-back and an unchanged resubmission would let the
    # first assessor approve their own disclosure).
    return (
        has_capability(user, Capability.REVIEW_DISCLOSURES)
        and obj.assessed_by_id != user.pk
        and not obj.events.filter(kind=CheckEventKind.ASSESSED, by=user).exists()
    )
