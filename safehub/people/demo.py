"""The demo's chronology entries added by hand, through `safehub.people.services`: what the
demo practitioners recorded about the children they work with, each read by whom its agency
chose. The police officer's intelligence is read by the police only, except where the
supervisor recorded a decision to share it with the council; the school's lead shared some
concerns with the police and the council by name. Called at the end of the demo seed, after
the access demo (the practitioners' caseloads), in its transaction.
"""

import datetime
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import IntegerField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from safehub.access import policy
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.people.models import EntryCategory, Identifier, IdentifierScheme, Person, PersonKind, Reach
from safehub.people.services import add_chronology_entry, change_reach

ENTRIES_EACH = 12
SHARED_INTELLIGENCE = 4

INTELLIGENCE = (
    "Intelligence that the mother's partner has returned to the address despite bail conditions.",
    "Intelligence linking an older male associate to the child; he is known for exploitation offences.",
    "Neighbour reports shouting and a child crying late at night; officers attended, no offences disclosed.",
    "Intelligence that cannabis is being supplied from the address.",
)
SHARING_REASON = (
    "Shared with children's social care for the section 47 enquiry: the risk to the child outweighs the risk "
    "to the intelligence source. Lawful basis: Children Act 2004 s11 and DPA 2018 Sch 8."
)
HOME_VISITS = (
    "Home visit: the child was seen alone and said things are better at home.",
    "Unannounced home visit: no food in the fridge and the child's bed has no bedding; family support offered.",
    "Home visit with the health visitor: the baby is gaining weight and the mother is engaging.",
)
HEALTH = (
    "Missed a second paediatric appointment; the GP has been told.",
    "Seen in the emergency department with a burn to the hand; explanation consistent with the injury.",
    "School nurse review: the child's weight has dropped below the second centile.",
)
EDUCATION = (
    "Attendance has fallen to 78% this half term; most absences are Mondays.",
    "The child arrived without a coat and said there was no heating at home.",
    "The child disclosed that mum's boyfriend shouts at night; the DSL spoke to the child and followed up.",
)


def _visible_children(user: User, limit: int) -> list[Person]:
    return list(policy.visible_persons(user).filter(kind=PersonKind.CHILD).order_by("pk")[:limit])


def seed_chronology_demo(*, rng: random.Random) -> dict[str, int]:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["police.officer", "police.supervisor", "social.worker", "health.practitioner", "school.dsl"]
        ).select_related("organisation")
    }
    if len(users) < 5:
        return {}
    now = timezone.now()
    council = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk").first()
    added = shared = 0

    def when() -> datetime.datetime:
        return now - datetime.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 10), minutes=rng.randint(0, 59))

    # The police: intelligence for the police only; some shared with the council by a recorded decision.
    officer, supervisor = users["police.officer"], users["police.supervisor"]
    for number, child in enumerate(_visible_children(officer, ENTRIES_EACH)):
        entry = add_chronology_entry(
            person=child,
            by=officer,
            occurred_at=when(),
            category=EntryCategory.POLICE_INTELLIGENCE,
            summary=rng.choice(INTELLIGENCE),
            reach=Reach.OWN_AGENCY,
        )
        added += 1
        if number < SHARED_INTELLIGENCE and council is not None:
            decider = supervisor if policy.visible_persons(supervisor).filter(pk=child.pk).exists() else officer
            reach = Reach.PARTNERSHIP if number % 2 else Reach.NAMED_AGENCIES
            change_reach(entry=entry, by=decider, reach=reach, agencies=[council], reason=SHARING_REASON)
            shared += 1

    # Social care and health: mostly for the statutory partners, some for their own agency.
    for username, texts, category in (
        ("social.worker", HOME_VISITS, EntryCategory.HOME_VISIT),
        ("health.practitioner", HEALTH, EntryCategory.HEALTH),
    ):
        user = users[username]
        for child in _visible_children(user, ENTRIES_EACH):
            add_chronology_entry(
                person=child,
                by=user,
                occurred_at=when(),
                category=category,
                summary=rng.choice(texts),
                reach=Reach.PARTNERSHIP if rng.random() < 0.8 else Reach.OWN_AGENCY,
            )
            added += 1

    # The school's lead: concerns shared by name with the police and the council, or with the partners.
    dsl = users["school.dsl"]
    police = officer.organisation
    for child in _visible_children(dsl, ENTRIES_EACH):
        named = rng.random() < 0.5 and police is not None and council is not None
        add_chronology_entry(
            person=child,
            by=dsl,
            occurred_at=when(),
            category=EntryCategory.EDUCATION if rng.random() < 0.6 else EntryCategory.CONCERN,
            summary=rng.choice(EDUCATION),
            reach=Reach.NAMED_AGENCIES if named else Reach.PARTNERSHIP,
            agencies=[a for a in (police, council) if a is not None] if named else [],
        )
        added += 1
    return {"chronology entries added by hand": added, "sharing decisions": shared}


MERGED_IN_DEMO = 3
# About one child in a hundred is also on the index a second time, made by another agency.
SECOND_RECORD_RATE = 0.012
SLIPS = ("nickname", "misspelt", "date swapped", "no date of birth", "half the family name", "none", "none")
SECOND_RECORD_PURPOSE = "Recorded from a police report: no match was found for the child's details as given."


def second_records() -> "QuerySet[Any]":
    """The keys of the second records the demo made (from the audit log of their creation)."""
    from safehub.audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(action="person.created", purpose=SECOND_RECORD_PURPOSE)
        .annotate(key=Cast("object_id", IntegerField()))
        .values("key")
    )


def _second_records(*, rng: random.Random, by: User) -> int:
    """Second records of some children, as another agency made them from what it was told (no
    NHS number, often a slip in the name or the date of birth), each at the child's home: the
    duplicates the batch deduplication finds. Made through `create_person`; the home is written
    as the generator writes addresses (no service records an address yet)."""
    from safehub.demo.names import NICKNAMES
    from safehub.people.models import PersonAddress
    from safehub.people.services import create_person

    children = (
        Person.objects.filter(kind=PersonKind.CHILD, date_of_birth__isnull=False)
        .order_by("pk")
        .values_list("pk", "given_names", "family_name", "sex", "date_of_birth")
    )
    homes = dict(
        PersonAddress.objects.filter(end_date__isnull=True, person__kind=PersonKind.CHILD).values_list(
            "person_id", "address_id"
        )
    )
    made = 0
    rows = []
    for pk, given_names, family, sex, born in children:
        if rng.random() >= SECOND_RECORD_RATE or pk not in homes:
            continue
        assert born is not None  # (filtered above)
        given = given_names.split()[0]
        dob: datetime.date | None = born
        slip = rng.choice(SLIPS)
        if slip == "nickname":
            given = NICKNAMES.get(given, given)
        elif slip == "misspelt" and len(given) > 3:
            at = rng.randrange(1, len(given) - 1)
            given = given[:at] + given[at] + given[at:] if rng.random() < 0.5 else given[:at] + given[at + 1 :]
        elif slip == "date swapped" and born.day <= 12 and born.day != born.month:
            dob = born.replace(day=born.month, month=born.day)
        elif slip == "no date of birth":
            dob = None
        elif slip == "half the family name" and "-" in family:
            family = rng.choice(family.split("-"))
        second = create_person(
            created_by=by,
            kind=PersonKind.CHILD,
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex if rng.random() < 0.8 else "",
            purpose=SECOND_RECORD_PURPOSE,
        )
        rows.append(PersonAddress(person=second, address_id=homes[pk], start_date=timezone.localdate()))
        made += 1
    PersonAddress.objects.bulk_create(rows)
    return made


def seed_duplicates_demo(*, rng: random.Random) -> dict[str, int]:
    """Second records of some children made by another agency, then the batch deduplication as
    the worker runs it at night: a match model trained on the demo index, the whole index
    searched, and the hub practitioner's first decisions (three pairs merged; one pair below
    the threshold recorded as different people), with the team manager's review of the
    threshold. The rest wait in the queue."""
    from safehub.people import duplicates
    from safehub.people.models import DuplicatePair, PairState

    users = {
        u.username: u for u in User.objects.filter(username__in=["hub.practitioner", "team.manager", "police.officer"])
    }
    if len(users) < 3:
        return {}
    seconds = _second_records(rng=rng, by=users["police.officer"])
    if duplicates._people().count() < duplicates.MIN_RECORDS:
        return {"second records of a child": seconds}
    model = duplicates.train_model()
    result = duplicates.find_duplicates()
    duplicates.set_threshold(
        model=model,
        by=users["team.manager"],
        threshold=model.threshold,
        reason="Reviewed the pairs either side with the hub: those above are second records of one child made by "
        "another agency; below, the few we opened were different children. Kept where it is.",
    )
    hub = users["hub.practitioner"]
    merged = 0
    for pair in list(duplicates.open_pairs(user=hub)[: MERGED_IN_DEMO * 2]):
        if merged == MERGED_IN_DEMO:
            break
        keep = duplicates.Decision.KEEP_FIRST if rng.random() < 0.8 else duplicates.Decision.KEEP_SECOND
        try:
            duplicates.decide(
                pair=pair,
                by=hub,
                decision=keep,
                reason="Same child at the same address: the second record was made by another agency without the "
                "NHS number. Checked with the school and the health visitor.",
            )
        except ValidationError:
            continue
        merged += 1
    # A pair of two children who each have their own NHS number is two children: the practitioner
    # records it (such pairs score low, so they are found on the model's page, not the queue).
    distinct = 0
    numbered = Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values("person_id")
    different = DuplicatePair.objects.filter(state=PairState.OPEN, first__in=numbered, second__in=numbered).order_by(
        "-match_weight", "pk"
    )
    for pair in different[:1]:
        duplicates.decide(
            pair=pair,
            by=hub,
            decision=duplicates.Decision.DISTINCT,
            reason="Different children: each has their own NHS number, and the school knows both.",
        )
        distinct += 1
    return {
        "second records of a child": seconds,
        "pairs of records found": result.pairs,
        "duplicate pairs to review": result.to_review - merged,
        "duplicate pairs merged": merged,
        "pairs recorded as different people": distinct,
    }
