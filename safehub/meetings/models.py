"""Strategy discussions and child protection conferences: who was invited, who came, and
what was decided (DOMAIN.md, "Strategy discussions", "Child protection conferences").

A `Meeting` is one strategy discussion, conference or core group. Each agency it needs is
sent an `Invitation` (to a named person or to the agency's duty team); the invitee accepts
or declines in SafeHub, and the chair records an `Attendance` for every invitation. Quorum,
outcomes and conference decisions live on the meeting; a child protection plan that a
conference starts is a `ChildProtectionPlan`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from safehub.hub.models import Contact
from safehub.partnership.models import Organisation, Partnership, Team, User
from safehub.people.models import Person


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    INITIAL_CONFERENCE = "initial_conference", "Initial child protection conference"
    PRE_BIRTH_CONFERENCE = "pre_birth_conference", "Pre-birth child protection conference"
    REVIEW_CONFERENCE = "review_conference", "Review child protection conference"
    CORE_GROUP = "core_group", "Core group meeting"


CONFERENCE_KINDS = frozenset(
    {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE, MeetingKind.REVIEW_CONFERENCE}
)
REFERENCE_PREFIXES = {
    MeetingKind.STRATEGY_DISCUSSION: "SD",
    MeetingKind.INITIAL_CONFERENCE: "CP",
    MeetingKind.PRE_BIRTH_CONFERENCE: "CP",
    MeetingKind.REVIEW_CONFERENCE: "CP",
    MeetingKind.CORE_GROUP: "CG",
}


class Agency(models.TextChoices):
    """Who an invitation is for. The first three are the agencies a strategy discussion and a
    conference cannot go ahead without (quorum)."""

    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "School or setting"
    REFERRER = "referrer", "Referrer"
    FAMILY = "family", "Parent or carer"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse service"
    OTHER = "other", "Other agency"


QUORUM_AGENCIES = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH)


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video"
    HYBRID = "hybrid", "Hybrid: in person and by video"


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class StrategyOutcome(models.TextChoices):
    SECTION_47_SINGLE = "s47_single", "Section 47 enquiry: children's social care only"
    SECTION_47_JOINT = "s47_joint", "Section 47 enquiry: joint with the police"
    NO_SECTION_47 = "no_s47", "No section 47 enquiry"
    FURTHER_INFORMATION = "further_information", "Further information needed"


SECTION_47_OUTCOMES = frozenset({StrategyOutcome.SECTION_47_SINGLE, StrategyOutcome.SECTION_47_JOINT})


class EnquiryOutcome(models.TextChoices):
    """How a section 47 enquiry ended: only the first leads to an initial conference."""

    CONFERENCE = "conference", "Concerns substantiated and the child is at continuing risk: initial conference"
    CHILD_IN_NEED = (
        "child_in_need",
        "Concerns substantiated, no continuing risk of significant harm: child in need plan",
    )
    NOT_SUBSTANTIATED = "not_substantiated", "Concerns not substantiated"


WITHOUT_CONFERENCE = frozenset({EnquiryOutcome.CHILD_IN_NEED, EnquiryOutcome.NOT_SUBSTANTIATED})


class PlanCategory(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    MULTIPLE = "multiple", "Multiple categories"


class VideoRoom(models.Model):
    """A pre-made video room from the partnership's provider, lent to one meeting at a time.
    Used when the partnership has no join-link template (see `Partnership.video_link_template`)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="video_rooms")
    name = models.CharField(max_length=100)
    join_url = models.URLField(max_length=500, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings")
    # The team that convenes and holds the record (the hub, or the social-work team).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="meetings")
    subjects = models.ManyToManyField(Person, related_name="meetings")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings")
    # The meeting this one follows from: the strategy discussion that started the s47 enquiry
    # (for an initial conference), the previous conference (for a review), the ICPC (core group).
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by")
    convened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField()
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_chaired")
    due_at = models.DateTimeField(help_text="When the meeting must be held by.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=10, choices=MeetingFormat.choices)
    venue = models.CharField(max_length=200, blank=True, help_text="A room or building, never a family's address.")
    video_link = models.URLField(max_length=500, blank=True)
    video_room = models.ForeignKey(VideoRoom, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # RFC 5545 SEQUENCE: raised by every change that invitees' calendars must follow.
    sequence = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    late_reason = models.TextField(blank=True, help_text="Why it was not held by its due time.")
    # Recording the meeting.
    held_at = models.DateTimeField(null=True, blank=True, help_text="When the outcome was recorded.")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quorate = models.BooleanField(null=True, blank=True)
    quorum_override_reason = models.TextField(blank=True)
    quorum_overridden_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=30, choices=StrategyOutcome.choices, blank=True)
    information_shared = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    # A strategy discussion's section 47 enquiry, once it has ended.
    enquiry_outcome = models.CharField(max_length=20, choices=EnquiryOutcome.choices, blank=True)
    enquiry_outcome_reason = models.TextField(blank=True)
    enquiry_concluded_at = models.DateTimeField(null=True, blank=True)
    enquiry_concluded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Conferences.
    plan_decision = models.BooleanField(null=True, blank=True, help_text="Child protection plan: yes or no.")
    plan_category = models.CharField(max_length=20, choices=PlanCategory.choices, blank=True)
    plan_review_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["kind", "starts_at"]),
            models.Index(fields=["state", "starts_at"]),
            models.Index(fields=["team", "state"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def is_conference(self) -> bool:
        return self.kind in CONFERENCE_KINDS

    @property
    def is_strategy_discussion(self) -> bool:
        return self.kind == MeetingKind.STRATEGY_DISCUSSION

    @property
    def title(self) -> str:
        """What calendars and emails call it: the kind and the reference, never a name."""
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def needs_video_link(self) -> bool:
        return self.format in {MeetingFormat.VIDEO, MeetingFormat.HYBRID}

    @property
    def held_on_time(self) -> bool | None:
        if self.state != MeetingState.HELD:
            return None
        return self.starts_at <= self.due_at

    @property
    def section_47_started(self) -> bool:
        return self.outcome in SECTION_47_OUTCOMES

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})
        if self.format in {MeetingFormat.IN_PERSON, MeetingFormat.HYBRID} and not self.venue.strip():
            raise ValidationError({"venue": "Enter where the meeting will be held."})
        if self.outcome and not self.is_strategy_discussion:
            raise ValidationError({"outcome": "Only a strategy discussion decides on a section 47 enquiry."})
        if self.plan_decision is not None and not self.is_conference:
            raise ValidationError({"plan_decision": "Only a conference decides on a child protection plan."})
        if self.plan_decision and not self.plan_category:
            raise ValidationError({"plan_category": "Choose the category of the child protection plan."})
        if self.state == MeetingState.CANCELLED and not self.cancelled_reason.strip():
            raise ValidationError({"cancelled_reason": "Record why the meeting was cancelled."})


class ResponseState(models.TextChoices):
    PENDING = "pending", "Not yet answered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video"
    PHONE = "phone", "By phone"


class Invitation(models.Model):
    """One agency's invitation to a meeting: to a named person, or to the agency's duty team
    (whose members all receive it until one of them accepts). Parents and carers attend
    without a SafeHub account: their invitation names them and is sent outside SafeHub."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    invitee = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    # Someone without a SafeHub account (a parent or carer, an external referrer).
    external_name = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=False)
    invited_at = models.DateTimeField()
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Deputies: the invitation this one was sent in place of, when an invitee declined.
    deputy_for = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="deputies")
    response = models.CharField(max_length=10, choices=ResponseState.choices, default=ResponseState.PENDING)
    response_mode = models.CharField(max_length=10, choices=AttendanceMode.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decline_reason = models.TextField(blank=True)
    deputy_name = models.CharField(max_length=200, blank=True, help_text="Who will attend instead.")
    # The answer was given outside SafeHub (by email or phone) and recorded by `responded_by`,
    # an organiser.
    reply_recorded = models.BooleanField(default=False)
    # The last calendar SEQUENCE this invitation's recipients were sent.
    sequence_sent = models.PositiveIntegerField(null=True, blank=True)
    # Who the invitation last reached (set when it is sent or updated): how many people in
    # SafeHub, else the team's shared mailbox; nobody at all is escalated when it is sent.
    reached_people = models.PositiveIntegerField(null=True, blank=True)
    reached_mailbox = models.EmailField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "pk"]
        indexes = [models.Index(fields=["response", "required"])]

    def __str__(self) -> str:
        return f"{self.meeting.reference}: {self.get_agency_display()}"

    @property
    def addressee(self) -> str:
        if self.invitee_id:
            return str(self.invitee)
        if self.team_id:
            assert self.team is not None
            return f"{self.team.name}, {self.team.organisation.name}"
        return self.external_name

    @property
    def reached_nobody(self) -> bool:
        """Sent to an agency, and nobody got it: no one in SafeHub and no shared mailbox."""
        return self.reached_people == 0 and not self.reached_mailbox and not self.external_name

    @property
    def is_settled(self) -> bool:
        """The agency will be there: accepted, or declined for a deputy who has accepted (or
        has in turn sent an accepted deputy). A deputy named without a SafeHub account cannot
        accept here, so that decline is not settled: it escalates like an unanswered one."""
        if self.response == ResponseState.ACCEPTED:
            return True
        return self.response == ResponseState.DECLINED and any(deputy.is_settled for deputy in self.deputies.all())

    def clean(self) -> None:
        if not (self.invitee_id or self.team_id or self.external_name.strip()):
            raise ValidationError("Invite a named person, a team, or (for a parent) someone by name.")
        if self.response == ResponseState.DECLINED:
            errors = {}
            if not self.decline_reason.strip():
                errors["decline_reason"] = "Give the reason you cannot attend."
            if not self.deputy_name.strip():
                errors["deputy_name"] = "Say who will attend for your agency instead."
            if errors:
                raise ValidationError(errors)
        if self.response == ResponseState.ACCEPTED and not self.response_mode:
            raise ValidationError({"response_mode": "Say how you will attend: in person, by video or by phone."})


class AttendanceStatus(models.TextChoices):
    IN_PERSON = "in_person", "Attended in person"
    VIDEO = "video", "Attended by video"
    PHONE = "phone", "Attended by phone"
    DEPUTY = "deputy", "Sent a deputy"
    APOLOGIES = "apologies", "Gave apologies"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


PRESENT_STATUSES = frozenset(
    {AttendanceStatus.IN_PERSON, AttendanceStatus.VIDEO, AttendanceStatus.PHONE, AttendanceStatus.DEPUTY}
)
REMOTE_STATUSES = frozenset({AttendanceStatus.VIDEO, AttendanceStatus.PHONE})


class Attendance(models.Model):
    """What the chair recorded for one invitation: whether the agency was there, how, and
    whether by someone able to make decisions for it."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    # For a deputy: who came. For remote attendance, the mode is in the status.
    attendee_name = models.CharField(max_length=200, blank=True)
    late_minutes = models.PositiveIntegerField(default=0)
    able_to_decide = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.invitation}: {self.get_status_display()}"

    @property
    def present(self) -> bool:
        return self.status in PRESENT_STATUSES

    @property
    def remote(self) -> bool:
        return self.status in REMOTE_STATUSES

    def clean(self) -> None:
        if self.status == AttendanceStatus.DEPUTY and not self.attendee_name.strip():
            raise ValidationError({"attendee_name": "Enter the name of the deputy who attended."})
        if not self.present and (self.late_minutes or self.able_to_decide):
            raise ValidationError("Lateness and decision-making are recorded only for someone who attended.")


class MeetingAction(models.Model):
    """Something the meeting agreed an agency will do, by a date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, help_text="The person who will do it.")
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting.reference}: action due {self.due_on}"


class ChildProtectionPlan(models.Model):
    """A child's child protection plan, from the conference that started it to the one that
    ended it. An unborn child's plan moves to the child's record at birth (`born_from`)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="protection_plans")
    category = models.CharField(max_length=20, choices=PlanCategory.choices)
    started_by = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="plans_started")
    started_on = models.DateField()
    next_review_due = models.DateField()
    ended_by = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="plans_ended")
    ended_on = models.DateField(null=True, blank=True)
    # Set when an unborn child's plan passed to the child's record at birth.
    transferred_from = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="protection_plans_transferred"
    )
    transferred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True), name="one_open_plan_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"Child protection plan {self.pk} ({self.get_category_display()})"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
