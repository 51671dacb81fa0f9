"""Why a user may open a person's record: legitimate relationships and break-glass grants.

Both are evaluated afresh on every request (see `safehub.access.policy`): nothing about
scope is cached between requests, so a revoked or expired relationship stops working on
the very next request.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

MINIMUM_REASON_LENGTH = 20


class RelationshipSource(models.TextChoices):
    ALLOCATION = "allocation", "Allocation"
    REFERRAL = "referral", "Referral"
    MEETING_INVITATION = "meeting_invitation", "Meeting invitation"
    NOTIFICATION = "notification", "Notification"
    BREAK_GLASS = "break_glass", "Emergency access"


def _in_force(at: datetime.datetime | None) -> Q:
    at = at or timezone.now()
    return Q(starts_at__lte=at) & (Q(expires_at__isnull=True) | Q(expires_at__gt=at))


class LegitimateRelationshipQuerySet(models.QuerySet["LegitimateRelationship"]):
    def active(self, at: datetime.datetime | None = None) -> "LegitimateRelationshipQuerySet":
        """Started, not yet expired and not revoked."""
        return self.filter(_in_force(at), revoked_at__isnull=True)


class LegitimateRelationship(models.Model):
    """A user, or a whole team, working with a person: the reason they may open the record."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="legitimate_relationships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legitimate_relationships",
    )
    team = models.ForeignKey(
        "partnership.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="legitimate_relationships"
    )
    source = models.CharField(max_length=20, choices=RelationshipSource.choices)
    reason = models.CharField(max_length=500, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LegitimateRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="relationship_to_a_user_or_a_team",
            ),
        ]
        indexes = [models.Index(fields=["user", "person"]), models.Index(fields=["team", "person"])]

    def __str__(self) -> str:
        holder = f"user {self.user_id}" if self.user_id else f"team {self.team_id}"
        return f"{self.get_source_display()}: {holder} with P-{self.person_id:07d}"

    def clean(self) -> None:
        if bool(self.user_id) == bool(self.team_id):
            raise ValidationError("Link the person to either a user or a team, not both or neither.")
        if self.expires_at and self.expires_at <= self.starts_at:
            raise ValidationError({"expires_at": "The relationship must end after it starts."})


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate"
    NEEDS_FOLLOW_UP = "needs_follow_up", "Needs follow-up"


def break_glass_hours() -> int:
    from safehub.timescales.rules import timescale_value

    return timescale_value("break_glass_duration")


class BreakGlassGrantQuerySet(models.QuerySet["BreakGlassGrant"]):
    def active(self, at: datetime.datetime | None = None) -> "BreakGlassGrantQuerySet":
        return self.filter(_in_force(at))

    def unreviewed(self) -> "BreakGlassGrantQuerySet":
        return self.filter(reviewed_at__isnull=True)


class BreakGlassGrant(models.Model):
    """Emergency access to one record outside the user's scope, for a few hours, with a reason.

    The privacy officer reviews every grant and records the outcome.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField()
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_notes = models.TextField(blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "person", "expires_at"]), models.Index(fields=["reviewed_at"])]

    def __str__(self) -> str:
        return f"Emergency access by user {self.user_id} to P-{self.person_id:07d}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.expires_at is None:
            self.expires_at = self.starts_at + datetime.timedelta(hours=break_glass_hours())
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if len((self.reason or "").strip()) < MINIMUM_REASON_LENGTH:
            raise ValidationError(
                {
                    "reason": f"Give a reason of at least {MINIMUM_REASON_LENGTH} characters: say why you need this "
                    "record now and why it cannot wait."
                }
            )
        if self.outcome and not self.reviewed_at:
            raise ValidationError({"outcome": "An outcome needs the time of the review."})

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now < self.expires_at

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
