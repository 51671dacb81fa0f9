"""Operation Encompass: a police force tells a child's school, before the next school day
starts, that the child may be a victim of domestic abuse (DOMAIN.md, "Operation Encompass";
Domestic Abuse Act 2021 s49A).

An `Incident` is one domestic abuse incident as the force recorded it: the adults involved
(`IncidentAdult`) and every child related to either of them (`IncidentChild`), present or not,
with what the child saw, heard or said. Each child is matched to a person and, from the
enrolments on the incident date, to the school or setting they attend. One `Notice` per child
per incident goes to that school's Key Adults (its designated safeguarding leads), or to the
local authority's education team when the child has no school in the scheme; it is due at the
start of the school's next school day and is acknowledged by the Key Adult.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safehub.partnership.models import Organisation, Team, User
from safehub.people.models import Person


class LocationKind(models.TextChoices):
    HOME = "home", "At the child's home"
    OTHER_HOME = "other_home", "At another home"
    PUBLIC = "public", "In a public place"
    OTHER = "other", "Somewhere else"


class AdultRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Alleged perpetrator"
    BOTH = "both", "Both (counter-allegations)"
    OTHER = "other", "Other adult involved"


class Incident(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="encompass_incidents")
    # The council whose area it happened in: its education team hears of children with no school.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    police_reference = models.CharField(max_length=60, help_text="The force's occurrence or incident number.")
    # Unique within the force (Meta): each force's keys are its own.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # A digest of the request that recorded it (no personal data): a resend with the same key
    # must be the same request (safehub.encompass.services.incidents.request_fingerprint).
    request_fingerprint = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_via = models.CharField(max_length=10, default="form", help_text="form, import or api")
    # Where it happened: police only. Schools are told only the kind of place.
    location = models.CharField(max_length=300)
    location_kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.HOME)
    circumstances = models.TextField(help_text="What happened, as the school needs to know it.")
    # Corrections: each one raises the version; schools already told get an update.
    version = models.PositiveIntegerField(default=1)
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["force", "police_reference"], name="one_incident_per_police_reference"),
            models.UniqueConstraint(
                fields=["force", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_incident_per_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("encompass:incident", args=[self.pk])


class IncidentAdult(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="adults")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=15, choices=AdultRole.choices)
    given_names = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.incident.reference}: {self.get_role_display()}"


class IncidentChild(models.Model):
    """A child related to either adult, whether or not present, as the officer recorded them."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="children")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    given_names = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=12, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    present = models.BooleanField()
    whereabouts = models.CharField(max_length=300, blank=True, help_text="Where the child was during the incident.")
    voice_of_child = models.TextField(blank=True, help_text="What the child saw, heard or said.")
    injuries = models.TextField(blank=True)
    actions_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.incident.reference}: child {self.pk}"


class RecipientKind(models.TextChoices):
    SCHOOL = "school", "The child's school or setting"
    LOCAL_AUTHORITY = "local_authority", "The local authority's education team"


class NoSchoolReason(models.TextChoices):
    NOT_FOUND = "not_found", "Child not matched to a record"
    NO_ENROLMENT = "no_enrolment", "No school on roll (home educated, between schools or missing education)"
    OUTSIDE_SCHEME = "outside_scheme", "Setting outside the scheme (early years)"


class Notice(models.Model):
    """One child's notification from one incident to the school (or the LA's education team)."""

    reference = models.CharField(
        max_length=30, unique=True, help_text="The incident's reference and the child's number."
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    child = models.OneToOneField(IncidentChild, on_delete=models.CASCADE, related_name="notice")
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="encompass_notices")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    no_school_reason = models.CharField(max_length=20, choices=NoSchoolReason.choices, blank=True)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The start of the school's next school day after the incident was known.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    version_notified = models.PositiveIntegerField(default=1)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    support = models.TextField(blank=True, help_text="The support the school will give the child.")
    acknowledge_by = models.DateTimeField(help_text="After this, the coordinator phones the school.")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["organisation", "acknowledged_at"]), models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.incident.reference}: notice {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("encompass:notice", args=[self.pk])

    @property
    def delivered_on_time(self) -> bool | None:
        if self.delivered_at is None:
            return None
        return self.delivered_at <= self.due_at

    def clean(self) -> None:
        if self.recipient_kind == RecipientKind.LOCAL_AUTHORITY and not self.no_school_reason:
            raise ValidationError({"no_school_reason": "Say why the local authority is told instead of a school."})
