"""Due dates of strategy discussions and conferences come from the timescales: working days
across weekends and bank holidays, calendar months for reviews, weeks of pregnancy for a
pre-birth conference, and the partnership's own values where the rule is local."""

import datetime

import pytest

from safehub.meetings import due_dates
from safehub.partnership.models import Partnership
from safehub.timescales.calendar import LONDON, add_months
from safehub.timescales.services import set_local_timescales

pytestmark = pytest.mark.django_db


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def test_strategy_discussion_is_due_one_working_day_after_the_decision_over_a_weekend():
    assert due_dates.strategy_discussion_due(london(2026, 11, 27, 15, 30)) == london(2026, 11, 30, 15, 30)


def test_icpc_due_date_skips_christmas_and_new_year_bank_holidays():
    # 15 working days from Thursday 10 December 2026: 25 and 28 December and 1 January are holidays.
    due = due_dates.initial_conference_due(london(2026, 12, 10, 10, 0))
    assert due.date() == datetime.date(2027, 1, 5)
    assert due.astimezone(LONDON).time() == datetime.time(23, 59)


def test_icpc_due_date_skips_the_easter_bank_holidays():
    # Thursday 18 March 2027; Good Friday 26 March and Easter Monday 29 March 2027 do not count.
    assert due_dates.initial_conference_due(london(2027, 3, 18, 11, 0)).date() == datetime.date(2027, 4, 12)


def test_pre_birth_conference_is_due_by_week_34_of_the_pregnancy():
    assert due_dates.pre_birth_conference_due(datetime.date(2027, 3, 1)).date() == datetime.date(2027, 1, 18)


def test_pre_birth_week_is_the_partnerships_own_when_set():
    partnership = Partnership.objects.create(name="Riverside")
    set_local_timescales(partnership=partnership, values={"pre_birth_conference_week": 30})
    assert due_dates.pre_birth_conference_due(datetime.date(2027, 3, 1)).date() == datetime.date(2026, 12, 21)


def test_first_review_is_due_within_three_months_and_later_ones_within_six_on_the_working_day_before():
    icpc = london(2026, 11, 30, 10, 0)
    # 28 February and 30 May 2027 are Sundays: the reviews are due the Friday before.
    assert due_dates.review_conference_due(icpc, first=True).date() == datetime.date(2027, 2, 26)
    assert due_dates.review_conference_due(icpc, first=False).date() == datetime.date(2027, 5, 28)


def test_a_review_due_on_saturday_2_january_is_due_on_the_last_working_day_of_december():
    # Three months from 2 October 2026 is Saturday 2 January 2027; 1 January is a bank holiday.
    assert due_dates.review_conference_due(london(2026, 10, 2, 10, 0), first=True).date() == datetime.date(2026, 12, 31)
    weekday = london(2026, 10, 5, 10, 0)  # Monday 5 January 2027 is a working day: due that day
    assert due_dates.review_conference_due(weekday, first=True).date() == datetime.date(2027, 1, 5)


def test_a_review_three_months_after_the_31st_falls_on_the_months_last_day():
    assert add_months(datetime.date(2026, 8, 31), 3) == datetime.date(2026, 11, 30)
    assert add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)


def test_core_group_first_meets_within_ten_working_days_of_the_icpc():
    assert due_dates.core_group_due(london(2026, 12, 17, 10, 0)).date() == datetime.date(2027, 1, 5)


def test_the_escalation_time_is_the_partnerships_hours_before_the_start():
    start = london(2026, 11, 26, 14, 0)
    assert due_dates.invitation_escalation_time(start) == london(2026, 11, 26, 12, 0)
    partnership = Partnership.objects.create(name="Riverside")
    set_local_timescales(partnership=partnership, values={"invitation_escalation": 4})
    assert due_dates.invitation_escalation_time(start) == london(2026, 11, 26, 10, 0)
