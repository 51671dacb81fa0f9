"""Due times counted in an agency's working time: round the clock, office hours on working
days, school hours on school days; and which pattern each kind of team works."""

import datetime

import pytest

from safehub.partnership.models import OrganisationKind
from safehub.timescales.calendar import LONDON, SchoolCalendar
from safehub.timescales.models import SchoolClosure, TimescaleSetting
from safehub.timescales.patterns import OpeningHours, WorkingPattern, due_in_pattern
from tests.factories import OrganisationFactory, PartnershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

CLOCK, OFFICE, SCHOOL = WorkingPattern.ROUND_THE_CLOCK, WorkingPattern.OFFICE_HOURS, WorkingPattern.SCHOOL_DAYS


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


# Round the clock ------------------------------------------------------------------------------


def test_round_the_clock_hours_run_overnight_and_at_weekends():
    assert due_in_pattern(london(2026, 1, 10, 22, 30), "research_due_red", CLOCK) == london(2026, 1, 11, 2, 30)


def test_round_the_clock_hours_are_elapsed_time_across_the_clocks_going_forward():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. 00:30 + 4 hours elapsed is 05:30 BST.
    assert due_in_pattern(london(2026, 3, 29, 0, 30), "research_due_red", CLOCK) == london(2026, 3, 29, 5, 30)


def test_round_the_clock_days_are_whole_days_weekends_included():
    assert due_in_pattern(london(2026, 1, 9, 16, 0), "research_due_amber", CLOCK) == london(2026, 1, 10, 16, 0)
    assert due_in_pattern(london(2026, 1, 9, 16, 0), "research_due_green", CLOCK) == london(2026, 1, 12, 16, 0)


# Office hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Within the day.
        (london(2026, 1, 7, 10, 0), london(2026, 1, 7, 14, 0)),
        # Friday afternoon: one hour on Friday, three on Monday.
        (london(2026, 1, 9, 16, 0), london(2026, 1, 12, 12, 0)),
        # Saturday night: from 09:00 on Monday.
        (london(2026, 1, 10, 22, 30), london(2026, 1, 12, 13, 0)),
        # Before opening: from 09:00 that day.
        (london(2026, 1, 7, 6, 0), london(2026, 1, 7, 13, 0)),
        # After closing: from 09:00 the next working day.
        (london(2026, 1, 7, 18, 0), london(2026, 1, 8, 13, 0)),
        # Christmas Eve 2026 at 15:00: two hours, then Christmas Day, Boxing Day (Monday 28th
        # in lieu) and the weekend, then two hours on Tuesday 29th.
        (london(2026, 12, 24, 15, 0), london(2026, 12, 29, 11, 0)),
    ],
)
def test_office_hours_count_only_working_hours_on_working_days(start, due):
    assert due_in_pattern(start, "research_due_red", OFFICE) == due


def test_office_days_are_working_days_keeping_the_clock_time():
    assert due_in_pattern(london(2026, 1, 9, 16, 0), "research_due_amber", OFFICE) == london(2026, 1, 12, 16, 0)
    # From a Saturday: counted from the start of Monday, so due by the end of Monday.
    assert due_in_pattern(london(2026, 1, 10, 11, 0), "research_due_amber", OFFICE) == london(2026, 1, 13, 0, 0)


def test_the_partnership_sets_its_office_hours():
    partnership = PartnershipFactory()
    TimescaleSetting.objects.create(partnership=partnership, key="office_day_starts", value=8 * 60)
    TimescaleSetting.objects.create(partnership=partnership, key="office_day_ends", value=18 * 60)
    assert due_in_pattern(london(2026, 1, 9, 16, 0), "research_due_red", OFFICE) == london(2026, 1, 12, 10, 0)


# School days ------------------------------------------------------------------------------------


def test_school_hours_run_from_the_schools_start_on_school_days(community_school):
    community_school.school_day_starts = datetime.time(8, 30)
    community_school.save()
    # Saturday night in term: four hours from 08:30 on Monday.
    due = due_in_pattern(london(2026, 11, 7, 22, 0), "research_due_red", SCHOOL, school=community_school)
    assert due == london(2026, 11, 9, 12, 30)
    # 14:00 on a school day: two hours to 16:00, two more from 08:30 the next day.
    due = due_in_pattern(london(2026, 11, 10, 14, 0), "research_due_red", SCHOOL, school=community_school)
    assert due == london(2026, 11, 11, 10, 30)


def test_a_check_asked_of_a_school_in_half_term_is_due_on_the_first_day_back(community_school):
    # Autumn half term 2026 for the authority: 26-30 October; back on Monday 2 November.
    due = due_in_pattern(london(2026, 10, 27, 10, 0), "research_due_red", SCHOOL, school=community_school)
    assert due == london(2026, 11, 2, 12, 45)
    due = due_in_pattern(london(2026, 10, 27, 10, 0), "research_due_amber", SCHOOL, school=community_school)
    assert due == london(2026, 11, 3, 0, 0)


def test_a_schools_closure_day_is_not_a_school_day(community_school):
    SchoolClosure.objects.create(school=community_school, date=datetime.date(2026, 11, 9), reason="INSET day")
    due = due_in_pattern(london(2026, 11, 6, 15, 0), "research_due_red", SCHOOL, school=community_school)
    # One hour on Friday to 16:00, Monday is closed, three hours from 08:45 on Tuesday.
    assert due == london(2026, 11, 10, 11, 45)
    due = due_in_pattern(london(2026, 11, 6, 15, 0), "research_due_amber", SCHOOL, school=community_school)
    assert due == london(2026, 11, 10, 15, 0)


def test_a_calendar_read_once_gives_the_same_due_times(community_school):
    calendar = SchoolCalendar(community_school, datetime.date(2026, 9, 1), datetime.date(2027, 12, 31))
    hours = OpeningHours.current()
    for start in (london(2026, 10, 23, 15, 30), london(2026, 12, 18, 14, 0), london(2026, 11, 14, 9, 0)):
        for key in ("research_due_red", "research_due_amber", "research_due_green"):
            fresh = due_in_pattern(start, key, SCHOOL, school=community_school)
            assert (
                due_in_pattern(start, key, SCHOOL, school=community_school, school_calendar=calendar, hours=hours)
                == fresh
            )


def test_a_school_days_pattern_without_a_school_uses_office_hours():
    assert due_in_pattern(london(2026, 1, 10, 22, 30), "research_due_red", SCHOOL) == london(2026, 1, 12, 13, 0)


def test_only_hours_and_working_days_are_counted_in_working_time():
    with pytest.raises(ValueError, match="not counted in working time"):
        due_in_pattern(london(2026, 1, 7, 10, 0), "review_conference", OFFICE)


# Which pattern a team works -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "duty", "pattern"),
    [
        (OrganisationKind.POLICE_FORCE, False, CLOCK),
        (OrganisationKind.LOCAL_AUTHORITY, True, CLOCK),
        (OrganisationKind.LOCAL_AUTHORITY, False, OFFICE),
        (OrganisationKind.HEALTH_TRUST, True, OFFICE),
        (OrganisationKind.GP_PRACTICE, False, OFFICE),
        (OrganisationKind.SCHOOL, True, SCHOOL),
        (OrganisationKind.EARLY_YEARS, False, SCHOOL),
        (OrganisationKind.OTHER, False, OFFICE),
    ],
)
def test_each_kind_of_team_has_its_usual_pattern(kind, duty, pattern):
    team = TeamFactory(organisation=OrganisationFactory(kind=kind), is_duty_team=duty)
    assert team.pattern == pattern


def test_a_team_set_to_its_own_pattern_keeps_it():
    team = TeamFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST),
        working_pattern=WorkingPattern.ROUND_THE_CLOCK,
    )
    assert team.pattern == CLOCK
