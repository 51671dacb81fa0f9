"""Recording a contact: the service's rules and the form journey that ends in it."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.models import AuditEvent
from safehub.hub.models import Consent, Contact, ContactSource, FamilyAwareness, LawfulBasis, SubjectRole
from safehub.hub.services.contacts import (
    IdempotencyConflict,
    SubjectInput,
    hub_team_for,
    record_contact,
)
from safehub.notifications.models import Notification
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, Identifier, Person
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
    valid_nhs_number,
)

CONCERN = "Noah said at school that he is hit at home when his mum's partner drinks."


def hub_setup():
    """A council with its Children's Hub team (two practitioners), and a police force."""
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")
    hub = TeamFactory(organisation=council, name="Children's Hub")
    members = [
        UserFactory(organisation=council, roles=[Role.HUB_PRACTITIONER]),
        UserFactory(organisation=council, roles=[Role.TEAM_MANAGER]),
    ]
    for member in members:
        member.teams.add(hub)
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    officer = UserFactory(organisation=force, roles=[Role.POLICE_OFFICER], job_title="PC")
    return council, hub, members, force, officer


@pytest.fixture
def hub(db):
    return hub_setup()


def child(**kwargs) -> SubjectInput:
    fields = {"role": SubjectRole.CHILD, "given_names": "Noah", "family_name": "Ashworth"}
    fields["date_of_birth"] = datetime.date(2016, 5, 4)
    return SubjectInput(**(fields | kwargs))


def record(officer, force, **kwargs) -> Contact:
    fields = {
        "recorded_by": officer,
        "source": ContactSource.POLICE,
        "source_organisation": force,
        "referrer_name": "PC Dale",
        "referrer_contact": "dale@police.example",
        "referrer_user": officer,
        "what_happened": CONCERN,
        "family_awareness": FamilyAwareness.NOT_AWARE,
        "consent": Consent.NOT_SOUGHT,
        "lawful_basis": LawfulBasis.SIGNIFICANT_HARM,
        "subjects": [child()],
    }
    return record_contact(**(fields | kwargs))


# The service


def test_a_contact_gets_a_reference_of_its_year_numbered_in_turn(hub):
    _council, _team, _members, force, officer = hub
    first = record(officer, force, received_at=datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC))
    second = record(officer, force, received_at=datetime.datetime(2025, 3, 3, 11, tzinfo=datetime.UTC))
    next_year = record(officer, force, received_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC))
    assert (first.reference, second.reference, next_year.reference) == (
        "CT-2025-00001",
        "CT-2025-00002",
        "CT-2026-00001",
    )


def test_a_reference_already_taken_by_a_concurrent_save_is_skipped(hub, monkeypatch):
    _council, _team, _members, force, officer = hub
    first = record(officer, force, received_at=datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC))
    # Another transaction saved CT-2025-00002 between our look-up and our insert: the look-up
    # is made to miss it, so the unique constraint refuses our first try and we take the next.
    from safehub.hub.services import contacts as service

    real_filter = Contact.objects.filter
    calls = {"n": 0}

    def stale_filter(*args, **kwargs):
        if "reference__startswith" in kwargs and calls["n"] == 0:
            calls["n"] += 1
            return real_filter(pk=first.pk)
        return real_filter(*args, **kwargs)

    Contact.objects.filter(pk=first.pk).update(reference="CT-2025-00002")
    Contact.objects.create(**{**_copy(first), "reference": "CT-2025-00001"})
    monkeypatch.setattr(service.Contact.objects, "filter", stale_filter)
    third = record(officer, force, received_at=datetime.datetime(2025, 3, 4, 10, tzinfo=datetime.UTC))
    assert third.reference == "CT-2025-00003"


def _copy(contact: Contact) -> dict:
    fields = {f.attname: getattr(contact, f.attname) for f in Contact._meta.concrete_fields if f.name != "id"}
    fields["idempotency_key"] = None
    return fields


def test_a_contact_needs_a_child_or_an_unborn_child(hub):
    _council, _team, _members, force, officer = hub
    adult = SubjectInput(role=SubjectRole.ADULT, given_names="Kelly", family_name="Ashworth")
    with pytest.raises(ValidationError, match="at least one child or unborn child"):
        record(officer, force, subjects=[adult])
    assert not Contact.objects.exists()
    unborn = SubjectInput(role=SubjectRole.UNBORN, family_name="Ashworth", expected_due_date=datetime.date(2026, 8, 1))
    assert record(officer, force, subjects=[adult, unborn]).subjects.count() == 2


def test_consent_is_the_lawful_basis_only_when_consent_was_given(hub):
    _council, _team, _members, force, officer = hub
    with pytest.raises(ValidationError, match="only when consent was given"):
        record(officer, force, consent=Consent.REFUSED, lawful_basis=LawfulBasis.CONSENT)
    assert record(officer, force, consent=Consent.GIVEN, lawful_basis=LawfulBasis.CONSENT).pk


def test_consent_is_not_needed_where_a_child_may_be_at_risk_of_significant_harm(hub):
    _council, _team, _members, force, officer = hub
    contact = record(officer, force, consent=Consent.REFUSED, lawful_basis=LawfulBasis.SIGNIFICANT_HARM)
    contact.refresh_from_db()
    assert (contact.consent, contact.lawful_basis) == (Consent.REFUSED, LawfulBasis.SIGNIFICANT_HARM)


def test_an_invalid_nhs_number_is_refused_with_what_is_wrong(hub):
    _council, _team, _members, force, officer = hub
    with pytest.raises(ValidationError, match=r"Person 1: .*check digit"):
        record(officer, force, subjects=[child(nhs_number="999 000 0001")])


def test_the_same_idempotency_key_twice_returns_the_first_contact_and_writes_nothing(hub):
    _council, _team, _members, force, officer = hub
    first = record(officer, force, idempotency_key="batch-7:row-1")
    events, notes = AuditEvent.objects.count(), Notification.objects.count()
    again = record(officer, force, idempotency_key="batch-7:row-1")
    assert again.pk == first.pk
    assert Contact.objects.count() == 1
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, notes)


def test_the_same_idempotency_key_with_different_details_is_refused(hub):
    _council, _team, _members, force, officer = hub
    first = record(officer, force, idempotency_key="batch-7:row-1")
    with pytest.raises(IdempotencyConflict, match=first.reference):
        record(officer, force, idempotency_key="batch-7:row-1", what_happened="Something else entirely.")
    assert Contact.objects.count() == 1


def test_recording_is_audited_without_the_narrative(hub):
    _council, _team, _members, force, officer = hub
    contact = record(officer, force)
    event = AuditEvent.objects.get(action="contact.recorded")
    assert (event.actor, event.object_id, event.detail["reference"]) == (officer, str(contact.pk), contact.reference)
    assert "hit at home" not in str(event.detail) + event.purpose


def test_each_linked_person_gets_a_chronology_entry_without_the_narrative(hub):
    _council, _team, _members, force, officer = hub
    noah = PersonFactory(given_names="Noah")
    mum = PersonFactory(kind="adult", given_names="Kelly", date_of_birth=datetime.date(1990, 1, 1))
    adult = SubjectInput(role=SubjectRole.ADULT, given_names="Kelly", family_name="Ashworth", person=mum)
    unlinked = child(given_names="Isla")
    contact = record(officer, force, subjects=[child(person=noah), adult, unlinked])
    entries = ChronologyEntry.objects.filter(source_type="hub.contact", source_id=str(contact.pk))
    assert sorted(e.person_id for e in entries) == sorted([noah.pk, mum.pk])
    assert {e.summary for e in entries} == {"Contact received from Police"}


def test_linking_a_person_lets_the_hub_team_open_their_record(hub):
    _council, team, _members, force, officer = hub
    noah = PersonFactory()
    record(officer, force, subjects=[child(person=noah)])
    assert (
        LegitimateRelationship.objects.active()
        .filter(team=team, person=noah, source=RelationshipSource.REFERRAL)
        .exists()
    )


def test_a_new_record_is_created_for_a_subject_who_asks_for_one(hub):
    _council, _team, _members, force, officer = hub
    nhs = valid_nhs_number(41)
    contact = record(officer, force, subjects=[child(nhs_number=nhs, create_person=True)])
    person = contact.subjects.get().person
    assert person is not None
    assert (person.given_names, Identifier.objects.get(person=person).value) == ("Noah", nhs)
    assert AuditEvent.objects.filter(action="person.created", object_id=str(person.pk)).exists()


def test_the_hub_team_members_are_told_in_their_inbox_by_reference(hub):
    _council, _team, members, force, officer = hub
    contact = record(officer, force)
    notes = Notification.objects.filter(kind="contact.received")
    assert sorted(n.recipient_id for n in notes) == sorted(m.pk for m in members)
    assert {n.reference for n in notes} == {contact.reference}
    assert all("Noah" not in n.link and "Ashworth" not in n.link for n in notes)


def test_a_school_s_contact_goes_to_its_local_authority_s_hub(hub):
    council, team, *_ = hub
    other = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Northfield Council", la_code="991")
    northfield_hub = TeamFactory(organisation=other, name="Children's Hub")
    school = SchoolFactory(local_authority=other)
    assert hub_team_for(school) == northfield_hub
    assert hub_team_for(council) == team
    assert hub_team_for(None) == team


def test_without_a_hub_team_the_contact_is_refused_with_what_to_do(db):
    with pytest.raises(ValidationError, match="Ask your SafeHub administrator"):
        hub_team_for(None)


def test_nothing_is_written_when_a_later_step_fails(hub, monkeypatch):
    _council, _team, _members, force, officer = hub
    from safehub.hub.services import contacts as service

    def broken(contact):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(service, "_tell_hub_team", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(officer, force, subjects=[child(create_person=True)])
    assert not Contact.objects.exists()
    assert not Person.objects.exists()


# The form journey


@pytest.fixture
def dsl(hub):
    school = SchoolFactory(name="Millbrook Primary School", local_authority=hub[0])
    return UserFactory(
        organisation=school,
        roles=[Role.DESIGNATED_SAFEGUARDING_LEAD],
        first_name="Sam",
        last_name="Okafor",
        job_title="Designated safeguarding lead",
    )


@pytest.fixture
def signed_in(client, dsl):
    client.force_login(dsl)
    return client


def start(client):
    response = client.post(reverse("hub:contact-start"))
    assert response.url == reverse("hub:contact-people")


def add_child(client, **fields):
    data = {"given_names": "Noah", "family_name": "Ashworth", "date_of_birth": "4 5 2016", "postcode": "RV1 2AB"}
    return client.post(reverse("hub:contact-add-person", args=["child"]), data | fields)


def answer_the_rest(client, lawful_basis=LawfulBasis.SIGNIFICANT_HARM, consent=Consent.NOT_SOUGHT):
    client.post(reverse("hub:contact-people"))
    client.post(reverse("hub:contact-step", args=["what-happened"]), {"what_happened": CONCERN})
    client.post(
        reverse("hub:contact-step", args=["referrer"]),
        {"referrer_name": "Sam Okafor", "referrer_role": "DSL", "referrer_contact": "01632 960000"},
    )
    client.post(reverse("hub:contact-step", args=["family"]), {"family_awareness": FamilyAwareness.NOT_AWARE})
    return client.post(
        reverse("hub:contact-step", args=["consent"]), {"consent": consent, "lawful_basis": lawful_basis}
    )


def test_a_practitioner_records_a_concern_from_start_to_reference(signed_in, dsl, hub):
    start(signed_in)
    response = add_child(signed_in)
    assert response.url == reverse("hub:contact-match", args=[0])
    page = signed_in.get(response.url)
    assert page.status_code == 200
    signed_in.post(response.url, {"choice": "leave"})
    response = answer_the_rest(signed_in)
    assert response.url == reverse("hub:contact-check")
    check = signed_in.get(response.url)
    assert "Noah Ashworth" in check.text
    assert "significant harm" in check.text
    sent = signed_in.post(reverse("hub:contact-check"), follow=True)
    contact = Contact.objects.get()
    assert contact.reference in sent.text
    assert (contact.source, contact.source_organisation, contact.referrer_user) == (
        ContactSource.SCHOOL,
        dsl.organisation,
        dsl,
    )
    assert contact.hub_team == hub[1]
    assert contact.subjects.get().postcode == "RV1 2AB"


def test_the_referrer_page_is_prefilled_from_the_signed_in_user(signed_in, dsl):
    start(signed_in)
    add_child(signed_in)
    page = signed_in.get(reverse("hub:contact-step", args=["referrer"]))
    assert 'value="Sam Okafor"' in page.text
    assert 'value="Designated safeguarding lead"' in page.text


def test_the_consent_page_says_consent_is_not_needed_where_there_is_risk_of_significant_harm(signed_in):
    start(signed_in)
    add_child(signed_in)
    page = signed_in.get(reverse("hub:contact-step", args=["consent"]))
    assert "You do not need consent" in page.text


def test_consent_as_the_basis_without_consent_shows_the_error_beside_the_field(signed_in):
    start(signed_in)
    add_child(signed_in)
    response = answer_the_rest(signed_in, lawful_basis=LawfulBasis.CONSENT, consent=Consent.REFUSED)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert 'href="#id_lawful_basis_0"' in response.text or 'href="#id_lawful_basis"' in response.text
    assert "Consent is the lawful basis only when consent was given" in response.text


def test_a_bad_nhs_number_and_a_missing_name_are_shown_in_the_error_summary_and_beside_the_fields(signed_in):
    start(signed_in)
    response = add_child(signed_in, given_names="", family_name="", nhs_number="123")
    assert response.status_code == 200
    assert response.text.count("An NHS number is 10 digits") == 2
    assert "Enter their first or last name" in response.text
    assert "Error: Add a child" in response.text


def test_a_concern_without_a_child_cannot_continue(signed_in):
    start(signed_in)
    signed_in.post(
        reverse("hub:contact-add-person", args=["adult"]), {"given_names": "Kelly", "family_name": "Ashworth"}
    )
    response = signed_in.post(reverse("hub:contact-people"))
    assert response.status_code == 200
    assert "Add at least one child or unborn child" in response.text


def test_sending_twice_records_one_contact(signed_in):
    start(signed_in)
    add_child(signed_in)
    answer_the_rest(signed_in)
    session = signed_in.session
    draft = session["safehub.hub.contact_draft"]
    signed_in.post(reverse("hub:contact-check"))
    # The same answers sent again (a double click that raced the first): the same contact.
    session = signed_in.session
    session["safehub.hub.contact_draft"] = draft
    session.save()
    signed_in.post(reverse("hub:contact-check"))
    assert Contact.objects.count() == 1


def test_linking_an_existing_record_from_the_candidates(client, hub):
    _council, _team, members, *_ = hub
    practitioner = members[0]
    noah = PersonFactory(given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))
    client.force_login(practitioner)
    start(client)
    add_child(client)
    page = client.get(reverse("hub:contact-match", args=[0]))
    assert noah.reference in page.text
    client.post(reverse("hub:contact-match", args=[0]), {"choice": f"person-{noah.pk}"})
    answer_the_rest(client)
    client.post(reverse("hub:contact-check"))
    assert Contact.objects.get().subjects.get().person == noah


def test_a_record_not_offered_as_a_candidate_cannot_be_linked(signed_in, dsl):
    stranger = PersonFactory(given_names="Zed", family_name="Other")
    start(signed_in)
    add_child(signed_in)
    response = signed_in.post(reverse("hub:contact-match", args=[0]), {"choice": f"person-{stranger.pk}"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text or "govuk-error-summary" in response.text


def test_creating_a_new_record_from_the_journey(signed_in):
    start(signed_in)
    add_child(signed_in, nhs_number=valid_nhs_number(77))
    signed_in.post(reverse("hub:contact-match", args=[0]), {"choice": "new"})
    answer_the_rest(signed_in)
    signed_in.post(reverse("hub:contact-check"))
    person = Contact.objects.get().subjects.get().person
    assert person is not None
    assert person.identifiers.get().value == valid_nhs_number(77)


def test_no_personal_data_in_the_journey_s_urls(signed_in):
    start(signed_in)
    visited = [add_child(signed_in, nhs_number=valid_nhs_number(5)).url]
    visited.append(signed_in.post(visited[0], {"choice": "leave"}).url)
    visited.append(answer_the_rest(signed_in).url)
    visited.append(signed_in.post(reverse("hub:contact-check")).url)
    for url in visited:
        assert not re.search(r"Noah|Ashworth|RV1|2016|" + valid_nhs_number(5), url)


def test_people_without_record_contact_cannot_start_the_journey(client, db):
    officer = UserFactory(roles=[Role.PRIVACY_OFFICER])
    client.force_login(officer)
    assert client.get(reverse("hub:contact-start")).status_code == 403


def test_the_navigation_offers_record_a_concern_to_practitioners(signed_in):
    page = signed_in.get(reverse("hub:contact-start"))
    assert "Record a concern" in page.text
