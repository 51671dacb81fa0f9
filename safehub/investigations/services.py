"""Every write to police investigations: opening one (from a strategy discussion that agreed
a joint section 47 investigation, or directly), its investigative opportunities, notes and
supervisory reviews, and the closure that cannot take effect early.

A closure is a proposal until (1) no opportunity is outstanding, (2) a supervising officer
other than the proposer signs it off, and (3) where a child is a victim of deliberate harm,
neglect or sexual abuse, or has a child protection plan or an open section 47 enquiry, the
council's lead for the child has had the challenge window (2 working days by default) to
challenge it. A challenge stops the closure and is worked through the partnership's
escalation procedure; it ends by reopening the investigation with the missed opportunities
added, or by confirming the closure with the reasons. Nothing is edited in place.

Every write is keyword-only and atomic, checks `access.can`, validates with `full_clean`,
and writes its audit event and outbox rows in the same transaction. Notifications carry the
investigation's reference and a link made of ids, never a name or the offence.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.core.references import save_with_next_reference
from safehub.investigations.models import (
    CHALLENGEABLE_CATEGORIES,
    MIN_REASON_LENGTH,
    REFERENCE_PREFIX,
    Challenge,
    ChallengeOutcome,
    Closure,
    ClosureOutcome,
    ClosureState,
    EscalationStage,
    Investigation,
    InvestigationNote,
    InvestigationState,
    InvestigationSubject,
    OffenceCategory,
    Opportunity,
    OpportunityState,
    OpportunityTemplate,
    SubjectRole,
    SupervisoryReview,
)
from safehub.meetings.models import (
    SECTION_47_OUTCOMES,
    ChildProtectionPlan,
    Meeting,
    MeetingKind,
    MeetingState,
    StrategyOutcome,
)
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import OrganisationKind, User
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people.models import ChronologyEntry, ChronologyVisibility, Person, PersonKind
from safehub.timescales.calendar import LONDON
from safehub.timescales.rules import due_after

NOT_POLICE = "Only the force's investigating officers open and work its investigations."
NOT_SUPERVISOR = "Only a supervising officer of the force does this."
NOT_COUNCIL_LEAD = "Only the council's lead for a child in the investigation may challenge its closure."
NOT_OPEN = "The investigation is not open to this change now."
NEED_A_VICTIM = "Name at least one child as a victim."
SAME_PERSON_TWICE = "Each person has one role in an investigation."
OFFICER_OF_THE_FORCE = "Choose an officer of your force who investigates."
SUPERVISOR_OF_THE_FORCE = "Choose a supervising officer of your force."
PEOPLE_NOT_VISIBLE = "Open an investigation only about people whose records you may open."
NOT_A_JOINT_ENQUIRY = "An investigation is opened from a strategy discussion that agreed a joint section 47 enquiry."
REASON_TOO_SHORT = "Give the reason in a sentence or more."
OUTSTANDING = "Explore every investigative opportunity before closing. Still outstanding: {titles}."
OWN_PROPOSAL = "You proposed this closure: another supervising officer signs it off."
WINDOW_CLOSED = "The window to challenge this closure ended at {end}."
CONFIRM_BY_COUNCIL = (
    "The council accepts the closure, or the disagreement is escalated: the police do not confirm a closure "
    "the council has challenged before the last stage."
)
NAME_THE_MISSED = "Name the opportunities that were missed: the investigation reopens with them to explore."
IDEMPOTENCY_CONFLICT = "This Idempotency-Key was used for a different investigation ({reference})."


MANAGERS = frozenset({Role.TEAM_MANAGER, Role.POLICE_SUPERVISOR})
NOT_AT_THIS_STAGE = "At this stage the disagreement is worked by {who}: your role does not take part in it."
NOT_A_PARTY = (
    "You proposed or signed off this closure, so you cannot confirm it: the partnership's lead decides, and "
    "another manager records that decision."
)


@dataclass(frozen=True)
class EscalationStep:
    label: str
    timescale: str
    # Who works the disagreement at this stage (escalates it or resolves it): None for anyone on
    # either side of it; else these roles, on either side. The heads of service and the
    # partnership's lead do not use SafeHub: their managers record what they decide.
    roles: frozenset[Role] | None
    who: str


# The partnership's procedure for resolving professional disagreements (local timescales).
ESCALATION_STAGES = (
    EscalationStep(
        "Practitioner to practitioner: the social worker and the investigating officer",
        "escalation_practitioner",
        None,
        "the practitioners or their managers",
    ),
    EscalationStep(
        "Manager to manager: the team manager and the police supervisor",
        "escalation_manager",
        MANAGERS,
        "the team manager and the police supervisor",
    ),
    EscalationStep(
        "Head of service to head of service",
        "escalation_head_of_service",
        MANAGERS,
        "the managers, recording what their heads of service agree",
    ),
    EscalationStep(
        "The partnership's safeguarding lead",
        "escalation_partnership",
        MANAGERS,
        "the managers, recording what the partnership's lead decides",
    ),
)


@dataclass(frozen=True)
class SubjectInput:
    person: Person
    role: str


class InvestigationIdempotencyConflict(Exception):
    def __init__(self, investigation: Investigation) -> None:
        self.investigation = investigation
        super().__init__(IDEMPOTENCY_CONFLICT.format(reference=investigation.reference))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _link(investigation: Investigation) -> str:
    return reverse("investigations:investigation", args=[investigation.pk])


def _reason(text: str, field: str) -> str:
    if len(text.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({field: REASON_TOO_SHORT})
    return text.strip()


def _tell(
    users: Sequence[User | None],
    *,
    investigation: Investigation,
    kind: str,
    key: str,
    due_at: datetime.datetime | None = None,
) -> None:
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        notify(
            key=f"{key}:user-{user.pk}",
            recipient=user,
            kind=kind,
            reference=investigation.reference,
            link=_link(investigation),
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
            due_at=due_at,
        )


def _police_of(user: User) -> bool:
    return user.organisation is not None and user.organisation.kind == OrganisationKind.POLICE_FORCE


# Opening ---------------------------------------------------------------------------------------


def opportunities_for(*, force_id: int, category: str, victims: Sequence[Person]) -> list[OpportunityTemplate]:
    """The force's checklist for the offence and the children's ages: its own templates if it
    keeps any, else the defaults every force starts with."""
    templates = OpportunityTemplate.objects.filter(is_active=True, force_id=force_id)
    if not templates.exists():
        if not OpportunityTemplate.objects.filter(force__isnull=True).exists():
            _write_default_templates()
        templates = OpportunityTemplate.objects.filter(is_active=True, force__isnull=True)
    today = timezone.localdate()
    ages = [p.age_on(today) if p.kind == PersonKind.CHILD and p.date_of_birth else None for p in victims]
    return [t for t in templates.order_by("position", "pk") if t.applies_to(category, ages)]


def _write_default_templates() -> None:
    """The defaults, if the database has none (switched-off ones count as there)."""
    from safehub.investigations.defaults import DEFAULTS

    for position, (title, description, categories, min_age, max_age) in enumerate(DEFAULTS, start=1):
        OpportunityTemplate.objects.create(
            title=title,
            description=description,
            categories=categories,
            min_age=min_age,
            max_age=max_age,
            position=position * 10,
        )


def _same_investigation(
    existing: Investigation, *, crime_reference: str, offence_category: str, subjects: Sequence[SubjectInput]
) -> bool:
    given = {(s.person.pk, s.role) for s in subjects}
    held = set(existing.subjects.values_list("person_id", "role"))
    return (
        existing.crime_reference == crime_reference.strip()
        and existing.offence_category == offence_category
        and given == held
    )


@transaction.atomic
def open_investigation(
    *,
    by: User,
    crime_reference: str,
    offence_category: str,
    subjects: Sequence[SubjectInput],
    allocated_officer: User,
    supervising_officer: User,
    strategy_discussion: Meeting | None = None,
    idempotency_key: str = "",
) -> Investigation:
    """Open an investigation for the user's force with the force's checklist of opportunities
    for the offence and the children's ages. From a strategy discussion, it must have agreed
    a joint section 47 enquiry; the two are linked both ways."""
    _require(has_capability(by, Capability.INVESTIGATE) and _police_of(by), NOT_POLICE)
    assert by.organisation is not None
    force = by.organisation
    if idempotency_key:
        existing = Investigation.objects.filter(force=force, idempotency_key=idempotency_key).first()
        if existing is not None:
            if not _same_investigation(
                existing, crime_reference=crime_reference, offence_category=offence_category, subjects=subjects
            ):
                raise InvestigationIdempotencyConflict(existing)
            return existing
    if offence_category not in OffenceCategory.values:
        raise ValidationError({"offence_category": "Choose the offence category."})
    if not crime_reference.strip():
        raise ValidationError({"crime_reference": "Enter the crime reference."})
    people = [s.person.pk for s in subjects]
    if len(set(people)) != len(people):
        raise ValidationError({"subjects": SAME_PERSON_TWICE})
    if any(s.role not in SubjectRole.values for s in subjects):
        raise ValidationError({"subjects": "Say whether each person is a victim, a suspect or a witness."})
    victims = [s.person for s in subjects if s.role == SubjectRole.VICTIM and s.person.kind != PersonKind.ADULT]
    if not victims:
        raise ValidationError({"subjects": NEED_A_VICTIM})
    visible = set(policy.visible_persons(by).filter(pk__in=people).values_list("pk", flat=True))
    if strategy_discussion is None:
        _require(set(people) <= visible, PEOPLE_NOT_VISIBLE)
    else:
        if (
            strategy_discussion.kind != MeetingKind.STRATEGY_DISCUSSION
            or strategy_discussion.state != MeetingState.HELD
            or strategy_discussion.outcome != StrategyOutcome.SECTION_47_JOINT
        ):
            raise ValidationError({"strategy_discussion": NOT_A_JOINT_ENQUIRY})
        _require(policy.can(by, "view", strategy_discussion), NOT_POLICE)
    for officer, capability, message, field in (
        (allocated_officer, Capability.INVESTIGATE, OFFICER_OF_THE_FORCE, "allocated_officer"),
        (supervising_officer, Capability.SUPERVISE_INVESTIGATIONS, SUPERVISOR_OF_THE_FORCE, "supervising_officer"),
    ):
        if officer.organisation_id != force.pk or not has_capability(officer, capability):
            raise ValidationError({field: message})
    now = timezone.now()
    investigation = Investigation(
        crime_reference=crime_reference.strip(),
        offence_category=offence_category,
        force=force,
        allocated_officer=allocated_officer,
        supervising_officer=supervising_officer,
        strategy_discussion=strategy_discussion,
        opened_at=now,
        opened_by=by,
        next_review_due=due_after(now, "investigation_review"),
        idempotency_key=idempotency_key,
    )
    investigation.full_clean(exclude=["reference"])
    year = investigation.opened_at.astimezone(LONDON).year
    save_with_next_reference(investigation, prefix=f"{REFERENCE_PREFIX}-{year}-", what="an investigation")
    for subject in subjects:
        row = InvestigationSubject(investigation=investigation, person=subject.person, role=subject.role)
        row.full_clean()
        row.save()
    for template in opportunities_for(force_id=force.pk, category=offence_category, victims=victims):
        Opportunity.objects.create(
            investigation=investigation,
            template=template,
            title=template.title,
            description=template.description,
            added_at=now,
            added_by=by,
        )
    # The officers may open the records of the people in it while it is open.
    for officer in {allocated_officer.pk: allocated_officer, supervising_officer.pk: supervising_officer}.values():
        for subject in subjects:
            LegitimateRelationship.objects.create(
                person=subject.person,
                user=officer,
                source=RelationshipSource.ALLOCATION,
                reason=f"Police investigation {investigation.reference}",
                starts_at=now,
                created_by=by,
            )
    # On each child's chronology, for the police: social care sees it when the police share it.
    for person in victims:
        ChronologyEntry.objects.create(
            person=person,
            occurred_at=now,
            category="police_investigation",
            summary=f"Police investigation {investigation.reference} opened.",
            organisation=force,
            recorded_by=by,
            visibility=ChronologyVisibility.RECORDING_AGENCY,
            source_type="investigations.investigation",
            source_id=str(investigation.pk),
        )
    record(
        action="investigation.opened",
        actor=by,
        target=investigation,
        purpose="police investigation",
        detail={
            "reference": investigation.reference,
            "offence_category": offence_category,
            "strategy_discussion": strategy_discussion.pk if strategy_discussion else None,
            "subjects": len(subjects),
            "opportunities": investigation.opportunities.count(),
        },
    )
    if allocated_officer.pk != by.pk:
        _tell(
            [allocated_officer],
            investigation=investigation,
            kind="investigations.allocated",
            key=f"investigations.allocated:investigation-{investigation.pk}",
        )
    return investigation


# Working it -----------------------------------------------------------------------------------


def _open_for_work(investigation: Investigation, by: User) -> Investigation:
    _require(policy.can(by, "investigate", investigation), NOT_POLICE)
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if investigation.state != InvestigationState.OPEN:
        raise ValidationError(NOT_OPEN)
    return investigation


@transaction.atomic
def add_opportunity(*, investigation: Investigation, by: User, title: str, description: str = "") -> Opportunity:
    """An opportunity the case has shown: to be explored before it closes."""
    investigation = _open_for_work(investigation, by)
    opportunity = Opportunity(
        investigation=investigation, title=title.strip(), description=description.strip(), added_by=by
    )
    opportunity.full_clean()
    opportunity.save()
    record(
        action="investigation.opportunity_added",
        actor=by,
        target=investigation,
        detail={"opportunity": opportunity.pk},
    )
    return opportunity


@transaction.atomic
def settle_opportunity(
    *, opportunity: Opportunity, by: User, done: bool, outcome: str = "", reason: str = ""
) -> Opportunity:
    """Record an opportunity as done (what was done and found) or not applicable (why, in a
    sentence or more)."""
    investigation = _open_for_work(opportunity.investigation, by)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk, investigation=investigation)
    opportunity.state = OpportunityState.DONE if done else OpportunityState.NOT_APPLICABLE
    opportunity.outcome = outcome.strip() if done else ""
    opportunity.not_applicable_reason = "" if done else reason.strip()
    opportunity.settled_at, opportunity.settled_by = timezone.now(), by
    opportunity.full_clean()
    opportunity.save()
    record(
        action="investigation.opportunity_settled",
        actor=by,
        target=investigation,
        detail={"opportunity": opportunity.pk, "state": opportunity.state},
    )
    return opportunity


@transaction.atomic
def add_note(*, investigation: Investigation, by: User, text: str) -> InvestigationNote:
    _require(policy.can(by, "investigate", investigation), NOT_POLICE)
    if not text.strip():
        raise ValidationError({"text": "Write what was done."})
    note = InvestigationNote(investigation=investigation, recorded_by=by, text=text.strip())
    note.full_clean()
    note.save()
    record(action="investigation.note_added", actor=by, target=investigation, detail={"note": note.pk})
    return note


@transaction.atomic
def record_review(*, investigation: Investigation, by: User, rationale: str) -> SupervisoryReview:
    """A supervising officer's review of an open investigation: the next is due a set time later."""
    _require(policy.can(by, "supervise", investigation), NOT_SUPERVISOR)
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if not investigation.is_open:
        raise ValidationError(NOT_OPEN)
    now = timezone.now()
    review = SupervisoryReview(
        investigation=investigation,
        reviewed_at=now,
        reviewed_by=by,
        rationale=_reason(rationale, "rationale"),
        next_due=due_after(now, "investigation_review"),
    )
    review.full_clean()
    review.save()
    investigation.next_review_due = review.next_due
    investigation.save(update_fields=["next_review_due"])
    record(action="investigation.reviewed", actor=by, target=investigation, detail={"review": review.pk})
    return review


# Closing ----------------------------------------------------------------------------------------


def outstanding_opportunities(investigation: Investigation) -> list[Opportunity]:
    return list(investigation.opportunities.filter(state=OpportunityState.OUTSTANDING).order_by("added_at", "pk"))


def _refuse_outstanding(investigation: Investigation) -> None:
    outstanding = outstanding_opportunities(investigation)
    if outstanding:
        titles = ", ".join(o.title for o in outstanding)
        raise ValidationError({"opportunities": OUTSTANDING.format(titles=titles)}, code="outstanding")


@transaction.atomic
def propose_closure(*, investigation: Investigation, by: User, outcome: str, rationale: str) -> Closure:
    """Propose closing the investigation. Refused while any opportunity is outstanding."""
    investigation = _open_for_work(investigation, by)
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    _refuse_outstanding(investigation)
    closure = Closure(
        investigation=investigation, outcome=outcome, rationale=_reason(rationale, "rationale"), proposed_by=by
    )
    closure.full_clean()
    closure.save()
    investigation.state = InvestigationState.CLOSURE_PROPOSED
    investigation.save(update_fields=["state"])
    record(
        action="investigation.closure_proposed",
        actor=by,
        target=investigation,
        detail={"closure": closure.pk, "outcome": outcome},
    )
    _tell(
        [investigation.supervising_officer],
        investigation=investigation,
        kind="investigations.closure_proposed",
        key=f"investigations.closure_proposed:closure-{closure.pk}",
    )
    return closure


def needs_challenge_window(investigation: Investigation) -> bool:
    """Whether the council must have its window: a child victim of deliberate harm, neglect
    or sexual abuse, or a child victim with a child protection plan or an open section 47."""
    if investigation.offence_category in CHALLENGEABLE_CATEGORIES:
        return True
    victims = investigation.subjects.filter(role=SubjectRole.VICTIM).values("person_id")
    if ChildProtectionPlan.objects.filter(person_id__in=victims, ended_on__isnull=True).exists():
        return True
    return Meeting.objects.filter(
        kind=MeetingKind.STRATEGY_DISCUSSION,
        state=MeetingState.HELD,
        outcome__in=SECTION_47_OUTCOMES,
        enquiry_outcome="",
        subjects__in=victims,
    ).exists()


def _closure_for_supervisor(closure: Closure, by: User) -> Closure:
    _require(policy.can(by, "supervise", closure.investigation), NOT_SUPERVISOR)
    closure = Closure.objects.select_for_update(of=("self",)).select_related("investigation").get(pk=closure.pk)
    if closure.state != ClosureState.PROPOSED:
        raise ValidationError(NOT_OPEN)
    return closure


@transaction.atomic
def sign_off_closure(*, closure: Closure, by: User, rationale: str) -> Closure:
    """A supervising officer other than the proposer signs the closure off. Where the council
    must have its window, the closure takes effect when the window ends unless challenged;
    otherwise it takes effect now."""
    closure = _closure_for_supervisor(closure, by)
    if closure.proposed_by_id == by.pk:
        raise ValidationError(OWN_PROPOSAL)
    investigation = closure.investigation
    _refuse_outstanding(investigation)
    now = timezone.now()
    closure.signed_off_by, closure.signed_off_at = by, now
    closure.sign_off_rationale = _reason(rationale, "sign_off_rationale")
    window = needs_challenge_window(investigation)
    if window:
        closure.state = ClosureState.SIGNED_OFF
        closure.challenge_window_ends = due_after(now, "closure_challenge_window")
        investigation.state = InvestigationState.CHALLENGE_WINDOW
    else:
        closure.state, closure.effective_at = ClosureState.EFFECTIVE, now
        investigation.state, investigation.closed_at = InvestigationState.CLOSED, now
    closure.full_clean()
    closure.save()
    investigation.save(update_fields=["state", "closed_at"])
    record(
        action="investigation.closure_signed_off",
        actor=by,
        target=investigation,
        detail={
            "closure": closure.pk,
            "challenge_window_ends": closure.challenge_window_ends.isoformat()
            if closure.challenge_window_ends
            else None,
        },
    )
    if window:
        _tell(
            policy.council_leads(investigation),
            investigation=investigation,
            kind="investigations.closure_to_challenge",
            key=f"investigations.closure_to_challenge:closure-{closure.pk}",
        )
    _tell(
        [investigation.allocated_officer, closure.proposed_by],
        investigation=investigation,
        kind="investigations.closure_signed_off",
        key=f"investigations.closure_signed_off:closure-{closure.pk}",
    )
    return closure


@transaction.atomic
def refuse_closure(*, closure: Closure, by: User, reason: str) -> Closure:
    """The supervisor does not sign the closure off: the investigation goes on."""
    closure = _closure_for_supervisor(closure, by)
    closure.state, closure.sign_off_rationale = ClosureState.WITHDRAWN, _reason(reason, "sign_off_rationale")
    closure.signed_off_by, closure.signed_off_at = None, None
    closure.save(update_fields=["state", "sign_off_rationale", "signed_off_by", "signed_off_at"])
    investigation = closure.investigation
    investigation.state = InvestigationState.OPEN
    investigation.save(update_fields=["state"])
    record(action="investigation.closure_refused", actor=by, target=investigation, detail={"closure": closure.pk})
    _tell(
        [closure.proposed_by, investigation.allocated_officer],
        investigation=investigation,
        kind="investigations.closure_refused",
        key=f"investigations.closure_refused:closure-{closure.pk}",
    )
    return closure


@transaction.atomic
def close_after_windows(*, now: datetime.datetime | None = None) -> int:
    """Closures whose challenge window has ended unchallenged take effect. Running it again
    changes nothing."""
    now = now or timezone.now()
    due = Closure.objects.select_for_update(of=("self",)).filter(
        state=ClosureState.SIGNED_OFF, challenge_window_ends__lte=now
    )
    count = 0
    for closure in due.select_related("investigation"):
        assert closure.challenge_window_ends is not None
        closure.state, closure.effective_at = ClosureState.EFFECTIVE, closure.challenge_window_ends
        closure.save(update_fields=["state", "effective_at"])
        investigation = closure.investigation
        investigation.state, investigation.closed_at = InvestigationState.CLOSED, closure.challenge_window_ends
        investigation.save(update_fields=["state", "closed_at"])
        record(
            action="investigation.closed",
            target=investigation,
            purpose="the council's challenge window ended",
            detail={"closure": closure.pk},
        )
        count += 1
    return count


# Challenging -----------------------------------------------------------------------------------


def _start_stage(challenge: Challenge, number: int, now: datetime.datetime) -> EscalationStage:
    step = ESCALATION_STAGES[number - 1]
    stage = EscalationStage(challenge=challenge, number=number, started_at=now, due_at=due_after(now, step.timescale))
    stage.full_clean()
    stage.save()
    return stage


def _police_side(investigation: Investigation) -> list[User]:
    return [investigation.allocated_officer, investigation.supervising_officer]


@transaction.atomic
def challenge_closure(*, closure: Closure, by: User, reasons: str) -> Challenge:
    """The council's lead challenges a signed-off closure within its window: the closure is
    stopped and the escalation procedure starts at its first stage."""
    _require(policy.can(by, "challenge", closure.investigation), NOT_COUNCIL_LEAD)
    closure = Closure.objects.select_for_update(of=("self",)).select_related("investigation").get(pk=closure.pk)
    now = timezone.now()
    if closure.state != ClosureState.SIGNED_OFF or closure.challenge_window_ends is None:
        raise ValidationError(NOT_OPEN)
    if now > closure.challenge_window_ends:
        end = closure.challenge_window_ends.astimezone(LONDON)
        raise ValidationError(WINDOW_CLOSED.format(end=f"{end:%H:%M on %A %-d %B}"))
    challenge = Challenge(closure=closure, raised_by=by, raised_at=now, reasons=_reason(reasons, "reasons"))
    challenge.full_clean()
    challenge.save()
    stage = _start_stage(challenge, 1, now)
    closure.state = ClosureState.CHALLENGED
    closure.save(update_fields=["state"])
    investigation = closure.investigation
    investigation.state = InvestigationState.CHALLENGED
    investigation.save(update_fields=["state"])
    record(
        action="investigation.closure_challenged",
        actor=by,
        target=investigation,
        detail={"closure": closure.pk, "challenge": challenge.pk, "stage_due_at": stage.due_at.isoformat()},
    )
    _tell(
        [*_police_side(investigation), closure.signed_off_by],
        investigation=investigation,
        kind="investigations.closure_challenged",
        key=f"investigations.closure_challenged:challenge-{challenge.pk}",
    )
    return challenge


def _may_work_challenge(user: User, investigation: Investigation) -> bool:
    """Either side of the disagreement: the force's officers, or the council's lead."""
    return policy.can(user, "investigate", investigation) or policy.can(user, "challenge", investigation)


def _require_stage_role(user: User, stage: EscalationStage | None) -> None:
    """Each stage is worked at its own level: past the first, only the managers of either side
    escalate or resolve it, so no practitioner takes a disagreement to the top alone."""
    if stage is None:
        return
    step = ESCALATION_STAGES[stage.number - 1]
    if step.roles is not None and not step.roles & set(user.roles):
        raise ValidationError({"decision": NOT_AT_THIS_STAGE.format(who=step.who)})


@transaction.atomic
def escalate_challenge(*, challenge: Challenge, by: User, outcome: str) -> EscalationStage:
    """The current stage did not resolve it: record what it reached and start the next."""
    investigation = challenge.closure.investigation
    _require(_may_work_challenge(by, investigation), NOT_COUNCIL_LEAD)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.outcome:
        raise ValidationError(NOT_OPEN)
    current = challenge.current_stage
    assert current is not None
    _require_stage_role(by, current)
    if current.number >= len(ESCALATION_STAGES):
        raise ValidationError("This is the last stage: the partnership's lead resolves it.")
    now = timezone.now()
    current.ended_at, current.ended_by, current.outcome = now, by, _reason(outcome, "outcome")
    current.save(update_fields=["ended_at", "ended_by", "outcome"])
    stage = _start_stage(challenge, current.number + 1, now)
    record(
        action="investigation.challenge_escalated",
        actor=by,
        target=investigation,
        detail={"challenge": challenge.pk, "stage": stage.number},
    )
    _tell(
        [*_police_side(investigation), challenge.raised_by],
        investigation=investigation,
        kind="investigations.challenge_escalated",
        key=f"investigations.challenge_escalated:challenge-{challenge.pk}:stage-{stage.number}",
    )
    return stage


@transaction.atomic
def resolve_challenge(
    *, challenge: Challenge, by: User, reopen: bool, resolution: str, missed: Sequence[str] = ()
) -> Challenge:
    """End the disagreement: reopen the investigation with the missed opportunities added (the
    closure stays on record as overturned), or confirm the closure with the reasons (the
    council's side, or anyone at the last stage, where the partnership's lead has decided)."""
    investigation = challenge.closure.investigation
    _require(_may_work_challenge(by, investigation), NOT_COUNCIL_LEAD)
    challenge = (
        Challenge.objects.select_for_update(of=("self",)).select_related("closure__investigation").get(pk=challenge.pk)
    )
    if challenge.outcome:
        raise ValidationError(NOT_OPEN)
    missed = [title.strip() for title in missed if title.strip()]
    if reopen and not missed:
        raise ValidationError({"missed": NAME_THE_MISSED})
    stage = challenge.current_stage
    _require_stage_role(by, stage)
    last_stage = stage is not None and stage.number == len(ESCALATION_STAGES)
    council_side = policy.can(by, "challenge", investigation)
    if not reopen and not last_stage and not council_side:
        # The police cannot overrule the challenge themselves: the council accepts the closure,
        # or the disagreement goes up to the partnership's lead.
        raise ValidationError({"decision": CONFIRM_BY_COUNCIL})
    closure = challenge.closure
    if not reopen and not council_side and by.pk in (closure.proposed_by_id, closure.signed_off_by_id):
        raise ValidationError({"decision": NOT_A_PARTY})
    now = timezone.now()
    challenge.outcome = ChallengeOutcome.REOPENED if reopen else ChallengeOutcome.CONFIRMED
    challenge.resolved_by, challenge.resolved_at = by, now
    challenge.resolution = _reason(resolution, "resolution")
    challenge.save(update_fields=["outcome", "resolved_by", "resolved_at", "resolution"])
    current = challenge.current_stage
    if current is not None:
        current.ended_at, current.ended_by, current.outcome = now, by, challenge.resolution
        current.save(update_fields=["ended_at", "ended_by", "outcome"])
    closure = challenge.closure
    investigation = closure.investigation
    if reopen:
        closure.state = ClosureState.OVERTURNED
        investigation.state, investigation.closed_at = InvestigationState.OPEN, None
        investigation.next_review_due = due_after(now, "investigation_review")
        for title in missed:
            Opportunity.objects.create(
                investigation=investigation, title=title[:200], added_at=now, added_by=by, from_challenge=challenge
            )
    else:
        closure.state, closure.effective_at = ClosureState.CONFIRMED, now
        investigation.state, investigation.closed_at = InvestigationState.CLOSED, now
    closure.save(update_fields=["state", "effective_at"])
    investigation.save(update_fields=["state", "closed_at", "next_review_due"])
    record(
        action="investigation.reopened" if reopen else "investigation.closure_confirmed",
        actor=by,
        target=investigation,
        detail={"challenge": challenge.pk, "missed": len(missed)},
    )
    _tell(
        [*_police_side(investigation), challenge.raised_by],
        investigation=investigation,
        kind="investigations.challenge_resolved",
        key=f"investigations.challenge_resolved:challenge-{challenge.pk}",
    )
    return challenge
