"""School calendars and the partnership's local timescale overrides."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from safehub.partnership.models import Organisation, OrganisationKind, Partnership


class TermDate(models.Model):
    """A school term. Set for a local authority (its community schools follow it) or, for
    schools that set their own dates (academies, independent schools), for one school."""

    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="term_dates",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="own_term_dates"
    )
    name = models.CharField(max_length=60, help_text="For example 'Autumn 1 2026'.")
    start_date = models.DateField(help_text="The first day pupils attend.")
    end_date = models.DateField(help_text="The last day pupils attend.")

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(local_authority__isnull=False, school__isnull=True)
                | Q(local_authority__isnull=True, school__isnull=False),
                name="term_for_authority_or_school",
            ),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="term_ends_after_start"),
            models.UniqueConstraint(fields=["local_authority", "start_date"], name="unique_authority_term"),
            models.UniqueConstraint(fields=["school", "start_date"], name="unique_school_term"),
        ]

    def __str__(self) -> str:
        owner = self.school or self.local_authority
        return f"{self.name} ({owner}): {self.start_date:%-d %b %Y} to {self.end_date:%-d %b %Y}"

    def clean(self) -> None:
        if (self.local_authority_id is None) == (self.school_id is None):
            raise ValidationError("A term belongs to either a local authority or one school.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A term must end on or after the day it starts."})
        if self.local_authority is not None and self.local_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
            raise ValidationError({"local_authority": f"{self.local_authority} is not a local authority."})
        if self.school is not None and not self.school.is_education:
            raise ValidationError({"school": f"{self.school} is not a school or setting."})
        overlapping = self.overlapping_terms().first()
        if overlapping is not None:
            raise ValidationError(f"This term overlaps {overlapping}. Terms of one owner must not overlap.")

    def overlapping_terms(self) -> "models.QuerySet[TermDate]":
        """Other terms of the same owner that share at least one day with this one."""
        if not (self.start_date and self.end_date) or (self.local_authority_id is None) == (self.school_id is None):
            return TermDate.objects.none()
        owner = {"school_id": self.school_id} if self.school_id else {"local_authority_id": self.local_authority_id}
        return (
            TermDate.objects.filter(**owner, start_date__lte=self.end_date, end_date__gte=self.start_date)
            .exclude(pk=self.pk)
            .order_by("start_date")
        )


class ClosureKind(models.TextChoices):
    INSET = "inset", "INSET (training) day"
    OTHER = "other", "Other closure"


class SchoolClosure(models.Model):
    """A day inside term when a school is closed to pupils, such as an INSET day."""

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=ClosureKind.choices, default=ClosureKind.INSET)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="unique_school_closure")]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_kind_display()} on {self.date:%-d %b %Y}"

    def clean(self) -> None:
        if self.school_id is not None and not self.school.is_education:
            raise ValidationError({"school": f"{self.school} is not a school or setting."})


class TimescaleSetting(models.Model):
    """A partnership's own value for a local timescale; absent means the default in code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="timescale_settings")
    key = models.CharField(max_length=80)
    value = models.PositiveIntegerField()

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["partnership", "key"], name="unique_timescale_setting")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"

    def clean(self) -> None:
        from safehub.timescales.rules import TIMESCALES

        if self.key not in TIMESCALES:
            raise ValidationError({"key": "There is no local timescale with this name."})
        rule = TIMESCALES[self.key]
        if not rule.configurable:
            raise ValidationError({"key": f"{rule.label} is set in law and cannot be changed locally."})
