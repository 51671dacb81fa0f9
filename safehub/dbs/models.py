"""DBS local checks (DOMAIN.md, "DBS checks"): the police part of an enhanced DBS check. The
Disclosure and Barring Service asks the force whether its records hold anything about an
applicant that is relevant to the work applied for; the force's disclosure unit searches,
assesses, has a second person review any disclosure, and returns the check. The standards:
about 85% returned within 14 calendar days of receipt and every one within 60.

- `LocalCheck`: one request from DBS, its clocks and its state; who did each stage, and when.
- `CheckEvent`: the check's timeline (a disclosure sent back by the reviewer is assessed again).

Disclosures are sensitive: only the force's disclosure unit reads a check (safehub.access.policy
`visible_checks`), and every read is audited.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from safehub.partnership.models import Organisation, User
from safehub.people.models import Person

CHECK_PREFIX = "DBS"


class Workforce(models.TextChoices):
    CHILD = "child", "Child workforce"
    ADULT = "adult", "Adult workforce"
    BOTH = "both", "Child and adult workforce"


class CheckState(models.TextChoices):
    RECEIVED = "received", "Received: to search"
    ASSESSMENT = "assessment", "Records found: to assess"
    REVIEW = "review", "Disclosure: awaiting quality review"
    READY = "ready", "Ready to return"
    RETURNED = "returned", "Returned to DBS"


OPEN_STATES = (CheckState.RECEIVED, CheckState.ASSESSMENT, CheckState.REVIEW, CheckState.READY)


class Decision(models.TextChoices):
    DISCLOSE = "disclose", "Disclose approved information"
    NO_DISCLOSURE = "no_disclosure", "Nothing to disclose: not relevant or not proportionate"


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back for reassessment"


class LocalCheck(models.Model):
    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "police_force"}
    )
    dbs_reference = models.CharField(max_length=20, help_text="DBS's reference for the application.")
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    recorded_via = models.CharField(max_length=10, default="form")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The applicant as DBS gives them; linked to the force's record only when the match is sure.
    given_names = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    other_names = models.CharField(max_length=300, blank=True, help_text="Previous or other names, as DBS gives them.")
    date_of_birth = models.DateField()
    postcode = models.CharField(max_length=10, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    workforce = models.CharField(max_length=10, choices=Workforce.choices)
    role_applied_for = models.CharField(max_length=200)
    received_on = models.DateField(help_text="The day DBS sent the check: both clocks count from it.")
    standard_due_on = models.DateField(help_text="Received plus the standard (14 calendar days by default).")
    limit_due_on = models.DateField(help_text="Received plus the limit (60 calendar days by default).")
    state = models.CharField(max_length=12, choices=CheckState.choices, default=CheckState.RECEIVED)
    allocated_to = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    allocated_at = models.DateTimeField(null=True, blank=True)
    # Search.
    searched_at = models.DateTimeField(null=True, blank=True)
    searched_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    records_found = models.BooleanField(null=True, blank=True)
    search_summary = models.TextField(blank=True)
    fast_tracked = models.BooleanField(default=False, help_text="Nothing found: straight to return.")
    # Assessment and the decision.
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision = models.CharField(max_length=14, choices=Decision.choices, blank=True)
    relevance = models.TextField(blank=True, help_text="Why the information is, or is not, relevant and proportionate.")
    disclosure_text = models.TextField(blank=True, help_text="The approved information, as it will read.")
    representations_invited_on = models.DateField(null=True, blank=True)
    representations = models.TextField(
        blank=True, help_text="What the applicant said, or why they were not asked to make representations."
    )
    # Quality review of a disclosure by a second person.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    review_rationale = models.TextField(blank=True)
    # Return.
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_on = models.DateField(null=True, blank=True)
    days_to_return = models.PositiveIntegerField(null=True, blank=True, help_text="Calendar days from receipt.")

    class Meta:
        ordering = ["standard_due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["force", "dbs_reference"], name="one_check_per_dbs_reference"),
            models.UniqueConstraint(
                # Each force's keys are its own: another force's key is never a conflict.
                fields=["force", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_check_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["force", "state", "standard_due_on"]),
            models.Index(fields=["force", "returned_on"]),
            models.Index(fields=["force", "received_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("dbs:check", args=[self.pk])

    @property
    def reference(self) -> str:
        """SafeHub's reference: names the check in an email or a log, never the applicant."""
        return f"{CHECK_PREFIX}-{self.pk:06d}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.state != CheckState.RETURNED


class EventKind(models.TextChoices):
    RECEIVED = "received", "Received from DBS"
    ALLOCATED = "allocated", "Allocated"
    SEARCHED = "searched", "Records searched"
    ASSESSED = "assessed", "Assessed"
    REVIEWED = "reviewed", "Quality review"
    RETURNED = "returned", "Returned to DBS"


class CheckEvent(models.Model):
    check_request = models.ForeignKey(LocalCheck, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
