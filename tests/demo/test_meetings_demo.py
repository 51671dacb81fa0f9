"""The demo's year of strategy discussions and conferences: what the meetings services would
write, with the attendance gaps the inspectorate found, and today's meetings for the demo users."""

import datetime
import hashlib
import re
from collections import defaultdict

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from safehub.demo import seed as demo
from safehub.hub.measures import default_period
from safehub.hub.models import Contact, ContactState, Decision, SubjectRole
from safehub.meetings import due_dates, measures, selectors
from safehub.meetings.models import (
    PRESENT_STATUSES,
    REMOTE_STATUSES,
    SECTION_47_OUTCOMES,
    Agency,
    Attendance,
    ChildProtectionPlan,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    ResponseState,
    StrategyOutcome,
    VideoRoom,
)
from safehub.meetings.services.recording import quorum_gaps
from safehub.notifications.models import Notification
from safehub.partnership.models import Organisation, OrganisationKind, Partnership, User
from safehub.timescales.calendar import LONDON, working_days_between

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
PREFIXES = {
    MeetingKind.STRATEGY_DISCUSSION: "SD",
    MeetingKind.INITIAL_CONFERENCE: "CP",
    MeetingKind.PRE_BIRTH_CONFERENCE: "CP",
    MeetingKind.REVIEW_CONFERENCE: "CP",
    MeetingKind.CORE_GROUP: "CG",
}

pytestmark = pytest.mark.django_db


def _digest() -> str:
    hasher = hashlib.sha256()
    for row in Meeting.objects.order_by("reference").values_list(
        "reference", "kind", "state", "starts_at", "format", "outcome", "plan_decision", "plan_category"
    ):
        hasher.update(repr(row).encode())
    for row in Invitation.objects.order_by("meeting__reference", "pk").values_list(
        "agency", "response", "escalated_at", "attendance__status", "attendance__able_to_decide"
    ):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


# First in the file, before the module's demo is loaded: it needs an empty database.
@override_settings(SAFEHUB_DEMO_MODE=True)
def test_the_same_seed_on_the_same_day_gives_the_same_meetings(time_machine):
    time_machine.move_to(TODAY, tick=False)
    digests = []
    for _ in range(2):
        with transaction.atomic():
            demo.seed_demo(size="small", seed=11, children=600)
            assert Meeting.objects.exists()
            digests.append(_digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo, seeded once for this module's tests and rolled back after them."""
    with (
        django_db_blocker.unblock(),
        override_settings(SAFEHUB_DEMO_MODE=True),
        time_machine.travel(TODAY, tick=False),
        transaction.atomic(),
    ):
        demo.seed_demo(size="small", seed=2026)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def users(seeded):
    return {user.username: user for user in User.objects.all()}


def _first_council() -> Organisation:
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk").first()


def _today(meeting: Meeting) -> bool:
    return meeting.starts_at.astimezone(LONDON).date() == TODAY.date()


def test_every_strategy_discussion_the_first_councils_hub_decided_on_is_held_about_the_contacts_children(seeded):
    decided = Contact.objects.filter(
        hub_team__organisation=_first_council(),
        state=ContactState.DECIDED,
        decision=Decision.STRATEGY_DISCUSSION,
        decided_at__lt=TODAY - datetime.timedelta(hours=2),
    )
    assert decided.count() >= 10
    for contact in decided:
        discussion = Meeting.objects.get(contact=contact, kind=MeetingKind.STRATEGY_DISCUSSION)
        children = contact.subjects.filter(role__in=[SubjectRole.CHILD, SubjectRole.UNBORN]).exclude(person=None)
        assert set(discussion.subjects.values_list("pk", flat=True)) == set(
            children.values_list("person_id", flat=True)
        )
        assert discussion.convened_at > contact.decided_at


def test_references_are_well_formed_unique_and_numbered_in_convening_order_each_year(seeded):
    numbers: dict[str, list[int]] = defaultdict(list)
    for reference, kind, convened_at in Meeting.objects.order_by("convened_at", "reference").values_list(
        "reference", "kind", "convened_at"
    ):
        assert re.fullmatch(r"(SD|CP|CG)-\d{4}-\d{5}", reference)
        prefix, year, number = reference.split("-")
        assert prefix == PREFIXES[kind]
        assert int(year) == convened_at.astimezone(LONDON).year
        numbers[f"{prefix}-{year}"].append(int(number))
    assert {"SD-2025", "SD-2026", "CP-2026", "CG-2026"} <= set(numbers)
    for serials in numbers.values():
        assert serials == list(range(1, len(serials) + 1))


def test_due_times_follow_the_meetings_due_date_rules_and_only_late_meetings_say_why(seeded):
    meetings = Meeting.objects.select_related("contact", "previous").prefetch_related("subjects")
    for meeting in meetings:
        previous = meeting.previous
        match meeting.kind:
            case MeetingKind.STRATEGY_DISCUSSION:
                decided = meeting.contact.decided_at if meeting.contact else meeting.convened_at
                expected = due_dates.strategy_discussion_due(decided)
            case MeetingKind.INITIAL_CONFERENCE:
                expected = due_dates.initial_conference_due(previous.starts_at)
            case MeetingKind.PRE_BIRTH_CONFERENCE:
                expected = due_dates.pre_birth_conference_due(min(p.expected_due_date for p in meeting.subjects.all()))
            case MeetingKind.REVIEW_CONFERENCE:
                first = previous.kind != MeetingKind.REVIEW_CONFERENCE
                expected = due_dates.review_conference_due(previous.starts_at, first=first)
            case _:
                # The first core group after the conference, then the next after each.
                first = previous.kind != MeetingKind.CORE_GROUP
                expected = due_dates.core_group_due(previous.starts_at, first=first)
        assert meeting.due_at == expected, meeting.reference
        assert bool(meeting.late_reason) == (meeting.starts_at > meeting.due_at), meeting.reference
    late = meetings.filter(state=MeetingState.HELD).exclude(late_reason="").count()
    assert 0 < late < meetings.filter(state=MeetingState.HELD).count() / 4


def test_an_initial_conference_is_due_fifteen_working_days_after_its_strategy_discussion(seeded):
    conference = Meeting.objects.filter(kind=MeetingKind.INITIAL_CONFERENCE).select_related("previous").first()
    start = conference.previous.starts_at.astimezone(LONDON).date()
    assert working_days_between(start, conference.due_at.astimezone(LONDON).date()) == 15


def test_strategy_discussions_end_in_every_outcome_and_about_half_the_section_47_enquiries_reach_a_conference(seeded):
    held = Meeting.objects.filter(kind=MeetingKind.STRATEGY_DISCUSSION, state=MeetingState.HELD)
    outcomes = set(held.values_list("outcome", flat=True))
    assert outcomes == set(StrategyOutcome.values)
    section_47 = held.filter(outcome__in=SECTION_47_OUTCOMES)
    assert 0.4 < section_47.count() / held.count() < 0.7
    joint = section_47.filter(outcome=StrategyOutcome.SECTION_47_JOINT).count()
    assert joint > section_47.count() - joint
    conferences = Meeting.objects.filter(
        kind__in=[MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE], previous__in=section_47
    )
    assert 0.3 < conferences.count() / section_47.count() < 0.9


def test_police_come_to_far_fewer_pre_birth_conferences_than_strategy_discussions_on_the_attendance_page(seeded):
    figures = measures.meeting_figures(default_period(TODAY.date()))
    strategy = figures.group(MeetingKind.STRATEGY_DISCUSSION).of(Agency.POLICE).total
    pre_birth = figures.group(MeetingKind.PRE_BIRTH_CONFERENCE).of(Agency.POLICE).total
    social_care = figures.group(MeetingKind.STRATEGY_DISCUSSION).of(Agency.SOCIAL_CARE).total
    assert pre_birth.held >= 3
    assert pre_birth.attended / pre_birth.held < strategy.attended / strategy.held - 0.2
    assert strategy.attended < social_care.attended


def _shares_by_half(agency: str | None, statuses: frozenset[str], kind: str | None = None) -> tuple[float, float]:
    """The share of attendances in `statuses` in the first and second halves of the year."""
    middle = TODAY - datetime.timedelta(days=182)
    halves = [[0, 0], [0, 0]]
    attendance = Attendance.objects.select_related("invitation__meeting")
    if agency:
        attendance = attendance.filter(invitation__agency=agency)
    if kind:
        attendance = attendance.filter(invitation__meeting__kind=kind)
    for row in attendance:
        half = halves[row.invitation.meeting.starts_at >= middle]
        half[0] += row.status in statuses
        half[1] += 1
    return halves[0][0] / halves[0][1], halves[1][0] / halves[1][1]


def test_police_attendance_at_strategy_discussions_improves_over_the_year(seeded):
    before, after = _shares_by_half(Agency.POLICE, PRESENT_STATUSES, MeetingKind.STRATEGY_DISCUSSION)
    assert before < after


def test_more_people_join_remotely_as_the_year_goes_on(seeded):
    present = Attendance.objects.filter(status__in=PRESENT_STATUSES)
    assert present.filter(status__in=REMOTE_STATUSES).exists()
    middle = TODAY - datetime.timedelta(days=182)
    shares = []
    for window in (
        present.filter(invitation__meeting__starts_at__lt=middle),
        present.exclude(invitation__meeting__starts_at__lt=middle),
    ):
        shares.append(window.filter(status__in=REMOTE_STATUSES).count() / window.count())
    assert shares[0] < shares[1]


def test_every_attendance_belongs_to_a_held_meeting_and_every_held_meeting_records_everyone(seeded):
    assert not Attendance.objects.exclude(invitation__meeting__state=MeetingState.HELD).exists()
    for meeting in Meeting.objects.filter(state=MeetingState.HELD):
        assert not meeting.invitations.exclude(response=ResponseState.WITHDRAWN).filter(attendance=None).exists()
        assert meeting.held_at >= meeting.ends_at
        assert meeting.held_at <= TODAY


def test_a_decision_without_quorum_always_gives_the_managers_reason(seeded):
    decided = Meeting.objects.filter(state=MeetingState.HELD).exclude(kind=MeetingKind.CORE_GROUP)
    not_quorate = 0
    for meeting in decided:
        assert meeting.quorate == (quorum_gaps(meeting) == [])
        needs_quorum = meeting.outcome != StrategyOutcome.FURTHER_INFORMATION
        if not meeting.quorate and needs_quorum:
            not_quorate += 1
            assert meeting.quorum_override_reason
            assert meeting.quorum_overridden_by == meeting.chair
        else:
            assert not meeting.quorum_override_reason
    assert not_quorate > 0
    unable = Attendance.objects.filter(status__in=PRESENT_STATUSES, able_to_decide=False)
    assert unable.exists()


def test_answers_agree_with_attendance_and_unanswered_required_invitations_were_escalated(seeded):
    past = Invitation.objects.filter(meeting__state=MeetingState.HELD).select_related("attendance", "meeting")
    for invitation in past:
        if invitation.response == ResponseState.DECLINED:
            assert invitation.decline_reason
            assert invitation.deputy_name
            assert invitation.attendance.status not in {"in_person", "video", "phone"}
        if invitation.attendance.status == "deputy":
            assert invitation.attendance.attendee_name
        if invitation.response == ResponseState.ACCEPTED:
            # Accepted in SafeHub by the invitee, or recorded by the convenor for a team with
            # no one in SafeHub (reached at its mailbox).
            assert invitation.invitee is not None or (invitation.reply_recorded and invitation.reached_mailbox)
            assert invitation.response_mode
        if invitation.required and invitation.response == ResponseState.PENDING:
            assert invitation.escalated_at is not None
            assert invitation.escalated_at < invitation.meeting.ends_at
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert {"deputy", "apologies", "did_not_attend", "in_person", "video", "phone"} <= statuses


def test_conferences_that_decide_on_a_plan_start_one_for_each_child_and_reviews_continue_or_end_it(seeded):
    with_plan = Meeting.objects.filter(
        kind__in=[MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE], plan_decision=True
    )
    assert with_plan.exists()
    for conference in with_plan:
        plans = ChildProtectionPlan.objects.filter(started_by=conference)
        assert set(plans.values_list("person_id", flat=True)) == set(conference.subjects.values_list("pk", flat=True))
        assert conference.plan_category
        assert conference.plan_review_due == due_dates.review_conference_due(conference.starts_at, first=True).date()
    for review in Meeting.objects.filter(kind=MeetingKind.REVIEW_CONFERENCE, plan_decision=False):
        assert ChildProtectionPlan.objects.filter(ended_by=review).count() == review.subjects.count()
    categories = list(Meeting.objects.filter(plan_decision=True).values_list("plan_category", flat=True))
    assert max(set(categories), key=categories.count) == "neglect"


def test_each_invitation_says_who_it_reached_as_sending_it_would(seeded):
    from safehub.meetings.services.convening import recipients_of

    invitations = Invitation.objects.exclude(external_name__gt="").select_related("team", "invitee")
    mailbox = recorded = 0
    for invitation in invitations.filter(invitee__isnull=True):
        reached = recipients_of(invitation)
        assert invitation.reached_people == len(reached)
        assert invitation.reached_mailbox == ("" if reached else invitation.team.email)
        mailbox += bool(invitation.reached_mailbox)
        recorded += invitation.reply_recorded
        if invitation.reply_recorded:
            assert invitation.responded_by == invitation.meeting.convened_by
            assert invitation.response == ResponseState.ACCEPTED
            assert invitation.attendance.status in PRESENT_STATUSES
    # Some schools have no one in SafeHub: their invitations went to the shared mailbox, and
    # the convenor recorded the replies of those that came.
    assert mailbox > 0
    assert recorded <= mailbox
    assert not any(i.reached_nobody for i in invitations)


def test_core_groups_meet_again_while_the_plan_lasts_and_each_held_one_is_recorded(seeded):
    core_groups = Meeting.objects.filter(kind=MeetingKind.CORE_GROUP).select_related("previous")
    again = [m for m in core_groups if m.previous.kind == MeetingKind.CORE_GROUP]
    assert again, "the core group should meet more than once"
    for meeting in core_groups:
        if meeting.state == MeetingState.HELD:
            assert meeting.minutes
            assert meeting.quorate is not None
        # None after a review that ended the plan.
        ended = ChildProtectionPlan.objects.filter(person__in=meeting.subjects.all(), ended_on__isnull=False)
        for plan in ended:
            assert (
                meeting.starts_at.astimezone(LONDON).date() <= plan.ended_on
                or plan.started_on > meeting.starts_at.date()
            )


def test_every_row_passes_its_model_checks(seeded):
    for meeting in Meeting.objects.all():
        meeting.full_clean(exclude=["reference"])
    for invitation in Invitation.objects.all():
        invitation.full_clean()
    for attendance in Attendance.objects.all():
        attendance.full_clean()


def test_video_meetings_join_by_the_partnerships_template_and_it_keeps_rooms_in_reserve(seeded):
    partnership = Partnership.current()
    assert partnership.video_provider_name == "Riverside Meet"
    prefix = partnership.video_link_template.split("{room}")[0]
    assert VideoRoom.objects.filter(partnership=partnership, is_active=True).count() >= 3
    for meeting in Meeting.objects.all():
        if meeting.format == MeetingFormat.IN_PERSON:
            assert meeting.video_link == ""
        else:
            assert meeting.video_link.startswith(prefix)
    links = list(Meeting.objects.exclude(video_link="").values_list("video_link", flat=True))
    assert len(links) == len(set(links))


def test_today_a_video_discussion_awaits_the_police_officers_answer_and_health_sends_a_deputy(users):
    officer = users["police.officer"]
    (invitation,) = [
        i for i in selectors.invitations_to_answer(user=officer) if i.invitee == officer and _today(i.meeting)
    ]
    meeting = invitation.meeting
    assert meeting.kind == MeetingKind.STRATEGY_DISCUSSION
    assert meeting.format == MeetingFormat.VIDEO
    assert meeting.video_link
    assert invitation.agency == Agency.POLICE
    assert invitation.response == ResponseState.PENDING
    health = meeting.invitations.get(agency=Agency.HEALTH)
    assert health.invitee == users["health.practitioner"]
    assert health.response == ResponseState.DECLINED
    assert health.deputy_name
    assert meeting.invitations.get(agency=Agency.EDUCATION).invitee == users["school.dsl"]
    assert meeting.chair == users["team.manager"]
    assert meeting.convened_by == users["social.worker"]
    inbox = Notification.objects.get(recipient=officer, kind="meetings.invitation", reference=meeting.reference)
    assert inbox.channel == "inbox"
    assert inbox.state == "sent"
    assert inbox.read_at is None
    assert inbox.link == meeting.get_absolute_url()


def test_a_discussion_that_started_this_morning_waits_for_the_team_manager_to_record_it(users):
    (waiting,) = selectors.waiting_for_record(user=users["team.manager"])
    assert waiting.kind == MeetingKind.STRATEGY_DISCUSSION
    assert _today(waiting)
    assert waiting.starts_at <= TODAY
    assert not Attendance.objects.filter(invitation__meeting=waiting).exists()


def test_to_convene_shows_todays_decision_and_the_initial_conference_of_a_recent_joint_enquiry(users):
    due = selectors.meetings_to_convene(user=users["team.manager"])
    (decided_today,) = [d for d in due if d.kind == MeetingKind.STRATEGY_DISCUSSION]
    assert decided_today.contact.decided_at.astimezone(LONDON).date() == TODAY.date()
    assert not decided_today.overdue
    recent = [
        d
        for d in due
        if d.kind == MeetingKind.INITIAL_CONFERENCE
        and d.previous.outcome == StrategyOutcome.SECTION_47_JOINT
        and TODAY - datetime.timedelta(days=7) < d.previous.starts_at
    ]
    assert recent
    assert not recent[0].overdue


def test_an_initial_conference_next_week_and_a_review_conference_are_coming_up(users):
    upcoming = list(selectors.upcoming_meetings(user=users["team.manager"]))
    next_week = TODAY.date().isocalendar().week + 1
    conferences = [
        m
        for m in upcoming
        if m.kind == MeetingKind.INITIAL_CONFERENCE and m.starts_at.astimezone(LONDON).isocalendar().week == next_week
    ]
    assert conferences
    assert any(m.invitations.filter(invitee=users["police.supervisor"], response="pending") for m in conferences)
    assert any(m.kind == MeetingKind.REVIEW_CONFERENCE and m.starts_at > TODAY for m in upcoming)


def test_each_demo_practitioner_has_a_meeting_to_go_to(users):
    for username in ("police.officer", "police.supervisor", "health.practitioner", "school.dsl", "social.worker"):
        assert selectors.upcoming_meetings(user=users[username]).exists(), username
    for username in ("police.officer", "police.supervisor", "school.dsl"):
        assert selectors.invitations_to_answer(user=users[username]).exists(), username
