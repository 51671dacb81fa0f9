"""Meeting attendance: each agency's attendance at held strategy discussions and conferences by
month (remote shown separately, an uninvited agency counted as absent), meetings held on
time, quorum, the meetings behind each figure, and who may see them."""

import datetime
import itertools

import pytest
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.meetings import measures
from safehub.meetings.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    PlanCategory,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services import convening, recording
from safehub.meetings.services.recording import AttendanceInput
from safehub.partnership.roles import Role
from tests.factories import PersonFactory, UserFactory
from tests.meetings.conftest import convene_strategy_discussion, decided_contact, london, time_machine

pytestmark = pytest.mark.django_db

SD = MeetingKind.STRATEGY_DISCUSSION
ICPC = MeetingKind.INITIAL_CONFERENCE
PRE_BIRTH = MeetingKind.PRE_BIRTH_CONFERENCE
REVIEW = MeetingKind.REVIEW_CONFERENCE
IN_PERSON, VIDEO, PHONE = AttendanceStatus.IN_PERSON, AttendanceStatus.VIDEO, AttendanceStatus.PHONE
DEPUTY, APOLOGIES, ABSENT = AttendanceStatus.DEPUTY, AttendanceStatus.APOLOGIES, AttendanceStatus.DID_NOT_ATTEND
SOCIAL_CARE, POLICE, HEALTH, EDUCATION = Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION
# March to May 2026: the clocks go forward on Sunday 29 March.
PERIOD = measures.Period(datetime.date(2026, 3, 1), datetime.date(2026, 5, 1))
EVERYONE = {SOCIAL_CARE: IN_PERSON, POLICE: IN_PERSON, HEALTH: IN_PERSON, EDUCATION: IN_PERSON}
serial = itertools.count(1)


def held(w, kind, starts_at, attendance=None, *, due_at=None, state=MeetingState.HELD, quorate=True, override=""):
    """A meeting as its rows, with one invitation per agency given (and its attendance, unless
    the status is None); agencies not given were not invited."""
    meeting = Meeting.objects.create(
        reference=f"{'SD' if kind == SD else 'CP'}-2026-{next(serial):05d}",
        kind=kind,
        local_authority=w.council,
        team=w.hub,
        convened_by=w.practitioner,
        convened_at=starts_at - datetime.timedelta(days=1),
        chair=w.manager,
        due_at=due_at or starts_at + datetime.timedelta(hours=2),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        format=MeetingFormat.VIDEO,
        state=state,
        quorate=quorate if state == MeetingState.HELD else None,
        quorum_override_reason=override,
        cancelled_reason="Not needed" if state == MeetingState.CANCELLED else "",
    )
    meeting.subjects.add(w.child)
    for agency, status in (EVERYONE if attendance is None else attendance).items():
        team = {SOCIAL_CARE: w.duty, POLICE: w.cait, HEALTH: w.trust_team, EDUCATION: w.school_team}.get(agency)
        invitation = Invitation.objects.create(
            meeting=meeting,
            agency=agency,
            team=team,
            external_name="" if team else "Someone from the agency",
            required=True,
            invited_at=meeting.convened_at,
            invited_by=w.practitioner,
            response=ResponseState.ACCEPTED,
        )
        if status is not None:
            attend(invitation, status)
    return meeting


def attend(invitation, status):
    return Attendance.objects.create(
        invitation=invitation,
        status=status,
        attendee_name="A deputy" if status == DEPUTY else "",
        recorded_at=invitation.meeting.starts_at,
        recorded_by=invitation.meeting.chair,
    )


def cell(figures, kind, agency, month=None):
    row = figures.group(kind).of(agency)
    assert row is not None
    if month is None:
        return row.total
    return next(c for c in row.months if c.month == month)


def counts(c):
    return (c.attended, c.held, c.remote, c.share)


# Counting ------------------------------------------------------------------------------------


def test_each_agency_is_counted_against_the_meetings_held_with_remote_attendance_apart(world):
    held(world, SD, london(2026, 3, 2, 10), {SOCIAL_CARE: IN_PERSON, POLICE: VIDEO, HEALTH: PHONE, EDUCATION: ABSENT})
    held(world, SD, london(2026, 3, 9, 10), {SOCIAL_CARE: IN_PERSON, POLICE: APOLOGIES, HEALTH: DEPUTY})
    held(world, SD, london(2026, 3, 16, 10), {SOCIAL_CARE: VIDEO, POLICE: IN_PERSON, HEALTH: IN_PERSON})
    held(world, SD, london(2026, 3, 23, 10), {SOCIAL_CARE: IN_PERSON, POLICE: ABSENT, HEALTH: VIDEO})

    figures = measures.meeting_figures(PERIOD)

    march = datetime.date(2026, 3, 1)
    assert counts(cell(figures, SD, SOCIAL_CARE, march)) == (4, 4, 1, 100)
    assert counts(cell(figures, SD, POLICE, march)) == (2, 4, 1, 50)
    assert counts(cell(figures, SD, HEALTH, march)) == (4, 4, 2, 100)
    assert counts(cell(figures, SD, EDUCATION, march)) == (0, 4, 0, 0)
    assert cell(figures, SD, POLICE, march).short
    assert not cell(figures, SD, HEALTH, march).short


def test_an_agency_never_invited_counts_as_not_attending(world):
    held(world, PRE_BIRTH, london(2026, 4, 7, 10), {SOCIAL_CARE: IN_PERSON, HEALTH: IN_PERSON})
    held(world, PRE_BIRTH, london(2026, 4, 14, 10), {SOCIAL_CARE: IN_PERSON, HEALTH: IN_PERSON, POLICE: None})

    police = cell(measures.meeting_figures(PERIOD), PRE_BIRTH, POLICE)

    assert counts(police) == (0, 2, 0, 0)
    assert police.missed == 2


def test_meetings_count_in_the_london_month_they_started(world):
    # 00:30 on 1 April in London is still 31 March in UTC.
    held(world, SD, london(2026, 4, 1, 0, 30))
    held(world, SD, london(2026, 3, 31, 23, 30))

    figures = measures.meeting_figures(PERIOD)

    assert figures.group(SD).held_by_month == [1, 1, 0]
    assert cell(figures, SD, POLICE, datetime.date(2026, 4, 1)).attended == 1


def test_scheduled_and_cancelled_meetings_and_core_groups_are_not_counted(world):
    held(world, SD, london(2026, 3, 2, 10))
    held(world, SD, london(2026, 3, 3, 10), state=MeetingState.SCHEDULED)
    held(world, SD, london(2026, 3, 4, 10), state=MeetingState.CANCELLED)
    held(world, MeetingKind.CORE_GROUP, london(2026, 3, 5, 10))
    held(world, SD, london(2026, 6, 1, 10))

    figures = measures.meeting_figures(PERIOD)

    assert figures.group(SD).held == 1
    assert [group.held for group in figures.attendance] == [1, 0, 0, 0]


def test_an_agency_with_two_people_at_one_meeting_attended_it_once(world):
    meeting = held(world, REVIEW, london(2026, 5, 5, 10), {SOCIAL_CARE: IN_PERSON, POLICE: IN_PERSON, HEALTH: PHONE})
    second = Invitation.objects.create(
        meeting=meeting, agency=HEALTH, external_name="A health visitor", invited_at=meeting.convened_at,
        invited_by=world.practitioner,
    )  # fmt: skip
    attend(second, VIDEO)

    health = cell(measures.meeting_figures(PERIOD), REVIEW, HEALTH)

    assert counts(health) == (1, 1, 1, 100)
    [record] = measures.describe(world.analyst, [meeting])
    assert record.agencies[2].how == "Attended by video; Attended by phone"


def test_other_agencies_appear_once_they_attended(world):
    held(world, ICPC, london(2026, 3, 2, 10), {**EVERYONE, Agency.FAMILY: IN_PERSON, Agency.YOUTH_JUSTICE: ABSENT})

    figures = measures.meeting_figures(PERIOD)

    shown = [row.agency for row in figures.group(ICPC).agencies]
    assert shown == [SOCIAL_CARE, POLICE, HEALTH, EDUCATION, Agency.FAMILY]
    assert [row.agency for row in figures.group(SD).agencies] == [SOCIAL_CARE, POLICE, HEALTH, EDUCATION]


def test_meetings_held_by_their_due_time_are_on_time(world):
    held(world, SD, london(2026, 3, 2, 10), due_at=london(2026, 3, 2, 10))
    held(world, SD, london(2026, 3, 3, 10), due_at=london(2026, 3, 3, 9, 59))
    held(world, REVIEW, london(2026, 4, 3, 10), due_at=london(2026, 4, 10, 17))

    figures = measures.meeting_figures(PERIOD)

    strategy = figures.held_in(SD).total
    assert (strategy.on_time, strategy.held, strategy.late, strategy.on_time_share) == (1, 2, 1, 50)
    assert figures.held_in(REVIEW).months[1].on_time == 1


def test_quorum_counts_meetings_not_quorate_and_decisions_recorded_without_it(world):
    held(world, ICPC, london(2026, 3, 2, 10), quorate=False, override="Police could not come; the baby is due.")
    held(world, ICPC, london(2026, 3, 3, 10), quorate=False)
    held(world, ICPC, london(2026, 3, 4, 10))

    march = measures.meeting_figures(PERIOD).held_in(ICPC).months[0]

    assert (march.held, march.not_quorate, march.without_quorum) == (3, 2, 1)


def test_the_figures_take_two_queries_however_many_meetings(world, django_assert_num_queries):
    for day in range(1, 21):
        held(world, [SD, ICPC, PRE_BIRTH, REVIEW][day % 4], london(2026, 3 + day % 3, day, 10))

    with django_assert_num_queries(2):
        figures = measures.meeting_figures(PERIOD)

    assert sum(group.held for group in figures.attendance) == 20


def test_a_meeting_recorded_through_the_services_is_counted_as_recorded(world):
    with time_machine.travel(london(2026, 3, 10, 9, 0), tick=False):
        world.contact = decided_contact(world)
        discussion = convene_strategy_discussion(world, starts_at=london(2026, 3, 10, 14, 0))
    how = {SOCIAL_CARE: IN_PERSON, POLICE: VIDEO, HEALTH: DEPUTY}
    with time_machine.travel(london(2026, 3, 10, 14, 5), tick=False):
        recording.record_attendance(
            meeting=discussion,
            by=world.manager,
            entries=[
                AttendanceInput(
                    invitation,
                    how.get(invitation.agency, APOLOGIES),
                    attendee_name="A deputy" if invitation.agency == HEALTH else "",
                    able_to_decide=invitation.agency in how,
                )
                for invitation in discussion.invitations.all()
            ],
        )
        recording.record_strategy_outcome(
            meeting=discussion, by=world.manager, outcome=StrategyOutcome.SECTION_47_JOINT, minutes="Joint enquiry."
        )
    with time_machine.travel(london(2026, 3, 11, 9, 0), tick=False):
        conference = convening.convene(
            kind=ICPC,
            by=world.practitioner,
            chair=world.manager,
            previous=discussion,
            starts_at=london(2026, 3, 24, 10, 0),
            ends_at=london(2026, 3, 24, 12, 0),
            format=MeetingFormat.IN_PERSON,
            venue="Riverside House, room 1",
        )
    with time_machine.travel(london(2026, 3, 24, 10, 30), tick=False):
        recording.record_attendance(
            meeting=conference,
            by=world.manager,
            entries=[
                AttendanceInput(
                    invitation,
                    ABSENT if invitation.agency == POLICE else IN_PERSON,
                    able_to_decide=invitation.agency != POLICE,
                )
                for invitation in conference.invitations.all()
            ],
        )
        recording.record_conference_decision(
            meeting=conference,
            by=world.manager,
            plan=True,
            category=PlanCategory.NEGLECT,
            minutes="A plan for neglect.",
            quorum_override_reason="The police could not attend; the child cannot wait.",
        )

    figures = measures.meeting_figures(PERIOD)

    assert counts(cell(figures, SD, POLICE)) == (1, 1, 1, 100)
    assert counts(cell(figures, SD, HEALTH)) == (1, 1, 0, 100)
    assert counts(cell(figures, SD, EDUCATION)) == (0, 1, 0, 0)
    assert counts(cell(figures, ICPC, POLICE)) == (0, 1, 0, 0)
    assert counts(cell(figures, ICPC, Agency.FAMILY)) == (1, 1, 0, 100)
    assert (figures.held_in(SD).total.on_time, figures.held_in(ICPC).total.on_time) == (1, 1)
    icpc = figures.held_in(ICPC).total
    assert (icpc.not_quorate, icpc.without_quorum) == (1, 1)
    assert list(measures.meetings_behind(PERIOD, "missed", ICPC, POLICE)) == [conference]


# The meetings behind a figure ----------------------------------------------------------------


def test_the_meetings_behind_a_figure_are_exactly_those_it_counts(world):
    missed = held(world, PRE_BIRTH, london(2026, 4, 7, 10), {SOCIAL_CARE: IN_PERSON, POLICE: ABSENT})
    uninvited = held(world, PRE_BIRTH, london(2026, 4, 8, 10), {SOCIAL_CARE: IN_PERSON})
    by_video = held(world, PRE_BIRTH, london(2026, 5, 8, 10), {SOCIAL_CARE: IN_PERSON, POLICE: VIDEO})
    in_person = held(world, PRE_BIRTH, london(2026, 5, 9, 10), {POLICE: IN_PERSON}, due_at=london(2026, 5, 1, 10))
    held(world, SD, london(2026, 4, 7, 10), {POLICE: ABSENT})

    def behind(figure, agency="", period=PERIOD):
        return list(measures.meetings_behind(period, figure, PRE_BIRTH, agency))

    assert behind("held") == [missed, uninvited, by_video, in_person]
    assert behind("missed", POLICE) == [missed, uninvited]
    assert behind("attended", POLICE) == [by_video, in_person]
    assert behind("remote", POLICE) == [by_video]
    assert behind("late") == [in_person]
    assert behind("attended", POLICE, PERIOD.month("2026-05")) == [by_video, in_person]


def test_a_record_shows_each_agencys_attendance_and_links_only_what_the_viewer_may_open(world):
    police_invited = held(world, SD, london(2026, 3, 2, 10), {SOCIAL_CARE: IN_PERSON, POLICE: VIDEO, HEALTH: DEPUTY})
    police_not_invited = held(world, SD, london(2026, 3, 3, 10), {SOCIAL_CARE: IN_PERSON, HEALTH: PHONE})

    [invited, not_invited] = measures.describe(world.officer, [police_invited, police_not_invited])

    assert [(a.label, a.how) for a in invited.agencies] == [
        ("Children's social care", "Attended in person"),
        ("Police", "Attended by video"),
        ("Health", "Sent a deputy"),
        ("School or setting", "Not invited"),
    ]
    assert invited.url == reverse("meetings:meeting", args=[police_invited.pk])  # the CAIT was invited
    assert not_invited.url == ""
    assert [row.url for row in measures.describe(world.analyst, [police_invited, police_not_invited])] == ["", ""]


def test_an_unknown_figure_group_or_agency_is_refused(world):
    with pytest.raises(measures.FigureError):
        measures.figure_title("salaries", SD)
    with pytest.raises(measures.FigureError):
        measures.figure_title("held", MeetingKind.CORE_GROUP)
    with pytest.raises(measures.FigureError):
        measures.figure_title("missed", SD, "martians")
    assert (
        measures.figure_title("missed", PRE_BIRTH, POLICE)
        == "Pre-birth child protection conferences held without police"
    )


# The pages -----------------------------------------------------------------------------------


@pytest.fixture
def may_2026(time_machine):
    time_machine.move_to(london(2026, 5, 20, 12), tick=False)


def test_someone_without_performance_access_has_no_page_and_no_link(client, world):
    client.force_login(world.officer)
    assert client.get(reverse("meetings:attendance")).status_code == 403
    records = client.get(reverse("meetings:attendance-records"), {"figure": "held", "group": SD})
    assert records.status_code == 403
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("meetings:attendance") not in home


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.TEAM_MANAGER, Role.POLICE_SUPERVISOR])
def test_analysts_managers_and_police_supervisors_see_the_page_from_the_navigation(client, world, role, may_2026):
    user = UserFactory(organisation=world.council, roles=[role])
    client.force_login(user)
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("meetings:attendance")}"' in home
    assert client.get(reverse("meetings:attendance")).status_code == 200


def test_a_police_shortfall_at_pre_birth_conferences_is_plain_on_the_page(client, world, may_2026):
    held(world, PRE_BIRTH, london(2026, 4, 7, 10), {SOCIAL_CARE: IN_PERSON, HEALTH: IN_PERSON, POLICE: ABSENT})
    held(world, PRE_BIRTH, london(2026, 4, 8, 10), {SOCIAL_CARE: IN_PERSON, HEALTH: VIDEO, POLICE: PHONE})
    client.force_login(world.analyst)

    page = client.get(reverse("meetings:attendance")).content.decode()

    assert "Pre-birth child protection conferences: attendance by month" in page
    assert "1 of 2</span>" in page
    assert "(50%)" in page
    assert '<strong class="govuk-tag govuk-tag--red">1 missed</strong>' in page
    assert f"figure=missed&amp;group={PRE_BIRTH}&amp;agency=police&amp;month=2026-04" in page
    assert "1 remote" in page


def test_the_page_and_records_never_name_a_child(client, world, may_2026):
    meeting = held(world, SD, london(2026, 4, 7, 10))
    client.force_login(world.manager)

    page = client.get(reverse("meetings:attendance")).content.decode()
    records = client.get(
        reverse("meetings:attendance-records"), {"figure": "attended", "group": SD, "agency": POLICE}
    ).content.decode()

    assert meeting.reference in records
    for text in (page, records):
        assert world.child.given_names not in text
        assert world.child.family_name not in text


def test_the_records_page_lists_the_meetings_behind_the_figure_and_is_audited(client, world, may_2026):
    missed = held(world, PRE_BIRTH, london(2026, 4, 7, 10), {SOCIAL_CARE: IN_PERSON, POLICE: ABSENT})
    attended = held(world, PRE_BIRTH, london(2026, 4, 8, 10), {SOCIAL_CARE: IN_PERSON, POLICE: VIDEO})
    client.force_login(world.analyst)

    page = client.get(
        reverse("meetings:attendance-records"),
        {"figure": "missed", "group": PRE_BIRTH, "agency": POLICE, "month": "2026-04"},
    ).content.decode()

    assert "Pre-birth child protection conferences held without police" in page
    assert missed.reference in page
    assert attended.reference not in page
    assert "1 meeting</caption>" in page
    assert "Did not attend" in page
    assert missed.get_absolute_url() not in page  # the analyst may not open it
    event = AuditEvent.objects.filter(action="meetings.measures_viewed", actor=world.analyst).latest("pk")
    assert event.detail["figure"] == "missed"
    assert event.detail["agency"] == POLICE


def test_viewing_the_page_is_audited(client, world, may_2026):
    client.force_login(world.analyst)
    client.get(reverse("meetings:attendance"), {"start": "2026-01", "end": "2026-04"})
    event = AuditEvent.objects.filter(action="meetings.measures_viewed", actor=world.analyst).get()
    assert (event.detail["start"], event.detail["end"]) == ("2026-01", "2026-04")


def test_an_unknown_figure_or_a_month_outside_the_period_is_not_found(client, world, may_2026):
    client.force_login(world.analyst)
    url = reverse("meetings:attendance-records")
    assert client.get(url, {"figure": "salaries", "group": SD}).status_code == 404
    assert client.get(url, {"figure": "missed", "group": SD, "agency": "martians"}).status_code == 404
    assert client.get(url, {"figure": "held", "group": SD, "month": "2020-01"}).status_code == 404


def test_a_wrong_period_shows_the_error_and_falls_back_to_twelve_months(client, world, may_2026):
    client.force_login(world.analyst)

    page = client.get(reverse("meetings:attendance"), {"start": "2026-05", "end": "2026-01"}).content.decode()

    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert "The last month must be the same as or after the first month." in page
    assert 'id="period-error"' in page
    assert 'id="end" name="end" type="text" value="2026-01"' in page  # as entered, to be corrected
    assert "Meetings held from June 2025 to May 2026" in page


def test_a_chosen_period_shows_its_months(client, world, may_2026):
    held(world, REVIEW, london(2026, 2, 3, 10))
    client.force_login(world.analyst)

    page = client.get(reverse("meetings:attendance"), {"start": "2026-01", "end": "2026-02"}).content.decode()

    assert "Meetings held from January 2026 to February 2026" in page
    assert "Feb 2026" in page
    assert "Mar 2026" not in page


def test_unborn_children_are_not_named_either(client, world, may_2026):
    unborn = PersonFactory(given_names="Baby", family_name="Zebedee-Unborn")
    meeting = held(world, PRE_BIRTH, london(2026, 4, 7, 10))
    meeting.subjects.set([unborn])
    client.force_login(world.manager)
    records = client.get(reverse("meetings:attendance-records"), {"figure": "held", "group": PRE_BIRTH})
    assert meeting.reference in records.content.decode()
    assert "Zebedee" not in records.content.decode()
