"""The demo generator's runs of its own: the same seed gives the same people, the small size as
`safehub demo` makes it, progress, and the checks it makes before it starts."""

import hashlib

import pytest
from django.db import transaction

from safehub.demo import seed as demo
from safehub.people.demo import second_records
from safehub.people.models import (
    Address,
    ChronologyEntry,
    Enrolment,
    Identifier,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
)
from tests.demo.conftest import TODAY, seeded_once

# Enough children for every kind of household; the people are what the digest compares.
FEW = 100

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _digest() -> str:
    """A fingerprint of the generated people: names, dates of birth and identifiers, in creation order."""
    hasher = hashlib.sha256()
    for row in Person.objects.order_by("pk").values_list(
        "kind", "given_names", "family_name", "sex", "date_of_birth", "expected_due_date"
    ):
        hasher.update(repr(row).encode())
    for row in Identifier.objects.order_by("pk").values_list("scheme", "value"):
        hasher.update(repr(row).encode())
    for row in Enrolment.objects.order_by("pk").values_list("organisation__urn", "start_date", "end_date"):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


def _seed_and_digest(seed: int) -> str:
    """Seed inside a savepoint that is rolled back, so the next seed starts from an empty database."""
    with transaction.atomic():
        demo.seed_demo(size="small", seed=seed, children=FEW)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


def test_the_same_seed_on_the_same_day_gives_the_same_people():
    assert _seed_and_digest(7) == _seed_and_digest(7)


def test_a_different_seed_gives_different_people():
    assert _seed_and_digest(7) != _seed_and_digest(8)


def test_is_seeded_flips_after_seeding():
    assert not demo.is_seeded()
    demo.seed_demo(size="small", seed=3, children=50)
    assert demo.is_seeded()


def test_rejects_an_unknown_size():
    with pytest.raises(ValueError, match="choose small, medium or large"):
        demo.seed_demo(size="huge")


def test_reports_progress_to_the_end_of_every_stage():
    reports: list[tuple[str, int, int]] = []
    demo.seed_demo(size="small", seed=5, children=60, progress=lambda *report: reports.append(report))
    last = {stage: (done, total) for stage, done, total in reports}
    assert "children and families" in last
    assert all(done == total for done, total in last.values())


class TestTheWholeSmallDemo:
    """One seed of the small demo as `safehub demo` makes it, for the tests that need its size."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def small(cls, django_db_setup, django_db_blocker):
        with seeded_once(django_db_blocker, at=TODAY):
            yield

    def test_small_size_makes_two_thousand_children(self):
        families = Person.objects.filter(kind=PersonKind.CHILD).exclude(pk__in=second_records())
        assert families.count() == demo.SIZES["small"] == 2_000

    def test_a_confidential_address_never_names_its_town_in_the_chronology(self):
        refuges = PersonAddress.objects.filter(is_confidential=True, person__kind=PersonKind.CHILD)
        assert refuges.exists()
        towns = set(Address.objects.values_list("town", flat=True))
        for residence in refuges.select_related("person"):
            summaries = ChronologyEntry.objects.filter(person=residence.person, category="address")
            assert list(summaries.values_list("summary", flat=True)) == ["Moved to a confidential address"]
            assert not any(town in summary for summary in summaries.values_list("summary", flat=True) for town in towns)

    def test_a_step_parents_own_child_is_their_child_and_a_sibling_of_the_others(self):
        step_families = Relationship.objects.filter(kind=RelationshipKind.STEP_PARENT).values("person_id")
        own = Relationship.objects.filter(
            kind=RelationshipKind.PARENT, person_id__in=step_families, related_to__kind=PersonKind.CHILD
        )
        assert own.exists()
        for relationship in own[:20]:
            half_sibling = relationship.related_to
            step_children = Relationship.objects.filter(
                person=relationship.person, kind=RelationshipKind.STEP_PARENT
            ).values("related_to_id")
            siblings = Relationship.objects.filter(kind=RelationshipKind.SIBLING, related_to=half_sibling)
            assert siblings.filter(person_id__in=step_children).exists()
