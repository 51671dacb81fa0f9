"""The demo's chronology entries added by hand, through `safehub.people.services`: what the
demo practitioners recorded about the children they work with, each read by whom its agency
chose. The police officer's intelligence is read by the police only, except where the
supervisor recorded a decision to share it with the council; the school's lead shared some
concerns with the police and the council by name. Called at the end of the demo seed, after
the access demo (the practitioners' caseloads), in its transaction.
"""

import datetime
import random

from django.utils import timezone

from safehub.access import policy
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.people.models import EntryCategory, Person, PersonKind, Reach
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
