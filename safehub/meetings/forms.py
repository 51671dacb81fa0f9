"""Forms of the meetings pages: convening (with the invitations the rule suggests), changing,
inviting, cancelling, answering an invitation, and the chair's record of attendance and of
the outcome or conference decision.

Invitees are chosen from lists whose values are ids ("team:12", "user:34"); the forms turn
them into the services' `InvitationInput`s. Dates are typed as day, month and year and times
on the 24-hour clock, and are London times.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from safehub.meetings.models import (
    QUORUM_AGENCIES,
    WITHOUT_CONFERENCE,
    Agency,
    AttendanceMode,
    AttendanceStatus,
    EnquiryOutcome,
    Invitation,
    MeetingFormat,
    PlanCategory,
    StrategyOutcome,
)
from safehub.meetings.services.convening import InvitationInput
from safehub.meetings.services.recording import ActionInput
from safehub.partnership.models import EDUCATION_KINDS, Organisation, OrganisationKind, Team, User
from safehub.partnership.roles import CAPABILITIES, Capability
from safehub.timescales.calendar import SkippedTime, london_wall_clock

# Agencies a convenor may add beyond the rule's: the ones DOMAIN.md says "may include".
EXTRA_AGENCIES = [
    Agency.YOUTH_JUSTICE,
    Agency.ADULT_MENTAL_HEALTH,
    Agency.SUBSTANCE_MISUSE,
    Agency.DOMESTIC_ABUSE,
    Agency.OTHER,
]
EXTRA_ROWS = 2
ACTION_ROWS = 3
# Agencies whose teams are offered when inviting someone beyond the rule's (schools and GP
# practices are many, and reached through the rule's own choice of the child's school).
INVITABLE_KINDS = [
    OrganisationKind.LOCAL_AUTHORITY,
    OrganisationKind.POLICE_FORCE,
    OrganisationKind.INTEGRATED_CARE_BOARD,
    OrganisationKind.HEALTH_TRUST,
    OrganisationKind.OTHER,
]
DATE_HINT = "For example, 10 12 2026."
TIME_HINT = "Use the 24-hour clock, for example 14:30."


# Parsing --------------------------------------------------------------------------------------


def parse_date(raw: str, *, what: str = "the date") -> datetime.date:
    parts = [p for p in re.split(r"[\s/.\-]+", raw.strip()) if p]
    if len(parts) == 3 and len(parts[0]) == 4:
        parts = [parts[2], parts[1], parts[0]]
    # isascii too: "²" is a digit to str.isdigit but not to int(); a year has at most 4 digits.
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise ValidationError(f"Enter {what} as day, month and year, like 10 12 2026.")
    day, month, year = (int(p) for p in parts)
    if year < 100:
        year += 2000
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ValidationError(f"Enter a real date for {what}: check the day and month.") from error


_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$")


def parse_time(raw: str, *, what: str = "the time") -> datetime.time:
    match = _TIME.match(raw.strip().lower().replace(" ", ""))
    if not match:
        raise ValidationError(f"Enter {what} on the 24-hour clock, like 14:30.")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise ValidationError(f"Enter a real time for {what}, like 14:30.")
    return datetime.time(hour, minute)


def london_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment this UK wall-clock time happens; refuses a time the clocks skip."""
    try:
        return london_wall_clock(day, time)
    except SkippedTime as error:
        raise ValidationError(str(error), code="skipped") from error


# Whom to choose -------------------------------------------------------------------------------


def users_who_can(capability: Capability) -> QuerySet[User]:
    roles = [role for role, granted in CAPABILITIES.items() if capability in granted]
    return User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct()


def chairs_in(council: Organisation) -> QuerySet[User]:
    """Who may chair a meeting the council convenes: its users who may chair meetings."""
    return users_who_can(Capability.CHAIR_MEETINGS).filter(organisation=council).order_by("first_name", "last_name")


def colleagues_of(user: User) -> QuerySet[User]:
    """Whom an invitee may send in their place: someone from their own agency who attends meetings."""
    if user.organisation_id is None:
        return User.objects.none()
    return (
        users_who_can(Capability.ATTEND_MEETINGS)
        .filter(organisation_id=user.organisation_id)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "pk")
    )


def team_value(team: Team) -> str:
    return f"team:{team.pk}"


def user_value(user: User) -> str:
    return f"user:{user.pk}"


def _members_who_attend(teams: Iterable[Team]) -> dict[int, list[User]]:
    team_ids = [t.pk for t in teams]
    members: dict[int, list[User]] = {pk: [] for pk in team_ids}
    users = users_who_can(Capability.ATTEND_MEETINGS).filter(teams__in=team_ids).prefetch_related("teams")
    for user in users.order_by("first_name", "last_name", "pk"):
        for team in user.teams.all():
            if team.pk in members:
                members[team.pk].append(user)
    return members


def team_choices(teams: Sequence[Team]) -> list[tuple[str, str]]:
    """Each team ("anyone in the team"), followed by its members who attend meetings."""
    members = _members_who_attend(teams)
    choices: list[tuple[str, str]] = []
    for team in teams:
        choices.append((team_value(team), f"{team.name}, {team.organisation.name} (anyone in the team)"))
        choices += [(user_value(u), f"{u}, {team.name}") for u in members[team.pk]]
    return list(dict.fromkeys(choices))


def partnership_teams(council: Organisation) -> list[Team]:
    organisations = (
        Organisation.objects.open()
        .filter(kind__in=INVITABLE_KINDS)
        .filter(Q(partnership_id=council.partnership_id) | Q(partnership__isnull=True))
    )
    return list(
        Team.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )


def resolve(value: str) -> tuple[Team | None, User | None]:
    """The team or user a "team:12" / "user:34" choice stands for."""
    kind, _, pk = value.partition(":")
    if not pk.isdigit():
        return None, None
    if kind == "team":
        return Team.objects.select_related("organisation").filter(pk=int(pk)).first(), None
    if kind == "user":
        return None, User.objects.select_related("organisation").filter(pk=int(pk), is_active=True).first()
    return None, None


@dataclass(frozen=True)
class InvitationRow:
    """One of the rule's invitations on the convene page: the agency, whether it is required,
    and whom it may go to (a parent is invited by name and has no choice)."""

    agency: str
    required: bool
    choices: list[tuple[str, str]]
    initial: str
    external_name: str = ""
    conference_only: bool = False

    @property
    def agency_label(self) -> str:
        return Agency(self.agency).label


def _row_hint(row: InvitationRow) -> str:
    if row.conference_only:
        return "Invited to a conference only. They have no SafeHub account: send their letter yourself."
    if row.external_name:
        return "They have no SafeHub account: send their letter yourself."
    if row.agency in QUORUM_AGENCIES:
        return "Required: the meeting cannot decide without them."
    return "Required by default: untick if they should not be invited." if row.required else ""


def invitation_rows(
    defaults: Sequence[InvitationInput], *, alternatives: dict[str, Team | None], conference_only: bool = False
) -> list[InvitationRow]:
    """The rule's invitations as rows to choose from; `alternatives` is each agency's team,
    offered beside a named default invitee (the referrer in the school's team, say)."""
    rows = []
    for given in defaults:
        if given.external_name:
            rows.append(
                InvitationRow(
                    agency=given.agency,
                    required=given.required,
                    choices=[],
                    initial="",
                    external_name=given.external_name,
                    conference_only=conference_only,
                )
            )
            continue
        teams = [given.team] if given.team is not None else []
        alternative = alternatives.get(given.agency)
        if given.invitee is not None and alternative is not None:
            teams.append(alternative)
        choices = team_choices(teams)
        if given.invitee is not None:
            named = (user_value(given.invitee), str(given.invitee))
            choices = [named, *(c for c in choices if c[0] != named[0])]
            initial = named[0]
        else:
            assert given.team is not None
            initial = team_value(given.team)
        rows.append(InvitationRow(agency=given.agency, required=given.required, choices=choices, initial=initial))
    return rows


def apply_service_error(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError beside the field it is about, or at the top of the form."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# When and where -------------------------------------------------------------------------------


class WhenForm(forms.Form):
    """The date, times, format and venue, shared by convening and changing a meeting."""

    date = forms.CharField(
        label="Date", max_length=20, help_text=DATE_HINT, error_messages={"required": "Enter the date of the meeting."}
    )
    starts = forms.CharField(
        label="Start time",
        max_length=10,
        help_text=TIME_HINT,
        error_messages={"required": "Enter the time the meeting starts."},
    )
    ends = forms.CharField(
        label="End time", max_length=10, help_text=TIME_HINT, error_messages={"required": "Enter the time it ends."}
    )
    format = forms.ChoiceField(
        label="How it is held",
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        help_text="By video or hybrid: SafeHub adds a join link from the partnership's video provider.",
        error_messages={"required": "Choose in person, by video, or hybrid."},
    )
    venue = forms.CharField(
        label="Venue",
        required=False,
        max_length=200,
        help_text="A room or building, never a family's address. Needed in person or hybrid.",
    )
    late_reason = forms.CharField(
        label="Why it cannot be held by its due time",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="Only if the meeting starts after it is due. The reason is recorded and counted.",
    )

    def __init__(self, *args: Any, show_late_reason: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.show_late_reason = show_late_reason or bool(self.data.get(self.add_prefix("late_reason"), "").strip())
        for name in ("date", "starts", "ends"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_date(self) -> datetime.date:
        return parse_date(self.cleaned_data["date"], what="the date of the meeting")

    def clean_starts(self) -> datetime.time:
        return parse_time(self.cleaned_data["starts"], what="the start time")

    def clean_ends(self) -> datetime.time:
        return parse_time(self.cleaned_data["ends"], what="the end time")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if day is not None and starts is not None and ends is not None:
            try:
                cleaned["starts_at"] = london_moment(day, starts)
                cleaned["ends_at"] = london_moment(day, ends)
            except ValidationError as error:
                self.add_error("starts" if "starts_at" not in cleaned else "ends", error)
                return cleaned
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("ends", "The meeting must end after it starts.")
        return cleaned


SERVICE_ALIASES = {"starts_at": "starts", "ends_at": "ends", "cancelled_reason": "reason"}


class ConveneForm(WhenForm):
    """Convening: the kind (when the route leaves it open), when and where, the chair, and the
    invitations. `rows` are the rule's invitations; up to EXTRA_ROWS more agencies may be added."""

    kind = forms.ChoiceField(label="What kind of meeting", widget=forms.RadioSelect)
    chair = forms.ModelChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        empty_label="Choose who will chair it",
        help_text="A social worker or team manager who may chair meetings. The chair records attendance and the "
        "decision.",
        error_messages={"required": "Choose who will chair the meeting."},
    )

    field_order = ["kind", "date", "starts", "ends", "format", "venue", "chair", "late_reason"]

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        chairs: QuerySet[User],
        rows: list[InvitationRow],
        extra_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds
        if len(kinds) == 1:
            kind.initial = kinds[0][0]
            kind.widget = forms.HiddenInput()
        chair = self.fields["chair"]
        assert isinstance(chair, forms.ModelChoiceField)
        chair.queryset = chairs
        for index, row in enumerate(rows):
            label = f"{row.agency_label}: {row.external_name}" if row.external_name else row.agency_label
            self.fields[f"invite_{index}"] = forms.BooleanField(
                label=label,
                required=False,
                initial=True,
                help_text=_row_hint(row),
            )
            if row.choices:
                self.fields[f"who_{index}"] = forms.ChoiceField(
                    label=f"Who to invite for {row.agency_label.lower()}",
                    choices=row.choices,
                    initial=row.initial,
                    required=False,
                )
        agencies = [("", "Choose an agency"), *((a.value, a.label) for a in EXTRA_AGENCIES)]
        for index in range(EXTRA_ROWS):
            self.fields[f"extra_agency_{index}"] = forms.ChoiceField(label="Agency", choices=agencies, required=False)
            self.fields[f"extra_who_{index}"] = forms.ChoiceField(
                label="Team or person in SafeHub",
                choices=[("", "No one in SafeHub"), *extra_choices],
                required=False,
            )
            self.fields[f"extra_name_{index}"] = forms.CharField(
                label="Or the name of someone without a SafeHub account",
                required=False,
                max_length=200,
                help_text="They are not sent anything by SafeHub: invite them yourself.",
            )

    def row_fields(self) -> list[dict[str, Any]]:
        return [
            {"row": row, "invite": self[f"invite_{i}"], "who": self[f"who_{i}"] if row.choices else None}
            for i, row in enumerate(self.rows)
        ]

    def extra_fields(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i + 1,
                "agency": self[f"extra_agency_{i}"],
                "who": self[f"extra_who_{i}"],
                "name": self[f"extra_name_{i}"],
            }
            for i in range(EXTRA_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        conference = cleaned.get("kind", "") not in ("", "strategy_discussion")
        invitations: list[InvitationInput] = []
        for index, row in enumerate(self.rows):
            if not cleaned.get(f"invite_{index}") or (row.conference_only and not conference):
                continue
            if row.external_name:
                invitations.append(
                    InvitationInput(agency=row.agency, external_name=row.external_name, required=row.required)
                )
                continue
            team, user = resolve(cleaned.get(f"who_{index}") or row.initial)
            if team is None and user is None:
                self.add_error(f"who_{index}", f"Choose who to invite for {row.agency_label.lower()}.")
                continue
            invitations.append(InvitationInput(agency=row.agency, team=team, invitee=user, required=row.required))
        for index in range(EXTRA_ROWS):
            agency = cleaned.get(f"extra_agency_{index}", "")
            who, name = cleaned.get(f"extra_who_{index}", ""), cleaned.get(f"extra_name_{index}", "").strip()
            if not agency:
                if who or name:
                    self.add_error(f"extra_agency_{index}", "Choose the agency you are inviting.")
                continue
            if not who and not name:
                self.add_error(
                    f"extra_who_{index}",
                    f"Choose a team or person for {Agency(agency).label.lower()}, or enter a name.",
                )
                continue
            team, user = resolve(who) if who else (None, None)
            invitations.append(InvitationInput(agency=agency, team=team, invitee=user, external_name=name))
        cleaned["invitations"] = invitations
        return cleaned


class RescheduleForm(WhenForm):
    pass


class InviteForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency",
        choices=[("", "Choose an agency"), *Agency.choices],
        error_messages={"required": "Choose the agency you are inviting."},
    )
    who = forms.ChoiceField(label="Team or person in SafeHub", required=False)
    external_name = forms.CharField(
        label="Or the name of someone without a SafeHub account",
        required=False,
        max_length=200,
        help_text="A parent or carer, or a professional outside SafeHub: invite them yourself.",
    )
    required = forms.BooleanField(
        label="Required: the agency must be there", required=False, help_text="Escalated if not accepted in time."
    )

    def __init__(self, *args: Any, who_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = [("", "No one in SafeHub"), *who_choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        who, name = cleaned.get("who", ""), cleaned.get("external_name", "").strip()
        if not who and not name and "agency" in cleaned:
            self.add_error("who", "Choose a team or person, or enter the name of someone without a SafeHub account.")
        elif "agency" in cleaned:
            team, user = resolve(who) if who else (None, None)
            cleaned["invitation"] = InvitationInput(
                agency=cleaned["agency"],
                team=team,
                invitee=user,
                external_name="" if team or user else name,
                required=cleaned.get("required", False),
            )
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why the meeting is cancelled",
        widget=forms.Textarea,
        max_length=5000,
        help_text="Everyone invited is told the meeting is cancelled; the reason stays in SafeHub.",
        error_messages={"required": "Record why the meeting is cancelled."},
    )


class EnquiryOutcomeForm(forms.Form):
    """How a section 47 enquiry ended without a conference (a conference is recorded by
    convening it)."""

    enquiry_outcome = forms.ChoiceField(
        label="How did the enquiry end?",
        choices=[(o.value, o.label) for o in EnquiryOutcome if o in WITHOUT_CONFERENCE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the enquiry ended."},
    )
    enquiry_outcome_reason = forms.CharField(
        label="Why no conference is needed",
        widget=forms.Textarea,
        max_length=5000,
        help_text="The agencies' findings that led to this decision.",
        error_messages={"required": "Record why no conference is needed."},
    )


# Answering an invitation ----------------------------------------------------------------------


class AcceptForm(forms.Form):
    mode = forms.ChoiceField(
        label="How will you attend?",
        widget=forms.RadioSelect,
        error_messages={"required": "Say how you will attend: in person, by video or by phone."},
    )

    def __init__(self, *args: Any, by_video: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)
        mode.choices = [c for c in AttendanceMode.choices if by_video or c[0] != AttendanceMode.VIDEO]


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label="Why you cannot attend",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Give the reason you cannot attend."},
    )
    deputy = forms.ModelChoiceField(
        label="Who will attend for your agency instead",
        queryset=User.objects.none(),
        required=False,
        empty_label="Someone not listed here",
        help_text="A colleague from your agency is sent the invitation.",
    )
    deputy_name = forms.CharField(
        label="Or their name, if they are not listed",
        required=False,
        max_length=200,
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deputy = self.fields["deputy"]
        assert isinstance(deputy, forms.ModelChoiceField)
        deputy.queryset = colleagues

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("deputy") and not cleaned.get("deputy_name", "").strip():
            self.add_error("deputy", "Say who will attend for your agency instead: choose a colleague or enter a name.")
        return cleaned


class RecordReplyForm(forms.Form):
    """The answer an agency or parent without SafeHub gave an organiser by email or phone."""

    answer = forms.ChoiceField(
        label="What did they say?",
        choices=[("accept", "They will attend"), ("decline", "They cannot attend")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they will attend."},
    )
    mode = forms.ChoiceField(
        label="If they will attend: how?",
        widget=forms.RadioSelect,
        required=False,
        help_text="If someone else attends for them, record that they will attend.",
    )
    decline_reason = forms.CharField(
        label="If they cannot attend: the reason they gave",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
    )
    deputy_name = forms.CharField(
        label="Who they said will attend instead, if anyone",
        required=False,
        max_length=200,
    )

    def __init__(self, *args: Any, by_video: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)
        mode.choices = [c for c in AttendanceMode.choices if by_video or c[0] != AttendanceMode.VIDEO]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == "accept" and not cleaned.get("mode"):
            self.add_error("mode", "Say how they will attend: in person, by video or by phone.")
        if cleaned.get("answer") == "decline":
            if not cleaned.get("decline_reason", "").strip():
                self.add_error("decline_reason", "Record the reason they gave for not attending.")
            if not cleaned.get("deputy_name", "").strip():
                self.add_error("deputy_name", 'Record who will attend instead, or "No one".')
        return cleaned


# Recording ------------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One row per invitation: how they attended, who came for a deputy, lateness, and whether
    they could make decisions for their agency. Field names carry the invitation's id."""

    def __init__(self, *args: Any, invitations: Sequence[Invitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            pk = invitation.pk
            attendance = getattr(invitation, "attendance", None)
            who = invitation.addressee
            self.fields[f"status-{pk}"] = forms.ChoiceField(
                label=f"{invitation.get_agency_display()}: {who}",
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=attendance.status if attendance else _expected_status(invitation),
                error_messages={"required": f"Choose how {who} attended, or that they did not."},
            )
            self.fields[f"name-{pk}"] = forms.CharField(
                label="Who attended, if a deputy came",
                required=False,
                max_length=200,
                initial=attendance.attendee_name if attendance else invitation.deputy_name,
            )
            self.fields[f"late-{pk}"] = forms.IntegerField(
                label="Minutes late",
                required=False,
                min_value=0,
                max_value=600,
                initial=attendance.late_minutes if attendance and attendance.late_minutes else None,
                error_messages={"invalid": "Enter the minutes late as a number, like 10."},
            )
            self.fields[f"decide-{pk}"] = forms.BooleanField(
                label="Able to make decisions for their agency",
                required=False,
                initial=attendance.able_to_decide if attendance else False,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "invitation": invitation,
                "status": self[f"status-{invitation.pk}"],
                "name": self[f"name-{invitation.pk}"],
                "late": self[f"late-{invitation.pk}"],
                "decide": self[f"decide-{invitation.pk}"],
            }
            for invitation in self.invitations
        ]

    def entries(self) -> list[dict[str, Any]]:
        return [
            {
                "invitation": invitation,
                "status": self.cleaned_data[f"status-{invitation.pk}"],
                "attendee_name": self.cleaned_data[f"name-{invitation.pk}"],
                "late_minutes": self.cleaned_data[f"late-{invitation.pk}"] or 0,
                "able_to_decide": self.cleaned_data[f"decide-{invitation.pk}"],
            }
            for invitation in self.invitations
        ]


def _expected_status(invitation: Invitation) -> str:
    """A starting point for the chair: how an accepted invitee said they would attend."""
    return {
        AttendanceMode.IN_PERSON: AttendanceStatus.IN_PERSON,
        AttendanceMode.VIDEO: AttendanceStatus.VIDEO,
        AttendanceMode.PHONE: AttendanceStatus.PHONE,
    }.get(invitation.response_mode, "")  # type: ignore[call-overload]


class AddAttendeeForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency they came for",
        choices=[("", "Choose an agency"), *Agency.choices],
        error_messages={"required": "Choose the agency the attendee came for."},
    )
    name = forms.CharField(
        label="Their name and role", max_length=200, error_messages={"required": "Enter the attendee's name."}
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="Not listed"
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = organisations


class ActionRowsMixin(forms.Form):
    """Up to ACTION_ROWS actions: what, which agency, who, and by when. A blank row is ignored."""

    def add_action_fields(self, organisations: QuerySet[Organisation]) -> None:
        for index in range(ACTION_ROWS):
            number = index + 1
            self.fields[f"action_{index}_description"] = forms.CharField(
                label=f"Action {number}: what will be done", required=False, max_length=2000, widget=forms.Textarea
            )
            self.fields[f"action_{index}_owner"] = forms.ModelChoiceField(
                label=f"Action {number}: agency", queryset=organisations, required=False, empty_label="Choose an agency"
            )
            self.fields[f"action_{index}_name"] = forms.CharField(
                label=f"Action {number}: who will do it", required=False, max_length=200
            )
            self.fields[f"action_{index}_due"] = forms.CharField(
                label=f"Action {number}: due by", required=False, max_length=20, help_text=DATE_HINT
            )

    def action_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i + 1,
                "description": self[f"action_{i}_description"],
                "owner": self[f"action_{i}_owner"],
                "name": self[f"action_{i}_name"],
                "due": self[f"action_{i}_due"],
            }
            for i in range(ACTION_ROWS)
        ]

    def clean_actions(self, cleaned: dict[str, Any]) -> list[ActionInput]:
        actions = []
        for index in range(ACTION_ROWS):
            prefix = f"action_{index}_"
            description = cleaned.get(f"{prefix}description", "").strip()
            owner = cleaned.get(f"{prefix}owner")
            name = cleaned.get(f"{prefix}name", "").strip()
            due_raw = cleaned.get(f"{prefix}due", "").strip()
            if not (description or owner or name or due_raw):
                continue
            number = index + 1
            if not description:
                self.add_error(f"{prefix}description", f"Describe action {number}.")
            if owner is None:
                self.add_error(f"{prefix}owner", f"Choose the agency that owns action {number}.")
            if not name:
                self.add_error(f"{prefix}name", f"Enter who will do action {number}.")
            due_on = None
            try:
                due_on = parse_date(due_raw, what=f"the due date of action {number}")
            except ValidationError as error:
                self.add_error(f"{prefix}due", error)
            if description and owner is not None and name and due_on is not None:
                actions.append(
                    ActionInput(description=description, owner_organisation=owner, owner_name=name, due_on=due_on)
                )
        return actions


class StrategyOutcomeForm(ActionRowsMixin):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=StrategyOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the strategy discussion."},
    )
    information_shared = forms.CharField(
        label="Information shared at the meeting", required=False, max_length=20000, widget=forms.Textarea
    )
    minutes = forms.CharField(
        label="Minutes",
        max_length=50000,
        widget=forms.Textarea,
        help_text="What was discussed, decided and why. Shared with the agencies that attended.",
        error_messages={"required": "Write the minutes: what was discussed, decided and why."},
    )
    quorum_override_reason = forms.CharField(
        label="Why the decision is recorded without quorum",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="Recorded with your name and counted on the attendance page.",
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], may_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["quorum_override_reason"]
        self.add_action_fields(organisations)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["actions"] = self.clean_actions(cleaned)
        return cleaned


class CoreGroupRecordForm(ActionRowsMixin):
    information_shared = forms.CharField(
        label="Information shared at the meeting", required=False, max_length=20000, widget=forms.Textarea
    )
    minutes = forms.CharField(
        label="Minutes",
        max_length=50000,
        widget=forms.Textarea,
        help_text="How the plan is going and what was agreed. Shared with the agencies that attended.",
        error_messages={"required": "Write the minutes: how the plan is going and what was agreed."},
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_action_fields(organisations)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["actions"] = self.clean_actions(cleaned)
        return cleaned


class ConferenceDecisionForm(ActionRowsMixin):
    plan = forms.TypedChoiceField(
        label="Does the child need a child protection plan?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the child needs a child protection plan."},
    )
    plan_category = forms.ChoiceField(
        label="Category of the plan",
        choices=PlanCategory.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Only with a plan.",
    )
    plan_review_due = forms.CharField(
        label="Review conference by",
        required=False,
        max_length=20,
        help_text=DATE_HINT,
    )
    information_shared = StrategyOutcomeForm.base_fields["information_shared"]
    minutes = StrategyOutcomeForm.base_fields["minutes"]
    quorum_override_reason = StrategyOutcomeForm.base_fields["quorum_override_reason"]

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        may_override: bool,
        latest_review: datetime.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["quorum_override_reason"]
        self.fields["plan_review_due"].initial = f"{latest_review.day} {latest_review.month} {latest_review.year}"
        self.fields["plan_review_due"].help_text = f"No later than {latest_review:%-d %B %Y}. {DATE_HINT}"
        self.add_action_fields(organisations)

    def clean_plan_review_due(self) -> datetime.date | None:
        raw = self.cleaned_data["plan_review_due"].strip()
        return parse_date(raw, what="the review date") if raw else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("plan") and not cleaned.get("plan_category"):
            self.add_error("plan_category", "Choose the category of the child protection plan.")
        cleaned["actions"] = self.clean_actions(cleaned)
        return cleaned


def organisations_for_actions(invitations: Iterable[Invitation], council: Organisation) -> QuerySet[Organisation]:
    """The agencies that may own an action: the council and every invited organisation."""
    ids = {i.organisation_id for i in invitations if i.organisation_id} | {council.pk}
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def organisations_for_attendees(council: Organisation, invitations: Iterable[Invitation]) -> QuerySet[Organisation]:
    ids = {i.organisation_id for i in invitations if i.organisation_id}
    return (
        Organisation.objects.open()
        .filter(
            Q(pk__in=ids)
            | (Q(kind__in=INVITABLE_KINDS) & (Q(partnership_id=council.partnership_id) | Q(partnership__isnull=True)))
        )
        .exclude(Q(kind__in=EDUCATION_KINDS) & ~Q(pk__in=ids))
        .order_by("name")
    )
