"""The measures table, and the partnership's commitments with their nightly evaluations.

`MeasureValue` holds each measure's numerator and denominator for one month, one council
(none for a force-wide measure) and one agency. The dashboard and the commitments read
these rows, never the records: `services.refresh_measures` rebuilds them from the
definitions (`definitions.py`) each night and whenever asked.
"""

from django.db import models

from safehub.partnership.models import Organisation, User


class MeasureValue(models.Model):
    measure = models.CharField(max_length=60)
    month = models.DateField(help_text="The first day of the month (Europe/London).")
    local_authority = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    agency = models.CharField(max_length=32)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "month", "local_authority", "agency"],
                name="one_value_per_measure_month_council_agency",
            ),
            # A force-wide row has no council: one such row per measure, month and agency.
            models.UniqueConstraint(
                fields=["measure", "month", "agency"],
                condition=models.Q(local_authority__isnull=True),
                name="one_force_wide_value_per_measure_month_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(numerator__lte=models.F("denominator")), name="numerator_within_denominator"
            ),
        ]
        indexes = [models.Index(fields=["measure", "month"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.agency}: {self.numerator}/{self.denominator}"


class NightlyRun(models.Model):
    """One row per night the measures were refreshed and the commitments evaluated: the worker
    asks every hour, and a day with a row is done."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Measures refreshed {self.day}"


class CommitmentStatus(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    NO_DATA = "no_data", "Nothing to measure yet"


class Commitment(models.Model):
    """A promise the partnership made, as data: who, when, where it was made, and its targets."""

    reference = models.CharField(max_length=20, unique=True)
    wording = models.TextField(help_text="The promise as it was made, e.g. in the board's minutes.")
    made_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commitments")
    made_on = models.DateField()
    made_where = models.CharField(max_length=200, help_text="Where it is recorded, e.g. “Board minutes, 12 May 2026”.")
    applies_from = models.DateField(help_text="The first month the targets are measured against.")
    review_on = models.DateField()
    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The council it is about; blank for the whole partnership.",
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.NO_DATA)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_month = models.DateField(null=True, blank=True, help_text="The last whole month evaluated.")

    class Meta:
        ordering = ["-made_on", "reference"]

    def __str__(self) -> str:
        return self.reference


class CommitmentTarget(models.Model):
    """One measured line of a commitment: a measure, the agency it is about, and the share it must reach."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(max_length=60)
    agency = models.CharField(max_length=32)
    target_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "measure", "agency"], name="one_target_per_measure_agency"),
            models.CheckConstraint(condition=models.Q(target_percent__lte=100), name="target_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.agency} >= {self.target_percent}%"


class TargetMonth(models.Model):
    """The evaluation of one target for one whole month, written by the nightly job."""

    target = models.ForeignKey(CommitmentTarget, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    met = models.BooleanField(null=True, help_text="Empty when there was nothing to measure that month.")

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["target", "month"], name="one_evaluation_per_target_month")]

    def __str__(self) -> str:
        return f"{self.target} {self.month:%Y-%m}: {self.numerator}/{self.denominator}"

    @property
    def broke(self) -> int:
        """The records that did not meet the standard that month."""
        return self.denominator - self.numerator


class CommitmentEscalation(models.Model):
    """A commitment raised to the board's business manager after two whole months not met: once per run of months."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="escalations")
    month = models.DateField(help_text="The second month running not met.")
    raised_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commitment", "month"], name="one_escalation_per_month")]

    def __str__(self) -> str:
        return f"{self.commitment} raised for {self.month:%Y-%m}"


class PackState(models.TextChoices):
    QUEUED = "queued", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class EvidencePack(models.Model):
    """An inspection evidence pack asked for on the dashboard and made by the worker: the PDF
    and the ZIP of CSVs are kept here (counts and references only) to download."""

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    first_month = models.DateField()
    last_month = models.DateField()
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=PackState.choices, default=PackState.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    pdf = models.BinaryField(blank=True, default=b"")
    archive = models.BinaryField(blank=True, default=b"")
    stem = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence pack {self.first_month:%Y-%m} to {self.last_month:%Y-%m} ({self.state})"
