"""The partnership directory: the partnership, its organisations and teams, and users."""

import datetime
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from safehub.partnership.roles import Capability, Role, capabilities_of
from safehub.timescales.patterns import WorkingPattern


class Partnership(models.Model):
    """The safeguarding partnership that this SafeHub serves (one per installation)."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    hub_name = models.CharField(max_length=200, default="Children's Hub")
    # Video meetings (safehub.meetings): a join link made from this template, where "{room}"
    # becomes a new unguessable room name for each meeting; left blank, meetings borrow a
    # room from the partnership's pool of pre-made ones. No call to the provider is needed.
    video_provider_name = models.CharField(max_length=100, blank=True, help_text="For example Microsoft Teams.")
    video_link_template = models.CharField(
        max_length=300,
        blank=True,
        help_text='A web address with "{room}" in it, like https://meet.example.org/safehub-{room}.',
    )
    # Operation Encompass: s49A covers schools, colleges and 16-19 academies; some areas also
    # notify early-years settings by local protocol.
    encompass_includes_early_years = models.BooleanField(
        "Operation Encompass includes early-years settings",
        default=False,
        help_text="Section 49A does not cover them; some partnerships include them by local protocol.",
    )

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        template = self.video_link_template.strip()
        if template and (not template.startswith("https://") or template.count("{room}") != 1):
            raise ValidationError(
                {"video_link_template": 'Enter an https:// web address with "{room}" in it once, where the room goes.'}
            )

    @classmethod
    def current(cls) -> "Partnership | None":
        return cls.objects.order_by("pk").first()


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority (children's social care)"
    POLICE_FORCE = "police_force", "Police force"
    INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
    HEALTH_TRUST = "health_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early-years setting"
    OTHER = "other", "Other agency"


HEALTH_KINDS = frozenset(
    {OrganisationKind.INTEGRATED_CARE_BOARD, OrganisationKind.HEALTH_TRUST, OrganisationKind.GP_PRACTICE}
)
EDUCATION_KINDS = frozenset({OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS})

DEFAULT_SCHOOL_DAY_START = datetime.time(8, 45)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def schools_and_settings(self) -> "OrganisationQuerySet":
        return self.filter(kind__in=EDUCATION_KINDS)

    def open(self) -> "OrganisationQuerySet":
        return self.filter(is_open=True)


class Organisation(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="organisations", null=True, blank=True
    )
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(max_length=255)
    is_open = models.BooleanField(default=True, help_text="Closed establishments stay for history.")
    # Local authorities: the DfE three-digit LA code.
    la_code = models.CharField("LA code", max_length=3, blank=True)
    # Schools and settings.
    urn = models.PositiveIntegerField(
        "URN", null=True, blank=True, unique=True, help_text="DfE unique reference number"
    )
    local_authority = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="establishments",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    phase = models.CharField(max_length=100, blank=True)
    establishment_type = models.CharField(max_length=150, blank=True)
    school_day_starts = models.TimeField(default=DEFAULT_SCHOOL_DAY_START)
    # Health bodies: the NHS ODS code.
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code"],
                condition=models.Q(kind="local_authority") & ~models.Q(la_code=""),
                name="unique_local_authority_code",
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership:organisation", args=[self.pk])

    @property
    def is_education(self) -> bool:
        return self.kind in EDUCATION_KINDS

    @property
    def is_health(self) -> bool:
        return self.kind in HEALTH_KINDS

    def clean(self) -> None:
        if self.kind == OrganisationKind.LOCAL_AUTHORITY and not self.la_code:
            raise ValidationError({"la_code": "Enter the local authority's three-digit DfE code."})
        if self.la_code and not (len(self.la_code) == 3 and self.la_code.isdigit()):
            raise ValidationError({"la_code": "An LA code is three digits, like 871."})
        if self.kind == OrganisationKind.SCHOOL and self.urn is None:
            raise ValidationError({"urn": "Enter the school's URN from Get Information about Schools."})
        if self.local_authority_id and not self.is_education:
            raise ValidationError({"local_authority": "Only schools and settings belong to a local authority."})


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="The team's shared mailbox, if it has one.")
    phone = models.CharField(max_length=40, blank=True)
    is_duty_team = models.BooleanField(default=False, help_text="Receives invitations addressed to the agency.")
    # When the team works, for the time it is given to answer (a check's due time). Blank: by
    # its kind of agency (`pattern`).
    working_pattern = models.CharField(
        max_length=20,
        choices=WorkingPattern.choices,
        blank=True,
        help_text="Leave blank for the usual pattern of the agency: round the clock for the police and "
        "a council's duty teams, school days for schools and settings, office hours for the rest.",
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"

    def get_absolute_url(self) -> str:
        return reverse("partnership:team", args=[self.pk])

    @property
    def pattern(self) -> str:
        """When the team works: as set, else round the clock for the police and a council's
        duty teams (the duty social workers and the emergency duty team), school days for a
        school or setting, and office hours for health and everyone else."""
        if self.working_pattern:
            return self.working_pattern
        kind = self.organisation.kind
        if kind == OrganisationKind.POLICE_FORCE or (kind == OrganisationKind.LOCAL_AUTHORITY and self.is_duty_team):
            return WorkingPattern.ROUND_THE_CLOCK
        if kind in EDUCATION_KINDS:
            return WorkingPattern.SCHOOL_DAYS
        return WorkingPattern.OFFICE_HOURS

    @property
    def pattern_label(self) -> str:
        return str(WorkingPattern(self.pattern).label)


class User(AbstractUser):
    """A person who signs in to SafeHub. Belongs to one organisation, any of its teams."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.role_assignments.values_list("role", flat=True))

    @property
    def roles(self) -> list[Role]:
        return sorted((Role(code) for code in self.role_codes), key=lambda r: r.label)

    @cached_property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.role_codes)

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_codes

    def clean(self) -> None:
        super().clean()
        if self.pk and self.teams.exclude(organisation=self.organisation).exists():
            raise ValidationError({"teams": "A user's teams must belong to the user's organisation."})


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"
