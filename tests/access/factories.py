"""Factories for access: legitimate relationships and break-glass grants."""

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from safehub.access.models import BreakGlassGrant, LegitimateRelationship, RelationshipSource
from tests.factories import PersonFactory, UserFactory


class LegitimateRelationshipFactory(DjangoModelFactory):
    class Meta:
        model = LegitimateRelationship

    person = factory.SubFactory(PersonFactory)
    user = factory.SubFactory(UserFactory)
    team = None
    source = RelationshipSource.ALLOCATION
    reason = "Allocated for assessment"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class BreakGlassGrantFactory(DjangoModelFactory):
    class Meta:
        model = BreakGlassGrant

    user = factory.SubFactory(UserFactory)
    person = factory.SubFactory(PersonFactory)
    reason = "Child missing overnight, checking for known addresses"
    starts_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda grant: grant.starts_at + datetime.timedelta(hours=4))


def allocate(user: Any, *people: Any, **kwargs: Any) -> list[LegitimateRelationship]:
    """Give `user` an allocation to each person (the everyday way a practitioner comes to see a record)."""
    return [LegitimateRelationshipFactory(user=user, person=person, **kwargs) for person in people]


def allocate_to_team(team: Any, *people: Any, **kwargs: Any) -> list[LegitimateRelationship]:
    return [LegitimateRelationshipFactory(user=None, team=team, person=person, **kwargs) for person in people]
