"""When each meeting is due, from the timescales in `safehub.timescales` (DOMAIN.md,
"Strategy discussions", "Child protection conferences"):

- strategy discussion: within 1 working day of the decision to hold one (local, configurable);
- initial conference: within 15 working days of the strategy discussion that started the
  section 47 enquiry (statutory);
- pre-birth initial conference: by week 34 of the pregnancy (local, configurable);
- first review conference: within 3 months of the initial conference; later reviews within
  6 months of the one before (statutory), by the last working day on or before that date;
- first core group: within 10 working days of the initial conference (local, configurable);
  later core groups at most 30 working days (about six weeks) after the one before, for as
  long as the child's plan lasts (local, configurable).

A meeting due "on" a day is due by the end of that day in London.
"""

import datetime

from safehub.timescales.calendar import LONDON, add_months, add_working_days, working_day_on_or_before
from safehub.timescales.rules import due_after, pregnancy_week_date, timescale_value


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=LONDON)


def london_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def strategy_discussion_due(decided_at: datetime.datetime) -> datetime.datetime:
    return due_after(decided_at, "strategy_discussion")


def initial_conference_due(strategy_discussion_held: datetime.datetime) -> datetime.datetime:
    return end_of(add_working_days(london_day(strategy_discussion_held), timescale_value("initial_conference")))


def pre_birth_conference_due(expected_due_date: datetime.date) -> datetime.datetime:
    return end_of(pregnancy_week_date(expected_due_date, "pre_birth_conference_week"))


def review_conference_due(previous_conference: datetime.datetime, *, first: bool) -> datetime.datetime:
    key = "first_review_conference" if first else "review_conference"
    # Three months from 2 October is Saturday 2 January: the conference is held by Thursday 31
    # December, the last working day in time (1 January is a bank holiday).
    return end_of(working_day_on_or_before(add_months(london_day(previous_conference), timescale_value(key))))


def core_group_due(previous: datetime.datetime, *, first: bool = True) -> datetime.datetime:
    """The first core group after the initial conference (`first`), else the next one after
    the core group before it."""
    key = "core_group_first" if first else "core_group_interval"
    return end_of(add_working_days(london_day(previous), timescale_value(key)))


def invitation_escalation_time(starts_at: datetime.datetime) -> datetime.datetime:
    """When a required agency that has not accepted is escalated: hours before the start."""
    return starts_at - datetime.timedelta(hours=timescale_value("invitation_escalation"))
