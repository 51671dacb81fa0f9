"""Arranging a strategy discussion or conference: convening it with its due time, inviting
every agency it needs, sending calendar invitations, taking responses, changing or
cancelling it, and escalating a required agency that has not accepted in time.

Every write is keyword-only and atomic, checks `access.can`, validates with `full_clean`, and
writes its audit event, outbox rows and chronology entries in the same transaction.
Invitations, updates and cancellations go to each recipient's inbox and, by email, with an
iCalendar object (`safehub.meetings.calendar_invites`); both carry the meeting's reference
and a link made of ids, never a name.

Who is invited by default (`default_invitations`):
- a strategy discussion: children's social care, the police and health (required: the
  discussion cannot decide without them), and the child's school or setting and the
  referrer (required by default; the convenor may untick them);
- a conference: social care, police, health and the school or setting (required), and the
  parents, who attend without a SafeHub account.
Each agency's invitation goes to a named person if the convenor chooses one, else to the
agency's team (`default_team_for`, the same rule as the hub's checks).
"""

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.core.references import save_with_next_reference
from safehub.hub.models import Contact, ContactState, Decision, ResearchAgency, SubjectRole
from safehub.hub.services import workflow as hub_workflow
from safehub.meetings import due_dates
from safehub.meetings.calendar_invites import build_invitation
from safehub.meetings.models import (
    CONFERENCE_KINDS,
    QUORUM_AGENCIES,
    REFERENCE_PREFIXES,
    WITHOUT_CONFERENCE,
    Agency,
    AttendanceMode,
    ChildProtectionPlan,
    EnquiryOutcome,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    ResponseState,
    VideoRoom,
)
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, OrganisationKind, Partnership, Team, User
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    Enrolment,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
)
from safehub.timescales.calendar import LONDON
from safehub.timescales.rules import timescale_value

SOURCE_TYPE = "meetings.meeting"
# Invitees may open the children's records from the invitation until this long after the
# meeting ends (calendar days: time to read the minutes and do the actions agreed).
ACCESS_AFTER_MEETING = datetime.timedelta(days=30)
# Who hears that a required agency has not accepted: the agency's managers, and the
# convening council's team managers (the hub manager).
AGENCY_MANAGER_ROLES = (Role.TEAM_MANAGER, Role.POLICE_SUPERVISOR)
PARENTAL_KINDS = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)

NOT_A_CONVENOR = "Only children's social care and the hub can convene a strategy discussion or conference."
NOT_YOUR_MEETING = "Only the team that convened this meeting, or its chair, can change it."
NOT_YOUR_INVITATION = "This invitation is not addressed to you or your team, or it has been withdrawn."
NOT_A_CHAIR = "Choose a chair who may chair meetings: a social-care team manager or social worker."
NO_SUBJECTS = "Choose the child or children the meeting is about."
NOT_SCHEDULED = "This meeting has been held or cancelled, so it can no longer be changed."
NO_VIDEO_ROOM = (
    "No video room is free at that time. Choose another time, hold the meeting in person, or ask "
    "an administrator to add video rooms or a join-link template in the partnership settings."
)
SAME_PERSON_TWICE = "This person is already invited."
PLAN_ENDED = "The child protection plan has ended, so the core group no longer meets."
ANSWERED_IN_SAFEHUB = "Someone in SafeHub can answer this invitation for their agency: they answer it themselves."
TAKEN_BY_A_COLLEAGUE = "A colleague has already answered this invitation for your agency: it is theirs now."
ALREADY_ARRANGED = "A {kind} has already been arranged for this ({reference}). Change that one instead."
ENDS_BEFORE_STARTS = "The meeting must end after it starts."
TEAM_NOT_IN_COUNCIL = "Choose one of your own teams in children's social care to hold the meeting."


@dataclass(frozen=True)
class InvitationInput:
    """One agency to invite: a named user, a team, or (parents) a person by name."""

    agency: str
    invitee: User | None = None
    team: Team | None = None
    external_name: str = ""
    required: bool = False


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


def _london(moment: datetime.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A %-d %B %Y}"


# Due times ----------------------------------------------------------------------------------


def due_for(
    *, kind: str, contact: Contact | None, previous: Meeting | None, subjects: Sequence[Person], now: datetime.datetime
) -> datetime.datetime:
    """When a new meeting of this kind must be held by (see `safehub.meetings.due_dates`)."""
    if kind == MeetingKind.STRATEGY_DISCUSSION:
        decided = contact.decided_at if contact is not None and contact.decided_at else now
        return due_dates.strategy_discussion_due(decided)
    if kind == MeetingKind.PRE_BIRTH_CONFERENCE:
        due_date = min((p.expected_due_date for p in subjects if p.expected_due_date), default=None)
        if due_date is None:
            raise ValidationError({"subjects": "A pre-birth conference is about an unborn child with a due date."})
        return due_dates.pre_birth_conference_due(due_date)
    if previous is None:
        raise ValidationError({"previous": _NEEDS_PREVIOUS[MeetingKind(kind)]})
    if kind == MeetingKind.INITIAL_CONFERENCE:
        return due_dates.initial_conference_due(previous.starts_at)
    if kind == MeetingKind.REVIEW_CONFERENCE:
        first = previous.kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
        return due_dates.review_conference_due(previous.starts_at, first=first)
    return due_dates.core_group_due(previous.starts_at, first=previous.kind != MeetingKind.CORE_GROUP)


_NEEDS_PREVIOUS = {
    MeetingKind.INITIAL_CONFERENCE: "An initial conference follows the strategy discussion that started the "
    "section 47 enquiry: convene it from that discussion.",
    MeetingKind.REVIEW_CONFERENCE: "A review conference follows an earlier conference: convene it from that one.",
    MeetingKind.CORE_GROUP: "A core group follows an initial conference or the core group before it: "
    "convene it from that meeting.",
}
# Which kinds of meeting each kind follows (the pages offer the same).
FOLLOWS: dict[str, set[str] | frozenset[str]] = {
    MeetingKind.INITIAL_CONFERENCE: {MeetingKind.STRATEGY_DISCUSSION},
    MeetingKind.PRE_BIRTH_CONFERENCE: {MeetingKind.STRATEGY_DISCUSSION},
    MeetingKind.REVIEW_CONFERENCE: CONFERENCE_KINDS,
    MeetingKind.CORE_GROUP: {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE, MeetingKind.CORE_GROUP},
    MeetingKind.STRATEGY_DISCUSSION: set(),
}


# Who is invited -----------------------------------------------------------------------------


def _first_agency_team(partnership_id: int | None, kinds: set[str], names: Sequence[str]) -> Team | None:
    agencies = (
        Organisation.objects.open()
        .filter(kind__in=kinds)
        .filter(Q(partnership_id=partnership_id) | Q(partnership__isnull=True))
        .order_by("name", "pk")
    )
    for organisation in agencies:
        team = hub_workflow.team_of(organisation, names)
        if team is not None:
            return team
    return None


def school_of(subjects: Sequence[Person], on: datetime.date) -> Organisation | None:
    """The school or setting where the first of the children is on roll."""
    for person in subjects:
        if person.kind != PersonKind.CHILD:
            continue
        enrolment = (
            Enrolment.objects.current_on(on)
            .filter(person=person)
            .select_related("organisation")
            .order_by("-start_date")
            .first()
        )
        if enrolment is not None:
            return enrolment.organisation
    return None


def default_team_for(
    *, agency: str, council: Organisation, subjects: Sequence[Person], contact: Contact | None
) -> Team | None:
    """The team an agency's invitation goes to when no one is named: the hub's rule for its
    checks when the meeting comes from a contact, else the same rule for the partnership."""
    research_agency = {
        Agency.POLICE: ResearchAgency.POLICE,
        Agency.HEALTH: ResearchAgency.HEALTH,
        Agency.EDUCATION: ResearchAgency.EDUCATION,
        Agency.SOCIAL_CARE: ResearchAgency.SOCIAL_CARE,
    }.get(Agency(agency))
    if research_agency is None:
        return None
    if contact is not None:
        return hub_workflow.research_team_for(contact, research_agency)
    match agency:
        case Agency.POLICE:
            return _first_agency_team(
                council.partnership_id, {OrganisationKind.POLICE_FORCE}, ["Child Abuse Investigation", "CAIT"]
            )
        case Agency.HEALTH:
            return _first_agency_team(council.partnership_id, {OrganisationKind.HEALTH_TRUST}, ["Safeguarding"])
        case Agency.EDUCATION:
            school = school_of(subjects, timezone.localdate())
            return hub_workflow.team_of(school, ["Safeguarding"]) or hub_workflow.team_of(
                council, ["Education Safeguarding"], duty=False
            )
    duty = council.teams.filter(is_duty_team=True).order_by("pk").first()
    return duty or hub_workflow.team_of(council, ["Social Care"], duty=False)


def default_invitations(
    *, kind: str, council: Organisation, subjects: Sequence[Person], contact: Contact | None
) -> list[InvitationInput]:
    """The rule's invitations for a new meeting (this module's docstring says which)."""
    agencies = [Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION]
    referrer = contact.referrer_user if contact is not None else None
    if referrer is not None and not (referrer.is_active and has_capability(referrer, Capability.ATTEND_MEETINGS)):
        referrer = None
    invitations = []
    for agency in agencies:
        team = default_team_for(agency=agency, council=council, subjects=subjects, contact=contact)
        if team is None:
            continue
        if referrer is not None and team.members.filter(pk=referrer.pk).exists():
            # The referrer works in this agency's team: they are its invitee, by name.
            invitations.append(InvitationInput(agency=agency, invitee=referrer, required=True))
            referrer = None
        else:
            invitations.append(InvitationInput(agency=agency, team=team, required=True))
    if kind == MeetingKind.STRATEGY_DISCUSSION and referrer is not None:
        invitations.append(InvitationInput(agency=Agency.REFERRER, invitee=referrer, required=True))
    return invitations


UNNAMED_PARENT = "A parent or carer"


def parents_to_invite(subjects: Sequence[Person], *, by: User) -> list[InvitationInput]:
    """The children's current parents and carers, invited by name to a conference (they
    attend without a SafeHub account; the convenor sends their letter). A parent whose record
    the convenor may not open is invited without a name, for the convenor to complete."""
    today = timezone.localdate()
    relationships = (
        Relationship.objects.current_on(today)
        .filter(related_to__in=subjects, kind__in=PARENTAL_KINDS)
        .select_related("person")
        .order_by("person_id")
    )
    parents = {r.person_id: r.person for r in relationships}
    # An unborn child's mother is on the unborn child's record.
    for subject in subjects:
        if subject.kind == PersonKind.UNBORN and subject.mother is not None:
            parents.setdefault(subject.mother.pk, subject.mother)
    visible = set(policy.visible_persons(by).filter(pk__in=list(parents)).values_list("pk", flat=True))
    return [
        InvitationInput(agency=Agency.FAMILY, external_name=p.full_name if p.pk in visible else UNNAMED_PARENT)
        for p in parents.values()
    ]


def _organisation_of(invitation: InvitationInput) -> Organisation | None:
    if invitation.invitee is not None:
        return invitation.invitee.organisation
    if invitation.team is not None:
        return invitation.team.organisation
    return None


def recipients_of(invitation: Invitation) -> list[User]:
    """Who receives an invitation: the named person, else every member of the invited team
    who may attend meetings. Parents and external referrers receive nothing from SafeHub."""
    if invitation.invitee_id is not None:
        assert invitation.invitee is not None
        return [invitation.invitee] if invitation.invitee.is_active else []
    if invitation.team_id is None:
        return []
    assert invitation.team is not None
    members = invitation.team.members.filter(is_active=True).order_by("pk")
    return [member for member in members if has_capability(member, Capability.ATTEND_MEETINGS)]


# Sending ------------------------------------------------------------------------------------


def _send(invitation: Invitation, *, kind: str, cancel: bool = False, to: Sequence[User] | None = None) -> None:
    """Tell the invitation's recipients, in the inbox and by email with the calendar object.
    A team with no one in SafeHub to receive it is sent it at its shared mailbox; an agency's
    invitation that reaches nobody at all is escalated at once (`_escalate_unreached`)."""
    meeting = invitation.meeting
    people = list(to) if to is not None else recipients_of(invitation)
    for user in people:
        channels = [Channel.INBOX] + ([Channel.EMAIL] if user.email else [])
        notify(
            key=f"{kind}:invitation-{invitation.pk}:user-{user.pk}:seq-{meeting.sequence}",
            recipient=user,
            kind=kind,
            reference=meeting.reference,
            link=_link(meeting),
            channels=channels,
            calendar=build_invitation(meeting=meeting, attendee_email=user.email, cancel=cancel) if user.email else "",
        )
    team = invitation.team if invitation.invitee_id is None else None
    mailbox = team if to is None and not people and team is not None and team.email else None
    if mailbox is not None:
        notify(
            key=f"{kind}:invitation-{invitation.pk}:team-{mailbox.pk}:seq-{meeting.sequence}",
            mailbox=mailbox,
            kind=kind,
            reference=meeting.reference,
            link=_link(meeting),
            channels=[Channel.EMAIL],
            calendar=build_invitation(meeting=meeting, attendee_email=mailbox.email, cancel=cancel, in_safehub=False),
            reply_to=_reply_address(meeting),
        )
    invitation.sequence_sent = meeting.sequence
    changed = ["sequence_sent"]
    if to is None and not cancel:
        invitation.reached_people = len(people)
        invitation.reached_mailbox = mailbox.email if mailbox is not None else ""
        changed += ["reached_people", "reached_mailbox"]
    invitation.save(update_fields=changed)
    if to is None and not cancel and invitation.reached_nobody:
        _escalate_unreached(invitation)


def _reply_address(meeting: Meeting) -> str:
    """Where a team without SafeHub users replies: the convening team's shared mailbox."""
    return meeting.team.email if meeting.team_id is not None and meeting.team is not None else ""


def _escalate_unreached(invitation: Invitation) -> None:
    """An agency's invitation reached no one (no SafeHub user and no shared mailbox): the
    organisers are told at once, and for a required agency its managers and the hub's too,
    so someone phones the agency long before the meeting."""
    meeting = invitation.meeting
    organisers = [u for u in (meeting.chair, meeting.convened_by) if u is not None and u.is_active]
    managers = escalation_recipients(invitation) if invitation.required else []
    recipients = list({user.pk: user for user in organisers + managers}.values())
    for user in recipients:
        notify(
            key=f"meetings.unreached:invitation-{invitation.pk}:user-{user.pk}",
            recipient=user,
            kind="meetings.unreached",
            reference=meeting.reference,
            link=_link(meeting),
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
        )
    record(
        action="meeting.invitation_unreached",
        target=meeting,
        purpose="an invited agency has no one in SafeHub and no shared mailbox",
        detail={"invitation": invitation.pk, "agency": invitation.agency, "recipients": [u.pk for u in recipients]},
    )


def _tell_organisers(meeting: Meeting, *, kind: str, key: str) -> None:
    organisers = {meeting.chair_id: meeting.chair, meeting.convened_by_id: meeting.convened_by}
    for user in organisers.values():
        if user.is_active:
            notify(
                key=f"{key}:user-{user.pk}",
                recipient=user,
                kind=kind,
                reference=meeting.reference,
                link=_link(meeting),
                channels=(Channel.INBOX,),
            )


def _chronology(meeting: Meeting, *, summary: str, by: User | None, at: datetime.datetime, category: str) -> None:
    organisation = meeting.local_authority
    entries = [
        ChronologyEntry(
            person=person,
            occurred_at=at,
            category=category,
            summary=summary[:300],
            organisation=organisation,
            recorded_by=by,
            visibility=ChronologyVisibility.PARTNERSHIP,
            source_type=SOURCE_TYPE,
            source_id=str(meeting.pk),
        )
        for person in meeting.subjects.all()
    ]
    for entry in entries:
        entry.full_clean()
    ChronologyEntry.objects.bulk_create(entries)


def _give_access(invitation: Invitation, *, by: User) -> None:
    """The invitee (or the invited team) may open the children's records to prepare."""
    holder: dict[str, User | Team] = {}
    if invitation.invitee_id is not None:
        assert invitation.invitee is not None
        holder = {"user": invitation.invitee}
    elif invitation.team_id is not None:
        assert invitation.team is not None
        holder = {"team": invitation.team}
    else:
        return
    meeting = invitation.meeting
    expires_at = meeting.ends_at + ACCESS_AFTER_MEETING
    for person in meeting.subjects.all():
        existing = LegitimateRelationship.objects.active().filter(
            person=person, source=RelationshipSource.MEETING_INVITATION, reason=f"Meeting {meeting.reference}", **holder
        )
        if existing.exists():
            existing.update(expires_at=expires_at)
            continue
        relationship = LegitimateRelationship(
            person=person,
            source=RelationshipSource.MEETING_INVITATION,
            reason=f"Meeting {meeting.reference}",
            expires_at=expires_at,
            created_by=by,
            **holder,
        )
        relationship.full_clean()
        relationship.save()


def _end_access(invitation: Invitation) -> None:
    holder = {"user_id": invitation.invitee_id} if invitation.invitee_id else {"team_id": invitation.team_id}
    if not any(holder.values()):
        return
    LegitimateRelationship.objects.active().filter(
        source=RelationshipSource.MEETING_INVITATION, reason=f"Meeting {invitation.meeting.reference}", **holder
    ).update(revoked_at=timezone.now())


# Video --------------------------------------------------------------------------------------


def _free_room(
    partnership: Partnership, starts_at: datetime.datetime, ends_at: datetime.datetime, meeting: Meeting
) -> VideoRoom | None:
    busy = (
        Meeting.objects.filter(state=MeetingState.SCHEDULED, video_room__isnull=False)
        .filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=meeting.pk)
        .values("video_room_id")
    )
    return (
        VideoRoom.objects.filter(partnership=partnership, is_active=True)
        .exclude(pk__in=busy)
        .order_by("name", "pk")
        .first()
    )


def _arrange_video(meeting: Meeting) -> None:
    """Give the meeting a join link from the partnership's provider: a new room from the link
    template, or a pre-made room free for the whole meeting. Keeps the link it has if it can."""
    if not meeting.needs_video_link:
        meeting.video_link, meeting.video_room = "", None
        return
    partnership = Partnership.current()
    template = partnership.video_link_template.strip() if partnership else ""
    if template:
        if not meeting.video_link or meeting.video_room_id:
            meeting.video_link = template.replace("{room}", secrets.token_hex(8))
            meeting.video_room = None
        return
    if partnership is None:
        raise ValidationError({"format": NO_VIDEO_ROOM})
    # Lock the pool while choosing, so that two meetings arranged at once cannot share a room.
    list(VideoRoom.objects.select_for_update().filter(partnership=partnership).values_list("pk", flat=True))
    if meeting.video_room_id and _free_room(partnership, meeting.starts_at, meeting.ends_at, meeting) is not None:
        room = meeting.video_room
        assert room is not None
        busy = Meeting.objects.filter(
            state=MeetingState.SCHEDULED,
            video_room=room,
            starts_at__lt=meeting.ends_at,
            ends_at__gt=meeting.starts_at,
        ).exclude(pk=meeting.pk)
        if not busy.exists():
            return
    room = _free_room(partnership, meeting.starts_at, meeting.ends_at, meeting)
    if room is None:
        raise ValidationError({"format": NO_VIDEO_ROOM})
    meeting.video_room, meeting.video_link = room, room.join_url


# Convening ----------------------------------------------------------------------------------


def _whole_minutes(moment: datetime.datetime) -> datetime.datetime:
    """Meetings start and end on a minute: calendars show nothing finer."""
    return moment.replace(second=0, microsecond=0)


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ENDS_BEFORE_STARTS})


def _check_late(*, starts_at: datetime.datetime, due_at: datetime.datetime, late_reason: str) -> str:
    if starts_at > due_at:
        if not late_reason.strip():
            raise ValidationError(
                {"late_reason": f"This meeting is due by {_london(due_at)}: record why it cannot be held by then."}
            )
        return late_reason.strip()
    return ""


def _convening_team(*, by: User, contact: Contact | None, previous: Meeting | None, team: Team | None) -> Team:
    if contact is not None:
        return contact.hub_team
    if team is not None:
        if not by.teams.filter(pk=team.pk).exists() or team.organisation.kind != OrganisationKind.LOCAL_AUTHORITY:
            raise ValidationError({"team": TEAM_NOT_IN_COUNCIL})
        return team
    if previous is not None:
        return previous.team
    own = by.teams.filter(organisation__kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk").first()
    if own is None:
        raise ValidationError({"team": TEAM_NOT_IN_COUNCIL})
    return own


def _may_convene(*, by: User, contact: Contact | None, previous: Meeting | None, subjects: Sequence[Person]) -> bool:
    if not has_capability(by, Capability.CONVENE_MEETINGS):
        return False
    if contact is not None:
        return policy.contact_view(by, contact) == policy.ContactView.HUB
    if previous is not None:
        return policy.can(by, "manage", previous)
    return all(policy.can(by, "view", person) for person in subjects)


@transaction.atomic
def convene(
    *,
    kind: str,
    by: User,
    chair: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    format: str,
    venue: str = "",
    subjects: Sequence[Person] = (),
    contact: Contact | None = None,
    previous: Meeting | None = None,
    team: Team | None = None,
    invitations: Sequence[InvitationInput] | None = None,
    late_reason: str = "",
) -> Meeting:
    """Arrange a strategy discussion or conference and invite the agencies it needs.

    From a hub contact decided for a strategy discussion, the children are the contact's and
    the discussion is due 1 working day after the decision; a conference is convened from the
    meeting it follows (`previous`). `invitations=None` invites the rule's agencies."""
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": "Choose what kind of meeting this is."})
    if contact is not None:
        contact = Contact.objects.select_related("hub_team__organisation", "referrer_user").get(pk=contact.pk)
        subjects = list(subjects) or [
            s.person
            for s in contact.subjects.filter(role__in=[SubjectRole.CHILD, SubjectRole.UNBORN], person__isnull=False)
            .select_related("person")
            .order_by("pk")
            if s.person is not None
        ]
    if previous is not None:
        subjects = list(subjects) or list(previous.subjects.order_by("pk"))
    subjects = list(dict.fromkeys(subjects))
    _require(_may_convene(by=by, contact=contact, previous=previous, subjects=subjects), NOT_A_CONVENOR)
    _refuse_second(kind=kind, contact=contact, previous=previous)
    _check_venue(venue, subjects)
    if not subjects:
        raise ValidationError({"subjects": NO_SUBJECTS})
    if (
        kind == MeetingKind.STRATEGY_DISCUSSION
        and contact is not None
        and (contact.state != ContactState.DECIDED or contact.decision != Decision.STRATEGY_DISCUSSION)
    ):
        raise ValidationError("This contact was not decided for a strategy discussion.")
    if previous is not None and previous.enquiry_outcome in WITHOUT_CONFERENCE and kind in CONFERENCE_KINDS:
        raise ValidationError(
            {
                "previous": "The section 47 enquiry ended without a conference: "
                f"{previous.get_enquiry_outcome_display().lower()}."
            }
        )
    if previous is not None and previous.kind not in FOLLOWS[MeetingKind(kind)]:
        raise ValidationError({"previous": _NEEDS_PREVIOUS.get(MeetingKind(kind), "This meeting follows no other.")})
    if (
        kind == MeetingKind.CORE_GROUP
        and previous is not None
        and previous.kind == MeetingKind.CORE_GROUP
        and not ChildProtectionPlan.objects.filter(person__in=subjects, ended_on__isnull=True).exists()
    ):
        raise ValidationError({"previous": PLAN_ENDED})
    if not has_capability(chair, Capability.CHAIR_MEETINGS):
        raise ValidationError({"chair": NOT_A_CHAIR})
    if format not in MeetingFormat.values:
        raise ValidationError({"format": "Choose in person, by video, or hybrid."})
    starts_at, ends_at = _whole_minutes(starts_at), _whole_minutes(ends_at)
    _check_times(starts_at, ends_at)
    now = timezone.now()
    holding_team = _convening_team(by=by, contact=contact, previous=previous, team=team)
    due_at = due_for(kind=kind, contact=contact, previous=previous, subjects=subjects, now=now)
    meeting = Meeting(
        kind=kind,
        local_authority=holding_team.organisation,
        team=holding_team,
        contact=contact if contact is not None else (previous.contact if previous is not None else None),
        previous=previous,
        convened_by=by,
        convened_at=now,
        chair=chair,
        due_at=due_at,
        starts_at=starts_at,
        ends_at=ends_at,
        format=format,
        venue=venue.strip(),
        late_reason=_check_late(starts_at=starts_at, due_at=due_at, late_reason=late_reason),
    )
    _arrange_video(meeting)
    meeting.reference = "pending"
    meeting.full_clean(exclude=["reference"])
    year = meeting.convened_at.astimezone(LONDON).year
    save_with_next_reference(
        meeting, prefix=f"{REFERENCE_PREFIXES[MeetingKind(meeting.kind)]}-{year}-", what="a meeting"
    )
    if previous is not None and kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}:
        # The enquiry has led to a conference.
        Meeting.objects.filter(pk=previous.pk, enquiry_outcome="").update(
            enquiry_outcome=EnquiryOutcome.CONFERENCE, enquiry_concluded_at=now, enquiry_concluded_by=by
        )
    meeting.subjects.set(subjects)
    if invitations is None:
        invitations = default_invitations(
            kind=kind, council=holding_team.organisation, subjects=subjects, contact=meeting.contact
        )
        if kind in CONFERENCE_KINDS:
            invitations = [*invitations, *parents_to_invite(subjects, by=by)]
    _check_quorum_invited(invitations)
    for invitation in invitations:
        _add_invitation(meeting, invitation, by=by, now=now)
    record(
        action="meeting.convened",
        actor=by,
        target=meeting,
        purpose=meeting.get_kind_display().lower(),
        detail={
            "kind": kind,
            "due_at": due_at.isoformat(),
            "starts_at": starts_at.isoformat(),
            "format": format,
            "contact": contact.reference if contact else "",
            "previous": previous.reference if previous else "",
            "late": bool(meeting.late_reason),
        },
    )
    _chronology(
        meeting,
        summary=f"{meeting.title} arranged for {_london(starts_at)} (due by {_london(due_at)}).",
        by=by,
        at=now,
        category="meeting",
    )
    return meeting


def _refuse_second(*, kind: str, contact: Contact | None, previous: Meeting | None) -> None:
    """One strategy discussion per hub contact, and one meeting of each kind after another
    (a double-submitted form or a retried call must not send every invitation twice). The row
    it follows is locked, so two arranged at once cannot both pass."""
    existing = Meeting.objects.exclude(state=MeetingState.CANCELLED)
    if kind == MeetingKind.STRATEGY_DISCUSSION and contact is not None:
        Contact.objects.select_for_update().filter(pk=contact.pk).exists()
        existing = existing.filter(kind=kind, contact=contact, previous__isnull=True)
    elif previous is not None:
        Meeting.objects.select_for_update().filter(pk=previous.pk).exists()
        kinds = (
            [MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE]
            if kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
            else [kind]
        )
        existing = existing.filter(kind__in=kinds, previous=previous)
    else:
        return
    earlier = existing.order_by("pk").first()
    if earlier is not None:
        raise ValidationError(
            ALREADY_ARRANGED.format(kind=MeetingKind(kind).label.lower(), reference=earlier.reference)
        )


VENUE_IS_AN_ADDRESS = (
    "Enter a room or building, not the family's address: calendar invitations travel beyond "
    "SafeHub. For a meeting at the family's home, enter \"Family home\"; the address is on the child's record."
)


def _check_venue(venue: str, subjects: Sequence[Person]) -> None:
    """The venue goes into every calendar invitation: it must not be where a child lives."""
    text = " ".join(venue.lower().split())
    if not text:
        return
    compact = text.replace(" ", "")
    homes = PersonAddress.objects.current_on(timezone.localdate()).filter(person__in=subjects).select_related("address")
    for home in homes:
        postcode = home.address.postcode.replace(" ", "").lower()
        line_1 = " ".join(home.address.line_1.lower().split())
        if (postcode and postcode in compact) or (line_1 and line_1 in text):
            raise ValidationError({"venue": VENUE_IS_AN_ADDRESS})


def _check_quorum_invited(invitations: Sequence[InvitationInput]) -> None:
    invited = {i.agency for i in invitations}
    missing = [Agency(a).label.lower() for a in QUORUM_AGENCIES if a not in invited]
    if missing:
        raise ValidationError({"invitations": f"Invite {', '.join(missing)}: the meeting cannot decide without them."})


def _add_invitation(
    meeting: Meeting,
    given: InvitationInput,
    *,
    by: User,
    now: datetime.datetime,
    deputy_for: Invitation | None = None,
) -> Invitation:
    if given.agency not in Agency.values:
        raise ValidationError({"agency": "Choose the agency you are inviting."})
    if given.invitee is not None:
        if not given.invitee.is_active or not has_capability(given.invitee, Capability.ATTEND_MEETINGS):
            raise ValidationError({"invitee": "Invite someone whose SafeHub account can attend meetings."})
        duplicate = meeting.invitations.exclude(response=ResponseState.WITHDRAWN).filter(invitee=given.invitee)
        if duplicate.exists():
            raise ValidationError({"invitee": SAME_PERSON_TWICE})
    invitation = Invitation(
        meeting=meeting,
        agency=given.agency,
        organisation=_organisation_of(given),
        invitee=given.invitee,
        team=given.team if given.invitee is None else None,
        external_name=given.external_name.strip(),
        required=given.required,
        invited_at=now,
        invited_by=by,
        deputy_for=deputy_for,
    )
    invitation.full_clean()
    invitation.save()
    _give_access(invitation, by=by)
    _send(invitation, kind="meetings.invitation")
    return invitation


@transaction.atomic
def invite(*, meeting: Meeting, invitation: InvitationInput, by: User) -> Invitation:
    """Invite one more agency or person to a scheduled meeting."""
    _require(policy.can(by, "manage", meeting), NOT_YOUR_MEETING)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    added = _add_invitation(meeting, invitation, by=by, now=timezone.now())
    record(
        action="meeting.invited",
        actor=by,
        target=meeting,
        detail={"invitation": added.pk, "agency": added.agency, "required": added.required},
    )
    return added


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Take back an invitation: its recipients' calendars are told the meeting is cancelled for them."""
    meeting = invitation.meeting
    _require(policy.can(by, "manage", meeting), NOT_YOUR_MEETING)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if invitation.response == ResponseState.WITHDRAWN:
        return invitation
    remaining = meeting.invitations.exclude(pk=invitation.pk).exclude(response=ResponseState.WITHDRAWN)
    if invitation.agency in QUORUM_AGENCIES and not remaining.filter(agency=invitation.agency).exists():
        raise ValidationError(
            f"{invitation.get_agency_display()} must be invited: invite someone else for it before withdrawing this."
        )
    _send(invitation, kind="meetings.withdrawn", cancel=True)
    invitation.response = ResponseState.WITHDRAWN
    invitation.save(update_fields=["response"])
    _end_access(invitation)
    record(action="meeting.invitation_withdrawn", actor=by, target=meeting, detail={"invitation": invitation.pk})
    return invitation


# Responding ---------------------------------------------------------------------------------


@transaction.atomic
def respond(
    *,
    invitation: Invitation,
    by: User,
    accept: bool,
    mode: str = "",
    decline_reason: str = "",
    deputy_name: str = "",
    deputy: User | None = None,
) -> Invitation:
    """Accept (saying how you will attend) or decline (with the reason and who will come
    instead). Accepting a team's invitation makes it yours; your colleagues' calendars are
    cleared. A deputy with a SafeHub account is sent an invitation of their own."""
    _require(policy.can(by, "respond", invitation), NOT_YOUR_INVITATION)
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("meeting", "team").get(pk=invitation.pk)
    )
    meeting = invitation.meeting
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if invitation.response == ResponseState.WITHDRAWN:
        raise PermissionDenied(NOT_YOUR_INVITATION)
    if invitation.invitee_id not in (None, by.pk):
        raise PermissionDenied(TAKEN_BY_A_COLLEAGUE)
    now = timezone.now()
    if accept:
        if mode not in AttendanceMode.values:
            raise ValidationError({"response_mode": "Say how you will attend: in person, by video or by phone."})
        if mode == AttendanceMode.VIDEO and not meeting.needs_video_link:
            raise ValidationError(
                {"response_mode": "This meeting is in person only. Ask the convenor to make it hybrid."}
            )
        colleagues = [u for u in recipients_of(invitation) if u.pk != by.pk] if invitation.invitee_id is None else []
        invitation.invitee = by
        invitation.response, invitation.response_mode = ResponseState.ACCEPTED, mode
        invitation.decline_reason = invitation.deputy_name = ""
    else:
        if deputy is not None:
            if deputy.pk == by.pk:
                raise ValidationError({"deputy": "Name someone other than yourself to attend instead."})
            if deputy.organisation_id != by.organisation_id:
                raise ValidationError({"deputy": "Your deputy must be from your own agency."})
            deputy_name = deputy_name or str(deputy)
        colleagues = []
        invitation.response, invitation.response_mode = ResponseState.DECLINED, ""
        invitation.decline_reason, invitation.deputy_name = decline_reason.strip(), deputy_name.strip()
    invitation.responded_at, invitation.responded_by, invitation.reply_recorded = now, by, False
    invitation.full_clean()
    invitation.save()
    if colleagues:
        # A colleague has taken the team's invitation: the rest of the team is stood down.
        _send(invitation, kind="meetings.withdrawn", cancel=True, to=colleagues)
    record(
        action="meeting.invitation_accepted" if accept else "meeting.invitation_declined",
        actor=by,
        target=meeting,
        detail={"invitation": invitation.pk, "agency": invitation.agency, "mode": mode, "deputy": deputy is not None},
    )
    if not accept:
        _tell_organisers(
            meeting, kind="meetings.declined", key=f"meetings.declined:invitation-{invitation.pk}:{now:%Y%m%d%H%M%S}"
        )
        if deputy is not None:
            _add_invitation(
                meeting,
                InvitationInput(agency=invitation.agency, invitee=deputy, required=invitation.required),
                by=by,
                now=now,
                deputy_for=invitation,
            )
    return invitation


def answers_outside_safehub(invitation: Invitation) -> bool:
    """Nobody in SafeHub can answer this invitation (a parent, a team reached only at its
    mailbox or not at all), so the organisers record the reply they were given."""
    return invitation.response != ResponseState.WITHDRAWN and (
        bool(invitation.external_name) or (invitation.invitee_id is None and not recipients_of(invitation))
    )


@transaction.atomic
def record_reply(
    *,
    invitation: Invitation,
    by: User,
    accept: bool,
    mode: str = "",
    decline_reason: str = "",
    deputy_name: str = "",
) -> Invitation:
    """An organiser records the answer an agency or parent without SafeHub gave (by email or
    phone): accepted and how, or declined with the reason and who will come instead. It
    settles the agency as a SafeHub answer would, and the audit says who recorded it."""
    meeting = invitation.meeting
    _require(policy.can(by, "manage", meeting), NOT_YOUR_MEETING)
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("meeting", "team").get(pk=invitation.pk)
    )
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if not answers_outside_safehub(invitation):
        raise ValidationError(ANSWERED_IN_SAFEHUB)
    if accept:
        if mode not in AttendanceMode.values:
            raise ValidationError({"response_mode": "Say how they will attend: in person, by video or by phone."})
        if mode == AttendanceMode.VIDEO and not meeting.needs_video_link:
            raise ValidationError({"response_mode": "This meeting is in person only. Make it hybrid first."})
        invitation.response, invitation.response_mode = ResponseState.ACCEPTED, mode
        invitation.decline_reason = invitation.deputy_name = ""
    else:
        invitation.response, invitation.response_mode = ResponseState.DECLINED, ""
        invitation.decline_reason, invitation.deputy_name = decline_reason.strip(), deputy_name.strip()
    invitation.responded_at, invitation.responded_by, invitation.reply_recorded = timezone.now(), by, True
    invitation.full_clean()
    invitation.save()
    record(
        action="meeting.invitation_reply_recorded",
        actor=by,
        target=meeting,
        detail={"invitation": invitation.pk, "agency": invitation.agency, "accepted": accept, "mode": mode},
    )
    return invitation


# Changing and cancelling ---------------------------------------------------------------------


def _active_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    return meeting.invitations.exclude(response=ResponseState.WITHDRAWN).select_related("invitee", "team", "meeting")


@transaction.atomic
def reschedule(
    *,
    meeting: Meeting,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    format: str,
    venue: str = "",
    late_reason: str = "",
) -> Meeting:
    """Change when, where or how the meeting is held. Every invitee's calendar is updated (a
    higher SEQUENCE); a new time asks everyone who had accepted to accept again."""
    _require(policy.can(by, "manage", meeting), NOT_YOUR_MEETING)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if format not in MeetingFormat.values:
        raise ValidationError({"format": "Choose in person, by video, or hybrid."})
    starts_at, ends_at = _whole_minutes(starts_at), _whole_minutes(ends_at)
    _check_times(starts_at, ends_at)
    _check_venue(venue, list(meeting.subjects.all()))
    time_changed = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    before = {"starts_at": meeting.starts_at.isoformat(), "format": meeting.format}
    meeting.starts_at, meeting.ends_at, meeting.format, meeting.venue = starts_at, ends_at, format, venue.strip()
    meeting.late_reason = _check_late(
        starts_at=starts_at, due_at=meeting.due_at, late_reason=late_reason or meeting.late_reason
    )
    _arrange_video(meeting)
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    for invitation in _active_invitations(meeting):
        if time_changed and invitation.response == ResponseState.ACCEPTED:
            invitation.response, invitation.responded_at, invitation.escalated_at = ResponseState.PENDING, None, None
            invitation.save(update_fields=["response", "responded_at", "escalated_at"])
        if invitation.invitee_id or invitation.team_id:
            _give_access(invitation, by=by)
        _send(invitation, kind="meetings.updated")
    record(
        action="meeting.rescheduled",
        actor=by,
        target=meeting,
        detail={"before": before, "starts_at": starts_at.isoformat(), "format": format, "sequence": meeting.sequence},
    )
    return meeting


@transaction.atomic
def cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Cancel the meeting: every invitee's calendar entry is cancelled (METHOD:CANCEL)."""
    _require(policy.can(by, "manage", meeting), NOT_YOUR_MEETING)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if not reason.strip():
        raise ValidationError({"cancelled_reason": "Record why the meeting is cancelled."})
    meeting.state = MeetingState.CANCELLED
    meeting.cancelled_at, meeting.cancelled_reason = timezone.now(), reason.strip()
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    for invitation in _active_invitations(meeting):
        _send(invitation, kind="meetings.cancelled", cancel=True)
    record(action="meeting.cancelled", actor=by, target=meeting, detail={"sequence": meeting.sequence})
    _chronology(meeting, summary=f"{meeting.title} cancelled.", by=by, at=meeting.cancelled_at, category="meeting")
    return meeting


# Escalation ---------------------------------------------------------------------------------


def unsettled_required_agencies(meeting: Meeting) -> list[str]:
    """Required agencies none of whose invitations is accepted (or declined for a deputy who has
    accepted)."""
    unsettled: dict[str, bool] = {}
    for invitation in meeting.invitations.exclude(response=ResponseState.WITHDRAWN).prefetch_related("deputies"):
        settled = invitation.is_settled
        if invitation.required or invitation.agency in unsettled:
            unsettled[invitation.agency] = unsettled.get(invitation.agency, False) or settled
    return [agency for agency, settled in unsettled.items() if not settled]


def escalation_recipients(invitation: Invitation) -> list[User]:
    """The invited agency's managers (team managers and police supervisors: its team's own,
    else its organisation's), and the convening council's team managers."""
    managers = User.objects.filter(is_active=True, role_assignments__role__in=AGENCY_MANAGER_ROLES)
    recipients: list[User] = []
    if invitation.team_id is not None:
        recipients += list(managers.filter(teams=invitation.team_id).distinct())
    if not recipients and invitation.organisation_id is not None:
        recipients += list(managers.filter(organisation_id=invitation.organisation_id).distinct())
    meeting = invitation.meeting
    hub = list(managers.filter(role_assignments__role=Role.TEAM_MANAGER, teams=meeting.team_id).distinct()) or list(
        managers.filter(role_assignments__role=Role.TEAM_MANAGER, organisation_id=meeting.local_authority_id).distinct()
    )
    return list({user.pk: user for user in recipients + hub}.values())


def escalate_unanswered(*, now: datetime.datetime | None = None) -> int:
    """Alert the managers of each required agency that has not accepted by the set time before
    its meeting (2 hours by default), once per invitation: unanswered, a deputy's invitation
    not accepted, or a decline naming a deputy with no SafeHub account (who cannot accept).
    Running it again changes nothing."""
    now = now or timezone.now()
    # Meetings starting within the escalation time (2 hours by default) from now.
    window_end = now + datetime.timedelta(hours=timescale_value("invitation_escalation"))
    # Unanswered, or declined for a deputy who has no SafeHub account and so cannot accept.
    unconfirmed = Q(response=ResponseState.PENDING) | Q(response=ResponseState.DECLINED, deputies__isnull=True)
    candidates = Invitation.objects.filter(
        unconfirmed,
        required=True,
        escalated_at__isnull=True,
        meeting__state=MeetingState.SCHEDULED,
        meeting__starts_at__lte=window_end,
        meeting__ends_at__gt=now,
    )
    escalated = 0
    for pk in candidates.values_list("pk", flat=True).distinct():
        escalated += _escalate(pk, now)
    return escalated


@transaction.atomic
def _escalate(pk: int, now: datetime.datetime) -> int:
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting", "team").get(pk=pk)
    if invitation.response == ResponseState.ACCEPTED or invitation.escalated_at is not None:
        return 0
    meeting = invitation.meeting
    if invitation.agency not in unsettled_required_agencies(meeting):
        return 0
    recipients = escalation_recipients(invitation)
    for user in recipients:
        notify(
            key=f"meetings.unanswered:invitation-{invitation.pk}:user-{user.pk}:seq-{meeting.sequence}",
            recipient=user,
            kind="meetings.unanswered",
            reference=meeting.reference,
            link=_link(meeting),
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
        )
    invitation.escalated_at = now
    invitation.save(update_fields=["escalated_at"])
    record(
        action="meeting.invitation_escalated",
        target=meeting,
        purpose="required agency has not accepted",
        detail={"invitation": invitation.pk, "agency": invitation.agency, "recipients": [u.pk for u in recipients]},
    )
    return 1
