"""Missing children (DOMAIN.md, "Missing children"): the police record each episode, every
council concerned hears of it in a daily digest (high-risk episodes at once), an independent
provider offers a return home interview within 72 hours of the return, and the patterns that
mark exploitation (repeat episodes, the same address, older associates) are computed from the
records, never typed.

- `MissingArrangement`: each council's local set-up: the team that receives the digest, the
  provider commissioned for return home interviews, and the time of the digest.
- `Episode` and its `EpisodeEvent`s: one time a child was missing, and every change to it (the
  digest lists the events since the last one).
- `ReturnInterview`: the return home interview the return makes due.
- `ExploitationFlag`: raised from indicators in episodes and interviews; prompts a strategy
  discussion.
- `NrmReferral`, `PhilomenaRecord`, `MissingEducation`: the National Referral Mechanism, the
  Philomena protocol form for children in care, and children missing education.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safehub.partnership.models import Organisation, Team, User
from safehub.people.models import Person

EPISODE_PREFIX = "MIS"


class MissingArrangement(models.Model):
    """A council's local arrangements for missing children."""

    local_authority = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="missing_arrangement",
        limit_choices_to={"kind": "local_authority"},
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", help_text="The missing-children team that gets the digest."
    )
    rhi_provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rhi_commissions",
        help_text="The independent organisation commissioned to offer return home interviews.",
    )
    digest_time = models.TimeField(
        null=True, blank=True, help_text="UK time of the daily digest. Blank: the partnership's (08:00 by default)."
    )

    class Meta:
        ordering = ["local_authority__name"]

    def __str__(self) -> str:
        return f"Missing children: {self.local_authority.name}"

    def clean(self) -> None:
        if self.team_id and self.local_authority_id and self.team.organisation_id != self.local_authority_id:
            raise ValidationError({"team": "Choose one of the council's own teams."})


class RiskGrade(models.TextChoices):
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Reporter(models.TextChoices):
    PARENT = "parent", "Parent"
    CARER = "carer", "Foster or kinship carer"
    CHILDRENS_HOME = "childrens_home", "Children's home"
    SCHOOL = "school", "School"
    OTHER = "other", "Someone else"


class Indicator(models.TextChoices):
    """Signs of exploitation, from an episode (police) or a return home interview (provider)."""

    MONEY_OR_PHONES = "money_or_phones", "Unexplained money, phones or gifts"
    OLDER_ASSOCIATES = "older_associates", "Older associates"
    SAME_ADDRESS = "same_address", "Going missing to the same address"
    OUT_OF_AREA = "out_of_area", "Found out of area"
    COUNTY_LINES = "county_lines", "County lines markers (drugs, a deal line, travel by train)"
    SEXUAL = "sexual", "Signs of sexual exploitation"


class EpisodeState(models.TextChoices):
    MISSING = "missing", "Missing"
    RETURNED = "returned", "Returned"


class Episode(models.Model):
    """One time a child was missing, as the police recorded it."""

    reference = models.CharField(max_length=20, unique=True)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="missing_episodes")
    # The council where the child lives or is placed; for a child in care placed by another
    # council, that council too. Both are told.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    placing_authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_episodes")
    # True when no record matched surely and SafeHub made one: the hub checks it for a duplicate.
    new_record = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=60)
    idempotency_key = models.CharField(max_length=120, blank=True, default="")
    request_fingerprint = models.CharField(max_length=64, blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.CharField(max_length=20, choices=Reporter.choices)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_location = models.CharField(max_length=300)
    risk_grade = models.CharField(max_length=20, choices=RiskGrade.choices)
    in_care = models.BooleanField(default=False)
    circumstances = models.TextField(blank=True)
    indicators = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_via = models.CharField(max_length=10, default="form")
    state = models.CharField(max_length=10, choices=EpisodeState.choices, default=EpisodeState.MISSING)
    returned_at = models.DateTimeField(null=True, blank=True)
    found_location = models.CharField(max_length=300, blank=True)
    found_postcode = models.CharField(max_length=10, blank=True)
    found_by = models.CharField(max_length=150, blank=True)
    where_had_been = models.TextField(blank=True)
    with_whom = models.TextField(blank=True)
    harm = models.TextField(blank=True)
    # Computed when recorded: this episode made the child's count reach the repeat threshold.
    repeat = models.BooleanField(default=False)
    # When the (first) council was told: a high-risk alert, else the digest that listed it.
    council_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["force", "police_reference"], name="one_episode_per_police_reference"),
            models.UniqueConstraint(
                # Each force's keys are its own: another force's key is never a conflict.
                fields=["force", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="episode_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["reported_at"]),
            models.Index(fields=["person", "reported_at"]),
            models.Index(fields=["local_authority", "reported_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("missing:episode", args=[self.pk])

    @property
    def councils(self) -> list[int]:
        return [pk for pk in (self.local_authority_id, self.placing_authority_id) if pk is not None]

    def clean(self) -> None:
        unknown = [i for i in self.indicators if i not in Indicator.values]
        if unknown:
            raise ValidationError({"indicators": f"Not an indicator: {', '.join(unknown)}."})
        if self.placing_authority_id and not self.in_care:
            raise ValidationError({"placing_authority": "Only a child in care has a placing authority."})


class EventKind(models.TextChoices):
    REPORTED = "reported", "Reported missing"
    UPDATED = "updated", "Update"
    RETURNED = "returned", "Found or returned"


class EpisodeEvent(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(help_text="When it was recorded in SafeHub (the digest counts from this).")
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(blank=True)
    risk_grade = models.CharField(max_length=20, choices=RiskGrade.choices, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.episode.reference}: {self.get_kind_display()}"


class Digest(models.Model):
    """One council's daily digest: every event since the one before. One a day, never two."""

    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="missing_digests")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="The UK date it is the digest of.")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField()
    created_at = models.DateTimeField()
    events = models.ManyToManyField(EpisodeEvent, blank=True, related_name="digests")
    episode_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "local_authority__name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"MIS-DIGEST-{self.local_authority.la_code}-{self.day:%Y%m%d}"

    def get_absolute_url(self) -> str:
        return reverse("missing:digest", args=[self.pk])

    @property
    def reference(self) -> str:
        return str(self)


class InterviewState(models.TextChoices):
    REFERRED = "referred", "Referred: not yet offered"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the child"
    COMPLETED = "completed", "Completed"
    COULD_NOT_CONTACT = "could_not_contact", "Could not contact"


# An interview in these states is finished: nothing is overdue.
FINISHED_STATES = frozenset({InterviewState.DECLINED, InterviewState.COMPLETED, InterviewState.COULD_NOT_CONTACT})


class ReturnInterview(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="interview")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The council responsible: the placing authority for a child in care, else the home council.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="72 clock hours after the return.")
    state = models.CharField(max_length=20, choices=InterviewState.choices, default=InterviewState.REFERRED)
    offered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    push_factors = models.TextField(blank=True)
    pull_factors = models.TextField(blank=True)
    where_and_with_whom = models.TextField(blank=True)
    child_wants = models.TextField(blank=True)
    indicators = models.JSONField(default=list, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["provider", "state"]), models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.episode.reference}: return home interview"

    def get_absolute_url(self) -> str:
        return reverse("missing:interview", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def offered_in_time(self) -> bool:
        return self.offered_at is not None and self.offered_at <= self.due_at

    @property
    def completed_in_time(self) -> bool:
        return (
            self.state == InterviewState.COMPLETED and self.finished_at is not None and self.finished_at <= self.due_at
        )


class ExploitationFlag(models.Model):
    """Raised when an episode or interview shows a sign of exploitation; one open per child."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exploitation_flags")
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    indicators = models.JSONField(default=list)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(closed_at__isnull=True), name="one_open_flag")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Names the flag in an email without naming the child (`EXF-` and its number)."""
        return f"EXF-{self.pk:06d}"


class ExploitationType(models.TextChoices):
    CRIMINAL = "criminal", "Criminal exploitation (including county lines)"
    SEXUAL = "sexual", "Sexual exploitation"
    LABOUR = "labour", "Labour exploitation"
    DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
    OTHER = "other", "Other"


class GroundsDecision(models.TextChoices):
    PENDING = "", "Awaiting decision"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class NrmReferral(models.Model):
    """A first responder's referral to the National Referral Mechanism (a child needs no consent)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nrm_referrals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField()
    exploitation_type = models.CharField(max_length=20, choices=ExploitationType.choices)
    reasonable_grounds = models.CharField(max_length=10, choices=GroundsDecision.choices, blank=True)
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=GroundsDecision.choices, blank=True)
    conclusive_grounds_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"NRM referral {self.pk}"

    def clean(self) -> None:
        if bool(self.reasonable_grounds) != bool(self.reasonable_grounds_on):
            raise ValidationError({"reasonable_grounds_on": "Give the reasonable grounds decision and its date."})
        if bool(self.conclusive_grounds) != bool(self.conclusive_grounds_on):
            raise ValidationError({"conclusive_grounds_on": "Give the conclusive grounds decision and its date."})
        if self.conclusive_grounds and self.reasonable_grounds != GroundsDecision.POSITIVE:
            raise ValidationError(
                {"conclusive_grounds": "A conclusive grounds decision follows a positive reasonable grounds one."}
            )
        for name in ("reasonable_grounds_on", "conclusive_grounds_on"):
            value = getattr(self, name)
            if value is not None and self.referred_on and value < self.referred_on:
                raise ValidationError({name: "A decision cannot be before the referral."})


class PhilomenaRecord(models.Model):
    """The Philomena protocol form a child in care's carers keep ready for the police. The
    photograph is a reference to where the carer keeps it, never sent in a notification."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="philomena")
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(help_text="Height, build, hair, marks, usual clothes.")
    photo_reference = models.CharField(max_length=200, blank=True, help_text="Where the current photograph is kept.")
    associates = models.TextField(blank=True)
    places = models.TextField(blank=True, help_text="Places the child goes or has been found before.")
    health_needs = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Philomena record {self.pk}"


class CmeReason(models.TextChoices):
    OFF_ROLL = "off_roll", "Removed from roll without a known destination"
    ABSENCE = "absence", "10 consecutive school days of unexplained absence"


class MissingEducation(models.Model):
    """A child missing education, as a school or the council told the council's CME officer."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_education")
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=10, choices=CmeReason.choices)
    since = models.DateField(help_text="The first day of absence, or the day the child left the roll.")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(resolved_on__isnull=True), name="one_open_cme")
        ]

    def __str__(self) -> str:
        return f"Missing education {self.pk}"
