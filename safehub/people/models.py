"""People: children, unborn children and adults, and what identifies and connects them.

A person's details change over time (names, addresses, schools); each is kept with its
dates, so the record shows history and not just the latest value.
"""

import datetime
import re
from typing import Any

import jellyfish
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safehub.partnership.models import Organisation, User
from safehub.people import identifiers


class PersonKind(models.TextChoices):
    CHILD = "child", "Child"
    UNBORN = "unborn", "Unborn child"
    ADULT = "adult", "Adult"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Not known"


# What a referrer or officer may say of someone's sex, for matching only: blank is not known.
SEX_GIVEN_CHOICES = [(Sex.FEMALE.value, "Female"), (Sex.MALE.value, "Male"), ("", "Not known")]


class DatePrecision(models.TextChoices):
    """How much of a date of birth is known. Unknown parts are stored as 1."""

    DAY = "day", "Full date"
    MONTH = "month", "Month and year"
    YEAR = "year", "Year only"


class PersonQuerySet(models.QuerySet["Person"]):
    def children(self) -> "PersonQuerySet":
        return self.filter(kind__in=[PersonKind.CHILD, PersonKind.UNBORN])

    def unmerged(self) -> "PersonQuerySet":
        """Records in use: not merged into another record of the same person."""
        return self.filter(merged_into__isnull=True)


NAME_KEY_LENGTH = 12


def name_key(name: str) -> str:
    """A phonetic key (Metaphone) of a family name, so that "Smyth" finds "Smith" through an index.

    Letters only: "O'Neill" and "Smith-Jones" are keyed as one word."""
    letters = re.sub(r"[^a-z]", "", (name or "").lower())
    return jellyfish.metaphone(letters)[:NAME_KEY_LENGTH] if letters else ""


def _set_family_name_key(row: "Person | PersonName", save_kwargs: dict[str, Any]) -> None:
    row.family_name_key = name_key(row.family_name)
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None and "family_name" in update_fields:
        save_kwargs["update_fields"] = {*update_fields, "family_name_key"}


class Person(models.Model):
    kind = models.CharField(max_length=10, choices=PersonKind.choices, default=PersonKind.CHILD)
    given_names = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    expected_due_date = models.DateField(null=True, blank=True, help_text="Unborn children only.")
    mother = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="unborn_children")
    date_of_death = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    family_name_key = models.CharField(
        max_length=NAME_KEY_LENGTH, blank=True, editable=False, help_text="Phonetic key of the family name."
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        # Indexed only where set (below): nearly every record is unmerged, and a full index on a
        # mostly-NULL column lets SQLite's planner choose it for `IS NULL` and scan the whole index.
        db_index=False,
        related_name="merged_records",
        help_text="Set when this record was found to be the same person as another and merged into it.",
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        indexes = [
            models.Index(fields=["family_name", "given_names"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["family_name_key", "date_of_birth"]),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="person_merged_into_set"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="unborn") | Q(expected_due_date__isnull=True),
                name="due_date_only_for_unborn",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        _set_family_name_key(self, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def reference(self) -> str:
        """A reference that identifies the record without naming the person."""
        return f"P-{self.pk:07d}" if self.pk else "P-new"

    @property
    def full_name(self) -> str:
        name = f"{self.given_names} {self.family_name}".strip()
        if name:
            return name
        return "Unborn child" if self.kind == PersonKind.UNBORN else "Name not known"

    @property
    def date_of_birth_display(self) -> str:
        if self.kind == PersonKind.UNBORN:
            return f"Due {self.expected_due_date:%-d %B %Y}" if self.expected_due_date else "Due date not known"
        dob = self.date_of_birth
        if dob is None:
            return "Not known"
        match self.date_of_birth_precision:
            case DatePrecision.YEAR:
                return f"{dob:%Y} (year only)"
            case DatePrecision.MONTH:
                return f"{dob:%B %Y} (month only)"
        return f"{dob:%-d %B %Y}"

    def age_on(self, day: datetime.date) -> int | None:
        dob = self.date_of_birth
        if dob is None or self.kind == PersonKind.UNBORN:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def clean(self) -> None:
        if self.kind == PersonKind.UNBORN:
            if self.date_of_birth:
                raise ValidationError(
                    {"date_of_birth": "An unborn child has an expected due date, not a date of birth."}
                )
            if self.mother_id is None:
                raise ValidationError({"mother": "Link an unborn child to the mother's record."})
        elif self.expected_due_date:
            raise ValidationError({"expected_due_date": "Only an unborn child has an expected due date."})
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be today or in the past."})
        if self.date_of_birth and self.date_of_birth_precision != DatePrecision.DAY:
            expected_day = 1
            expected_month = self.date_of_birth.month if self.date_of_birth_precision == DatePrecision.MONTH else 1
            if (self.date_of_birth.day, self.date_of_birth.month) != (expected_day, expected_month):
                raise ValidationError({"date_of_birth": "Store a partial date of birth with its unknown parts as 1."})


class NameKind(models.TextChoices):
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Also known as"
    BIRTH = "birth", "Name at birth"


class PersonName(models.Model):
    """A name the person has had or is known by, besides the current one on Person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    given_names = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    used_from = models.DateField(null=True, blank=True)
    used_until = models.DateField(null=True, blank=True)
    family_name_key = models.CharField(
        max_length=NAME_KEY_LENGTH, blank=True, editable=False, help_text="Phonetic key of the family name."
    )

    class Meta:
        ordering = ["kind", "-used_until"]
        indexes = [models.Index(fields=["family_name", "given_names"]), models.Index(fields=["family_name_key"])]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        _set_family_name_key(self, kwargs)
        super().save(*args, **kwargs)


class IdentifierScheme(models.TextChoices):
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number (UPN)"
    POLICE_REFERENCE = "police", "Police person reference"


IDENTIFIER_VALIDATORS = {
    IdentifierScheme.NHS_NUMBER: identifiers.validate_nhs_number,
    IdentifierScheme.UPN: identifiers.validate_upn,
    IdentifierScheme.POLICE_REFERENCE: identifiers.validate_police_reference,
}


class Identifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=30)
    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, help_text="Who issued a police reference."
    )

    class Meta:
        ordering = ["scheme"]
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="unique_identifier")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.scheme == IdentifierScheme.NHS_NUMBER:
            return identifiers.format_nhs_number(self.value)
        return self.value

    def clean(self) -> None:
        try:
            self.value = IDENTIFIER_VALIDATORS[IdentifierScheme(self.scheme)](self.value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error


class Address(models.Model):
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10, db_index=True)
    uprn = models.BigIntegerField("UPRN", null=True, blank=True, unique=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line_1, self.line_2, self.town, self.postcode) if part)

    def save(self, *args: object, **kwargs: object) -> None:
        self.postcode = normalise_postcode(self.postcode)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def normalise_postcode(value: str) -> str:
    compact = (value or "").upper().replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class DatedQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows that hold between a start and an optional end date."""

    def current_on(self, day: datetime.date | None = None) -> "DatedQuerySet[M]":
        day = day or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residents")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_confidential = models.BooleanField(
        default=False, help_text="For example a refuge: withheld from anyone who may not see it."
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name_plural = "person addresses"

    def __str__(self) -> str:
        return f"{self.person.reference} at {self.address}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Sibling"
    HOUSEHOLD_MEMBER = "household", "Household member"
    OTHER = "other", "Other"


SYMMETRIC_RELATIONSHIPS = frozenset(
    {RelationshipKind.SIBLING, RelationshipKind.HOUSEHOLD_MEMBER, RelationshipKind.OTHER}
)
INVERSE_LABELS = {
    RelationshipKind.PARENT: "Child",
    RelationshipKind.STEP_PARENT: "Step-child",
    RelationshipKind.CARER: "Cared for",
}


class Relationship(models.Model):
    """`person` is the `kind` of `related_to`: "Jo is a parent of Sam"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    related_to = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=12, choices=RelationshipKind.choices)
    description = models.CharField(max_length=200, blank=True, help_text="For 'other': how they are related.")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(person=models.F("related_to")), name="relationship_not_to_self"),
            models.UniqueConstraint(fields=["person", "related_to", "kind"], name="unique_relationship"),
        ]

    def __str__(self) -> str:
        return f"{self.person.reference} {self.get_kind_display()} of {self.related_to.reference}"

    def clean(self) -> None:
        if self.person_id and self.person_id == self.related_to_id:
            raise ValidationError("A person cannot be related to themselves.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class Enrolment(models.Model):
    """A child on the roll of a school or early-years setting."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["organisation", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person.reference} at {self.organisation}"

    def clean(self) -> None:
        if self.organisation_id and not self.organisation.is_education:
            raise ValidationError({"organisation": "Children are enrolled at a school or early-years setting."})
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class ChronologyVisibility(models.TextChoices):
    PARTNERSHIP = "partnership", "Every agency working with the child"
    RECORDING_AGENCY = "agency", "The recording agency only"


class Reach(models.TextChoices):
    """Who may read an entry, as the recording agency chooses it: the statutory partners
    working with the child (council, police, health: visibility "partnership"), agencies it
    names (visibility "agency" and `shared_with`), or its own agency only."""

    PARTNERSHIP = "partnership", "The statutory partners working with the child (council, police and health)"
    NAMED_AGENCIES = "named", "Agencies we name"
    OWN_AGENCY = "own", "Our agency only"


class EntryCategory(models.TextChoices):
    """What a practitioner records by hand on a chronology (the processes add their own)."""

    NOTE = "note", "Note"
    HOME_VISIT = "home_visit", "Home visit"
    CONCERN = "concern", "Concern raised"
    POLICE_INTELLIGENCE = "police_intelligence", "Police intelligence"
    HEALTH = "health", "Health appointment or assessment"
    EDUCATION = "education", "Education: attendance, behaviour or support"


class ChronologyEntry(models.Model):
    """One event in a person's single, multi-agency timeline. Later processes add their own."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="chronology")
    occurred_at = models.DateTimeField()
    category = models.CharField(max_length=40, help_text="What kind of event, e.g. 'enrolment' or 'contact'.")
    summary = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="chronology_entries"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    visibility = models.CharField(
        max_length=12, choices=ChronologyVisibility.choices, default=ChronologyVisibility.PARTNERSHIP
    )
    shared_with = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="chronology_shared_with",
        help_text="Agencies the recording agency has shared this entry with, besides the partnership-wide rule.",
    )
    source_type = models.CharField(max_length=60, blank=True, help_text="The app and model that recorded it.")
    source_id = models.CharField(max_length=40, blank=True)
    # Police intelligence is read by the police only until a recorded sharing decision
    # (`ChronologySharingDecision`) widens it.
    intelligence = models.BooleanField(default=False, db_default=False)
    # Set for an entry added through the API: resending the same request adds nothing. (Database
    # defaults: the bulk writers of the demo name only the columns they fill.)
    idempotency_key = models.CharField(max_length=120, blank=True, default="", db_default="", db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["person", "-occurred_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="chronology_idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.category}"

    @property
    def reach(self) -> str:
        """Who may read it (`Reach`), from its visibility and the agencies it is shared with."""
        if self.visibility == ChronologyVisibility.PARTNERSHIP:
            return Reach.PARTNERSHIP
        return Reach.NAMED_AGENCIES if self.shared_with.all() else Reach.OWN_AGENCY

    @property
    def category_label(self) -> str:
        if self.category in EntryCategory.values:
            return str(EntryCategory(self.category).label)
        return self.category.replace("_", " ").capitalize()


class ChronologySharingDecision(models.Model):
    """A recorded decision to change who may read a chronology entry: by whom, when, from what
    to what, and why. Widening police intelligence beyond the police needs one."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.CASCADE, related_name="sharing_decisions")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    reach_before = models.CharField(max_length=12, choices=Reach.choices)
    reach_after = models.CharField(max_length=12, choices=Reach.choices)
    # Organisation ids the entry was shared with before and after.
    agencies_before = models.JSONField(default=list, blank=True)
    agencies_after = models.JSONField(default=list, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"Sharing decision {self.pk} on chronology entry {self.entry_id}"


class PersonMerge(models.Model):
    """Two records found to be one person: `merged` was folded into `kept`.

    `moved` lists, per table and column ("app.model.field"), the ids of the rows that were
    re-pointed from the merged record to the kept one; `left` the rows that could not move
    because the kept record already had the same row; `created` the rows the merge added
    (the merged record's name as another name of the kept one). Undoing the merge uses
    exactly these lists, so it restores the state before the merge."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    reason = models.TextField()
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(default=dict, blank=True)
    left = models.JSONField(default=dict, blank=True)
    created = models.JSONField(default=dict, blank=True)
    unmerged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(kept=models.F("merged")), name="merge_two_different_records"),
        ]

    def __str__(self) -> str:
        return f"{self.merged.reference} merged into {self.kept.reference}"

    @property
    def reference(self) -> str:
        return f"M-{self.pk:06d}" if self.pk else "M-new"

    @property
    def is_undone(self) -> bool:
        return self.unmerged_at is not None


class MatchModel(models.Model):
    """One trained version of the model that scores how likely two records are one person
    (safehub.people.duplicates): Splink's Fellegi-Sunter model, its m and u probabilities and
    term frequencies learnt from the partnership's own index. Each training adds a version;
    the newest is the one in use. Pairs at or above `threshold` (a match weight) go to the
    review queue; the threshold is reviewed and set on the model's page, with a reason."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    records = models.PositiveIntegerField(help_text="How many records it was trained on.")
    splink_version = models.CharField(max_length=20)
    settings = models.JSONField(help_text="Splink's model: comparisons, levels and their m and u probabilities.")
    threshold = models.FloatField(help_text="Pairs with a match weight at or above this are reviewed.")
    threshold_set_at = models.DateTimeField(default=timezone.now)
    threshold_set_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    threshold_reason = models.TextField(blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_pairs = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Match model version {self.version}"


class PairState(models.TextChoices):
    OPEN = "open", "To review"
    MERGED = "merged", "Merged"
    DISTINCT = "distinct", "Different people"


class DuplicatePair(models.Model):
    """Two records the batch deduplication found may be one person, and what a person decided.

    Nothing merges itself: a records officer merges the pair (the reversible merge of
    safehub.people.merge) or records that they are different people, which keeps the pair
    from being suggested again. `levels` says how each detail compared (the labels of the
    model's comparison levels, never the values)."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, related_name="pairs")
    match_weight = models.FloatField()
    match_probability = models.FloatField()
    levels = models.JSONField(default=dict)
    found_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=PairState.choices, default=PairState.OPEN)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    merge = models.ForeignKey(PersonMerge, on_delete=models.PROTECT, null=True, blank=True, related_name="pairs")

    class Meta:
        ordering = ["-match_weight", "pk"]
        indexes = [models.Index(fields=["state", "-match_weight"])]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_pair_in_order"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"D-{self.pk:06d}" if self.pk else "D-new"
