"""Police investigations into harm to children: who and what, the investigative opportunities
to explore, supervisory reviews, and the closure that takes effect only once every
opportunity is explored, a second officer has signed it off and the council has had its
window to challenge it (DOMAIN.md, "Police investigations").

Nothing is edited in place: a closure that is challenged and overturned stays as it was, and
the investigation reopens with the missed opportunities added to it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safehub.meetings.models import Meeting
from safehub.partnership.models import Organisation, User
from safehub.people.models import Person

REFERENCE_PREFIX = "INV"
# A reason "of at least a sentence".
MIN_REASON_LENGTH = 20


class OffenceCategory(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse (deliberate harm)"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect or cruelty"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    EXPLOITATION = "exploitation", "Child exploitation"
    ONLINE_ABUSE = "online_abuse", "Online abuse or indecent images"
    OTHER = "other", "Other offence against a child"


# A closure of these needs the council's challenge window, whatever the child's plan.
CHALLENGEABLE_CATEGORIES = frozenset(
    {OffenceCategory.PHYSICAL_ABUSE, OffenceCategory.SEXUAL_ABUSE, OffenceCategory.NEGLECT}
)


class SubjectRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"


class InvestigationState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSURE_PROPOSED = "closure_proposed", "Closure proposed: waiting for a supervisor's sign-off"
    CHALLENGE_WINDOW = "challenge_window", "Closure signed off: the council may challenge it"
    CHALLENGED = "challenged", "Closure challenged by the council"
    CLOSED = "closed", "Closed"


OPEN_STATES = frozenset(
    {
        InvestigationState.OPEN,
        InvestigationState.CLOSURE_PROPOSED,
        InvestigationState.CHALLENGE_WINDOW,
        InvestigationState.CHALLENGED,
    }
)


class ClosureOutcome(models.TextChoices):
    NFA_EVIDENTIAL = "nfa_evidential", "No further action: evidential difficulties"
    NFA_VICTIM = "nfa_victim", "No further action: the victim does not support a prosecution"
    NFA_PUBLIC_INTEREST = "nfa_public_interest", "No further action: not in the public interest"
    CHARGED = "charged", "Charged"
    OUT_OF_COURT = "out_of_court", "Out-of-court outcome"
    TRANSFERRED = "transferred", "Transferred to another force"


class OpportunityTemplate(models.Model):
    """An investigative opportunity a force expects explored for an offence category and a
    child's age: data the force keeps (the admin), not code. No force: every force's."""

    force = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="opportunity_templates"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Offence categories it applies to; empty for all.
    categories = models.JSONField(default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Children this age and older.")
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Children this age and younger.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = [c for c in self.categories if c not in OffenceCategory.values]
        if unknown:
            raise ValidationError({"categories": f"Not an offence category: {', '.join(unknown)}."})
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": "The oldest age must not be below the youngest."})

    def applies_to(self, category: str, ages: list[int | None]) -> bool:
        if self.categories and category not in self.categories:
            return False
        if self.min_age is None and self.max_age is None:
            return True
        known = [a for a in ages if a is not None]
        # An age unknown (an unborn child, a date of birth not given): ask for it anyway.
        if len(known) < len(ages):
            return True
        return any(
            (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)
            for age in known
        )


class Investigation(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    crime_reference = models.CharField(max_length=40, help_text="The force's crime number.")
    offence_category = models.CharField(max_length=20, choices=OffenceCategory.choices)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="investigations")
    allocated_officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="investigations_allocated")
    supervising_officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="investigations_supervised")
    # The strategy discussion that agreed a joint section 47 investigation, if it began there.
    strategy_discussion = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="investigations"
    )
    state = models.CharField(max_length=20, choices=InvestigationState.choices, default=InvestigationState.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    next_review_due = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                # Each force's keys are its own: another force's key is never a conflict.
                fields=["force", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="investigation_idempotency_unique",
            )
        ]
        indexes = [models.Index(fields=["force", "state"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("investigations:investigation", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def review_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.next_review_due


class InvestigationSubject(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="investigation_roles")
    role = models.CharField(max_length=10, choices=SubjectRole.choices)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "person"], name="one_role_per_person_per_investigation")
        ]

    def __str__(self) -> str:
        return f"{self.investigation.reference}: {self.get_role_display()}"


class OpportunityState(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Opportunity(models.Model):
    """One investigative opportunity: outstanding, done (when, by whom, with what outcome), or
    not applicable with a reason."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="opportunities")
    template = models.ForeignKey(OpportunityTemplate, on_delete=models.SET_NULL, null=True, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=OpportunityState.choices, default=OpportunityState.OUTSTANDING)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Added when a challenge reopened the investigation: an opportunity that had been missed.
    from_challenge = models.ForeignKey(
        "Challenge", on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities_added"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.TextField(blank=True, help_text="What was done and found.")
    not_applicable_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.state == OpportunityState.DONE and not self.outcome.strip():
            raise ValidationError({"outcome": "Record what was done and what it found."})
        if (
            self.state == OpportunityState.NOT_APPLICABLE
            and len(self.not_applicable_reason.strip()) < MIN_REASON_LENGTH
        ):
            raise ValidationError(
                {"not_applicable_reason": "Say in a sentence or more why this opportunity does not apply."}
            )


class SupervisoryReview(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    next_due = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"Supervisory review of {self.investigation.reference}"


class ClosureState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SIGNED_OFF = "signed_off", "Signed off: in the council's challenge window"
    EFFECTIVE = "effective", "In effect"
    CHALLENGED = "challenged", "Challenged"
    CONFIRMED = "confirmed", "Confirmed after a challenge"
    OVERTURNED = "overturned", "Overturned: the investigation reopened"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Closure(models.Model):
    """A proposal to close an investigation, and what became of it."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="closures")
    outcome = models.CharField(max_length=30, choices=ClosureOutcome.choices)
    rationale = models.TextField()
    state = models.CharField(max_length=12, choices=ClosureState.choices, default=ClosureState.PROPOSED)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_rationale = models.TextField(blank=True)
    # Set when the council must be given the chance to challenge: the closure takes effect
    # only after this, unless challenged.
    challenge_window_ends = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"Closure of {self.investigation.reference}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.signed_off_by_id is not None and self.signed_off_by_id == self.proposed_by_id:
            raise ValidationError("A closure is signed off by a supervising officer other than the one proposing it.")


class ChallengeOutcome(models.TextChoices):
    REOPENED = "reopened", "Investigation reopened"
    CONFIRMED = "confirmed", "Closure confirmed"


class Challenge(models.Model):
    """The council's challenge to a closure: it stops the closure and is worked through the
    partnership's escalation procedure for resolving professional disagreements."""

    closure = models.OneToOneField(Closure, on_delete=models.CASCADE, related_name="challenge")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    reasons = models.TextField()
    outcome = models.CharField(max_length=12, choices=ChallengeOutcome.choices, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Challenge to the closure of {self.closure.investigation.reference}"

    @property
    def current_stage(self) -> "EscalationStage | None":
        return self.stages.filter(ended_at__isnull=True).order_by("-number").first()


class EscalationStage(models.Model):
    """One stage of the escalation procedure: who it is between, when it is due, its outcome."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["challenge", "number"], name="one_escalation_stage_each")]

    def __str__(self) -> str:
        return f"Escalation stage {self.number}"

    @property
    def label(self) -> str:
        from safehub.investigations.services import ESCALATION_STAGES

        return ESCALATION_STAGES[self.number - 1].label

    @property
    def who(self) -> str:
        """Who works the disagreement at this stage."""
        from safehub.investigations.services import ESCALATION_STAGES

        return ESCALATION_STAGES[self.number - 1].who

    @property
    def overdue(self) -> bool:
        return self.ended_at is None and timezone.now() > self.due_at


class InvestigationNote(models.Model):
    """An action taken or a line of enquiry, on the investigation's timeline."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="notes")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Note on {self.investigation.reference}"
