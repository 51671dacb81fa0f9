"""The hub's work on a contact once it has arrived: allocation, screening and the agencies'
checks, the referral decision, and telling the referrer (DOMAIN.md, "The front door").

Every write here is keyword-only and atomic, checks `access.can`, validates with
`full_clean`, and writes its audit event, outbox rows and chronology entries in the same
transaction as the change. Notifications carry the contact's reference and a link made of
ids, never a name.

Due times come only from `safehub.timescales`: a red rating's checks are due a number of
clock hours after screening (4 by default, overnight included); amber and green are working
days; the decision is due 1 working day after the contact was received; an assessment 45
working days after it.

Which team receives each agency's check (`research_team_for`), in order:
- police: the force that made the contact, else the partnership's first police force (by
  name) with such a team; its Child Abuse Investigation Team (a team named "Child Abuse
  Investigation" or "CAIT"), else its duty team;
- health: the NHS trust that made the contact, else the partnership's first NHS trust (by
  name) with such a team; its safeguarding team (named "Safeguarding"), else its duty team;
- education: the school or setting where the first linked child is on roll today (its
  safeguarding team, else its duty team), else the local authority's Education
  Safeguarding Team;
- children's social care: the local authority's duty team (the hub's own council);
- any other agency: the team the hub chooses when screening.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.hub.models import (
    AGENCY_ANSWERS,
    RAG_TIMESCALES,
    Assessment,
    Contact,
    ContactState,
    Decision,
    LawfulBasis,
    Rag,
    ResearchAgency,
    ResearchAnswer,
    ResearchRequest,
    SubjectRole,
)
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import EDUCATION_KINDS, Organisation, OrganisationKind, Team, User
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people.models import ChronologyEntry, ChronologyVisibility, Enrolment, Person
from safehub.timescales.calendar import LONDON, is_working_day, next_working_day
from safehub.timescales.patterns import due_in_pattern
from safehub.timescales.rules import due_after

DEFAULT_AGENCIES = (ResearchAgency.POLICE, ResearchAgency.HEALTH, ResearchAgency.EDUCATION, ResearchAgency.SOCIAL_CARE)
# Roles that manage an agency's team: they hear when its checks are overdue.
AGENCY_MANAGER_ROLES = (Role.TEAM_MANAGER, Role.POLICE_SUPERVISOR)
SOURCE_TYPE = "hub.contact"

NOT_HUB = "Only the hub team that holds this contact can do this. Ask the hub's team manager."
NOT_YOUR_CHECK = "This check is not addressed to your team, or it has already been answered."
NOT_A_DECIDER = (
    "Only a team manager in the local authority's children's social care can decide a referral. "
    "Ask your team manager to record the decision."
)
ALREADY_SCREENED = "This contact has already been screened. Its checks are listed on the contact page."
ALREADY_DECIDED = "This contact has already been decided. Its decision is shown on the contact page."
ALREADY_ANSWERED = "Your agency has already answered this check."
CHOOSE_RAG = "Choose a RAG rating: red, amber or green."
SAME_AGENCY_TWICE = "Ask each agency once."
ENTER_RATIONALE = "Record why you made this decision."
NOT_IN_HUB_TEAM = "Allocate the contact to a member of the hub team who works the queue."
NOT_DECIDED_YET = "The referrer is told once the contact is decided."


# Due times ----------------------------------------------------------------------------------


def research_due(rag: str, screened_at: datetime.datetime, team: Team | None = None) -> datetime.datetime:
    """When one agency's check is due: the rating's timescale counted in the answering team's
    working time (`safehub.timescales.patterns`): clock hours for the police and a council's
    duty teams, school hours on school days for a school, office hours for the rest. With no
    team, the hub's own reading of the timescale (clock hours, or working days)."""
    key = RAG_TIMESCALES[Rag(rag)]
    if team is None:
        return due_after(screened_at, key)
    organisation = team.organisation
    school = organisation if organisation.kind in EDUCATION_KINDS else None
    return due_in_pattern(screened_at, key, team.pattern, school=school)


def decision_due(contact: Contact) -> datetime.datetime:
    """The referral decision is due 1 working day after the contact was received."""
    return due_after(contact.received_at, "referral_decision")


def referrer_feedback_due(contact: Contact) -> datetime.datetime | None:
    """The referrer is told within the working day of the decision: by the end of that day
    (a decision on a weekend or bank holiday: by the end of the next working day)."""
    if contact.decided_at is None:
        return None
    day = contact.decided_at.astimezone(LONDON).date()
    if not is_working_day(day):
        day = next_working_day(day)
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=LONDON)


def next_due(contact: Contact) -> datetime.datetime:
    """What the hub must meet next: the checks while they are under way, else the decision."""
    if contact.state == ContactState.RESEARCH and contact.research_due_at:
        return contact.research_due_at
    return contact.decision_due_at or decision_due(contact)


# Helpers ------------------------------------------------------------------------------------


def _linked_people(contact: Contact) -> list[Person]:
    return [subject.person for subject in contact.subjects.select_related("person") if subject.person is not None]


def _chronology(
    contact: Contact, *, summary: str, by: User | None, at: datetime.datetime, category: str = "contact"
) -> None:
    """One entry on the timeline of each person the contact is linked to."""
    organisation = (by.organisation if by is not None else None) or contact.hub_team.organisation
    entries = [
        ChronologyEntry(
            person=person,
            occurred_at=at,
            category=category,
            summary=summary[:300],
            organisation=organisation,
            recorded_by=by,
            visibility=ChronologyVisibility.PARTNERSHIP,
            source_type=SOURCE_TYPE,
            source_id=str(contact.pk),
        )
        for person in _linked_people(contact)
    ]
    for entry in entries:
        entry.full_clean()
    ChronologyEntry.objects.bulk_create(entries)


def _contact_link(contact: Contact) -> str:
    return reverse("hub:contact", args=[contact.pk])


def hub_members(contact: Contact) -> QuerySet[User]:
    return contact.hub_team.members.filter(is_active=True)


def _notify_hub(contact: Contact, *, kind: str, key: str) -> None:
    for member in hub_members(contact):
        notify(
            key=f"{key}:user-{member.pk}",
            recipient=member,
            kind=kind,
            reference=contact.reference,
            link=_contact_link(contact),
            channels=(Channel.INBOX,),
        )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Allocation ---------------------------------------------------------------------------------


@transaction.atomic
def allocate(*, contact: Contact, to: User, by: User) -> Contact:
    """Give the contact to a member of its hub team to work."""
    _require(policy.can(by, "allocate", contact), NOT_HUB)
    if contact.state == ContactState.DECIDED:
        raise ValidationError(ALREADY_DECIDED)
    if not (has_capability(to, Capability.WORK_HUB_QUEUE) and hub_members(contact).filter(pk=to.pk).exists()):
        raise ValidationError({"allocated_to": NOT_IN_HUB_TEAM})
    now = timezone.now()
    contact.allocated_to = to
    contact.full_clean()
    contact.save(update_fields=["allocated_to"])
    record(action="contact.allocated", actor=by, target=contact, purpose="hub queue", detail={"to_user": to.pk})
    if to.pk != by.pk:
        notify(
            key=f"hub.allocated:contact-{contact.pk}:user-{to.pk}:{now:%Y%m%d%H%M%S}",
            recipient=to,
            kind="hub.allocated",
            reference=contact.reference,
            link=_contact_link(contact),
            channels=(Channel.INBOX,),
        )
    return contact


# Screening and the agencies' checks ---------------------------------------------------------


def team_of(organisation: Organisation | None, names: Sequence[str], *, duty: bool = True) -> Team | None:
    """The organisation's first team whose name contains one of `names` (in that order of
    preference), else its duty team (unless `duty` is False)."""
    if organisation is None:
        return None
    teams = Team.objects.filter(organisation=organisation)
    for name in names:
        team = teams.filter(name__icontains=name).order_by("pk").first()
        if team is not None:
            return team
    return teams.filter(is_duty_team=True).order_by("pk").first() if duty else None


def _agency_team(contact: Contact, kinds: Iterable[str], names: Sequence[str]) -> Team | None:
    """The team of the agency that made the contact, if it is of this kind; else of the
    partnership's first such agency (by name) that has a team to receive checks."""
    kinds = set(kinds)
    source = contact.source_organisation
    if source is not None and source.kind in kinds:
        team = team_of(source, names)
        if team is not None:
            return team
    partnership_id = contact.hub_team.organisation.partnership_id
    agencies = (
        Organisation.objects.open()
        .filter(kind__in=kinds)
        .filter(Q(partnership_id=partnership_id) | Q(partnership__isnull=True))
        .order_by("name", "pk")
    )
    for organisation in agencies:
        team = team_of(organisation, names)
        if team is not None:
            return team
    return None


def _school_of(contact: Contact) -> Organisation | None:
    today = timezone.localdate()
    for subject in contact.subjects.filter(role=SubjectRole.CHILD, person__isnull=False).order_by("pk"):
        enrolment = (
            Enrolment.objects.current_on(today)
            .filter(person=subject.person)
            .select_related("organisation")
            .order_by("-start_date")
            .first()
        )
        if enrolment is not None:
            return enrolment.organisation
    return None


def research_team_for(contact: Contact, agency: str) -> Team | None:
    """The team that receives the agency's check (the rule is in this module's docstring)."""
    council = contact.hub_team.organisation
    match agency:
        case ResearchAgency.POLICE:
            return _agency_team(contact, {OrganisationKind.POLICE_FORCE}, ["Child Abuse Investigation", "CAIT"])
        case ResearchAgency.HEALTH:
            return _agency_team(contact, {OrganisationKind.HEALTH_TRUST}, ["Safeguarding"])
        case ResearchAgency.EDUCATION:
            return team_of(_school_of(contact), ["Safeguarding"]) or team_of(
                council, ["Education Safeguarding"], duty=False
            )
        case ResearchAgency.SOCIAL_CARE:
            duty = council.teams.filter(is_duty_team=True).exclude(pk=contact.hub_team_id).order_by("pk").first()
            return duty or team_of(council, ["Social Care"], duty=False)
    return None


def _no_team_message(agency: str) -> str:
    label = ResearchAgency(agency).label
    if agency == ResearchAgency.OTHER:
        return "Choose the team that should answer the check for the other agency."
    return (
        f"No {label.lower()} team can receive this check: add a safeguarding or duty team to the "
        f"{label.lower()} organisation in the directory, or choose a team for it."
    )


def _research_reason(request: ResearchRequest) -> str:
    return f"Multi-agency check for contact {request.contact.reference}"


@transaction.atomic
def screen(
    *,
    contact: Contact,
    rag: str,
    notes: str,
    agencies: Sequence[str],
    by: User,
    teams: Mapping[str, Team] | None = None,
) -> Contact:
    """Rate the contact red, amber or green and ask each agency to check its records.

    The rating sets when the checks are due; each agency's team is told, and may open the
    linked people's records while its check is open. `teams` chooses a team for an agency
    instead of the default rule (and is needed for "other")."""
    _require(policy.can(by, "screen", contact), NOT_HUB)
    if contact.state != ContactState.RECEIVED:
        raise ValidationError(ALREADY_SCREENED)
    if rag not in Rag.values:
        raise ValidationError({"rag": CHOOSE_RAG})
    if len(set(agencies)) != len(agencies):
        raise ValidationError({"agencies": SAME_AGENCY_TWICE})
    chosen = dict(teams or {})
    addressed: list[tuple[ResearchAgency, Team]] = []
    for agency in agencies:
        team = chosen.get(agency) or research_team_for(contact, agency)
        if team is None:
            raise ValidationError({"agencies": _no_team_message(agency)})
        addressed.append((ResearchAgency(agency), team))

    now = timezone.now()
    contact.rag = rag
    contact.screening_notes = notes.strip()
    contact.screened_at = now
    contact.screened_by = by
    # Each check is due in its team's working time; the checks are all due by the last of them.
    dues = [research_due(rag, now, team) for _, team in addressed]
    contact.research_due_at = max(dues) if dues else research_due(rag, now)
    contact.decision_due_at = decision_due(contact)
    contact.state = ContactState.RESEARCH if addressed else ContactState.AWAITING_DECISION
    contact.full_clean()
    contact.save()

    people = _linked_people(contact)
    for (agency, team), due_at in zip(addressed, dues, strict=True):
        request = ResearchRequest(contact=contact, agency=agency, team=team, requested_at=now, due_at=due_at)
        request.full_clean()
        request.save()
        for person in people:
            relationship = LegitimateRelationship(
                person=person,
                team=team,
                source=RelationshipSource.REFERRAL,
                reason=_research_reason(request),
                starts_at=now,
                created_by=by,
            )
            relationship.full_clean()
            relationship.save()
        for member in team.members.filter(is_active=True):
            notify(
                key=f"hub.research_requested:request-{request.pk}:user-{member.pk}",
                recipient=member,
                kind="hub.research_requested",
                reference=contact.reference,
                link=reverse("hub:research-answer", args=[request.pk]),
            )
    record(
        action="contact.screened",
        actor=by,
        target=contact,
        purpose="screening",
        detail={
            "rag": rag,
            "agencies": [agency.value for agency, _ in addressed],
            "teams": [team.pk for _, team in addressed],
            "research_due_at": contact.research_due_at.isoformat(),
        },
    )
    asked = ", ".join(agency.label.lower() for agency, _ in addressed) or "no agency"
    _chronology(
        contact,
        summary=f"Contact {contact.reference} screened by the hub: {contact.get_rag_display().lower()}. "
        f"Checks asked of {asked}.",
        by=by,
        at=now,
    )
    if not addressed:
        _notify_hub(contact, kind="hub.awaiting_decision", key=f"hub.awaiting_decision:contact-{contact.pk}")
    return contact


@transaction.atomic
def answer_research(
    *,
    request: ResearchRequest,
    answer: str,
    information: str,
    reason_not_shared: str,
    lawful_basis: str,
    by: User,
) -> ResearchRequest:
    """An agency's answer to the hub's check. Golden rule 7: the decision and its reason are
    recorded whether or not the agency shares, always with the lawful basis."""
    request = ResearchRequest.objects.select_for_update().select_related("contact", "team").get(pk=request.pk)
    if request.answered_at is not None:
        raise ValidationError(ALREADY_ANSWERED)
    _require(policy.can(by, "answer", request), NOT_YOUR_CHECK)
    if answer not in dict(AGENCY_ANSWERS):
        raise ValidationError({"answer": "Choose what your agency's records show."})
    if lawful_basis and lawful_basis not in LawfulBasis.values:
        raise ValidationError({"lawful_basis": "Choose a lawful basis from the list."})
    now = timezone.now()
    request.answer = answer
    # Only what the agency chose to share is kept as shared information.
    request.information = information.strip() if answer == ResearchAnswer.SHARED else ""
    request.reason_not_shared = reason_not_shared.strip() if answer == ResearchAnswer.NOT_SHARED else ""
    request.lawful_basis = lawful_basis
    request.answered_at = now
    request.answered_by = by
    request.full_clean()
    request.save()
    # The agency's access to the linked people was for answering: it ends with the answer.
    LegitimateRelationship.objects.filter(
        team=request.team,
        source=RelationshipSource.REFERRAL,
        reason=_research_reason(request),
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    contact = request.contact
    record(
        action="research.answered",
        actor=by,
        target=request,
        purpose=f"multi-agency check for {contact.reference}",
        detail={
            "contact": contact.pk,
            "agency": request.agency,
            "answer": answer,
            "lawful_basis": lawful_basis,
            "in_time": request.answered_in_time,
        },
    )
    _chronology(
        contact,
        summary=f"{request.get_agency_display()} answered the hub's check for contact {contact.reference}: "
        f"{request.get_answer_display().lower()}.",
        by=by,
        at=now,
    )
    unanswered = contact.research_requests.filter(answered_at__isnull=True).exists()
    if not unanswered and contact.state == ContactState.RESEARCH:
        contact.state = ContactState.AWAITING_DECISION
        contact.save(update_fields=["state"])
        _notify_hub(contact, kind="hub.awaiting_decision", key=f"hub.awaiting_decision:contact-{contact.pk}")
    return request


def _close_check(request: ResearchRequest, *, by: User, now: datetime.datetime) -> None:
    """The decision closes a check no agency answered: recorded as not needed, by the decider."""
    request.answer = ResearchAnswer.NOT_NEEDED
    request.information = request.reason_not_shared = request.lawful_basis = ""
    request.answered_at = now
    request.answered_by = by
    request.save(
        update_fields=["answer", "information", "reason_not_shared", "lawful_basis", "answered_at", "answered_by"]
    )
    LegitimateRelationship.objects.filter(
        team=request.team,
        source=RelationshipSource.REFERRAL,
        reason=_research_reason(request),
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    record(
        action="research.closed",
        actor=by,
        target=request,
        purpose=f"multi-agency check for {request.contact.reference}",
        detail={"contact": request.contact_id, "agency": request.agency, "overdue": now > request.due_at},
    )


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def agency_managers(request: ResearchRequest) -> QuerySet[User]:
    """Who hears of an overdue check: the agency's team managers and police supervisors; if it
    has none (a school, say), the hub's own council's team managers, so that someone chases it."""
    managers = User.objects.filter(is_active=True, role_assignments__role__in=AGENCY_MANAGER_ROLES)
    own = managers.filter(organisation_id=request.team.organisation_id).distinct()
    if own.exists():
        return own
    return managers.filter(organisation_id=request.contact.hub_team.organisation_id).distinct()


def escalate_overdue_research(*, now: datetime.datetime | None = None) -> int:
    """Tell the agency's managers of each unanswered check past its due time, once. Returns how
    many checks were escalated; running it again changes nothing."""
    now = now or timezone.now()
    overdue = ResearchRequest.objects.filter(answered_at__isnull=True, escalated_at__isnull=True, due_at__lt=now)
    escalated = 0
    for pk in overdue.values_list("pk", flat=True):
        escalated += _escalate(pk, now)
    return escalated


@transaction.atomic
def _escalate(pk: int, now: datetime.datetime) -> int:
    request = ResearchRequest.objects.select_for_update().select_related("contact", "team").get(pk=pk)
    if request.answered_at is not None or request.escalated_at is not None:
        return 0
    managers = list(agency_managers(request))
    for manager in managers:
        notify(
            key=f"hub.research_overdue:request-{request.pk}:user-{manager.pk}",
            recipient=manager,
            kind="hub.research_overdue",
            reference=request.contact.reference,
            link=reverse("hub:research-answer", args=[request.pk]),
        )
    request.escalated_at = now
    request.save(update_fields=["escalated_at"])
    record(
        action="research.escalated",
        target=request,
        purpose="multi-agency check overdue",
        detail={"agency": request.agency, "team": request.team_id, "managers": [m.pk for m in managers]},
    )
    return 1


# The decision and the referrer --------------------------------------------------------------


def on_strategy_discussion_decided(contact: Contact) -> None:
    """The seam to the strategy-discussion flow: the chronology says one is to be held, and the
    hub team is told in its inbox, with a link to the page that convenes it (safehub.meetings)."""
    _chronology(
        contact,
        summary=f"Strategy discussion to be held after contact {contact.reference} (possible section 47 enquiry).",
        by=contact.decided_by,
        at=contact.decided_at or timezone.now(),
        category="strategy_discussion",
    )
    key = f"hub.strategy_discussion:contact-{contact.pk}"
    for member in hub_members(contact):
        notify(
            key=f"{key}:user-{member.pk}",
            recipient=member,
            kind="hub.strategy_discussion",
            reference=contact.reference,
            link=reverse("meetings:convene-contact", args=[contact.pk]),
            channels=(Channel.INBOX,),
        )


def _start_assessments(contact: Contact, now: datetime.datetime) -> list[Assessment]:
    due_at = due_after(contact.received_at, "assessment_completion")
    assessments = []
    subjects = contact.subjects.filter(role__in=[SubjectRole.CHILD, SubjectRole.UNBORN], person__isnull=False)
    for subject in subjects.select_related("person"):
        assert subject.person is not None
        assessment = Assessment(contact=contact, person=subject.person, started_at=now, due_at=due_at)
        assessment.full_clean()
        assessment.save()
        assessments.append(assessment)
    if assessments:
        record(
            action="assessment.started",
            actor=contact.decided_by,
            target=contact,
            purpose="referral decision",
            detail={"assessments": [a.pk for a in assessments], "due_at": due_at.isoformat()},
        )
        _chronology(
            contact,
            summary=f"Assessment (section 17) started after contact {contact.reference}: "
            f"due by {due_at.astimezone(LONDON):%-d %B %Y}.",
            by=contact.decided_by,
            at=now,
            category="assessment",
        )
    return assessments


def _tell_referrer(contact: Contact, now: datetime.datetime) -> None:
    """In SafeHub and by an email with no personal data, if the referrer has an account; an
    external referrer is phoned or emailed by the hub (the contact page says so until done)."""
    referrer = contact.referrer_user
    if referrer is None or not referrer.is_active:
        return
    channels = [Channel.INBOX] + ([Channel.EMAIL] if referrer.email else [])
    notify(
        key=f"hub.referral_outcome:contact-{contact.pk}:user-{referrer.pk}",
        recipient=referrer,
        kind="hub.referral_outcome",
        reference=contact.reference,
        link=_contact_link(contact),
        channels=channels,
    )
    contact.referrer_told_at = now


@transaction.atomic
def decide(
    *,
    contact: Contact,
    decision: str,
    rationale: str,
    late_reason: str = "",
    close_open_checks: bool = False,
    by: User,
) -> Contact:
    """A social-care team manager's decision on the contact, due 1 working day after it was
    received; a late one records why. The referrer is told; an assessment or a strategy
    discussion starts from here. A decision made while an agency's check is still open must
    say so (`close_open_checks`), and closes the check as not needed: no check stays open
    for ever, and the agency's access for answering it ends."""
    _require(policy.can(by, "decide", contact), NOT_A_DECIDER)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.state == ContactState.DECIDED:
        raise ValidationError(ALREADY_DECIDED)
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose the decision."})
    if not rationale.strip():
        raise ValidationError({"decision_rationale": ENTER_RATIONALE})
    open_checks = list(
        ResearchRequest.objects.select_for_update()
        .filter(contact=contact, answered_at__isnull=True)
        .select_related("team")
        .order_by("agency")
    )
    errors: dict[str, str] = {}
    now = timezone.now()
    contact.decision_due_at = contact.decision_due_at or decision_due(contact)
    if now > contact.decision_due_at and not late_reason.strip():
        due = contact.decision_due_at.astimezone(LONDON)
        errors["late_reason"] = (
            f"This decision was due by {due:%H:%M} on {due:%A %-d %B %Y}: record why it was not made in time."
        )
    if open_checks and not close_open_checks:
        agencies = _listed([check.get_agency_display().lower() for check in open_checks])
        errors["close_open_checks"] = (
            f"The check of {agencies} is not answered yet. Wait for the answer, or confirm that you are "
            "deciding without it: it will be closed as not needed."
        )
    if errors:
        raise ValidationError(errors)
    contact.decision = decision
    contact.decision_rationale = rationale.strip()
    contact.late_reason = late_reason.strip() if now > contact.decision_due_at else ""
    contact.decided_at = now
    contact.decided_by = by
    contact.state = ContactState.DECIDED
    _tell_referrer(contact, now)
    contact.full_clean()
    contact.save()
    record(
        action="contact.decided",
        actor=by,
        target=contact,
        purpose="referral decision",
        detail={
            "decision": decision,
            "late": bool(contact.late_reason),
            "referrer_told": contact.referrer_told_at is not None,
        },
    )
    _chronology(
        contact,
        summary=f"Decision on contact {contact.reference}: {contact.get_decision_display()}.",
        by=by,
        at=now,
        category="referral_decision",
    )
    for check in open_checks:
        _close_check(check, by=by, now=now)
    if decision == Decision.ASSESSMENT:
        _start_assessments(contact, now)
    elif decision == Decision.STRATEGY_DISCUSSION:
        on_strategy_discussion_decided(contact)
    return contact


@transaction.atomic
def record_referrer_told(*, contact: Contact, by: User) -> Contact:
    """The hub has phoned or emailed an external referrer with the outcome."""
    _require(policy.can(by, "screen", contact), NOT_HUB)
    if contact.state != ContactState.DECIDED:
        raise ValidationError(NOT_DECIDED_YET)
    if contact.referrer_told_at is None:
        contact.referrer_told_at = timezone.now()
        contact.save(update_fields=["referrer_told_at"])
        record(action="contact.referrer_told", actor=by, target=contact, purpose="referrer feedback")
    return contact
