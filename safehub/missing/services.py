"""Every write about missing children.

Recording an episode (the police form, `safehub import missing`, the API) is one atomic write:
the episode, its first event, the child matched to a record (the front door's rule,
`matching.sure_match`; with no sure match a new record is made and marked so the hub can check
it for a duplicate), whether it makes the child a repeat missing child, the chronology entry,
each council's missing team's access to the child's record, and a high-risk alert at once.

The daily digest (`send_digests`, the worker every few minutes) gives each council one digest
a day at its time (08:00 by default; weekends and bank holidays too) of every event since the
one before, through the outbox; a digest with nothing in it is sent too and says so.

The return makes a return home interview due 72 clock hours later (`due_after`, so the clocks
changing does not move it), referred to the provider the responsible council commissions (the
placing authority for a child in care). Interviews not finished when due are escalated to the
council's missing lead (`escalate_overdue_interviews`).

Exploitation indicators, from an episode or an interview, or computed (two returns found at the
same postcode), raise the child's exploitation flag, which tells the council's missing lead and
team managers to consider a strategy discussion (convened through the meetings journey).
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.core.references import save_with_next_reference
from safehub.hub.services.workflow import team_of
from safehub.missing.models import (
    EPISODE_PREFIX,
    FINISHED_STATES,
    CmeReason,
    Digest,
    Episode,
    EpisodeEvent,
    EpisodeState,
    EventKind,
    ExploitationFlag,
    ExploitationType,
    GroundsDecision,
    Indicator,
    InterviewState,
    MissingArrangement,
    MissingEducation,
    NrmReferral,
    PhilomenaRecord,
    Reporter,
    ReturnInterview,
    RiskGrade,
)
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, OrganisationKind, Team, User
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people import identifiers, matching
from safehub.people.models import ChronologyEntry, ChronologyVisibility, Person, PersonKind
from safehub.people.services import create_person
from safehub.timescales.calendar import LONDON, calendar_days_before, london_wall_clock, school_days_between
from safehub.timescales.rules import due_after, timescale_value, window_start

SOURCE_TYPE = "missing.episode"
PURPOSE = "Missing children"
# The council's missing team may open the record of a child reported missing for this long.
ACCESS_AFTER_EPISODE = datetime.timedelta(days=365)
MIN_REASON_LENGTH = 20

NOT_POLICE = "Only a police officer can record a missing episode."
WRONG_FORCE = "You can record episodes only for your own force."
NOT_A_COUNCIL = "Choose a local authority."
IN_FUTURE = "{what} cannot be in the future."
KEY_CONFLICT = (
    "This idempotency key was already used for a different missing episode ({reference}). "
    "Use a new key for a new episode; resend the same details to retry the same one."
)
KEY_REUSED_WITH_CHANGES = (
    "This idempotency key was already used for episode {reference} with different details, so nothing was "
    "changed. To change that episode, add an update; to record another, use a new key."
)
REFERENCE_CONFLICT = (
    "Your force has already recorded missing episode {police_reference} ({reference}). "
    "To change it, add an update to that episode instead."
)
ALREADY_RETURNED = "This child has already been recorded as found or returned."
NOT_YOUR_INTERVIEW = "This return home interview was not referred to your organisation."
INTERVIEW_FINISHED = "This return home interview is finished: {state}."
NOT_THE_FORCE = "Only the force that recorded the episode can change it."


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Local arrangements ---------------------------------------------------------------------------


def arrangement_for(council: Organisation) -> MissingArrangement | None:
    return MissingArrangement.objects.filter(local_authority=council).select_related("team", "rhi_provider").first()


def missing_team(council: Organisation) -> Team | None:
    """The council's missing-children team: as arranged, else a team called so, else its duty team."""
    arrangement = arrangement_for(council)
    if arrangement is not None:
        return arrangement.team
    return team_of(council, ["Missing", "Exploitation"])


def digest_time(council: Organisation) -> datetime.time:
    return _digest_time(arrangement_for(council))


def _digest_time(arrangement: MissingArrangement | None, default: datetime.time | None = None) -> datetime.time:
    """The council's own time, else the partnership's (`missing_digest_time`, 08:00 by default)."""
    if arrangement is not None and arrangement.digest_time is not None:
        return arrangement.digest_time
    if default is not None:
        return default
    minutes = timescale_value("missing_digest_time")
    return datetime.time(minutes // 60, minutes % 60)


def coordinators_of(council_id: int) -> list[User]:
    """The council's missing leads (its missing-children coordinators)."""
    users = User.objects.filter(
        is_active=True, organisation_id=council_id, role_assignments__role=Role.MISSING_COORDINATOR
    ).distinct()
    return [u for u in users.order_by("pk") if has_capability(u, Capability.COORDINATE_MISSING)]


def _team_managers_of(council_id: int) -> list[User]:
    users = User.objects.filter(is_active=True, organisation_id=council_id, role_assignments__role=Role.TEAM_MANAGER)
    return [u for u in users.distinct().order_by("pk") if has_capability(u, Capability.CONVENE_MEETINGS)]


def _tell(users: Sequence[User], *, kind: str, key: str, reference: str, link: str) -> int:
    for user in users:
        notify(
            key=f"{key}:user-{user.pk}",
            recipient=user,
            kind=kind,
            reference=reference,
            link=link,
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
        )
    return len(users)


def _tell_team(team: Team | None, *, kind: str, key: str, reference: str, link: str) -> int:
    """The team's coordinators by inbox and email, and its shared mailbox by email."""
    if team is None:
        return 0
    members = [
        u
        for u in User.objects.filter(is_active=True, teams=team).distinct().order_by("pk")
        if has_capability(u, Capability.COORDINATE_MISSING)
    ]
    told = _tell(members, kind=kind, key=key, reference=reference, link=link)
    if team.email:
        notify(
            key=f"{key}:team-{team.pk}",
            mailbox=team,
            kind=kind,
            reference=reference,
            link=link,
            channels=[Channel.EMAIL],
        )
        told += 1
    return told


# Recording an episode -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildDetails:
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None = None
    nhs_number: str = ""
    upn: str = ""
    postcode: str = ""
    sex: str = ""
    # A record the officer chose; else the child is matched.
    person: Person | None = None


@dataclass(frozen=True)
class EpisodeInput:
    police_reference: str
    child: ChildDetails
    reported_at: datetime.datetime
    reported_by: str
    last_seen_location: str
    risk_grade: str
    local_authority: Organisation
    last_seen_at: datetime.datetime | None = None
    in_care: bool = False
    placing_authority: Organisation | None = None
    circumstances: str = ""
    indicators: Sequence[str] = field(default_factory=tuple)


class DuplicateEpisode(ValidationError):
    """A key or police reference names a different episode already recorded."""


def request_fingerprint(given: EpisodeInput) -> str:
    """A digest of everything the request says, to tell a resend from a changed request."""
    child = given.child
    body = [
        given.police_reference.strip(),
        child.given_names.strip(),
        child.family_name.strip(),
        str(child.date_of_birth),
        child.nhs_number.strip(),
        child.upn.strip(),
        child.postcode.strip(),
        child.sex,
        child.person.pk if child.person else None,
        given.reported_at.astimezone(datetime.UTC).isoformat(),
        given.reported_by,
        given.last_seen_at.astimezone(datetime.UTC).isoformat() if given.last_seen_at else "",
        given.last_seen_location.strip(),
        given.risk_grade,
        given.local_authority.pk,
        given.in_care,
        given.placing_authority.pk if given.placing_authority else None,
        given.circumstances.strip(),
        sorted(given.indicators),
    ]
    return hashlib.sha256(json.dumps(body, default=str).encode()).hexdigest()


def _validate(given: EpisodeInput, now: datetime.datetime) -> None:
    errors: dict[str, str] = {}
    child = given.child
    if not given.police_reference.strip():
        errors["police_reference"] = "Enter the force's reference for the missing report."
    if child.person is None and not (child.given_names.strip() and child.family_name.strip()):
        errors["child_name"] = "Enter the child's given and family names."
    if child.person is None and child.date_of_birth is None:
        errors["child_date_of_birth"] = "Enter the child's date of birth, or your best estimate of it."
    if child.date_of_birth is not None and child.date_of_birth > given.reported_at.astimezone(LONDON).date():
        errors["child_date_of_birth"] = "The child's date of birth is after the report."
    if child.nhs_number.strip():
        try:
            identifiers.validate_nhs_number(child.nhs_number)
        except ValidationError as error:
            errors["child_nhs_number"] = " ".join(error.messages)
    if child.upn.strip():
        try:
            identifiers.validate_upn(child.upn)
        except ValidationError as error:
            errors["child_upn"] = " ".join(error.messages)
    if child.sex not in ("", "female", "male"):
        errors["child_sex"] = "Choose female or male, or leave it blank."
    if given.reported_at > now:
        errors["reported_at"] = IN_FUTURE.format(what="The time of the report")
    if given.last_seen_at is not None and given.last_seen_at > given.reported_at:
        errors["last_seen_at"] = "The child was last seen before they were reported missing: check the times."
    if given.reported_by not in Reporter.values:
        errors["reported_by"] = "Choose who reported the child missing."
    if not given.last_seen_location.strip():
        errors["last_seen_location"] = "Enter where the child was last seen."
    if given.risk_grade not in RiskGrade.values:
        errors["risk_grade"] = "Choose the risk grade: no apparent risk, low, medium or high."
    if given.local_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
        errors["local_authority"] = NOT_A_COUNCIL
    if given.placing_authority is not None:
        if not given.in_care:
            errors["placing_authority"] = "Only a child in care has a placing authority."
        elif given.placing_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
            errors["placing_authority"] = NOT_A_COUNCIL
    unknown = [i for i in given.indicators if i not in Indicator.values]
    if unknown:
        errors["indicators"] = f"Not an exploitation indicator: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)


def _existing(
    *, force: Organisation, given: EpisodeInput, idempotency_key: str | None, retry_by_reference: bool
) -> Episode | None:
    if idempotency_key:
        earlier = Episode.objects.filter(force=force, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.police_reference != given.police_reference.strip():
                raise DuplicateEpisode(KEY_CONFLICT.format(reference=earlier.reference))
            if earlier.request_fingerprint != request_fingerprint(given):
                raise DuplicateEpisode(KEY_REUSED_WITH_CHANGES.format(reference=earlier.reference))
            return earlier
    earlier = Episode.objects.filter(force=force, police_reference=given.police_reference.strip()).first()
    if earlier is None:
        return None
    if retry_by_reference and earlier.request_fingerprint == request_fingerprint(given):
        return earlier
    raise DuplicateEpisode(
        REFERENCE_CONFLICT.format(police_reference=earlier.police_reference, reference=earlier.reference)
    )


def match_child(child: ChildDetails, *, on_behalf_of: str) -> Person | None:
    """The child's record when the match is sure (an identifier, or the exact full name and
    date of birth, contradicted by nothing): the front door's rule for what arrives with no
    person choosing."""
    if child.person is not None:
        return child.person
    return matching.sure_match_for_system(child, kind=PersonKind.CHILD, on_behalf_of=on_behalf_of)


def is_repeat(person: Person, at: datetime.datetime) -> bool:
    """Whether the child has at least the threshold of episodes (3 by default) reported in the
    window (90 calendar days by default) ending on the day of `at`, this one included."""
    return episodes_in_repeat_window(person, at) >= timescale_value("repeat_missing_episodes")


def episodes_in_repeat_window(person: Person, at: datetime.datetime) -> int:
    """How many episodes the child had reported in the repeat window ending on the day of `at`."""
    first = window_start(at.astimezone(LONDON).date(), "repeat_missing_window")
    start = london_wall_clock(first, datetime.time(0, 0))
    return Episode.objects.filter(person=person, reported_at__gte=start, reported_at__lte=at).count()


def _give_access(episode: Episode) -> None:
    """Each council's missing team may open the child's record."""
    for council_id in episode.councils:
        team = missing_team(Organisation.objects.get(pk=council_id))
        if team is None:
            continue
        relationship = LegitimateRelationship(
            team=team,
            person=episode.person,
            source=RelationshipSource.NOTIFICATION,
            reason=f"Missing episode {episode.reference}",
            # From when the episode was recorded (the service's `now`), not the wall clock.
            starts_at=episode.recorded_at,
            expires_at=episode.recorded_at + ACCESS_AFTER_EPISODE,
        )
        relationship.full_clean()
        relationship.save()


def _chronology(episode: Episode, *, summary: str, at: datetime.datetime, by: User | None) -> None:
    entry = ChronologyEntry(
        person=episode.person,
        occurred_at=at,
        category="missing",
        summary=summary[:300],
        organisation=episode.force,
        recorded_by=by,
        visibility=ChronologyVisibility.PARTNERSHIP,
        source_type=SOURCE_TYPE,
        source_id=str(episode.pk),
    )
    entry.full_clean()
    entry.save()


def _alert_high_risk(episode: Episode, *, now: datetime.datetime) -> None:
    """A high-risk episode reaches each council's missing team at once, not with the digest."""
    told = 0
    for council_id in episode.councils:
        council = Organisation.objects.get(pk=council_id)
        told += _tell_team(
            missing_team(council),
            kind="missing.high_risk",
            key=f"missing.high_risk:episode-{episode.pk}:la-{council_id}",
            reference=episode.reference,
            link=episode.get_absolute_url(),
        )
    if told and episode.council_told_at is None:
        episode.council_told_at = now
        episode.save(update_fields=["council_told_at"])


@transaction.atomic
def record_episode(
    *,
    episode: EpisodeInput,
    by: User | None,
    force: Organisation | None = None,
    idempotency_key: str | None = None,
    via: str = "form",
    on_behalf_of: str = "",
    retry_by_reference: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[Episode, bool]:
    """Record a missing episode. Returns it and whether it was new (False: the same report was
    sent again, and nothing changed). `now` is when it is recorded (the demo's history)."""
    if by is not None:
        _require(has_capability(by, Capability.RECORD_MISSING), NOT_POLICE)
        if force is not None and force.pk != by.organisation_id:
            raise PermissionDenied(WRONG_FORCE)
        force = by.organisation
    if force is None or force.kind != OrganisationKind.POLICE_FORCE:
        raise PermissionDenied(NOT_POLICE)
    now = now or timezone.now()
    _validate(episode, now)
    earlier = _existing(
        force=force, given=episode, idempotency_key=idempotency_key, retry_by_reference=retry_by_reference
    )
    if earlier is not None:
        return earlier, False
    agent = on_behalf_of or (by.username if by is not None else f"{force.name} ({via})")
    child = episode.child
    if child.person is not None and by is not None and not policy.can(by, "view", child.person):
        raise ValidationError({"child": "Choose a record you may open, or give the child's details to match."})
    person = match_child(child, on_behalf_of=agent)
    created = person is None
    if person is None:
        person = create_person(
            created_by=by,
            kind=PersonKind.CHILD,
            given_names=child.given_names,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            nhs_number=identifiers.validate_nhs_number(child.nhs_number) if child.nhs_number.strip() else "",
            upn=child.upn.strip(),
            purpose=f"missing episode {episode.police_reference.strip()} (no record matched surely)",
        )
    row = Episode(
        force=force,
        local_authority=episode.local_authority,
        placing_authority=episode.placing_authority,
        person=person,
        new_record=created,
        police_reference=episode.police_reference.strip(),
        idempotency_key=idempotency_key or "",
        request_fingerprint=request_fingerprint(episode),
        reported_at=episode.reported_at,
        reported_by=episode.reported_by,
        last_seen_at=episode.last_seen_at,
        last_seen_location=episode.last_seen_location.strip(),
        risk_grade=episode.risk_grade,
        in_care=episode.in_care,
        circumstances=episode.circumstances.strip(),
        indicators=sorted(set(episode.indicators)),
        recorded_at=now,
        recorded_by=by,
        recorded_via=via,
    )
    row.reference = "pending"
    row.full_clean(exclude=["reference"])
    year = now.astimezone(LONDON).year
    save_with_next_reference(row, prefix=f"{EPISODE_PREFIX}-{year}-", what="a missing episode")
    row.repeat = is_repeat(person, row.reported_at)
    if row.repeat:
        row.save(update_fields=["repeat"])
    EpisodeEvent.objects.create(episode=row, kind=EventKind.REPORTED, at=now, by=by, risk_grade=row.risk_grade)
    _chronology(
        row,
        summary=f"Reported missing ({row.get_risk_grade_display().lower()} risk), episode {row.reference} "
        f"(police {row.police_reference}).",
        at=row.reported_at,
        by=by,
    )
    _give_access(row)
    if row.risk_grade == RiskGrade.HIGH:
        _alert_high_risk(row, now=now)
    if row.indicators:
        raise_flag(person=person, council=_responsible(row), indicators=row.indicators, episode=row, at=now)
    record(
        action="missing.episode_recorded",
        actor=by,
        actor_username="" if by is not None else agent,
        target=row,
        purpose=PURPOSE,
        detail={
            "via": via,
            "risk": row.risk_grade,
            "new_record": created,
            "repeat": row.repeat,
            "in_care": row.in_care,
        },
    )
    return row, True


def _responsible(episode: Episode) -> Organisation:
    """The council responsible for the child: the placing authority of a child in care, else
    the council where the child lives."""
    return episode.placing_authority or episode.local_authority


@transaction.atomic
def update_episode(*, episode: Episode, by: User, text: str, risk_grade: str = "") -> EpisodeEvent:
    """An update from the police: what is known now, and a new risk grade if it changed."""
    _require(policy.can(by, "update_episode", episode), NOT_THE_FORCE)
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    if not text.strip():
        raise ValidationError({"text": "Say what has changed."})
    if risk_grade and risk_grade not in RiskGrade.values:
        raise ValidationError({"risk_grade": "Choose the risk grade: no apparent risk, low, medium or high."})
    now = timezone.now()
    raised_to_high = risk_grade == RiskGrade.HIGH and episode.risk_grade != RiskGrade.HIGH
    if risk_grade and risk_grade != episode.risk_grade:
        episode.risk_grade = risk_grade
        episode.save(update_fields=["risk_grade"])
    event = EpisodeEvent.objects.create(
        episode=episode, kind=EventKind.UPDATED, at=now, by=by, text=text.strip(), risk_grade=risk_grade
    )
    if raised_to_high and episode.state == EpisodeState.MISSING:
        for council_id in episode.councils:
            _tell_team(
                missing_team(Organisation.objects.get(pk=council_id)),
                kind="missing.high_risk",
                key=f"missing.high_risk:episode-{episode.pk}:event-{event.pk}:la-{council_id}",
                reference=episode.reference,
                link=episode.get_absolute_url(),
            )
    record(
        action="missing.episode_updated",
        actor=by,
        target=episode,
        purpose=PURPOSE,
        detail={"risk": episode.risk_grade, "raised_to_high": raised_to_high},
    )
    return event


@dataclass(frozen=True)
class ReturnInput:
    returned_at: datetime.datetime
    found_location: str
    found_by: str
    found_postcode: str = ""
    where_had_been: str = ""
    with_whom: str = ""
    harm: str = ""
    indicators: Sequence[str] = field(default_factory=tuple)


@transaction.atomic
def record_return(
    *,
    episode: Episode,
    by: User | None,
    given: ReturnInput,
    force: Organisation | None = None,
    now: datetime.datetime | None = None,
) -> Episode:
    """The child is found or has returned: the episode closes and the return home interview
    becomes due 72 hours later, referred to the responsible council's provider."""
    if by is not None:
        _require(policy.can(by, "update_episode", episode), NOT_THE_FORCE)
    elif force is None or force.pk != episode.force_id:
        raise PermissionDenied(NOT_THE_FORCE)
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    if episode.state == EpisodeState.RETURNED:
        raise ValidationError(ALREADY_RETURNED)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if given.returned_at > now:
        errors["returned_at"] = IN_FUTURE.format(what="The return")
    if given.returned_at < episode.reported_at:
        errors["returned_at"] = "The return cannot be before the child was reported missing."
    if not given.found_location.strip():
        errors["found_location"] = "Enter where the child was found or returned to."
    if not given.found_by.strip():
        errors["found_by"] = "Say who found the child or who they returned to (police, carer, parent, self)."
    unknown = [i for i in given.indicators if i not in Indicator.values]
    if unknown:
        errors["indicators"] = f"Not an exploitation indicator: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    postcode = given.found_postcode.strip().upper()
    indicators = set(given.indicators) | set(episode.indicators)
    if (
        postcode
        and Episode.objects.filter(person=episode.person, found_postcode=postcode).exclude(pk=episode.pk).exists()
    ):
        # Computed, not typed: found at the same place as before.
        indicators.add(Indicator.SAME_ADDRESS)
    episode.state = EpisodeState.RETURNED
    episode.returned_at = given.returned_at
    episode.found_location = given.found_location.strip()
    episode.found_postcode = postcode
    episode.found_by = given.found_by.strip()
    episode.where_had_been = given.where_had_been.strip()
    episode.with_whom = given.with_whom.strip()
    episode.harm = given.harm.strip()
    episode.indicators = sorted(indicators)
    episode.full_clean()
    episode.save()
    EpisodeEvent.objects.create(episode=episode, kind=EventKind.RETURNED, at=now, by=by, text=episode.found_location)
    _chronology(
        episode,
        summary=f"Found or returned after missing episode {episode.reference}; return home interview due.",
        at=episode.returned_at,
        by=by,
    )
    interview = _refer_interview(episode, now=now)
    if episode.indicators:
        raise_flag(
            person=episode.person, council=_responsible(episode), indicators=episode.indicators, episode=episode, at=now
        )
    record(
        action="missing.episode_returned",
        actor=by,
        actor_username="" if by is not None else f"{episode.force.name} (import)",
        target=episode,
        purpose=PURPOSE,
        detail={"interview_due": interview.due_at.isoformat(), "provider": interview.provider_id},
    )
    return episode


def rhi_workers(provider: Organisation | None) -> list[User]:
    if provider is None:
        return []
    users = User.objects.filter(is_active=True, organisation=provider, role_assignments__role=Role.RHI_WORKER)
    return [u for u in users.distinct().order_by("pk") if has_capability(u, Capability.RECORD_RETURN_INTERVIEW)]


def _refer_interview(episode: Episode, *, now: datetime.datetime) -> ReturnInterview:
    council = _responsible(episode)
    arrangement = arrangement_for(council)
    provider = arrangement.rhi_provider if arrangement is not None else None
    assert episode.returned_at is not None
    interview = ReturnInterview(
        episode=episode,
        provider=provider,
        local_authority=council,
        created_at=now,
        # Clock hours, per the guidance: counted in UTC, so a change of the clocks moves nothing.
        due_at=due_after(episode.returned_at, "return_home_interview"),
    )
    interview.full_clean()
    interview.save()
    link = interview.get_absolute_url()
    told = _tell(
        rhi_workers(provider),
        kind="missing.interview_referred",
        key=f"missing.interview_referred:interview-{interview.pk}",
        reference=episode.reference,
        link=link,
    )
    if not told:
        # No provider, or no one there in SafeHub: the missing lead arranges it now.
        _tell(
            coordinators_of(council.pk),
            kind="missing.interview_unassigned",
            key=f"missing.interview_unassigned:interview-{interview.pk}",
            reference=episode.reference,
            link=link,
        )
    return interview


# Return home interviews -----------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewFindings:
    push_factors: str = ""
    pull_factors: str = ""
    where_and_with_whom: str = ""
    child_wants: str = ""
    indicators: Sequence[str] = field(default_factory=tuple)


# From each state, the states an interview may move to. A provider may record an interview
# accepted or completed straight away (offered and held at the first visit): it was offered then.
NEXT_STATES: dict[str, frozenset[str]] = {
    InterviewState.REFERRED: frozenset(
        {
            InterviewState.OFFERED,
            InterviewState.ACCEPTED,
            InterviewState.COMPLETED,
            InterviewState.DECLINED,
            InterviewState.COULD_NOT_CONTACT,
        }
    ),
    InterviewState.OFFERED: frozenset(
        {InterviewState.ACCEPTED, InterviewState.DECLINED, InterviewState.COULD_NOT_CONTACT, InterviewState.COMPLETED}
    ),
    InterviewState.ACCEPTED: frozenset({InterviewState.COMPLETED, InterviewState.COULD_NOT_CONTACT}),
}


@transaction.atomic
def record_interview(
    *,
    interview: ReturnInterview,
    by: User,
    state: str,
    at: datetime.datetime | None = None,
    findings: InterviewFindings | None = None,
    now: datetime.datetime | None = None,
) -> ReturnInterview:
    """The provider records where the interview has got to, and on completion its findings."""
    _require(policy.can(by, "record_interview", interview), NOT_YOUR_INTERVIEW)
    interview = ReturnInterview.objects.select_for_update(of=("self",)).select_related("episode").get(pk=interview.pk)
    if interview.state in FINISHED_STATES:
        raise ValidationError(INTERVIEW_FINISHED.format(state=interview.get_state_display().lower()))
    if state not in NEXT_STATES.get(interview.state, frozenset()):
        allowed = ", ".join(sorted(InterviewState(s).label.lower() for s in NEXT_STATES[interview.state]))
        raise ValidationError(
            {"state": f"From {interview.get_state_display().lower()} the interview can be: {allowed}."}
        )
    now = now or timezone.now()
    at = at or now
    episode = interview.episode
    assert episode.returned_at is not None
    if at > now:
        raise ValidationError({"at": IN_FUTURE.format(what="The time")})
    if at < episode.returned_at:
        raise ValidationError({"at": "The time cannot be before the child returned."})
    findings = findings or InterviewFindings()
    found = findings.push_factors.strip() or findings.pull_factors.strip() or findings.child_wants.strip()
    if state == InterviewState.COMPLETED and not found:
        raise ValidationError(
            {"push_factors": "Record what the interview found: push and pull factors and what the child wants."}
        )
    unknown = [i for i in findings.indicators if i not in Indicator.values]
    if unknown:
        raise ValidationError({"indicators": f"Not an exploitation indicator: {', '.join(unknown)}."})
    if interview.offered_at is None and state != InterviewState.COULD_NOT_CONTACT:
        interview.offered_at = at
    interview.state = state
    interview.recorded_by = by
    if state in FINISHED_STATES:
        interview.finished_at = at
    if state == InterviewState.COMPLETED:
        interview.push_factors = findings.push_factors.strip()
        interview.pull_factors = findings.pull_factors.strip()
        interview.where_and_with_whom = findings.where_and_with_whom.strip()
        interview.child_wants = findings.child_wants.strip()
        interview.indicators = sorted(set(findings.indicators))
    interview.full_clean()
    interview.save()
    if state == InterviewState.COMPLETED:
        entry = ChronologyEntry(
            person=episode.person,
            occurred_at=at,
            category="missing",
            summary=f"Return home interview completed after missing episode {episode.reference}.",
            organisation=by.organisation,
            recorded_by=by,
            visibility=ChronologyVisibility.PARTNERSHIP,
            source_type="missing.interview",
            source_id=str(interview.pk),
        )
        entry.full_clean()
        entry.save()
        if interview.indicators:
            raise_flag(
                person=episode.person,
                council=interview.local_authority,
                indicators=interview.indicators,
                interview=interview,
                at=now,
            )
    record(
        action="missing.interview_recorded",
        actor=by,
        target=interview,
        purpose=PURPOSE,
        detail={"state": state, "offered_in_time": interview.offered_in_time, "indicators": len(interview.indicators)},
    )
    return interview


def escalate_overdue_interviews(*, now: datetime.datetime | None = None) -> int:
    """Tell the council's missing lead of each interview not finished by its due time, once."""
    now = now or timezone.now()
    due = ReturnInterview.objects.filter(due_at__lte=now, escalated_at__isnull=True).exclude(state__in=FINISHED_STATES)
    escalated = 0
    for pk in due.values_list("pk", flat=True):
        escalated += _escalate_interview(pk, now)
    return escalated


@transaction.atomic
def _escalate_interview(pk: int, now: datetime.datetime) -> int:
    interview = ReturnInterview.objects.select_for_update(of=("self",)).select_related("episode").get(pk=pk)
    if interview.escalated_at is not None or interview.is_finished:
        return 0
    leads = coordinators_of(interview.local_authority_id)
    _tell(
        leads,
        kind="missing.interview_overdue",
        key=f"missing.interview_overdue:interview-{interview.pk}",
        reference=interview.episode.reference,
        link=interview.get_absolute_url(),
    )
    interview.escalated_at = now
    interview.save(update_fields=["escalated_at"])
    record(
        action="missing.interview_escalated",
        target=interview,
        purpose="Return home interview overdue",
        detail={"leads": [u.pk for u in leads], "state": interview.state},
    )
    return 1


# Exploitation ---------------------------------------------------------------------------------


def raise_flag(
    *,
    person: Person,
    council: Organisation,
    indicators: Sequence[str],
    at: datetime.datetime,
    episode: Episode | None = None,
    interview: ReturnInterview | None = None,
) -> ExploitationFlag:
    """Raise the child's exploitation flag (or add the new indicators to the open one), and
    tell the council's missing lead and team managers to consider a strategy discussion."""
    flag = ExploitationFlag.objects.select_for_update().filter(person=person, closed_at__isnull=True).first()
    if flag is not None:
        added = sorted(set(indicators) - set(flag.indicators))
        if added:
            flag.indicators = sorted(set(flag.indicators) | set(added))
            flag.save(update_fields=["indicators"])
        return flag
    flag = ExploitationFlag(
        person=person,
        local_authority=council,
        raised_at=at,
        indicators=sorted(set(indicators)),
        episode=episode,
        interview=interview,
    )
    flag.full_clean()
    flag.save()
    link = reverse("missing:child", args=[person.pk])
    users = {u.pk: u for u in coordinators_of(council.pk) + _team_managers_of(council.pk)}
    _tell(
        list(users.values()),
        kind="missing.exploitation_flag",
        key=f"missing.exploitation_flag:flag-{flag.pk}",
        reference=flag.reference,
        link=link,
    )
    record(
        action="missing.exploitation_flag_raised",
        target=person,
        purpose="Exploitation indicators in missing episodes",
        detail={"indicators": flag.indicators, "council": council.pk},
    )
    return flag


# The daily digest -----------------------------------------------------------------------------


def digest_moment(council: Organisation, day: datetime.date) -> datetime.datetime:
    return london_wall_clock(day, digest_time(council))


def send_digests(*, now: datetime.datetime | None = None, only_with_news: bool = False) -> int:
    """Send each council its digest for today once its time has come (weekends and bank
    holidays too). Returns how many were sent; running it again sends none. `only_with_news`
    (the demo's older history only) skips a council with nothing since its last digest."""
    now = now or timezone.now()
    day = now.astimezone(LONDON).date()
    sent = 0
    councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_open=True).order_by("pk")
    # Every council's arrangement in one query: this runs every few minutes, for every council.
    arrangements = {a.local_authority_id: a for a in MissingArrangement.objects.select_related("team")}
    default_time = _digest_time(None)
    done = set(Digest.objects.filter(day=day).values_list("local_authority_id", flat=True))
    for council in councils:
        arrangement = arrangements.get(council.pk)
        if council.pk in done or now < london_wall_clock(day, _digest_time(arrangement, default_time)):
            continue
        if arrangement is None and missing_team(council) is None:
            continue
        if only_with_news:
            last = Digest.objects.filter(local_authority=council).order_by("-day").first()
            since = _council_events(council.pk).filter(at__lte=now)
            if last is not None:
                since = since.filter(at__gt=last.period_end)
            if not since.exists():
                continue
        sent += _send_digest(council.pk, day, now)
    return sent


def _council_events(council_id: int) -> QuerySet[EpisodeEvent]:
    return EpisodeEvent.objects.filter(
        Q(episode__local_authority_id=council_id) | Q(episode__placing_authority_id=council_id)
    )


@transaction.atomic
def _send_digest(council_id: int, day: datetime.date, now: datetime.datetime) -> int:
    council = Organisation.objects.select_for_update().get(pk=council_id)
    if Digest.objects.filter(local_authority=council, day=day).exists():
        return 0
    team = missing_team(council)
    assert team is not None
    previous = Digest.objects.filter(local_authority=council).order_by("-day").first()
    start = previous.period_end if previous is not None else digest_moment(council, calendar_days_before(day, 1))
    events = _council_events(council.pk).filter(at__gt=start, at__lte=now)
    digest = Digest.objects.create(
        local_authority=council, team=team, day=day, period_start=start, period_end=now, created_at=now
    )
    event_ids = list(events.values_list("pk", flat=True))
    digest.events.set(event_ids)
    episode_ids = set(EpisodeEvent.objects.filter(pk__in=event_ids).values_list("episode_id", flat=True))
    digest.episode_count = len(episode_ids)
    digest.save(update_fields=["episode_count"])
    Episode.objects.filter(pk__in=episode_ids, council_told_at__isnull=True).update(council_told_at=now)
    kind = "missing.digest" if episode_ids else "missing.digest_empty"
    _tell_team(
        team,
        kind=kind,
        key=f"missing.digest:la-{council.pk}:{day.isoformat()}",
        reference=digest.reference,
        link=digest.get_absolute_url(),
    )
    record(
        action="missing.digest_sent",
        target=digest,
        purpose="Daily notice of missing children to the council",
        detail={"day": day.isoformat(), "episodes": len(episode_ids), "events": len(event_ids)},
    )
    return 1


# The National Referral Mechanism --------------------------------------------------------------


@transaction.atomic
def refer_to_nrm(*, person: Person, by: User, referred_on: datetime.date, exploitation_type: str) -> NrmReferral:
    _require(
        has_capability(by, Capability.REFER_NRM) and by.organisation is not None and policy.can(by, "view", person),
        "Only the police and the council, as first responders working with the child, refer to the NRM.",
    )
    if exploitation_type not in ExploitationType.values:
        raise ValidationError({"exploitation_type": "Choose the type of exploitation."})
    if referred_on > timezone.now().astimezone(LONDON).date():
        raise ValidationError({"referred_on": IN_FUTURE.format(what="The referral")})
    referral = NrmReferral(
        person=person,
        organisation=by.organisation,
        referred_by=by,
        referred_on=referred_on,
        exploitation_type=exploitation_type,
    )
    referral.full_clean()
    referral.save()
    record(action="missing.nrm_referred", actor=by, target=person, purpose="National Referral Mechanism")
    return referral


@transaction.atomic
def record_nrm_decision(
    *, referral: NrmReferral, by: User, stage: str, decision: str, decided_on: datetime.date
) -> NrmReferral:
    """Record the competent authority's reasonable or conclusive grounds decision."""
    _require(
        has_capability(by, Capability.REFER_NRM) and by.organisation_id == referral.organisation_id,
        "Only the first responder's organisation records the decisions on its referral.",
    )
    if stage not in ("reasonable", "conclusive"):
        raise ValidationError({"stage": "Choose reasonable or conclusive grounds."})
    if decision not in (GroundsDecision.POSITIVE, GroundsDecision.NEGATIVE):
        raise ValidationError({"decision": "Choose positive or negative."})
    if decided_on > timezone.now().astimezone(LONDON).date():
        raise ValidationError({"decided_on": IN_FUTURE.format(what="The decision")})
    setattr(referral, f"{stage}_grounds", decision)
    setattr(referral, f"{stage}_grounds_on", decided_on)
    referral.full_clean()
    referral.save()
    record(
        action="missing.nrm_decision",
        actor=by,
        target=referral.person,
        purpose="National Referral Mechanism",
        detail={"stage": stage, "decision": decision},
    )
    return referral


# The Philomena protocol -----------------------------------------------------------------------


@transaction.atomic
def keep_philomena(
    *,
    person: Person,
    by: User,
    description: str,
    photo_reference: str = "",
    associates: str = "",
    places: str = "",
    health_needs: str = "",
) -> PhilomenaRecord:
    _require(policy.can(by, "maintain_philomena", person), "Only the council working with the child keeps this form.")
    if not description.strip():
        raise ValidationError({"description": "Describe the child as the police would need to find them."})
    assert by.organisation is not None
    found = PhilomenaRecord.objects.filter(person=person).first()
    philomena = found or PhilomenaRecord(person=person, local_authority=by.organisation)
    philomena.description = description.strip()
    philomena.photo_reference = photo_reference.strip()
    philomena.associates = associates.strip()
    philomena.places = places.strip()
    philomena.health_needs = health_needs.strip()
    philomena.updated_at, philomena.updated_by = timezone.now(), by
    philomena.full_clean()
    philomena.save()
    record(action="missing.philomena_kept", actor=by, target=person, purpose="Philomena protocol")
    return philomena


@transaction.atomic
def open_philomena(*, person: Person, by: User, purpose: str) -> PhilomenaRecord | None:
    """The police open a child in care's Philomena record while the child is missing; the
    access is audited with its purpose."""
    _require(
        policy.can(by, "open_philomena", person), "The Philomena record opens to the police while the child is missing."
    )
    if len(purpose.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({"purpose": "Say why you are opening it, in a sentence: the search it is for."})
    record(action="missing.philomena_opened", actor=by, target=person, purpose=purpose.strip())
    return PhilomenaRecord.objects.filter(person=person).first()


# Children missing education -------------------------------------------------------------------


@transaction.atomic
def record_missing_education(
    *, person: Person, by: User, reason: str, since: datetime.date, school: Organisation | None = None
) -> MissingEducation:
    """A school (or the council) tells the council's CME officer of a child missing education:
    off the roll with no known destination, or absent without explanation for 10 consecutive
    school days (counted in the school's own school days)."""
    _require(has_capability(by, Capability.RECORD_MISSING_EDUCATION), "Only a school or the council records this.")
    assert by.organisation is not None
    if by.organisation.kind in (OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS):
        school = by.organisation
        _require(policy.can(by, "view", person), "Record only children on your school's roll.")
    elif not policy.can(by, "view", person):
        raise PermissionDenied("Open the child's record first.")
    if reason not in CmeReason.values:
        raise ValidationError({"reason": "Choose why the child is missing education."})
    today = timezone.now().astimezone(LONDON).date()
    if since > today:
        raise ValidationError({"since": IN_FUTURE.format(what="The date")})
    if reason == CmeReason.ABSENCE:
        if school is None:
            raise ValidationError({"school": "Say which school the child has been absent from."})
        needed = timescale_value("missing_education_absence")
        counted = school_days_between(school, since, today)
        if counted < needed:
            raise ValidationError(
                {
                    "since": f"That is {counted} school day{'s' if counted != 1 else ''} of absence so far: a child is "
                    f"missing education after {needed} consecutive school days. Keep following up the absence."
                }
            )
    council = school.local_authority if school is not None and school.local_authority else None
    council = council or (by.organisation if by.organisation.kind == OrganisationKind.LOCAL_AUTHORITY else None)
    if council is None:
        raise ValidationError({"school": "SafeHub does not know which council this school belongs to."})
    if MissingEducation.objects.filter(person=person, resolved_on__isnull=True).exists():
        raise ValidationError("The council already has this child as missing education.")
    row = MissingEducation(
        person=person,
        local_authority=council,
        school=school,
        reason=reason,
        since=since,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    row.full_clean()
    row.save()
    _tell(
        coordinators_of(council.pk),
        kind="missing.education",
        key=f"missing.education:{row.pk}",
        reference=person.reference,
        link=reverse("missing:education"),
    )
    record(action="missing.education_recorded", actor=by, target=person, purpose="Children missing education")
    return row


@transaction.atomic
def resolve_missing_education(*, row: MissingEducation, by: User, resolution: str) -> MissingEducation:
    _require(
        has_capability(by, Capability.COORDINATE_MISSING) and by.organisation_id == row.local_authority_id,
        "Only the council's CME officer closes this.",
    )
    if len(resolution.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({"resolution": "Say where the child is now in education, in a sentence or more."})
    row.resolved_on = timezone.now().astimezone(LONDON).date()
    row.resolution = resolution.strip()
    row.save(update_fields=["resolved_on", "resolution"])
    record(action="missing.education_resolved", actor=by, target=row.person, purpose="Children missing education")
    return row
