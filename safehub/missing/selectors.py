"""Reads about missing children, always through `safehub.access.policy`: the force sees its
episodes, each council those of its children (where they live, and the placing authority of a
child in care), a provider's worker only the interviews referred to the provider, and no one
else sees any (404, as for one that does not exist). Opening an episode, an interview, a
digest or a child's missing profile is audited.

The child's flags are computed here from the records, never typed: repeat missing (the
threshold of episodes in the window, 3 in 90 days by default), missing from care, missing
education (an open CME record), and an open exploitation flag.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.meetings.models import Meeting, MeetingKind
from safehub.missing.models import (
    Digest,
    Episode,
    EpisodeEvent,
    EpisodeState,
    ExploitationFlag,
    Indicator,
    MissingEducation,
    NrmReferral,
    PhilomenaRecord,
    ReturnInterview,
)
from safehub.missing.services import episodes_in_repeat_window
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import Person
from safehub.timescales.calendar import LONDON
from safehub.timescales.rules import timescale_value


def _refused(user: User, what: str, pk: int) -> Http404:
    record(
        action="access.refused",
        actor=user,
        object_type=f"missing.{what}",
        object_id=str(pk),
        outcome="refused",
        purpose=f"{what} not visible",
    )
    return Http404(f"No such {what}")


def episodes_for(*, user: User) -> QuerySet[Episode]:
    return (
        policy.visible_episodes(user)
        .select_related("person", "local_authority", "placing_authority", "force")
        .order_by("-reported_at", "-pk")
    )


def get_episode(*, user: User, pk: int) -> Episode:
    episode = episodes_for(user=user).filter(pk=pk).first()
    if episode is None:
        raise _refused(user, "episode", pk)
    basis = "the force's episode" if episode.force_id == user.organisation_id else "the council's missing child"
    record(action="missing.episode_viewed", actor=user, target=episode, purpose=basis)
    return episode


def interviews_for(*, user: User) -> QuerySet[ReturnInterview]:
    return (
        policy.visible_interviews(user)
        .select_related("episode__person", "provider", "local_authority")
        .order_by("due_at", "pk")
    )


def get_interview(*, user: User, pk: int) -> ReturnInterview:
    interview = interviews_for(user=user).filter(pk=pk).first()
    if interview is None:
        raise _refused(user, "interview", pk)
    record(action="missing.interview_viewed", actor=user, target=interview, purpose="return home interview")
    return interview


def open_interviews(*, user: User) -> QuerySet[ReturnInterview]:
    from safehub.missing.models import FINISHED_STATES

    return interviews_for(user=user).exclude(state__in=FINISHED_STATES)


def digests_for(*, user: User) -> QuerySet[Digest]:
    if not has_capability(user, Capability.COORDINATE_MISSING) or user.organisation_id is None:
        return Digest.objects.none()
    return Digest.objects.filter(local_authority_id=user.organisation_id).select_related("local_authority")


def get_digest(*, user: User, pk: int) -> Digest:
    digest = digests_for(user=user).filter(pk=pk).first()
    if digest is None:
        raise _refused(user, "digest", pk)
    record(action="missing.digest_viewed", actor=user, target=digest, purpose="daily digest of missing children")
    return digest


@dataclass
class DigestLine:
    episode: Episode
    events: list[EpisodeEvent]


def digest_lines(digest: Digest) -> list[DigestLine]:
    """The digest's children: each episode with what happened to it in the period."""
    lines: dict[int, DigestLine] = {}
    events = digest.events.select_related("episode__person", "episode__placing_authority").order_by(
        "episode__reported_at", "at", "pk"
    )
    for event in events:
        line = lines.setdefault(event.episode_id, DigestLine(event.episode, []))
        line.events.append(event)
    return list(lines.values())


@dataclass
class Flags:
    repeat: bool
    episodes_in_window: int
    in_care: bool
    missing_education: bool
    exploitation: ExploitationFlag | None

    @property
    def exploitation_labels(self) -> list[str]:
        if self.exploitation is None:
            return []
        return [Indicator(i).label for i in self.exploitation.indicators if i in Indicator.values]


def flags_for(person: Person, *, now: datetime.datetime | None = None) -> Flags:
    """The child's flags now, computed from the records."""
    now = now or timezone.now()
    in_window = episodes_in_repeat_window(person, now)
    latest = Episode.objects.filter(person=person).order_by("-reported_at").first()
    return Flags(
        repeat=in_window >= timescale_value("repeat_missing_episodes"),
        episodes_in_window=in_window,
        in_care=bool(latest and latest.in_care),
        missing_education=MissingEducation.objects.filter(person=person, resolved_on__isnull=True).exists(),
        exploitation=ExploitationFlag.objects.filter(person=person, closed_at__isnull=True).first(),
    )


@dataclass
class ChildProfile:
    person: Person
    flags: Flags
    episodes: list[Episode]
    interviews: list[ReturnInterview]
    nrm: list[NrmReferral]
    philomena: PhilomenaRecord | None
    strategy_discussions: list[Meeting]
    education: list[MissingEducation]


def child_profile(*, user: User, pk: int) -> ChildProfile:
    """A child's missing history for someone who may open one of the child's episodes (or the
    child's record): audited."""
    episodes = list(episodes_for(user=user).filter(person_id=pk))
    person = Person.objects.filter(pk=pk).first()
    if person is None or not (episodes or policy.can(user, "view", person)):
        raise _refused(user, "child", pk)
    if not episodes:
        episodes = list(episodes_for(user=user).filter(person=person))
    record(action="missing.child_viewed", actor=user, target=person, purpose="missing children profile")
    flags = flags_for(person)
    discussions: list[Meeting] = []
    if flags.exploitation is not None:
        discussions = list(
            policy.visible_meetings(user)
            .filter(subjects=person, kind=MeetingKind.STRATEGY_DISCUSSION)
            .order_by("-starts_at")[:10]
        )
    philomena = None
    if policy.can(user, "maintain_philomena", person):
        philomena = PhilomenaRecord.objects.filter(person=person).first()
    return ChildProfile(
        person=person,
        flags=flags,
        episodes=episodes[:50],
        interviews=list(interviews_for(user=user).filter(episode__person=person)[:50]),
        nrm=list(NrmReferral.objects.filter(person=person).select_related("organisation")[:20])
        if has_capability(user, Capability.REFER_NRM) or has_capability(user, Capability.COORDINATE_MISSING)
        else [],
        philomena=philomena,
        strategy_discussions=discussions,
        education=list(policy.visible_missing_education(user).filter(person=person)[:10])
        if has_capability(user, Capability.COORDINATE_MISSING)
        else [],
    )


def flagged_children(*, user: User) -> QuerySet[ExploitationFlag]:
    """Open exploitation flags of the council's children, for its missing lead."""
    if not has_capability(user, Capability.COORDINATE_MISSING) or user.organisation_id is None:
        return ExploitationFlag.objects.none()
    return (
        ExploitationFlag.objects.filter(closed_at__isnull=True, local_authority_id=user.organisation_id)
        .select_related("person")
        .order_by("-raised_at")
    )


def missing_now(*, user: User) -> QuerySet[Episode]:
    return episodes_for(user=user).filter(state=EpisodeState.MISSING)


def missing_education_for(*, user: User, open_only: bool = True) -> QuerySet[MissingEducation]:
    rows = policy.visible_missing_education(user).select_related("person", "school")
    if open_only:
        rows = rows.filter(resolved_on__isnull=True)
    return rows.order_by("since", "pk")


def missing_from_home_and_education(rows: list[MissingEducation]) -> set[int]:
    """Of these children missing education, those also missing from home now."""
    ids = [r.person_id for r in rows]
    return set(
        Episode.objects.filter(person_id__in=ids, state=EpisodeState.MISSING).values_list("person_id", flat=True)
    )


def digest_of_today(*, user: User) -> Digest | None:
    today = timezone.now().astimezone(LONDON).date()
    return digests_for(user=user).filter(day=today).first()


def council_filter(user: User) -> Q:
    return Q(local_authority_id=user.organisation_id) | Q(placing_authority_id=user.organisation_id)
