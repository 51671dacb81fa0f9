"""Reads of the partnership directory. Organisations and teams are not personal data;
users' names and contact details are shown only to signed-in users of the partnership."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from safehub.partnership.models import Organisation, OrganisationKind, Partnership, Team, User


def directory(*, kind: str = "", name: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("local_authority").annotate(team_count=Count("teams"))
    if kind:
        organisations = organisations.filter(kind=kind)
    if name:
        matches = Q(name__icontains=name) | Q(postcode__istartswith=name)
        if name.isdigit():
            matches |= Q(urn=int(name))
        organisations = organisations.filter(matches)
    return organisations.order_by("kind", "name")


def get_organisation(pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("local_authority", "partnership"), pk=pk)


def teams_of(organisation: Organisation) -> QuerySet[Team]:
    # Meta.ordering does not apply to a grouped (annotated) query, so order explicitly.
    return organisation.teams.annotate(member_count=Count("members", filter=Q(members__is_active=True))).order_by(
        "name"
    )


def get_team(pk: int) -> Team:
    return get_object_or_404(Team.objects.select_related("organisation"), pk=pk)


def members_of(team: Team) -> QuerySet[User]:
    return team.members.filter(is_active=True).prefetch_related("role_assignments")


def current_partnership() -> Partnership | None:
    return Partnership.current()


def member_counts(partnership: Partnership) -> list[tuple[str, int]]:
    """How many member organisations of each kind, in the order of OrganisationKind."""
    counts = dict(partnership.organisations.values_list("kind").annotate(n=Count("pk")))
    return [(kind.label, counts[kind.value]) for kind in OrganisationKind if counts.get(kind.value)]
