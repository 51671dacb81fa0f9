"""Every measure the partnership dashboard shows, each defined once.

A measure is a share of records: the records it counts (the denominator, `population`)
and, among them, those that met the standard (the numerator, `counted`). Each one says in
words what its numerator, denominator and exclusions are, and the page shows those words
beside the figure. The month a record falls in is `month_field` (Europe/London); the council
it belongs to is `council_field` (None: the measure is the force's, not kept by council).

A measure about several agencies (who attended a strategy discussion) is kept once per
agency in `agencies`; any other is about one agency, `agency`.

The same definitions give the stored figures (`services.refresh_measures`) and the records
behind each figure (`selectors.records_behind`), so a list always has as many rows as the
figure it came from.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import DurationField, Exists, ExpressionWrapper, F, Model, OuterRef, Q, QuerySet

from safehub.dbs.models import LocalCheck
from safehub.encompass.models import Notice
from safehub.hub.models import Contact, ResearchAgency, ResearchRequest
from safehub.investigations.models import Closure, ClosureState, Opportunity
from safehub.meetings.models import (
    PRESENT_STATUSES,
    REMOTE_STATUSES,
    Agency,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingState,
)
from safehub.missing.models import Episode, ReturnInterview
from safehub.partnership.roles import Capability
from safehub.timescales.rules import timescale_value


class Process(StrEnum):
    FRONT_DOOR = "front_door"
    MEETINGS = "meetings"
    INVESTIGATIONS = "investigations"
    ENCOMPASS = "encompass"
    MISSING = "missing"
    DBS = "dbs"

    @property
    def label(self) -> str:
        return PROCESS_LABELS[self]


PROCESS_LABELS = {
    Process.FRONT_DOOR: "Front door: the Children's Hub",
    Process.MEETINGS: "Strategy discussions and child protection conferences",
    Process.INVESTIGATIONS: "Police investigations",
    Process.ENCOMPASS: "Operation Encompass",
    Process.MISSING: "Missing children",
    Process.DBS: "DBS local checks",
}

# The agencies a measure can be about, as the meetings name them (one vocabulary throughout).
AGENCY_LABELS: dict[str, str] = {
    Agency.SOCIAL_CARE: "Children's social care",
    Agency.POLICE: "Police",
    Agency.HEALTH: "Health",
    Agency.EDUCATION: "Schools and settings",
}


@dataclass(frozen=True)
class Measure:
    key: str
    process: Process
    title: str
    numerator: str
    denominator: str
    exclusions: str
    population: Callable[[], QuerySet[Model]]
    # The numerator's condition for an agency (a Q or a conditional expression such as ~Exists).
    counted: Callable[[str], Any]
    month_field: str
    council_field: str | None
    reference_field: str
    # The record's page (a URL name taking the record's id at `link_field`).
    url_name: str
    link_field: str = "pk"
    agency: str = ""
    agencies: tuple[str, ...] = ()
    target: int | None = None
    by_date: bool = False
    # Who may list the records behind the figure (the figure itself is a count, for anyone
    # who may see performance): a DBS check is for the disclosure unit alone.
    records_capability: Capability = Capability.VIEW_PERFORMANCE
    visible: Callable[..., QuerySet[Model]] | None = field(default=None, compare=False)
    # The denominator's own condition for an agency, where each agency has its own records
    # (the checks asked of the police are not those asked of health).
    scope: Callable[[str], Q] | None = field(default=None, compare=False)

    @property
    def agency_values(self) -> tuple[str, ...]:
        return self.agencies or (self.agency,)

    def agency_label(self, agency: str) -> str:
        return AGENCY_LABELS.get(agency, agency)

    def __str__(self) -> str:
        return self.title


# Meetings ---------------------------------------------------------------------------------


def _held(*kinds: str) -> Callable[[], QuerySet[Model]]:
    def population() -> QuerySet[Model]:
        return Meeting.objects.filter(state=MeetingState.HELD, kind__in=kinds)

    return population


def _attended_by(agency: str) -> Q:
    return Q(
        pk__in=Attendance.objects.filter(invitation__agency=agency, status__in=list(PRESENT_STATUSES)).values(
            "invitation__meeting_id"
        )
    )


def _joined_remotely(agency: str) -> Q:
    return Q(
        pk__in=Attendance.objects.filter(invitation__agency=agency, status__in=list(REMOTE_STATUSES)).values(
            "invitation__meeting_id"
        )
    )


def _meetings_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_meetings

    return visible_meetings(user)  # type: ignore[arg-type]


_REQUIRED = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION)
_HELD_EXCLUSIONS = "Meetings cancelled or not yet held. A meeting the agency was never invited to counts as missed."


def _attendance(key: str, kind: str, name: str, agencies: tuple[str, ...] = _REQUIRED) -> Measure:
    return Measure(
        key=key,
        process=Process.MEETINGS,
        title=f"Agencies at {name}",
        numerator=(
            f"The {name} an agency attended: someone for it was present in person, by video, by phone or as a deputy."
        ),
        denominator=f"The {name} held in the month (by the day the meeting started).",
        exclusions=_HELD_EXCLUSIONS,
        population=_held(kind),
        counted=_attended_by,
        month_field="starts_at",
        council_field="local_authority_id",
        reference_field="reference",
        url_name="meetings:meeting",
        agencies=agencies,
        target=95 if kind == MeetingKind.STRATEGY_DISCUSSION else 100,
        visible=_meetings_visible,
    )


# Front door -------------------------------------------------------------------------------


def _contacts_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_contacts

    return visible_contacts(user)  # type: ignore[arg-type]


def _checks_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_contacts

    return ResearchRequest.objects.filter(contact__in=visible_contacts(user))  # type: ignore[arg-type]


def _decided_contacts() -> QuerySet[Model]:
    return Contact.objects.filter(decision_due_at__isnull=False)


# The hub's checks are asked of the partner agencies; the dashboard names them as the meetings do.
_CHECK_AGENCIES: dict[str, str] = {
    Agency.POLICE: ResearchAgency.POLICE,
    Agency.HEALTH: ResearchAgency.HEALTH,
    Agency.EDUCATION: ResearchAgency.EDUCATION,
    Agency.SOCIAL_CARE: ResearchAgency.SOCIAL_CARE,
}


def _check_answered_in_time(agency: str) -> Q:
    return Q(agency=_CHECK_AGENCIES[agency], answered_at__isnull=False, answered_at__lte=F("due_at"))


def _checks_of(agency: str) -> Q:
    return Q(agency=_CHECK_AGENCIES[agency])


# Missing children -------------------------------------------------------------------------


def _episodes_told() -> QuerySet[Model]:
    return Episode.objects.annotate(
        told_after=ExpressionWrapper(F("council_told_at") - F("reported_at"), output_field=DurationField())
    )


def _told_in_time(_: str) -> Q:
    limit = datetime.timedelta(hours=timescale_value("missing_council_told"))
    return Q(council_told_at__isnull=False, told_after__lte=limit)


def _episodes_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_episodes

    return visible_episodes(user)  # type: ignore[arg-type]


def _interviews_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_interviews

    return visible_interviews(user)  # type: ignore[arg-type]


# Investigations ---------------------------------------------------------------------------


def _closures_in_effect() -> QuerySet[Model]:
    return Closure.objects.filter(state__in=(ClosureState.EFFECTIVE, ClosureState.CONFIRMED))


def _nothing_outstanding_at_sign_off(_: str) -> Any:
    outstanding = Opportunity.objects.filter(
        investigation=OuterRef("investigation"), added_at__lte=OuterRef("signed_off_at")
    ).filter(Q(settled_at__isnull=True) | Q(settled_at__gt=OuterRef("signed_off_at")))
    return ~Exists(outstanding)


def _closures_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_investigations

    return Closure.objects.filter(investigation__in=visible_investigations(user))  # type: ignore[arg-type]


def _notices_visible(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_notices

    return visible_notices(user)  # type: ignore[arg-type]


def _checks_visible_to_unit(user: object) -> QuerySet[Model]:
    from safehub.access.policy import visible_checks

    return visible_checks(user)  # type: ignore[arg-type]


MEASURES: tuple[Measure, ...] = (
    Measure(
        key="hub-decided-in-time",
        process=Process.FRONT_DOOR,
        title="Contacts decided within one working day",
        numerator=(
            "Contacts whose referral decision was recorded by its due time (one working day from receipt,"
            " or sooner for a red rating)."
        ),
        denominator="Contacts received in the month that the hub screened (so have a decision due time).",
        exclusions="Contacts not yet screened. A contact still undecided counts as not decided in time.",
        population=_decided_contacts,
        counted=lambda _: Q(decided_at__isnull=False, decided_at__lte=F("decision_due_at")),
        month_field="received_at",
        council_field="hub_team__organisation_id",
        reference_field="reference",
        url_name="hub:contact",
        agency=Agency.SOCIAL_CARE,
        target=95,
        visible=_contacts_visible,
    ),
    Measure(
        key="hub-checks-in-time",
        process=Process.FRONT_DOOR,
        title="Hub checks answered in time, by agency",
        numerator=(
            "Checks the agency answered (shared, nothing known, or a decision not to share) by the due "
            "time the hub set."
        ),
        denominator="Checks the hub asked of the agency in the month (by the time it asked).",
        exclusions="None: a check not yet answered counts as not answered in time.",
        population=lambda: ResearchRequest.objects.all(),
        counted=_check_answered_in_time,
        scope=_checks_of,
        month_field="requested_at",
        council_field="contact__hub_team__organisation_id",
        reference_field="contact__reference",
        url_name="hub:contact",
        link_field="contact_id",
        agencies=(Agency.POLICE, Agency.HEALTH, Agency.EDUCATION),
        target=95,
        visible=_checks_visible,
    ),
    _attendance("meetings-strategy-attendance", MeetingKind.STRATEGY_DISCUSSION, "strategy discussions"),
    _attendance("meetings-icpc-attendance", MeetingKind.INITIAL_CONFERENCE, "initial child protection conferences"),
    # An unborn baby has no school: education is not expected at a pre-birth conference.
    _attendance(
        "meetings-prebirth-attendance",
        MeetingKind.PRE_BIRTH_CONFERENCE,
        "pre-birth conferences",
        (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH),
    ),
    _attendance("meetings-rcpc-attendance", MeetingKind.REVIEW_CONFERENCE, "review child protection conferences"),
    Measure(
        key="meetings-icpc-on-time",
        process=Process.MEETINGS,
        title="Initial conferences held on time",
        numerator=(
            "Initial and pre-birth conferences that started by their due time (15 working days from the "
            "strategy discussion, unless set locally)."
        ),
        denominator="Initial and pre-birth conferences held in the month.",
        exclusions="Conferences cancelled or not yet held.",
        population=_held(MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE),
        counted=lambda _: Q(starts_at__lte=F("due_at")),
        month_field="starts_at",
        council_field="local_authority_id",
        reference_field="reference",
        url_name="meetings:meeting",
        agency=Agency.SOCIAL_CARE,
        target=90,
        visible=_meetings_visible,
    ),
    Measure(
        key="meetings-police-remote",
        process=Process.MEETINGS,
        title="Conferences the police joined by video or phone",
        numerator="Initial, pre-birth and review conferences the police joined by video or phone.",
        denominator="Initial, pre-birth and review conferences held in the month.",
        exclusions=(
            "Conferences cancelled or not yet held. Shown to tell how far remote attendance is used, with no target."
        ),
        population=_held(
            MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE, MeetingKind.REVIEW_CONFERENCE
        ),
        counted=lambda _: _joined_remotely(Agency.POLICE),
        month_field="starts_at",
        council_field="local_authority_id",
        reference_field="reference",
        url_name="meetings:meeting",
        agency=Agency.POLICE,
        visible=_meetings_visible,
    ),
    Measure(
        key="investigations-closed-complete",
        process=Process.INVESTIGATIONS,
        title="Investigations closed with every opportunity explored",
        numerator="Closures with no investigative opportunity outstanding when the supervisor signed them off.",
        denominator=(
            "Closures that took effect in the month (after the council's challenge window, or confirmed "
            "after a challenge)."
        ),
        exclusions=(
            "Closures proposed, refused or stopped by a challenge. Kept for the force as a whole, not by council."
        ),
        population=_closures_in_effect,
        counted=_nothing_outstanding_at_sign_off,
        month_field="effective_at",
        council_field=None,
        reference_field="investigation__reference",
        url_name="investigations:investigation",
        link_field="investigation_id",
        agency=Agency.POLICE,
        target=100,
        visible=_closures_visible,
    ),
    Measure(
        key="encompass-delivered-in-time",
        process=Process.ENCOMPASS,
        title="Encompass notices delivered before the next school day",
        numerator=(
            "Notices delivered to the school (or the council's education team) by the start of the next "
            "school day after the incident."
        ),
        denominator="Notices due in the month (by their due time).",
        exclusions="None: a notice not yet delivered counts as late.",
        population=lambda: Notice.objects.all(),
        counted=lambda _: Q(delivered_at__isnull=False, delivered_at__lte=F("due_at")),
        month_field="due_at",
        council_field="incident__local_authority_id",
        reference_field="reference",
        url_name="encompass:notice",
        agency=Agency.POLICE,
        target=100,
        visible=_notices_visible,
    ),
    Measure(
        key="encompass-acknowledged-in-time",
        process=Process.ENCOMPASS,
        title="Encompass notices acknowledged by the school in time",
        numerator="Notices the school's Key Adult acknowledged before the coordinator's chase time.",
        denominator="Notices due in the month.",
        exclusions="None: a notice never acknowledged counts as not acknowledged in time.",
        population=lambda: Notice.objects.all(),
        counted=lambda _: Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_by")),
        month_field="due_at",
        council_field="incident__local_authority_id",
        reference_field="reference",
        url_name="encompass:notice",
        agency=Agency.EDUCATION,
        target=95,
        visible=_notices_visible,
    ),
    Measure(
        key="missing-council-told",
        process=Process.MISSING,
        title="Councils told of a missing child within a day",
        numerator=(
            "Episodes whose council was told (a high-risk notice or the daily digest) within the local "
            "limit of the report (24 hours unless set locally)."
        ),
        denominator="Missing episodes reported to the police in the month.",
        exclusions="None: an episode the council was not told of counts as late.",
        population=_episodes_told,
        counted=_told_in_time,
        month_field="reported_at",
        council_field="local_authority_id",
        reference_field="reference",
        url_name="missing:episode",
        agency=Agency.POLICE,
        target=100,
        visible=_episodes_visible,
    ),
    Measure(
        key="missing-rhi-offered",
        process=Process.MISSING,
        title="Return home interviews offered within 72 hours",
        numerator="Interviews the independent provider offered the child within 72 clock hours of the return.",
        denominator="Return home interviews due in the month (72 hours after each return).",
        exclusions="None: an interview never offered counts as not offered in time.",
        population=lambda: ReturnInterview.objects.all(),
        counted=lambda _: Q(offered_at__isnull=False, offered_at__lte=F("due_at")),
        month_field="due_at",
        council_field="local_authority_id",
        reference_field="episode__reference",
        url_name="missing:interview",
        agency=Agency.SOCIAL_CARE,
        target=100,
        visible=_interviews_visible,
    ),
    Measure(
        key="dbs-within-standard",
        process=Process.DBS,
        title="DBS local checks returned within the standard",
        numerator="Checks returned to DBS within the standard (14 calendar days from receipt unless set locally).",
        denominator="Checks returned to DBS in the month.",
        exclusions=(
            "Checks still open (the backlog is on the DBS performance page). Kept for the force, not by council."
        ),
        population=lambda: LocalCheck.objects.filter(returned_on__isnull=False),
        counted=lambda _: Q(returned_on__lte=F("standard_due_on")),
        month_field="returned_on",
        council_field=None,
        reference_field="dbs_reference",
        url_name="dbs:check",
        agency=Agency.POLICE,
        target=85,
        by_date=True,
        records_capability=Capability.WORK_DBS_CHECKS,
        visible=_checks_visible_to_unit,
    ),
    Measure(
        key="dbs-within-limit",
        process=Process.DBS,
        title="DBS local checks returned within the limit",
        numerator="Checks returned to DBS within the limit (60 calendar days from receipt unless set locally).",
        denominator="Checks returned to DBS in the month.",
        exclusions="Checks still open. Kept for the force, not by council.",
        population=lambda: LocalCheck.objects.filter(returned_on__isnull=False),
        counted=lambda _: Q(returned_on__lte=F("limit_due_on")),
        month_field="returned_on",
        council_field=None,
        reference_field="dbs_reference",
        url_name="dbs:check",
        agency=Agency.POLICE,
        target=100,
        by_date=True,
        records_capability=Capability.WORK_DBS_CHECKS,
        visible=_checks_visible_to_unit,
    ),
)


BY_KEY: dict[str, Measure] = {measure.key: measure for measure in MEASURES}


def measure(key: str) -> Measure | None:
    return BY_KEY.get(key)


def of_process(process: Process) -> list[Measure]:
    return [m for m in MEASURES if m.process == process]
