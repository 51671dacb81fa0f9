"""The demo force's year of police investigations. Called at the end of the demo seed, after
the meetings demo (whose joint section 47 strategy discussions start most of them) and the
access demo (the social worker's caseload); in its transaction, deterministic for a seed.

The rows are those the investigations services write: references INV-YYYY-NNNNN in opening
order each year, each investigation's checklist from `services.opportunities_for`, review
and window due times from `due_after`, the officers' access to the people in it and a
police-only entry on each child's chronology. No audit events are written for this history.

Most investigations closed properly: every opportunity settled, signed off by the supervisor,
and (where the council must have its window) in effect when the window ended. A few were
challenged: some confirmed, and one reopened last month with the missed opportunity added.
For the demo users today: one investigation of the police officer's with the medical and
the ABE interview still outstanding (the closure page refuses and names them), and one whose
closure is in its challenge window, about a child on the social worker's caseload.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.investigations.models import (
    REFERENCE_PREFIX,
    Challenge,
    ChallengeOutcome,
    Closure,
    ClosureOutcome,
    ClosureState,
    EscalationStage,
    Investigation,
    InvestigationState,
    InvestigationSubject,
    OffenceCategory,
    Opportunity,
    OpportunityState,
    SubjectRole,
    SupervisoryReview,
)
from safehub.investigations.services import ESCALATION_STAGES, needs_challenge_window, opportunities_for
from safehub.meetings.models import Meeting, MeetingKind, MeetingState, StrategyOutcome
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, User
from safehub.people.models import ChronologyEntry, ChronologyVisibility, Person, Relationship, RelationshipKind
from safehub.timescales.calendar import LONDON, add_working_days
from safehub.timescales.rules import due_after

CATEGORY_WEIGHTS = {
    OffenceCategory.PHYSICAL_ABUSE: 40,
    OffenceCategory.NEGLECT: 25,
    OffenceCategory.SEXUAL_ABUSE: 20,
    OffenceCategory.EMOTIONAL_ABUSE: 5,
    OffenceCategory.EXPLOITATION: 5,
    OffenceCategory.ONLINE_ABUSE: 5,
}
OUTCOME_WEIGHTS = {
    ClosureOutcome.NFA_EVIDENTIAL: 40,
    ClosureOutcome.NFA_VICTIM: 15,
    ClosureOutcome.NFA_PUBLIC_INTEREST: 5,
    ClosureOutcome.CHARGED: 22,
    ClosureOutcome.OUT_OF_COURT: 13,
    ClosureOutcome.TRANSFERRED: 5,
}
RATIONALES = {
    ClosureOutcome.NFA_EVIDENTIAL: "The child's account is not corroborated: the medical was inconclusive and "
    "no witness saw the injury. The CPS advised the evidential test is not met.",
    ClosureOutcome.NFA_VICTIM: "The young person does not support a prosecution and the other evidence is not enough "
    "without her account. Safeguarding continues through the child protection plan.",
    ClosureOutcome.NFA_PUBLIC_INTEREST: "The CPS decided a prosecution is not in the public interest; the family is "
    "engaging with the plan.",
    ClosureOutcome.CHARGED: "The suspect was charged after interview; bail conditions keep him from the address.",
    ClosureOutcome.OUT_OF_COURT: "A conditional caution with a parenting course, agreed with the council.",
    ClosureOutcome.TRANSFERRED: "The family moved; the investigation is transferred to the force where they now live.",
}
SIGN_OFF = "All opportunities explored and the rationale is sound. Signed off."
OUTCOMES_DONE = (
    "Completed; the record is on the case file.",
    "Done: nothing of evidential value.",
    "Done: supports the child's account.",
    "Completed with the council; findings shared at the strategy discussion.",
)
NOT_APPLICABLE = "Not possible here: recorded with the reason on the case file after advice from the supervisor."
CHALLENGE_REASONS = "The sibling who was in the room was never spoken to, and the school's concerns were not checked."
MISSED = "ABE interview of the sibling who was present"
SHARE_CHALLENGED = 0.06
SHARE_REOPENED_OF_CHALLENGED = 0.4
OPEN_AFTER_DAYS = 60


@dataclass
class _Cast:
    force: Organisation
    officer: User
    supervisor: User
    social_worker: User | None
    manager: User | None


def _pick(rng: random.Random, weights: dict[OffenceCategory, int] | dict[ClosureOutcome, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Year:
    def __init__(self, *, rng: random.Random, cast: _Cast, now: datetime.datetime) -> None:
        self.rng, self.cast, self.now = rng, cast, now
        self.serials: dict[int, int] = {}
        self.counts = {"investigations": 0, "investigation closures": 0, "closures challenged": 0}

    def _reference(self, at: datetime.datetime) -> str:
        year = at.astimezone(LONDON).year
        self.serials[year] = self.serials.get(year, 0) + 1
        return f"{REFERENCE_PREFIX}-{year}-{self.serials[year]:05d}"

    def open(
        self,
        *,
        victims: list[Person],
        suspect: Person | None,
        at: datetime.datetime,
        discussion: Meeting | None,
        category: str | None = None,
    ) -> Investigation:
        """What `services.open_investigation` writes."""
        cast, rng = self.cast, self.rng
        category = category or _pick(rng, CATEGORY_WEIGHTS)
        investigation = Investigation.objects.create(
            reference=self._reference(at),
            crime_reference=f"CR/{rng.randint(10000, 99999)}/{at:%y}",
            offence_category=category,
            force=cast.force,
            allocated_officer=cast.officer,
            supervising_officer=cast.supervisor,
            strategy_discussion=discussion,
            opened_at=at,
            opened_by=cast.officer,
            next_review_due=due_after(at, "investigation_review"),
        )
        subjects = [(p, SubjectRole.VICTIM) for p in victims] + ([(suspect, SubjectRole.SUSPECT)] if suspect else [])
        InvestigationSubject.objects.bulk_create(
            [InvestigationSubject(investigation=investigation, person=p, role=role) for p, role in subjects]
        )
        assert investigation.force_id is not None
        Opportunity.objects.bulk_create(
            [
                Opportunity(
                    investigation=investigation,
                    template=template,
                    title=template.title,
                    description=template.description,
                    added_at=at,
                    added_by=cast.officer,
                )
                for template in opportunities_for(force_id=investigation.force_id, category=category, victims=victims)
            ]
        )
        LegitimateRelationship.objects.bulk_create(
            [
                LegitimateRelationship(
                    person=person,
                    user=officer,
                    source=RelationshipSource.ALLOCATION,
                    reason=f"Police investigation {investigation.reference}",
                    starts_at=at,
                    created_by=cast.officer,
                )
                for officer in (cast.officer, cast.supervisor)
                for person, _ in subjects
            ]
        )
        ChronologyEntry.objects.bulk_create(
            [
                ChronologyEntry(
                    person=person,
                    occurred_at=at,
                    category="police_investigation",
                    summary=f"Police investigation {investigation.reference} opened.",
                    organisation=investigation.force,
                    recorded_by=cast.officer,
                    visibility=ChronologyVisibility.RECORDING_AGENCY,
                    source_type="investigations.investigation",
                    source_id=str(investigation.pk),
                )
                for person in victims
            ]
        )
        self.counts["investigations"] += 1
        return investigation

    def settle(self, investigation: Investigation, *, until: datetime.datetime, leave: tuple[str, ...] = ()) -> None:
        """Each opportunity done or not applicable by `until`, except those titled in `leave`."""
        rng = self.rng
        for opportunity in investigation.opportunities.all():
            if opportunity.title in leave:
                continue
            span = max(60.0, (until - opportunity.added_at).total_seconds())
            opportunity.settled_at = opportunity.added_at + datetime.timedelta(seconds=rng.uniform(0.1, 0.95) * span)
            opportunity.settled_by = self.cast.officer
            if rng.random() < 0.85:
                opportunity.state, opportunity.outcome = OpportunityState.DONE, rng.choice(OUTCOMES_DONE)
            else:
                opportunity.state, opportunity.not_applicable_reason = OpportunityState.NOT_APPLICABLE, NOT_APPLICABLE
            opportunity.save()

    def reviews(self, investigation: Investigation, *, until: datetime.datetime) -> None:
        """Supervisory reviews on time (mostly) while it was open, as `record_review` writes them."""
        due = investigation.next_review_due
        while due < until:
            at = due - datetime.timedelta(days=self.rng.randint(0, 4)) if self.rng.random() < 0.85 else due
            at = max(at, investigation.opened_at + datetime.timedelta(hours=1))
            if at >= until:
                break
            next_due = due_after(at, "investigation_review")
            SupervisoryReview.objects.create(
                investigation=investigation,
                reviewed_at=at,
                reviewed_by=self.cast.supervisor,
                rationale="Progress reviewed; the outstanding opportunities are allocated with dates.",
                next_due=next_due,
            )
            due = next_due
        investigation.next_review_due = due
        investigation.save(update_fields=["next_review_due"])

    def close(
        self, investigation: Investigation, *, proposed_at: datetime.datetime, outcome: str | None = None
    ) -> Closure:
        """Proposed, signed off a day or two later, and in effect at once or when the council's
        window ended, as `propose_closure`, `sign_off_closure` and `close_after_windows` write."""
        rng = self.rng
        outcome = outcome or _pick(rng, OUTCOME_WEIGHTS)
        signed_off_at = add_working_days(proposed_at, rng.randint(0, 2)) + datetime.timedelta(hours=rng.randint(1, 5))
        window = needs_challenge_window(investigation)
        closure = Closure(
            investigation=investigation,
            outcome=outcome,
            rationale=RATIONALES[ClosureOutcome(outcome)],
            proposed_by=self.cast.officer,
            proposed_at=proposed_at,
            signed_off_by=self.cast.supervisor,
            signed_off_at=signed_off_at,
            sign_off_rationale=SIGN_OFF,
        )
        if window:
            closure.challenge_window_ends = due_after(signed_off_at, "closure_challenge_window")
        effective = closure.challenge_window_ends or signed_off_at
        if effective <= self.now:
            closure.state, closure.effective_at = ClosureState.EFFECTIVE, effective
            investigation.state, investigation.closed_at = InvestigationState.CLOSED, effective
        else:
            closure.state = ClosureState.SIGNED_OFF
            investigation.state = InvestigationState.CHALLENGE_WINDOW
        closure.save()
        investigation.save(update_fields=["state", "closed_at"])
        self.counts["investigation closures"] += 1
        return closure

    def challenge(self, closure: Closure, *, reopen: bool) -> Challenge:
        """Challenged within the window, escalated to managers, and resolved."""
        investigation = closure.investigation
        assert closure.signed_off_at is not None
        assert closure.challenge_window_ends is not None
        raised_by = self.cast.social_worker or self.cast.manager
        assert raised_by is not None
        raised_at = closure.signed_off_at + (closure.challenge_window_ends - closure.signed_off_at) / 2
        challenge = Challenge.objects.create(
            closure=closure, raised_by=raised_by, raised_at=raised_at, reasons=CHALLENGE_REASONS
        )
        first_due = due_after(raised_at, ESCALATION_STAGES[0].timescale)
        first_end = first_due - datetime.timedelta(hours=2)
        EscalationStage.objects.create(
            challenge=challenge,
            number=1,
            started_at=raised_at,
            due_at=first_due,
            ended_at=first_end,
            ended_by=self.cast.officer,
            outcome="The officer and the social worker did not agree; escalated to their managers.",
        )
        resolved_at = first_end + datetime.timedelta(hours=20)
        EscalationStage.objects.create(
            challenge=challenge,
            number=2,
            started_at=first_end,
            due_at=due_after(first_end, ESCALATION_STAGES[1].timescale),
            ended_at=resolved_at,
            ended_by=self.cast.supervisor if reopen else self.cast.manager or raised_by,
            outcome="Resolved at manager level.",
        )
        challenge.outcome = ChallengeOutcome.REOPENED if reopen else ChallengeOutcome.CONFIRMED
        challenge.resolved_by = self.cast.supervisor if reopen else self.cast.manager or raised_by
        challenge.resolved_at = resolved_at
        challenge.resolution = (
            "Agreed: the sibling must be interviewed before any decision to close."
            if reopen
            else "The police showed the sibling's first account; the council accepts the closure."
        )
        challenge.save()
        if reopen:
            closure.state, closure.effective_at = ClosureState.OVERTURNED, None
            investigation.state, investigation.closed_at = InvestigationState.OPEN, None
            investigation.next_review_due = due_after(resolved_at, "investigation_review")
            Opportunity.objects.create(
                investigation=investigation,
                title=MISSED,
                added_at=resolved_at,
                added_by=challenge.resolved_by,
                from_challenge=challenge,
            )
        else:
            closure.state, closure.effective_at = ClosureState.CONFIRMED, resolved_at
            investigation.state, investigation.closed_at = InvestigationState.CLOSED, resolved_at
        closure.save()
        investigation.save(update_fields=["state", "closed_at", "next_review_due"])
        self.counts["closures challenged"] += 1
        return challenge


def _suspect_of(child: Person) -> Person | None:
    parent = (
        Relationship.objects.filter(related_to=child, kind__in=[RelationshipKind.PARENT, RelationshipKind.STEP_PARENT])
        .select_related("person")
        .order_by("-kind", "pk")
        .first()
    )
    return parent.person if parent is not None else None


def _caseload(user: User | None) -> list[Person]:
    if user is None:
        return []
    from safehub.access import policy

    return list(policy.visible_persons(user).filter(kind="child", date_of_birth__isnull=False).order_by("pk")[:40])


def seed_investigations_demo(*, rng: random.Random) -> dict[str, int]:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["police.officer", "police.supervisor", "social.worker", "team.manager"]
        ).select_related("organisation")
    }
    if "police.officer" not in users or "police.supervisor" not in users:
        return {}
    officer = users["police.officer"]
    if officer.organisation is None:
        return {}
    cast = _Cast(
        officer.organisation, officer, users["police.supervisor"], users.get("social.worker"), users.get("team.manager")
    )
    now = timezone.now()
    year = _Year(rng=rng, cast=cast, now=now)
    discussions = list(
        Meeting.objects.filter(
            kind=MeetingKind.STRATEGY_DISCUSSION, state=MeetingState.HELD, outcome=StrategyOutcome.SECTION_47_JOINT
        )
        .exclude(held_at__isnull=True)
        .prefetch_related("subjects")
        .order_by("held_at", "pk")
    )
    caseload = _caseload(cast.social_worker)
    # Everything to open, in opening order (references count up in that order each year).
    plans: list[tuple[datetime.datetime, str, object]] = []
    for discussion in discussions:
        assert discussion.held_at is not None
        victims = [p for p in discussion.subjects.all() if p.kind == "child"]
        opened_at = discussion.held_at + datetime.timedelta(hours=rng.randint(1, 20))
        if victims and opened_at < now - datetime.timedelta(days=2):
            plans.append((opened_at, "history", (discussion, victims)))
    if cast.social_worker is not None and len(caseload) > 2:
        plans.append((now - datetime.timedelta(days=75), "reopened", caseload[0]))
        plans.append((now - datetime.timedelta(days=19), "outstanding", caseload[1]))
        plans.append((now - datetime.timedelta(days=40), "in_window", caseload[2]))
    plans.sort(key=lambda plan: plan[0])
    reopened = False
    for opened_at, kind, payload in plans:
        if kind == "history":
            discussion, victims = payload  # type: ignore[misc]
            _history(year, discussion=discussion, victims=victims, opened_at=opened_at)
        elif kind == "reopened":
            reopened = _reopened(year, payload, opened_at)  # type: ignore[arg-type]
        elif kind == "outstanding":
            _outstanding(year, payload, opened_at)  # type: ignore[arg-type]
        else:
            _in_window(year, payload, opened_at)  # type: ignore[arg-type]
    counts = dict(year.counts)
    counts["investigations reopened after a challenge"] = int(reopened)
    return counts


def _leave_some(rng: random.Random, investigation: Investigation) -> tuple[str, ...]:
    titles = list(investigation.opportunities.values_list("title", flat=True))
    return tuple(t for t in titles if rng.random() < 0.4)


def _history(year: _Year, *, discussion: Meeting, victims: list[Person], opened_at: datetime.datetime) -> None:
    rng, now = year.rng, year.now
    investigation = year.open(victims=victims, suspect=_suspect_of(victims[0]), at=opened_at, discussion=discussion)
    age = (now - opened_at).days
    if age < OPEN_AFTER_DAYS and rng.random() < 0.7:
        # Still open: some opportunities explored, reviews as they fell due.
        year.settle(investigation, until=now - datetime.timedelta(hours=2), leave=_leave_some(rng, investigation))
        year.reviews(investigation, until=now)
        return
    proposed_at = opened_at + datetime.timedelta(days=rng.randint(20, max(21, min(age - 5, 150))))
    proposed_at = min(proposed_at, now - datetime.timedelta(days=5))
    year.settle(investigation, until=proposed_at)
    year.reviews(investigation, until=proposed_at)
    closure = year.close(investigation, proposed_at=proposed_at)
    if closure.state == ClosureState.EFFECTIVE and closure.challenge_window_ends and rng.random() < SHARE_CHALLENGED:
        year.challenge(closure, reopen=False)


def _reopened(year: _Year, child: Person, opened_at: datetime.datetime) -> bool:
    """Last month: a closure the social worker challenged, reopened with the missed opportunity."""
    now = year.now
    investigation = year.open(
        victims=[child],
        suspect=_suspect_of(child),
        at=opened_at,
        discussion=None,
        category=OffenceCategory.PHYSICAL_ABUSE,
    )
    proposed_at = now - datetime.timedelta(days=38)
    year.settle(investigation, until=proposed_at)
    year.reviews(investigation, until=proposed_at)
    closure = year.close(investigation, proposed_at=proposed_at, outcome=ClosureOutcome.NFA_EVIDENTIAL)
    if closure.challenge_window_ends is None or closure.state != ClosureState.EFFECTIVE:
        return False
    year.challenge(closure, reopen=True)
    investigation.refresh_from_db()
    year.reviews(investigation, until=now)
    return True


def _outstanding(year: _Year, child: Person, opened_at: datetime.datetime) -> None:
    """This week: the officer's investigation with the medical and the ABE interview outstanding."""
    investigation = year.open(
        victims=[child],
        suspect=_suspect_of(child),
        at=opened_at,
        discussion=None,
        category=OffenceCategory.PHYSICAL_ABUSE,
    )
    year.settle(
        investigation,
        until=year.now - datetime.timedelta(hours=3),
        leave=("ABE interview of the child", "Medical or paediatric assessment"),
    )
    year.reviews(investigation, until=year.now)


def _in_window(year: _Year, child: Person, opened_at: datetime.datetime) -> None:
    """Today: a closure in its challenge window, about a child on the social worker's caseload."""
    from safehub.access import policy

    now, cast = year.now, year.cast
    investigation = year.open(
        victims=[child], suspect=_suspect_of(child), at=opened_at, discussion=None, category=OffenceCategory.NEGLECT
    )
    proposed_at = now - datetime.timedelta(days=3)
    year.settle(investigation, until=proposed_at)
    year.reviews(investigation, until=proposed_at)
    signed_off_at = now - datetime.timedelta(hours=2)
    closure = Closure.objects.create(
        investigation=investigation,
        outcome=ClosureOutcome.NFA_EVIDENTIAL,
        rationale=RATIONALES[ClosureOutcome.NFA_EVIDENTIAL],
        proposed_by=cast.officer,
        proposed_at=proposed_at,
        signed_off_by=cast.supervisor,
        signed_off_at=signed_off_at,
        sign_off_rationale=SIGN_OFF,
        state=ClosureState.SIGNED_OFF,
        challenge_window_ends=due_after(signed_off_at, "closure_challenge_window"),
    )
    investigation.state = InvestigationState.CHALLENGE_WINDOW
    investigation.save(update_fields=["state"])
    for user in policy.council_leads(investigation):
        notify(
            key=f"investigations.closure_to_challenge:closure-{closure.pk}:user-{user.pk}",
            recipient=user,
            kind="investigations.closure_to_challenge",
            reference=investigation.reference,
            link=investigation.get_absolute_url(),
            channels=[Channel.INBOX],
        )
    year.counts["investigation closures"] += 1
