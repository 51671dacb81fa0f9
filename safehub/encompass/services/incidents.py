"""Domestic abuse incidents in, and one notice per child out to the school's Key Adults.

Recording an incident (the police form, `safehub import incidents`, the API) is one atomic
write: the incident, its adults and children, each child matched to a person (the front
door's matching: an exact NHS number, else one sure candidate), routed to a school, and a
`Notice` with its outbox rows. The same idempotency key (or the same force and police
reference) twice records one incident and notifies once.

Routing a child (`route_child`):
- the school or setting the child is on roll at on the incident date, if it is in the scheme
  (schools always; early-years settings only where the partnership includes them);
- otherwise the local authority's education team (the council's team named "Education
  Safeguarding", else its duty team), with the reason: not matched, not on any roll, or at a
  setting outside the scheme.

The notice is due at the start of the school's next school day after the incident happened
(`next_school_day_start`: weekends, bank holidays, holidays and INSET days respected), so an
incident the force records late is delivered late, and counted so; notices to the council
are due at the start of its next working day (08:45 by default). Delivery is immediate: the
inbox row is written with the incident, and the email (no personal data) leaves with the next
dispatcher run, every minute. A notice that arrives late is chased an hour after it arrived
(or, after 15:00, on the next school day): `chase_time`.

A correction raises the incident's version; every child already notified gets an update
(kind "encompass.updated"), never a second first notice.
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.encompass.models import (
    AdultRole,
    Incident,
    IncidentAdult,
    IncidentChild,
    LocationKind,
    NoSchoolReason,
    Notice,
    RecipientKind,
)
from safehub.hub.services.workflow import team_of
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import (
    DEFAULT_SCHOOL_DAY_START,
    Organisation,
    OrganisationKind,
    Partnership,
    Team,
    User,
)
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people import identifiers, matching
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    Enrolment,
    Person,
    PersonKind,
)
from safehub.timescales.calendar import (
    LONDON,
    is_school_day,
    is_working_day,
    next_school_day_start,
    next_working_day,
)
from safehub.timescales.rules import timescale_value

SOURCE_TYPE = "encompass.incident"
REFERENCE_ATTEMPTS = 20
# A candidate this strong is sure enough to link without a person choosing (as the hub does).
# Invitees of a notice may open the child's record for this long (calendar days), to support them.
ACCESS_AFTER_NOTICE = datetime.timedelta(days=90)

NOT_POLICE = "Only a police officer can record a domestic abuse incident."
NO_CHILDREN = "Add every child related to either adult, whether or not they were present."
NO_ADULTS = "Add the adults involved in the incident."
WRONG_FORCE = "You can record incidents only for your own force."
NOT_A_COUNCIL = "Choose the local authority area where the incident happened."
IN_FUTURE = "The incident cannot be in the future."
KEY_CONFLICT = (
    "This idempotency key was already used for a different incident ({reference}). "
    "Use a new key for a new incident; resend the same details to retry the same one."
)
KEY_REUSED_WITH_CHANGES = (
    "This idempotency key was already used for incident {reference} with different details, so nothing was "
    "changed. To change that incident, correct it; to record another, use a new key."
)
REFERENCE_CONFLICT = (
    "Your force has already recorded incident {police_reference} ({reference}). "
    "To change it, correct that incident instead."
)


@dataclass(frozen=True)
class AdultInput:
    role: str
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None = None
    person: Person | None = None


@dataclass(frozen=True)
class ChildInput:
    given_names: str
    family_name: str
    present: bool
    date_of_birth: datetime.date | None = None
    nhs_number: str = ""
    upn: str = ""
    postcode: str = ""
    # "female" or "male" when the officer says: used for matching only.
    sex: str = ""
    whereabouts: str = ""
    voice_of_child: str = ""
    injuries: str = ""
    actions_taken: str = ""
    person: Person | None = None


@dataclass(frozen=True)
class IncidentInput:
    police_reference: str
    occurred_at: datetime.datetime
    local_authority: Organisation
    location: str
    location_kind: str
    circumstances: str
    adults: Sequence[AdultInput] = field(default_factory=tuple)
    children: Sequence[ChildInput] = field(default_factory=tuple)


class DuplicateIncident(ValidationError):
    """Raised when a key or police reference names a different incident already recorded."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Matching and routing -------------------------------------------------------------------------


def match_child(child: ChildInput, *, on_behalf_of: str) -> Person | None:
    """The child's record when the match is sure (`safehub.people.matching.sure_match`: an
    identifier, or the exact full name and date of birth, contradicted by nothing). Nothing is
    shown to anyone: a child not matched goes to the council."""
    if child.person is not None:
        return child.person
    return matching.sure_match_for_system(child, kind=PersonKind.CHILD, on_behalf_of=on_behalf_of)


def _in_scheme(organisation: Organisation) -> bool:
    if organisation.kind == OrganisationKind.SCHOOL:
        return True
    if organisation.kind == OrganisationKind.EARLY_YEARS:
        partnership = Partnership.current()
        return bool(partnership and partnership.encompass_includes_early_years)
    return False


@dataclass(frozen=True)
class Route:
    recipient_kind: str
    organisation: Organisation
    team: Team | None = None
    no_school_reason: str = ""


def education_team(council: Organisation) -> Team | None:
    return team_of(council, ["Education Safeguarding", "Education"], duty=False) or team_of(council, [], duty=True)


def route_child(person: Person | None, *, on: datetime.date, council: Organisation) -> Route:
    """Where the child's notice goes (the rule is in this module's docstring)."""
    reason = NoSchoolReason.NOT_FOUND
    if person is not None:
        enrolment = (
            Enrolment.objects.current_on(on)
            .filter(person=person)
            .select_related("organisation")
            .order_by("-start_date", "-pk")
            .first()
        )
        if enrolment is not None and _in_scheme(enrolment.organisation):
            return Route(RecipientKind.SCHOOL, enrolment.organisation)
        reason = NoSchoolReason.OUTSIDE_SCHEME if enrolment is not None else NoSchoolReason.NO_ENROLMENT
    return Route(RecipientKind.LOCAL_AUTHORITY, council, team=education_team(council), no_school_reason=reason)


def notice_due(route: Route, after: datetime.datetime) -> datetime.datetime:
    """The start of the school's next school day; for the council, its next working day at the
    default school start."""
    if route.recipient_kind == RecipientKind.SCHOOL:
        return next_school_day_start(route.organisation, after)
    local = after.astimezone(LONDON)
    day = local.date()
    start = datetime.datetime.combine(day, DEFAULT_SCHOOL_DAY_START, tzinfo=LONDON)
    if not is_working_day(day) or local >= start:
        day = next_working_day(day)
    return datetime.datetime.combine(day, DEFAULT_SCHOOL_DAY_START, tzinfo=LONDON)


def acknowledge_by(due_at: datetime.datetime) -> datetime.datetime:
    """When an unacknowledged notice is chased: the partnership's time of day (10:00 by
    default) on the day it was due, and never less than an hour after the day started."""
    minutes = timescale_value("encompass_acknowledgement")
    local = due_at.astimezone(LONDON)
    chase = datetime.datetime.combine(local.date(), datetime.time(minutes // 60, minutes % 60), tzinfo=LONDON)
    return max(chase, local + datetime.timedelta(hours=1))


# A notice delivered late after this time of a working day is chased the next school day.
LATEST_SAME_DAY_CHASE = datetime.time(15, 0)


def chase_time(route: Route, *, due_at: datetime.datetime, delivered_at: datetime.datetime) -> datetime.datetime:
    """When an unacknowledged notice is chased: by `acknowledge_by(due_at)` if it was delivered
    in time; if it arrived late (the incident was recorded after the school day it was due by
    had started), an hour after it arrived during a school day, else on the next school day."""
    if delivered_at <= due_at:
        return acknowledge_by(due_at)
    local = delivered_at.astimezone(LONDON)
    open_today = (
        is_school_day(route.organisation, local.date())
        if route.recipient_kind == RecipientKind.SCHOOL
        else is_working_day(local.date())
    )
    if open_today and local.time() < LATEST_SAME_DAY_CHASE:
        return acknowledge_by(delivered_at)
    return acknowledge_by(notice_due(route, delivered_at))


def key_adults(notice: Notice) -> list[User]:
    """Who receives the notice: the school's designated safeguarding leads (its Key Adults),
    or the members of the council's education team who may receive notices."""
    if notice.recipient_kind == RecipientKind.SCHOOL:
        users = User.objects.filter(
            is_active=True, organisation=notice.organisation, role_assignments__role=Role.DESIGNATED_SAFEGUARDING_LEAD
        )
    elif notice.team_id is not None:
        users = User.objects.filter(is_active=True, teams=notice.team_id)
    else:
        users = User.objects.none()
    return [u for u in users.distinct().order_by("pk") if has_capability(u, Capability.RECEIVE_ENCOMPASS)]


# Writing ----------------------------------------------------------------------------------


def _allocate_reference_and_save(incident: Incident) -> None:
    year = incident.recorded_at.astimezone(LONDON).year
    prefix = f"DA-{year}-"
    for _ in range(REFERENCE_ATTEMPTS):
        last = (
            Incident.objects.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        number = int(last.removeprefix(prefix)) + 1 if last else 1
        incident.reference = f"{prefix}{number:05d}"
        try:
            with transaction.atomic():
                incident.save()
            return
        except IntegrityError:
            if (
                incident.idempotency_key
                and Incident.objects.filter(force=incident.force, idempotency_key=incident.idempotency_key).exists()
            ):
                raise
            if Incident.objects.filter(force=incident.force, police_reference=incident.police_reference).exists():
                raise
            incident.pk = None
    raise RuntimeError("Could not allocate an incident reference: too many incidents saved at once. Try again.")


def _validate(given: IncidentInput, now: datetime.datetime) -> None:
    errors: dict[str, str] = {}
    if not given.police_reference.strip():
        errors["police_reference"] = "Enter the force's reference for the incident."
    if given.occurred_at > now:
        errors["occurred_at"] = IN_FUTURE
    if given.local_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
        errors["local_authority"] = NOT_A_COUNCIL
    if not given.location.strip():
        errors["location"] = "Enter where the incident happened."
    if given.location_kind not in LocationKind.values:
        errors["location_kind"] = "Choose the kind of place."
    if not given.circumstances.strip():
        errors["circumstances"] = "Describe what happened, as the school needs to know it."
    if not given.adults:
        errors["adults"] = NO_ADULTS
    if not given.children:
        errors["children"] = NO_CHILDREN
    for number, adult in enumerate(given.adults, start=1):
        if adult.role not in AdultRole.values:
            errors[f"adults-{number}-role"] = f"Choose adult {number}'s part in the incident."
        if not (adult.given_names.strip() and adult.family_name.strip()):
            errors[f"adults-{number}-name"] = f"Enter adult {number}'s given and family names."
    for number, child in enumerate(given.children, start=1):
        if not (child.given_names.strip() and child.family_name.strip()):
            errors[f"children-{number}-name"] = f"Enter child {number}'s given and family names."
        if child.date_of_birth is not None and child.date_of_birth > given.occurred_at.astimezone(LONDON).date():
            errors[f"children-{number}-date_of_birth"] = f"Child {number}'s date of birth is after the incident."
        if child.nhs_number.strip():
            try:
                identifiers.validate_nhs_number(child.nhs_number)
            except ValidationError as error:
                errors[f"children-{number}-nhs_number"] = f"Child {number}: {' '.join(error.messages)}"
    if errors:
        raise ValidationError(errors)


def _existing(
    *, force: Organisation, given: IncidentInput, idempotency_key: str | None, retry_by_reference: bool
) -> Incident | None:
    """The incident already recorded for this key (or, for an import, this police reference),
    if it is the same one; raises if the key or reference belongs to a different one."""
    if idempotency_key:
        earlier = Incident.objects.filter(force=force, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.police_reference != given.police_reference.strip():
                raise DuplicateIncident(KEY_CONFLICT.format(reference=earlier.reference))
            # A resend must be the same request: a changed body is not silently dropped. (An
            # incident corrected since still answers a resend of the request that recorded it.)
            same = (
                earlier.request_fingerprint == request_fingerprint(given)
                if earlier.request_fingerprint
                else same_incident(earlier, given)
            )
            if not same:
                raise DuplicateIncident(KEY_REUSED_WITH_CHANGES.format(reference=earlier.reference))
            return earlier
    earlier = Incident.objects.filter(force=force, police_reference=given.police_reference.strip()).first()
    if earlier is None or retry_by_reference:
        return earlier
    raise DuplicateIncident(
        REFERENCE_CONFLICT.format(police_reference=earlier.police_reference, reference=earlier.reference)
    )


def request_fingerprint(given: IncidentInput) -> str:
    """A SHA-256 digest of everything the request says, to tell a resend from a changed request."""
    people = [[a.role, a.given_names.strip(), a.family_name.strip(), str(a.date_of_birth)] for a in given.adults]
    children = [
        [
            c.given_names.strip(),
            c.family_name.strip(),
            str(c.date_of_birth),
            c.nhs_number.strip(),
            c.upn.strip(),
            c.postcode.strip(),
            c.sex,
            c.present,
            c.whereabouts.strip(),
            c.voice_of_child.strip(),
            c.injuries.strip(),
            c.actions_taken.strip(),
        ]
        for c in given.children
    ]
    body = [
        given.police_reference.strip(),
        given.occurred_at.astimezone(datetime.UTC).isoformat(),
        given.local_authority.pk,
        given.location.strip(),
        given.location_kind,
        given.circumstances.strip(),
        people,
        children,
    ]
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def same_incident(incident: Incident, given: IncidentInput) -> bool:
    """Whether the incident recorded before is the one given again (a retry), not a changed
    version: the same time, place, circumstances, adults and children."""

    def person_key(given_names: str, family_name: str, born: datetime.date | None) -> tuple[str, str, str]:
        return (given_names.strip().lower(), family_name.strip().lower(), born.isoformat() if born else "")

    recorded_children = sorted(
        (*person_key(c.given_names, c.family_name, c.date_of_birth), c.present) for c in incident.children.all()
    )
    given_children = sorted(
        (*person_key(c.given_names, c.family_name, c.date_of_birth), c.present) for c in given.children
    )
    recorded_adults = sorted(
        (*person_key(a.given_names, a.family_name, a.date_of_birth), a.role) for a in incident.adults.all()
    )
    given_adults = sorted((*person_key(a.given_names, a.family_name, a.date_of_birth), a.role) for a in given.adults)
    return (
        incident.occurred_at == given.occurred_at
        and incident.local_authority_id == given.local_authority.pk
        and incident.location == given.location.strip()
        and incident.location_kind == given.location_kind
        and incident.circumstances == given.circumstances.strip()
        and recorded_children == given_children
        and recorded_adults == given_adults
    )


def _give_access(notice: Notice, person: Person | None) -> None:
    """The council's education team may open the record of a child notified to it."""
    if person is None or notice.team_id is None:
        return
    relationship = LegitimateRelationship(
        team_id=notice.team_id,
        person=person,
        source=RelationshipSource.NOTIFICATION,
        reason=f"Operation Encompass notice {notice.reference}",
        expires_at=notice.created_at + ACCESS_AFTER_NOTICE,
    )
    relationship.full_clean()
    relationship.save()


def _send_notice(notice: Notice, *, kind: str, version: int) -> int:
    """Put the notice in each Key Adult's inbox (delivered now) and email (no personal data)."""
    recipients = key_adults(notice)
    for user in recipients:
        notify(
            key=f"{kind}:notice-{notice.pk}:v{version}:user-{user.pk}",
            recipient=user,
            kind=kind,
            reference=notice.reference,
            link=reverse("encompass:notice", args=[notice.pk]),
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
        )
    return len(recipients)


def _chronology(incident: Incident, child: IncidentChild, notice: Notice) -> None:
    if child.person_id is None:
        return
    entry = ChronologyEntry(
        person_id=child.person_id,
        occurred_at=incident.occurred_at,
        category="domestic_abuse",
        summary=f"Domestic abuse incident {incident.reference} (police {incident.police_reference}); "
        f"{'present' if child.present else 'not present'}. Operation Encompass notice {notice.reference} "
        f"sent to {notice.organisation.name}.",
        organisation=incident.force,
        recorded_by=incident.recorded_by,
        visibility=ChronologyVisibility.PARTNERSHIP,
        source_type=SOURCE_TYPE,
        source_id=str(incident.pk),
    )
    entry.full_clean()
    entry.save()
    entry.shared_with.add(notice.organisation)


def _add_child(incident: Incident, given: ChildInput, *, number: int, on_behalf_of: str) -> Notice:
    now = timezone.now()
    person = match_child(given, on_behalf_of=on_behalf_of)
    child = IncidentChild(
        incident=incident,
        person=person,
        given_names=given.given_names.strip(),
        family_name=given.family_name.strip(),
        date_of_birth=given.date_of_birth,
        nhs_number=given.nhs_number.strip(),
        upn=given.upn.strip(),
        postcode=given.postcode.strip(),
        present=given.present,
        whereabouts=given.whereabouts.strip(),
        voice_of_child=given.voice_of_child.strip(),
        injuries=given.injuries.strip(),
        actions_taken=given.actions_taken.strip(),
    )
    child.full_clean()
    child.save()
    route = route_child(person, on=incident.occurred_at.astimezone(LONDON).date(), council=incident.local_authority)
    # The practice standard runs from the incident: one recorded late is delivered late.
    due_at = notice_due(route, incident.occurred_at)
    notice = Notice(
        reference=f"{incident.reference}-{number}",
        incident=incident,
        child=child,
        recipient_kind=route.recipient_kind,
        organisation=route.organisation,
        team=route.team,
        no_school_reason=route.no_school_reason,
        created_at=now,
        due_at=due_at,
        acknowledge_by=chase_time(route, due_at=due_at, delivered_at=now),
        version_notified=incident.version,
    )
    notice.full_clean()
    notice.save()
    if _send_notice(notice, kind="encompass.notice", version=incident.version):
        notice.delivered_at = now
        notice.save(update_fields=["delivered_at"])
    _give_access(notice, person)
    _chronology(incident, child, notice)
    return notice


@transaction.atomic
def record_incident(
    *,
    incident: IncidentInput,
    by: User | None,
    force: Organisation | None = None,
    idempotency_key: str | None = None,
    via: str = "form",
    on_behalf_of: str = "",
    retry_by_reference: bool = False,
) -> tuple[Incident, bool]:
    """Record a domestic abuse incident and notify each child's school. Returns the incident
    and whether it was new (False: the same incident was sent again, and nothing changed).
    `retry_by_reference` (imports) treats the force's reference as the idempotency key."""
    if by is not None:
        _require(has_capability(by, Capability.RECORD_INCIDENT), NOT_POLICE)
        if force is not None and force.pk != by.organisation_id:
            raise PermissionDenied(WRONG_FORCE)
        force = by.organisation
    if force is None or force.kind != OrganisationKind.POLICE_FORCE:
        raise PermissionDenied(NOT_POLICE)
    now = timezone.now()
    _validate(incident, now)
    earlier = _existing(
        force=force, given=incident, idempotency_key=idempotency_key, retry_by_reference=retry_by_reference
    )
    if earlier is not None:
        return earlier, False
    row = Incident(
        force=force,
        local_authority=incident.local_authority,
        police_reference=incident.police_reference.strip(),
        idempotency_key=idempotency_key or None,
        request_fingerprint=request_fingerprint(incident),
        occurred_at=incident.occurred_at,
        recorded_at=now,
        recorded_by=by,
        recorded_via=via,
        location=incident.location.strip(),
        location_kind=incident.location_kind,
        circumstances=incident.circumstances.strip(),
    )
    row.reference = "pending"
    row.full_clean(exclude=["reference", "idempotency_key"])
    _allocate_reference_and_save(row)
    for adult in incident.adults:
        adult_row = IncidentAdult(
            incident=row,
            person=adult.person,
            role=adult.role,
            given_names=adult.given_names.strip(),
            family_name=adult.family_name.strip(),
            date_of_birth=adult.date_of_birth,
        )
        adult_row.full_clean()
        adult_row.save()
    agent = on_behalf_of or (by.username if by is not None else f"{force.name} ({via})")
    notices = [
        _add_child(row, child, number=number, on_behalf_of=agent)
        for number, child in enumerate(incident.children, start=1)
    ]
    record(
        action="encompass.incident_recorded",
        actor=by,
        actor_username="" if by is not None else agent,
        target=row,
        purpose="Operation Encompass",
        detail={
            "via": via,
            "children": len(notices),
            "to_schools": sum(1 for n in notices if n.recipient_kind == RecipientKind.SCHOOL),
            "matched": sum(1 for n in notices if n.child.person_id is not None),
        },
    )
    return row, True


@dataclass(frozen=True)
class ChildCorrection:
    """New details for a child already on the incident (by its IncidentChild id)."""

    child_id: int
    present: bool
    whereabouts: str = ""
    voice_of_child: str = ""
    injuries: str = ""
    actions_taken: str = ""


@transaction.atomic
def correct_incident(
    *,
    incident: Incident,
    by: User,
    note: str,
    circumstances: str | None = None,
    location_kind: str | None = None,
    children: Sequence[ChildCorrection] = (),
    add_children: Sequence[ChildInput] = (),
) -> Incident:
    """Correct an incident after the schools were told: its version goes up and every school
    already notified gets an update; a child added now gets a first notice."""
    _require(has_capability(by, Capability.RECORD_INCIDENT) and by.organisation_id == incident.force_id, WRONG_FORCE)
    if not note.strip():
        raise ValidationError({"correction_note": "Say what was corrected and why."})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if circumstances is not None:
        if not circumstances.strip():
            raise ValidationError({"circumstances": "Describe what happened, as the school needs to know it."})
        incident.circumstances = circumstances.strip()
    if location_kind is not None:
        if location_kind not in LocationKind.values:
            raise ValidationError({"location_kind": "Choose the kind of place."})
        incident.location_kind = location_kind
    by_id = {child.pk: child for child in incident.children.all()}
    for correction in children:
        child = by_id.get(correction.child_id)
        if child is None:
            raise ValidationError("Correct only the children of this incident.")
        child.present = correction.present
        child.whereabouts = correction.whereabouts.strip()
        child.voice_of_child = correction.voice_of_child.strip()
        child.injuries = correction.injuries.strip()
        child.actions_taken = correction.actions_taken.strip()
        child.full_clean()
        child.save()
    incident.version += 1
    incident.corrected_at = timezone.now()
    incident.correction_note = note.strip()
    incident.full_clean()
    incident.save()
    updated = 0
    for notice in Notice.objects.filter(incident=incident).select_related("organisation"):
        _send_notice(notice, kind="encompass.updated", version=incident.version)
        notice.version_notified = incident.version
        notice.save(update_fields=["version_notified"])
        updated += 1
    first = len(by_id)
    for offset, added in enumerate(add_children, start=1):
        _add_child(incident, added, number=first + offset, on_behalf_of=by.username)
    record(
        action="encompass.incident_corrected",
        actor=by,
        target=incident,
        purpose="Operation Encompass",
        detail={"version": incident.version, "updates_sent": updated, "children_added": len(add_children)},
    )
    return incident
