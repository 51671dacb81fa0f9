"""The Children's Hub front door: contacts about children, screening, multi-agency research
and the referral decision (DOMAIN.md, "The front door").

A contact is any concern. Screening gives it a RAG rating, which sets when the agencies'
checks are due; each agency answers its research request (shared, nothing known, or a
decision not to share, always with the lawful basis); a social-care team manager decides
within one working day, and the referrer is told the outcome.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from safehub.partnership.models import Organisation, Team, User
from safehub.people.models import Person


class ContactSource(models.TextChoices):
    POLICE = "police", "Police"
    SCHOOL = "school", "School or education setting"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Children's social care"
    EARLY_YEARS = "early_years", "Early-years setting"
    FAMILY = "family", "Family member or the child"
    PUBLIC = "public", "Member of the public"
    ANONYMOUS = "anonymous", "Anonymous"
    OTHER = "other", "Other agency"


class FamilyAwareness(models.TextChoices):
    AWARE = "aware", "The family knows about this contact"
    NOT_AWARE = "not_aware", "The family does not know"
    NOT_TOLD_RISK = "not_told_risk", "Not told: telling them could put a child at risk"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class LawfulBasis(models.TextChoices):
    """Why personal data may be shared (DOMAIN.md; 2024 information-sharing advice)."""

    CONSENT = "consent", "Consent (UK GDPR Art 6(1)(a) and 9(2)(a))"
    SIGNIFICANT_HARM = (
        "significant_harm",
        "A child is or may be at risk of significant harm: public task (UK GDPR Art 6(1)(e)), "
        "substantial public interest (Art 9(2)(g)), safeguarding (DPA 2018 Sch 1 para 18)",
    )
    PUBLIC_TASK = "public_task", "Public task: statutory duty to safeguard (UK GDPR Art 6(1)(e))"
    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement processing (DPA 2018 Part 3, Sch 8)"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_TIMESCALES = {Rag.RED: "research_due_red", Rag.AMBER: "research_due_amber", Rag.GREEN: "research_due_green"}


class ContactState(models.TextChoices):
    RECEIVED = "received", "Received: waiting for screening"
    RESEARCH = "research", "Multi-agency checks under way"
    AWAITING_DECISION = "awaiting_decision", "Waiting for a decision"
    DECIDED = "decided", "Decided"


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and signposting"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Assessment (section 17, child in need)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (possible section 47)"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"


# Decisions that make the contact a referral (it met the threshold for a social-care response).
REFERRAL_DECISIONS = frozenset({Decision.ASSESSMENT, Decision.STRATEGY_DISCUSSION, Decision.IMMEDIATE_PROTECTION})


class Contact(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=ContactSource.choices)
    source_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts_made"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Phone or email to reply to.")
    referrer_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts_referred"
    )
    external_reference = models.CharField(max_length=60, blank=True, help_text="E.g. the police occurrence number.")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    what_happened = models.TextField()
    family_awareness = models.CharField(max_length=20, choices=FamilyAwareness.choices)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    hub_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="contacts")
    state = models.CharField(max_length=20, choices=ContactState.choices, default=ContactState.RECEIVED)
    allocated_to = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    screening_notes = models.TextField(blank=True)
    research_due_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_rationale = models.TextField(blank=True)
    late_reason = models.TextField(blank=True)
    referrer_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["hub_team", "state"]), models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("hub:contact", args=[self.pk])

    @property
    def is_referral(self) -> bool:
        return self.decision in REFERRAL_DECISIONS

    def clean(self) -> None:
        if self.consent != Consent.GIVEN and self.lawful_basis == LawfulBasis.CONSENT:
            raise ValidationError({"lawful_basis": "Consent is not the basis when consent was not given."})


class SubjectRole(models.TextChoices):
    CHILD = "child", "Child"
    UNBORN = "unborn", "Unborn child"
    ADULT = "adult", "Adult in the household"


class ContactSubject(models.Model):
    """Someone the contact is about, as the referrer described them, linked to a person record."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(max_length=10, choices=SubjectRole.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="contact_subjects")
    given_names = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_due_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=12, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return f"{self.contact.reference}: {self.get_role_display()}"


class ResearchAnswer(models.TextChoices):
    SHARED = "shared", "Information shared"
    NOTHING_KNOWN = "nothing_known", "Nothing known"
    NOT_SHARED = "not_shared", "Decision not to share"
    # Not an agency's answer: the hub decided while the check was open, and the decision
    # closed it (safehub.hub.services.workflow.decide).
    NOT_NEEDED = "not_needed", "Not needed: decided without it"


# What an agency may answer: everything but the hub's closing of a check.
AGENCY_ANSWERS = [(value, label) for value, label in ResearchAnswer.choices if value != ResearchAnswer.NOT_NEEDED]


class ResearchAgency(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    SOCIAL_CARE = "social_care", "Children's social care"
    OTHER = "other", "Other agency"


class ResearchRequest(models.Model):
    """One agency's check of its own records for a contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="research_requests")
    agency = models.CharField(max_length=20, choices=ResearchAgency.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="research_requests")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answer = models.CharField(max_length=20, choices=ResearchAnswer.choices, blank=True)
    information = models.TextField(blank=True)
    reason_not_shared = models.TextField(blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["contact", "agency"], name="one_request_per_agency")]

    def __str__(self) -> str:
        return f"{self.contact.reference}: {self.get_agency_display()}"

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at

    def clean(self) -> None:
        if self.answer == ResearchAnswer.SHARED and not self.information.strip():
            raise ValidationError({"information": "Enter the information your agency is sharing."})
        if self.answer == ResearchAnswer.NOT_SHARED and not self.reason_not_shared.strip():
            raise ValidationError({"reason_not_shared": "Record why your agency decided not to share."})
        if self.answer and self.answer != ResearchAnswer.NOT_NEEDED and not self.lawful_basis:
            raise ValidationError({"lawful_basis": "Record the lawful basis, whether or not you share."})


class Assessment(models.Model):
    """A child and family assessment (s17) started from a referral."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    late_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["contact", "person"], name="one_assessment_per_child")]

    def __str__(self) -> str:
        return f"Assessment of {self.person.reference}"
