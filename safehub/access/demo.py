"""The demo's access: the families each demo practitioner works with, and one emergency access
for the privacy officer to review. Called at the end of `safehub.demo.seed.seed_demo`, in its
transaction; deterministic for a seed, like the rest of the demo.
"""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from safehub.access.models import BreakGlassGrant, LegitimateRelationship, RelationshipSource, break_glass_hours
from safehub.access.services import alert_privacy_officers
from safehub.audit.services import record
from safehub.partnership.models import User
from safehub.people.models import Enrolment, Person, PersonKind, Relationship, RelationshipKind

FAMILIES_EACH = 30
CARING = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)
DEMO_BREAK_GLASS_REASON = (
    "Child found alone at the bus station at 2am and will not give an address; "
    "checking for known carers and addresses before deciding on police protection."
)


def household_of_child(child_id: int) -> set[int]:
    """The child, their parents and carers, and every other child (born or unborn) of those adults."""
    adults = set(
        Relationship.objects.filter(related_to_id=child_id, kind__in=CARING).values_list("person_id", flat=True)
    )
    children = set(
        Relationship.objects.filter(person_id__in=adults, kind__in=CARING).values_list("related_to_id", flat=True)
    )
    siblings = set(
        Relationship.objects.filter(
            Q(person_id=child_id) | Q(related_to_id=child_id), kind=RelationshipKind.SIBLING
        ).values_list("person_id", "related_to_id")
    )
    return {child_id} | adults | children | {pk for pair in siblings for pk in pair}


def seed_access_demo(*, seed: int) -> dict[str, int]:
    """Allocations for social.worker, police.officer (through their team) and health.practitioner,
    and one past, unreviewed emergency access by police.officer, with its audit events."""
    rng = random.Random(f"access-{seed}")
    now = timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=_DEMO_USERNAMES).prefetch_related("teams")}
    if set(users) != set(_DEMO_USERNAMES):
        return {}
    children = list(Person.objects.filter(kind=PersonKind.CHILD).order_by("pk").values_list("pk", flat=True))
    social_worker, officer, health = users["social.worker"], users["police.officer"], users["health.practitioner"]
    local_children = list(
        Enrolment.objects.current_on()
        .filter(organisation__local_authority_id=social_worker.organisation_id, person__kind=PersonKind.CHILD)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    taken: set[int] = set()

    def families(pool: list[int]) -> set[int]:
        members: set[int] = set()
        candidates = [pk for pk in pool if pk not in taken]
        for child_id in rng.sample(candidates, min(FAMILIES_EACH, len(candidates))):
            household = household_of_child(child_id)
            members |= household
            taken.update(household)
        return members

    relationships: list[LegitimateRelationship] = []

    def allocate(members: set[int], *, source: str, reason: str, days_ago: int, **holder: object) -> None:
        for person_id in sorted(members):
            relationships.append(
                LegitimateRelationship(
                    person_id=person_id,
                    source=source,
                    reason=reason,
                    starts_at=now - datetime.timedelta(days=rng.randint(1, days_ago)),
                    **holder,
                )
            )

    team_manager = User.objects.filter(username="team.manager").first()
    allocate(
        families(local_children or children),
        source=RelationshipSource.ALLOCATION,
        reason="Allocated for a child and family assessment",
        days_ago=90,
        user=social_worker,
        created_by=team_manager,
    )
    cait = officer.teams.first()
    police_holder: dict[str, object] = {"team": cait} if cait else {"user": officer}
    allocate(
        families(children),
        source=RelationshipSource.REFERRAL,
        reason="Referred to the Child Abuse Investigation Team",
        days_ago=60,
        **police_holder,
    )
    allocate(
        families(children),
        source=RelationshipSource.NOTIFICATION,
        reason="Safeguarding children team caseload",
        days_ago=120,
        user=health,
    )
    LegitimateRelationship.objects.bulk_create(relationships, batch_size=2_000)

    outside = [pk for pk in children if pk not in taken]
    grants = 0
    if outside:
        person = Person.objects.get(pk=rng.choice(outside))
        starts_at = (now - datetime.timedelta(days=3)).replace(hour=2, minute=10, second=0, microsecond=0)
        grant = BreakGlassGrant(
            user=officer,
            person=person,
            reason=DEMO_BREAK_GLASS_REASON,
            starts_at=starts_at,
            expires_at=starts_at + datetime.timedelta(hours=break_glass_hours()),
        )
        grant.full_clean()
        grant.save()
        # The log is written now, in order; the detail says when the demo's access happened.
        detail = {"grant": grant.pk, "expires_at": grant.expires_at.isoformat(), "demo_occurred_at": starts_at}
        record(
            action="break_glass.opened",
            actor=officer,
            target=person,
            purpose=f"break-glass: {grant.reason}",
            detail=detail,
        )
        record(
            action="person.viewed",
            actor=officer,
            target=person,
            purpose=f"break-glass: {grant.reason}",
            detail={"part": "record", "demo_occurred_at": starts_at},
        )
        alert_privacy_officers(grant)
        grants = 1
    return {"legitimate relationships": len(relationships), "break-glass grants": grants}


_DEMO_USERNAMES = ("social.worker", "police.officer", "health.practitioner")
