"""The demo users' colleagues: the staff who do the partnership's work beside them.

The eleven demo users sign in; a county's hubs, duty teams, schools and trusts are staffed
by many more. Those colleagues are who answers the hub's checks for a school, decides a
contact in another council's hub, or acknowledges a notice at a school that is not the demo
lead's: the demo never shows work done by no one, because the services never record it.

Colleagues cannot sign in (no usable password, no authenticator). Some schools and nurseries
have no SafeHub account at all, as in life: their checks and notices reach the team's shared
mailbox and are chased by the hub or the Encompass coordinator.
"""

import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from safehub.demo import names
from safehub.partnership.models import OrganisationKind, RoleAssignment, Team, User
from safehub.partnership.roles import Role

# Of the nurseries and primary schools, this share has a safeguarding lead in SafeHub; every
# secondary and special school has (the partnership brought them on first).
SMALL_SETTINGS_WITH_ACCOUNTS = 0.95
EDUCATION = (OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS)
SMALL_PHASES = ("primary", "nursery")


def _small_setting(team: Team) -> bool:
    organisation = team.organisation
    return organisation.kind == OrganisationKind.EARLY_YEARS or (
        organisation.kind == OrganisationKind.SCHOOL and organisation.phase.lower() in SMALL_PHASES
    )


@dataclass(frozen=True)
class _Post:
    team_name: str
    kinds: tuple[str, ...]
    role: str
    job_title: str


# Who works in which team, when no demo user already does that job there.
POSTS = (
    _Post("Children's Hub", (OrganisationKind.LOCAL_AUTHORITY,), Role.HUB_PRACTITIONER, "Hub practitioner"),
    _Post(
        "Child Protection Team",
        (OrganisationKind.LOCAL_AUTHORITY,),
        Role.TEAM_MANAGER,
        "Team manager, Child Protection",
    ),
    _Post(
        "Children's Social Care duty team",
        (OrganisationKind.LOCAL_AUTHORITY,),
        Role.SOCIAL_WORKER,
        "Duty social worker",
    ),
    _Post(
        "Education Safeguarding Team",
        (OrganisationKind.LOCAL_AUTHORITY,),
        Role.ENCOMPASS_COORDINATOR,
        "Education safeguarding officer",
    ),
    _Post(
        "Safeguarding Children Team",
        (OrganisationKind.HEALTH_TRUST,),
        Role.HEALTH_PRACTITIONER,
        "Safeguarding children nurse specialist",
    ),
    _Post("Safeguarding", EDUCATION, Role.DESIGNATED_SAFEGUARDING_LEAD, "Designated safeguarding lead"),
    # Last, so that the colleagues above keep their names.
    _Post(
        "Missing Children Team",
        (OrganisationKind.LOCAL_AUTHORITY,),
        Role.MISSING_COORDINATOR,
        "Missing and exploitation coordinator",
    ),
    _Post("Return Home Interviews", (OrganisationKind.OTHER,), Role.RHI_WORKER, "Return home interview worker"),
    _Post("Disclosure Unit", (OrganisationKind.POLICE_FORCE,), Role.DISCLOSURE_OFFICER, "Disclosure officer"),
)


def seed_colleagues(*, rng: random.Random) -> int:
    """One colleague in each team that does a post's work and has no one in that role yet
    (a safeguarding lead in every school but a few small ones). Returns how many were added."""
    staffed: dict[int, set[str]] = defaultdict(set)
    for team_id, role in RoleAssignment.objects.values_list("user__teams", "role"):
        if team_id is not None:
            staffed[team_id].add(role)
    taken = set(User.objects.values_list("username", flat=True))
    password = make_password(None)  # unusable: colleagues are in the directory, not signing in
    planned: list[tuple[User, Team, str]] = []
    for post in POSTS:
        teams = Team.objects.filter(name=post.team_name, organisation__kind__in=post.kinds).select_related(
            "organisation"
        )
        for team in teams.order_by("pk"):
            if post.role in staffed[team.pk]:
                continue
            if _small_setting(team) and rng.random() >= SMALL_SETTINGS_WITH_ACCOUNTS:
                continue
            given = rng.choice(rng.choice((names.GIVEN_NAMES_FEMALE, names.GIVEN_NAMES_MALE)))
            family = rng.choice(names.FAMILY_NAMES)
            base = f"{given}.{family}".lower().replace(" ", "-")
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
            domain = team.organisation.email.split("@")[-1] if team.organisation.email else names.EMAIL_DOMAIN
            user = User(
                username=username,
                first_name=given,
                last_name=family,
                email=f"{username}@{domain}",
                organisation=team.organisation,
                job_title=post.job_title,
                password=password,
            )
            planned.append((user, team, post.role))
    User.objects.bulk_create([user for user, _, _ in planned])
    User.teams.through.objects.bulk_create(
        [User.teams.through(user_id=user.pk, team_id=team.pk) for user, team, _ in planned]
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=role) for user, _, role in planned])
    return len(planned)
