"""Every timescale SafeHub works to: its default, its unit, and whether a partnership may
change it. Statutory ones are fixed; local ones read the partnership's override.

Processes ask `timescale_value("key")` and then compute with the calendar functions in
`safehub.timescales.calendar`; none of them holds a number of its own.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    WORKING_DAYS = "working days"
    HOURS = "hours"
    WEEKS = "weeks"
    MONTHS = "months"
    MINUTES = "minutes"
    CLOCK_TIME = "minutes after midnight"
    DAYS = "calendar days"
    SCHOOL_DAYS = "school days"
    EPISODES = "episodes"


@dataclass(frozen=True)
class Timescale:
    key: str
    label: str
    default: int
    unit: Unit
    configurable: bool
    source: str


TIMESCALE_LIST = [
    Timescale(
        "referral_decision",
        "Decision on a referral",
        1,
        Unit.WORKING_DAYS,
        False,
        "Working Together to Safeguard Children 2023",
    ),
    Timescale(
        "assessment_completion",
        "Assessment completed",
        45,
        Unit.WORKING_DAYS,
        False,
        "Working Together to Safeguard Children 2023",
    ),
    Timescale("research_due_red", "Multi-agency checks, red rating", 4, Unit.HOURS, True, "Local procedure"),
    Timescale("research_due_amber", "Multi-agency checks, amber rating", 1, Unit.WORKING_DAYS, True, "Local procedure"),
    Timescale("research_due_green", "Multi-agency checks, green rating", 3, Unit.WORKING_DAYS, True, "Local procedure"),
    Timescale(
        "office_day_starts",
        "Office hours start (agencies working office hours answer checks in them)",
        9 * 60,
        Unit.CLOCK_TIME,
        True,
        "Local procedure",
    ),
    Timescale("office_day_ends", "Office hours end", 17 * 60, Unit.CLOCK_TIME, True, "Local procedure"),
    Timescale(
        "school_day_ends",
        "School day ends for answering checks (each school sets its own start)",
        16 * 60,
        Unit.CLOCK_TIME,
        True,
        "Local procedure",
    ),
    Timescale(
        "strategy_discussion",
        "Strategy discussion held after the decision to hold one",
        1,
        Unit.WORKING_DAYS,
        True,
        "Local procedure",
    ),
    Timescale(
        "invitation_escalation",
        "Escalate an unaccepted invitation before the meeting",
        2,
        Unit.HOURS,
        True,
        "Local procedure",
    ),
    Timescale(
        "initial_conference",
        "Initial child protection conference after the strategy discussion",
        15,
        Unit.WORKING_DAYS,
        False,
        "Working Together to Safeguard Children 2023",
    ),
    Timescale(
        "pre_birth_conference_week",
        "Pre-birth conference by week of pregnancy",
        34,
        Unit.WEEKS,
        True,
        "Local procedure",
    ),
    Timescale(
        "first_review_conference",
        "First review conference after the initial",
        3,
        Unit.MONTHS,
        False,
        "Working Together 2023",
    ),
    Timescale("review_conference", "Later review conferences", 6, Unit.MONTHS, False, "Working Together 2023"),
    Timescale(
        "core_group_first",
        "First core group meeting after the initial conference",
        10,
        Unit.WORKING_DAYS,
        True,
        "Local procedure",
    ),
    Timescale(
        "core_group_interval",
        "Later core group meetings, at most this long after the one before, while the plan lasts",
        30,
        Unit.WORKING_DAYS,
        True,
        "Local procedure",
    ),
    Timescale(
        "encompass_acknowledgement",
        "Operation Encompass notice acknowledged by",
        10 * 60,
        Unit.CLOCK_TIME,
        True,
        "Local protocol",
    ),
    Timescale(
        "return_home_interview",
        "Return home interview after a missing child returns",
        72,
        Unit.HOURS,
        False,
        "DfE statutory guidance 2014",
    ),
    Timescale(
        "missing_digest_time",
        "Daily digest of missing children to each council (every day, weekends and bank holidays too)",
        8 * 60,
        Unit.CLOCK_TIME,
        True,
        "Local protocol",
    ),
    Timescale(
        "missing_council_told",
        "A missing child's council told of the episode within (the daily digest, or at once if high risk)",
        24,
        Unit.HOURS,
        True,
        "Local protocol",
    ),
    Timescale(
        "repeat_missing_episodes",
        "Repeat missing: this many episodes within the window",
        3,
        Unit.EPISODES,
        True,
        "Local protocol",
    ),
    Timescale(
        "repeat_missing_window",
        "Repeat missing: the window the episodes fall in",
        90,
        Unit.DAYS,
        True,
        "Local protocol",
    ),
    Timescale(
        "missing_education_absence",
        "Missing education: consecutive school days of unexplained absence",
        10,
        Unit.SCHOOL_DAYS,
        False,
        "DfE statutory guidance, Children missing education",
    ),
    Timescale(
        "investigation_review",
        "Supervisory review of an open police investigation, at most this long after the last (about four weeks)",
        20,
        Unit.WORKING_DAYS,
        True,
        "Force procedure",
    ),
    Timescale(
        "closure_challenge_window",
        "The council's window to challenge the closure of a police investigation",
        2,
        Unit.WORKING_DAYS,
        True,
        "Partnership escalation procedure",
    ),
    Timescale(
        "escalation_practitioner",
        "Disagreement, stage 1: practitioner to practitioner",
        1,
        Unit.WORKING_DAYS,
        True,
        "Partnership escalation procedure",
    ),
    Timescale(
        "escalation_manager",
        "Disagreement, stage 2: manager to manager",
        2,
        Unit.WORKING_DAYS,
        True,
        "Partnership escalation procedure",
    ),
    Timescale(
        "escalation_head_of_service",
        "Disagreement, stage 3: head of service to head of service",
        5,
        Unit.WORKING_DAYS,
        True,
        "Partnership escalation procedure",
    ),
    Timescale(
        "escalation_partnership",
        "Disagreement, stage 4: the partnership's safeguarding lead",
        5,
        Unit.WORKING_DAYS,
        True,
        "Partnership escalation procedure",
    ),
    Timescale(
        "dbs_local_check_standard",
        "DBS local check returned to DBS (the standard most checks meet: about 85%)",
        14,
        Unit.DAYS,
        True,
        "DBS service standard for police local checks",
    ),
    Timescale(
        "dbs_local_check_limit",
        "DBS local check returned to DBS (the limit every check meets)",
        60,
        Unit.DAYS,
        True,
        "DBS service standard for police local checks",
    ),
    Timescale("break_glass_duration", "Break-glass access lasts", 4, Unit.HOURS, True, "Local information governance"),
    Timescale(
        "national_panel_notification",
        "Serious incident notified to the national panel",
        5,
        Unit.WORKING_DAYS,
        False,
        "Working Together 2023",
    ),
    Timescale(
        "rapid_review", "Rapid review of a serious incident", 15, Unit.WORKING_DAYS, False, "Working Together 2023"
    ),
]

TIMESCALES: dict[str, Timescale] = {t.key: t for t in TIMESCALE_LIST}


def timescale_value(key: str) -> int:
    """The value in force: the partnership's override for a local timescale, or the default."""
    from safehub.partnership.models import Partnership
    from safehub.timescales.models import TimescaleSetting

    rule = TIMESCALES[key]
    if rule.configurable:
        partnership = Partnership.current()
        if partnership is not None:
            override = (
                TimescaleSetting.objects.filter(partnership=partnership, key=key)
                .values_list("value", flat=True)
                .first()
            )
            if override is not None:
                return override
    return rule.default


def due_after(start: datetime.datetime, key: str) -> datetime.datetime:
    """When something under timescale `key` is due, counted from `start` in the timescale's unit:
    clock hours for hours (a red contact screened at 22:00 has its checks due at 02:00),
    working days for working days, calendar months for months (the same London clock time on
    the same day of the month, or the month's last day). Other units are not a due time after
    an event."""
    from safehub.timescales.calendar import LONDON, add_months, add_working_days

    value = timescale_value(key)
    unit = TIMESCALES[key].unit
    if unit == Unit.HOURS:
        # Elapsed hours, counted in UTC: Python adds a timedelta to a Europe/London time on the
        # wall clock, which would make 72 hours across the clocks going back 73.
        return (start.astimezone(datetime.UTC) + datetime.timedelta(hours=value)).astimezone(LONDON)
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, value)
    if unit == Unit.MONTHS:
        local = start.astimezone(LONDON)
        day = add_months(local.date(), value)
        return datetime.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=LONDON)
    raise ValueError(f"Timescale {key!r} is in {unit}, which is not a due time after an event.")


def due_on(day: datetime.date, key: str) -> datetime.date:
    """The day something under timescale `key` (in calendar days) is due, counted from `day`:
    a DBS check received on 1 March against a 14-day standard is due on 15 March. Weekends and
    bank holidays count."""
    from safehub.timescales.calendar import calendar_days_after

    rule = TIMESCALES[key]
    if rule.unit != Unit.DAYS:
        raise ValueError(f"Timescale {key!r} is in {rule.unit}, not calendar days.")
    return calendar_days_after(day, timescale_value(key))


def window_start(day: datetime.date, key: str) -> datetime.date:
    """The first day of the window of timescale `key` (in calendar days) that ends on `day`:
    with a 90-day window, an episode 90 days before `day` is inside it and one 91 days before
    is not."""
    from safehub.timescales.calendar import calendar_days_before

    rule = TIMESCALES[key]
    if rule.unit != Unit.DAYS:
        raise ValueError(f"Timescale {key!r} is in {rule.unit}, not calendar days.")
    return calendar_days_before(day, timescale_value(key))


FULL_TERM_WEEKS = 40


def pregnancy_week_date(expected_due_date: datetime.date, key: str) -> datetime.date:
    """The day an unborn child's pregnancy reaches the week set by timescale `key` (counted, as
    midwives do, with the due date at week 40): by week 34, six weeks before the due date."""
    rule = TIMESCALES[key]
    if rule.unit != Unit.WEEKS:
        raise ValueError(f"Timescale {key!r} is in {rule.unit}, not weeks of pregnancy.")
    # Weeks of pregnancy are calendar weeks, not working days.
    return expected_due_date - datetime.timedelta(weeks=FULL_TERM_WEEKS - timescale_value(key))
