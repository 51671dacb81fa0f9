"""Reads of police investigations, always through `safehub.access.policy.visible_investigations`:
the force's officers see its investigations, the council's lead for a child victim sees
those of its children, and no one else sees any (404, as for one that does not exist)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from safehub.access import policy
from safehub.audit.services import record
from safehub.investigations.models import (
    Closure,
    ClosureState,
    EscalationStage,
    Investigation,
    InvestigationState,
    InvestigationSubject,
    Opportunity,
    OpportunityState,
)
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability


def investigations_for(*, user: User) -> QuerySet[Investigation]:
    return (
        policy.visible_investigations(user)
        .select_related("allocated_officer", "supervising_officer", "force", "strategy_discussion")
        .order_by("-opened_at", "-pk")
    )


def get_investigation(*, user: User, pk: int) -> Investigation:
    """One investigation the user may open, audited; 404 (and audited as refused) otherwise."""
    investigation = investigations_for(user=user).filter(pk=pk).first()
    if investigation is None:
        record(
            action="access.refused",
            actor=user,
            object_type="investigations.investigation",
            object_id=str(pk),
            outcome="refused",
            purpose="investigation not visible",
        )
        raise Http404("No such investigation")
    basis = "the force's investigation" if investigation.force_id == user.organisation_id else "the council's lead"
    record(action="investigation.viewed", actor=user, target=investigation, purpose=basis)
    return investigation


def closures_to_sign_off(*, user: User) -> QuerySet[Closure]:
    """Proposed closures of the user's force, for a supervising officer."""
    if not has_capability(user, Capability.SUPERVISE_INVESTIGATIONS):
        return Closure.objects.none()
    return (
        Closure.objects.filter(state=ClosureState.PROPOSED, investigation__in=policy.visible_investigations(user))
        .select_related("investigation", "proposed_by")
        .order_by("proposed_at")
    )


def closures_to_challenge(*, user: User) -> QuerySet[Closure]:
    """Signed-off closures in their challenge window, for the council's lead of a child in them."""
    if not has_capability(user, Capability.CHALLENGE_CLOSURE):
        return Closure.objects.none()
    visible = policy.visible_investigations(user).exclude(force_id=user.organisation_id)
    return (
        Closure.objects.filter(state=ClosureState.SIGNED_OFF, investigation__in=visible)
        .select_related("investigation", "signed_off_by")
        .order_by("challenge_window_ends")
    )


@dataclass
class TimelineItem:
    at: object
    kind: str
    title: str
    detail: str = ""
    who: User | None = None


@dataclass
class InvestigationPage:
    investigation: Investigation
    subjects: list[InvestigationSubject]
    opportunities: list[Opportunity]
    closures: list[Closure]
    timeline: list[TimelineItem] = field(default_factory=list)
    may_investigate: bool = False
    may_supervise: bool = False
    may_challenge: bool = False
    police_view: bool = False

    @property
    def outstanding(self) -> list[Opportunity]:
        return [o for o in self.opportunities if o.state == OpportunityState.OUTSTANDING]

    @property
    def current_closure(self) -> Closure | None:
        live = {ClosureState.PROPOSED, ClosureState.SIGNED_OFF, ClosureState.CHALLENGED}
        return next((c for c in self.closures if c.state in live), None)

    @property
    def is_open_for_work(self) -> bool:
        return self.investigation.state == InvestigationState.OPEN


def investigation_page(*, user: User, investigation: Investigation) -> InvestigationPage:
    """What the investigation's page shows the user: the police see everything; the council's
    lead sees the children, the opportunities and the closures (not the police's notes)."""
    police_view = policy.can(user, "investigate", investigation)
    subjects = list(investigation.subjects.select_related("person").order_by("role", "pk"))
    opportunities = list(
        investigation.opportunities.select_related("settled_by", "added_by").order_by("added_at", "pk")
    )
    closures = list(
        investigation.closures.select_related("proposed_by", "signed_off_by")
        .prefetch_related(
            Prefetch(
                "challenge__stages", queryset=EscalationStage.objects.select_related("ended_by").order_by("number")
            )
        )
        .order_by("-proposed_at", "-pk")
    )
    timeline: list[TimelineItem] = [
        TimelineItem(investigation.opened_at, "opened", "Investigation opened", who=investigation.opened_by)
    ]
    for opportunity in opportunities:
        if opportunity.from_challenge_id is not None or opportunity.template_id is None:
            timeline.append(
                TimelineItem(
                    opportunity.added_at,
                    "opportunity",
                    f"Opportunity added: {opportunity.title}",
                    who=opportunity.added_by,
                )
            )
        if opportunity.settled_at is not None:
            timeline.append(
                TimelineItem(
                    opportunity.settled_at,
                    "opportunity",
                    f"{opportunity.title}: {opportunity.get_state_display().lower()}",
                    opportunity.outcome or opportunity.not_applicable_reason,
                    opportunity.settled_by,
                )
            )
    if police_view:
        for note in investigation.notes.select_related("recorded_by"):
            timeline.append(TimelineItem(note.recorded_at, "note", "Action", note.text, note.recorded_by))
        for review in investigation.reviews.select_related("reviewed_by"):
            timeline.append(
                TimelineItem(review.reviewed_at, "review", "Supervisory review", review.rationale, review.reviewed_by)
            )
    for closure in closures:
        timeline.append(
            TimelineItem(
                closure.proposed_at,
                "closure",
                f"Closure proposed: {closure.get_outcome_display()}",
                closure.rationale,
                closure.proposed_by,
            )
        )
        if closure.signed_off_at is not None:
            timeline.append(
                TimelineItem(
                    closure.signed_off_at,
                    "closure",
                    "Closure signed off",
                    closure.sign_off_rationale,
                    closure.signed_off_by,
                )
            )
        challenge = getattr(closure, "challenge", None)
        if challenge is not None:
            timeline.append(
                TimelineItem(
                    challenge.raised_at,
                    "challenge",
                    "Closure challenged by the council",
                    challenge.reasons,
                    challenge.raised_by,
                )
            )
            for stage in challenge.stages.all():
                if stage.ended_at is not None:
                    timeline.append(
                        TimelineItem(
                            stage.ended_at,
                            "challenge",
                            f"Stage {stage.number} ended: {stage.label}",
                            stage.outcome,
                            stage.ended_by,
                        )
                    )
            if challenge.resolved_at is not None:
                timeline.append(
                    TimelineItem(
                        challenge.resolved_at,
                        "challenge",
                        challenge.get_outcome_display(),
                        challenge.resolution,
                        challenge.resolved_by,
                    )
                )
        if closure.effective_at is not None and closure.state in (ClosureState.EFFECTIVE, ClosureState.CONFIRMED):
            timeline.append(TimelineItem(closure.effective_at, "closed", "Investigation closed"))
    timeline.sort(key=lambda item: item.at, reverse=True)  # type: ignore[arg-type, return-value]
    return InvestigationPage(
        investigation=investigation,
        subjects=subjects,
        opportunities=opportunities,
        closures=closures,
        timeline=timeline,
        may_investigate=police_view,
        may_supervise=policy.can(user, "supervise", investigation),
        may_challenge=policy.can(user, "challenge", investigation),
        police_view=police_view,
    )
