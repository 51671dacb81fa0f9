"""Merging two records of one person, and undoing the merge exactly."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safehub.access.models import BreakGlassGrant, LegitimateRelationship, RelationshipSource
from safehub.audit.models import AuditEvent
from safehub.hub.models import Consent, Contact, ContactSource, ContactSubject, FamilyAwareness, LawfulBasis
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.matching import find_candidates
from safehub.people.merge import _relations, final_record, merge_people, unmerge
from safehub.people.models import (
    ChronologyEntry,
    Enrolment,
    IdentifierScheme,
    NameKind,
    Person,
    PersonAddress,
    PersonMerge,
    PersonName,
    Relationship,
    RelationshipKind,
)
from tests.factories import (
    AddressFactory,
    AdultFactory,
    IdentifierFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
    valid_upn,
)

pytestmark = pytest.mark.django_db
REASON = "Same NHS number on the GP letter and the school's admission form."


@pytest.fixture
def council():
    return OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")


@pytest.fixture
def hub_practitioner(council):
    return UserFactory(organisation=council, roles=[Role.HUB_PRACTITIONER])


@pytest.fixture
def records(council, hub_practitioner):
    """A child recorded twice, each record with its own history, and the family around them."""
    keep = PersonFactory(given_names="Amelia", family_name="Thornton", date_of_birth=datetime.date(2015, 4, 3))
    dup = PersonFactory(given_names="Amy", family_name="Thorntan", date_of_birth=datetime.date(2015, 3, 4))
    mother = AdultFactory(given_names="Claire", family_name="Thornton")
    brother = PersonFactory(given_names="Noah", family_name="Thornton")
    IdentifierFactory(person=keep)
    IdentifierFactory(person=dup, scheme=IdentifierScheme.UPN, value=valid_upn("990", 7))
    PersonName.objects.create(person=dup, kind=NameKind.BIRTH, given_names="Amelia", family_name="Ward")
    PersonAddress.objects.create(person=keep, address=AddressFactory(), start_date=datetime.date(2020, 1, 1))
    PersonAddress.objects.create(person=dup, address=AddressFactory(), start_date=datetime.date(2016, 1, 1))
    # The mother is recorded as the parent of both: after the merge the kept record already has that row.
    Relationship.objects.create(person=mother, related_to=keep, kind=RelationshipKind.PARENT)
    Relationship.objects.create(person=mother, related_to=dup, kind=RelationshipKind.PARENT)
    Relationship.objects.create(person=dup, related_to=brother, kind=RelationshipKind.SIBLING)
    # Recorded as siblings of each other by mistake: this row cannot become "related to themselves".
    Relationship.objects.create(person=keep, related_to=dup, kind=RelationshipKind.SIBLING)
    school = SchoolFactory()
    Enrolment.objects.create(person=dup, organisation=school, start_date=datetime.date(2020, 9, 1))
    entry = ChronologyEntry.objects.create(
        person=dup, occurred_at=timezone.now(), category="enrolment", summary="Joined the school", organisation=school
    )
    entry.shared_with.add(council)
    ChronologyEntry.objects.create(person=keep, occurred_at=timezone.now(), category="contact", summary="Contact")
    team = TeamFactory(organisation=council)
    LegitimateRelationship.objects.create(person=dup, team=team, source=RelationshipSource.REFERRAL)
    BreakGlassGrant.objects.create(
        user=UserFactory(roles=[Role.POLICE_OFFICER]), person=dup, reason="Missing child found at the station."
    )
    contact = Contact.objects.create(
        reference="CT-2026-00001",
        received_at=timezone.now(),
        source=ContactSource.SCHOOL,
        what_happened="Bruising seen at school.",
        family_awareness=FamilyAwareness.AWARE,
        consent=Consent.NOT_SOUGHT,
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        hub_team=team,
    )
    ContactSubject.objects.create(contact=contact, role="child", person=dup, given_names="Amy", family_name="Thorntan")
    return keep, dup


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table that points at a person, and the people themselves."""
    tables = {model for model, _ in _relations()} | {Person, ChronologyEntry.shared_with.through}
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in tables}


def rows_of(person: Person) -> dict[str, set[int]]:
    return {
        f"{model._meta.label_lower}.{field}": set(
            model._default_manager.filter(**{field: person}).values_list("pk", flat=True)
        )
        for model, field in _relations()
    }


def test_merging_moves_every_row_to_the_kept_record(records, hub_practitioner):
    keep, dup = records
    before_dup = rows_of(dup)

    merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)

    after_keep, after_dup = rows_of(keep), rows_of(dup)
    for key, ids in before_dup.items():
        assert ids <= after_keep[key] | after_dup[key]
    assert keep.identifiers.filter(scheme=IdentifierScheme.UPN).exists()
    assert keep.enrolments.count() == 1
    assert keep.chronology.count() == 2
    assert keep.legitimate_relationships.count() == 1
    assert keep.break_glass_grants.count() == 1
    assert keep.contact_subjects.count() == 1
    assert keep.other_names.filter(kind=NameKind.BIRTH, family_name="Ward").exists()
    assert Relationship.objects.filter(person=keep, related_to__given_names="Noah").exists()
    # Only the rows that would duplicate the kept record's own stay behind.
    assert {key for key, ids in after_dup.items() if ids} == {"people.relationship.related_to"}


def test_the_merged_name_becomes_another_name_of_the_kept_record(records, hub_practitioner):
    keep, dup = records

    merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)

    assert keep.other_names.filter(kind=NameKind.ALIAS, given_names="Amy", family_name="Thorntan").exists()


def test_rows_that_would_duplicate_the_kept_records_stay_on_the_merged_record(records, hub_practitioner):
    keep, dup = records

    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)

    mothers_row = Relationship.objects.get(related_to=dup, kind=RelationshipKind.PARENT)
    mistaken_sibling_row = Relationship.objects.get(person=keep, related_to=dup)
    assert merged.left == {"people.relationship.related_to": sorted([mothers_row.pk, mistaken_sibling_row.pk])}
    assert Relationship.objects.filter(related_to=keep, kind=RelationshipKind.PARENT).count() == 1


def test_the_merged_record_is_marked_and_hidden_from_matching(records, hub_practitioner):
    keep, dup = records

    merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)

    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert dup.merged_at is not None
    found = find_candidates(user=hub_practitioner, given_names="Amy", family_name="Thorntan")
    assert dup not in [c.person for c in found]
    assert keep in [c.person for c in found]


def test_unmerging_restores_exactly_the_state_before_the_merge(records, hub_practitioner):
    keep, dup = records
    before = snapshot()

    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    assert snapshot() != before
    unmerge(merge_record=merged, by=hub_practitioner)

    assert snapshot() == before
    merged.refresh_from_db()
    assert merged.is_undone
    assert merged.unmerged_by == hub_practitioner


def test_a_merge_undone_cannot_be_undone_twice(records, hub_practitioner):
    keep, dup = records
    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    unmerge(merge_record=merged, by=hub_practitioner)

    with pytest.raises(ValidationError, match="already been undone"):
        unmerge(merge_record=merged, by=hub_practitioner)


def test_a_merge_cannot_be_undone_while_the_kept_record_is_itself_merged(records, hub_practitioner):
    keep, dup = records
    first = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    third = PersonFactory(given_names="Amelia", family_name="Thornton")
    merge_people(keep=third, merge=keep, reason=REASON, by=hub_practitioner)

    with pytest.raises(ValidationError, match="undo that merge first"):
        unmerge(merge_record=first, by=hub_practitioner)
    assert final_record(dup.pk) == third.pk


def test_records_with_different_nhs_numbers_are_not_merged(records, hub_practitioner):
    keep, dup = records
    IdentifierFactory(person=dup)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)

    assert "have different NHS numbers" in refused.value.messages[0]
    assert keep.reference in refused.value.messages[0]
    assert snapshot() == before
    assert not PersonMerge.objects.exists()


def test_a_mother_is_not_merged_with_her_unborn_child(hub_practitioner):
    mother = AdultFactory()
    unborn = PersonFactory(
        kind="unborn", date_of_birth=None, expected_due_date=datetime.date(2030, 1, 1), mother=mother
    )

    with pytest.raises(ValidationError, match="not the same person"):
        merge_people(keep=mother, merge=unborn, reason=REASON, by=hub_practitioner)


def test_a_record_is_not_merged_with_itself_or_twice(records, hub_practitioner):
    keep, dup = records
    with pytest.raises(ValidationError, match="same record"):
        merge_people(keep=keep, merge=keep, reason=REASON, by=hub_practitioner)
    merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    with pytest.raises(ValidationError, match="already been merged"):
        merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)


def test_a_merge_needs_a_reason(records, hub_practitioner):
    keep, dup = records

    with pytest.raises(ValidationError, match="Say why"):
        merge_people(keep=keep, merge=dup, reason="  ", by=hub_practitioner)


def test_only_hub_practitioners_and_team_managers_may_merge(records, council):
    keep, dup = records
    social_worker = UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER])
    manager = UserFactory(organisation=council, roles=[Role.TEAM_MANAGER])

    with pytest.raises(PermissionDenied):
        merge_people(keep=keep, merge=dup, reason=REASON, by=social_worker)
    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=manager)
    with pytest.raises(PermissionDenied):
        unmerge(merge_record=merged, by=social_worker)


def test_merging_and_unmerging_are_audited_on_both_records(records, hub_practitioner):
    keep, dup = records

    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    unmerge(merge_record=merged, by=hub_practitioner)

    for action in ("person.merged", "person.unmerged"):
        events = AuditEvent.objects.filter(action=action, actor=hub_practitioner)
        assert sorted(int(e.object_id) for e in events) == sorted([keep.pk, dup.pk])
        assert all(e.detail["merge"] == merged.pk for e in events)
    merged_event = AuditEvent.objects.filter(action="person.merged").first()
    assert merged_event.purpose == REASON
    assert merged_event.detail["moved"]["hub.contactsubject.person"] == 1


# Pages ----------------------------------------------------------------------------------


def test_a_merged_records_page_redirects_to_the_kept_record(client, records, hub_practitioner):
    keep, dup = records
    merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    client.force_login(hub_practitioner)

    response = client.get(reverse("people:person", args=[dup.pk]))

    assert response.status_code == 302
    assert response.url == reverse("people:person", args=[keep.pk])


def test_merging_from_the_person_page(client, records, hub_practitioner):
    keep, dup = records
    client.force_login(hub_practitioner)

    page = client.get(reverse("people:person", args=[keep.pk]))
    assert reverse("people:merge", args=[keep.pk]).encode() in page.content
    found = client.post(reverse("people:merge", args=[keep.pk]), {"other": dup.reference})
    assert found.url == reverse("people:merge-compare", args=[keep.pk, dup.pk])
    compare = client.get(found.url)
    assert b"Amy" in compare.content
    assert b"Amelia" in compare.content
    done = client.post(found.url, {"keep": "this", "reason": REASON})

    assert done.url == reverse("people:person", args=[keep.pk])
    assert Person.objects.get(pk=dup.pk).merged_into == keep
    kept_page = client.get(done.url)
    assert reverse("people:unmerge", args=[PersonMerge.objects.get().pk]).encode() in kept_page.content


def test_keeping_the_other_record_folds_this_one_into_it(client, records, hub_practitioner):
    keep, dup = records
    client.force_login(hub_practitioner)

    client.post(reverse("people:merge-compare", args=[keep.pk, dup.pk]), {"keep": "other", "reason": REASON})

    assert Person.objects.get(pk=keep.pk).merged_into == dup


def test_the_merge_page_says_why_records_cannot_be_merged(client, records, hub_practitioner):
    keep, dup = records
    IdentifierFactory(person=dup)
    client.force_login(hub_practitioner)

    response = client.post(reverse("people:merge-compare", args=[keep.pk, dup.pk]), {"keep": "this", "reason": REASON})

    assert response.status_code == 200
    assert b"have different NHS numbers" in response.content
    assert not PersonMerge.objects.exists()


def test_an_unknown_reference_is_explained(client, records, hub_practitioner):
    keep, _ = records
    client.force_login(hub_practitioner)

    response = client.post(reverse("people:merge", args=[keep.pk]), {"other": "P-9999999"})

    assert response.status_code == 200
    assert b"No record has the reference P-9999999" in response.content


def test_undoing_a_merge_from_the_kept_records_page(client, records, hub_practitioner):
    keep, dup = records
    merged = merge_people(keep=keep, merge=dup, reason=REASON, by=hub_practitioner)
    client.force_login(hub_practitioner)

    assert client.get(reverse("people:unmerge", args=[merged.pk])).status_code == 200
    response = client.post(reverse("people:unmerge", args=[merged.pk]))

    assert response.url == reverse("people:person", args=[dup.pk])
    assert Person.objects.get(pk=dup.pk).merged_into is None


def test_merge_pages_are_refused_without_the_capability(client, records, council):
    keep, dup = records
    client.force_login(UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER]))

    assert client.get(reverse("people:merge", args=[keep.pk])).status_code == 403
    response = client.post(reverse("people:merge-compare", args=[keep.pk, dup.pk]), {"keep": "this", "reason": REASON})
    assert response.status_code == 403
    assert not PersonMerge.objects.exists()


def test_a_merged_record_is_no_longer_found_by_person_search():
    from safehub.partnership.roles import Role
    from safehub.people.selectors import PersonSearch, search_people
    from tests.factories import OrganisationFactory, PersonFactory, UserFactory

    hub = UserFactory(organisation=OrganisationFactory(), roles=[Role.HUB_PRACTITIONER])
    keep = PersonFactory(given_names="Amelia", family_name="Okafor")
    duplicate = PersonFactory(given_names="Amelia", family_name="Okafor")
    merge_people(keep=keep, merge=duplicate, reason="Same child: same NHS number at the GP", by=hub)

    assert list(search_people(user=hub, search=PersonSearch(name="Amelia Okafor"))) == [keep]
