"""Who sees which contact, and how much: the hub team all of it, an agency with an open check
who it is about and what happened, the referrer the outcome, everyone else nothing (404 on
the page and in the API, exactly like a contact that does not exist). Every read is audited."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from safehub.access import policy
from safehub.access.policy import ContactView
from safehub.audit.models import AuditEvent
from safehub.hub import selectors
from safehub.hub.models import LawfulBasis, ResearchAgency, ResearchAnswer
from safehub.hub.services import workflow
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.factories import LocalAuthorityFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.hub.test_workflow import hub_world, make_contact, member, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = hub_world()
    world.contact = make_contact(world, referrer_user=world.dsl)
    other_council = LocalAuthorityFactory(name="Other Council", la_code="992")
    world.other_hub_practitioner = member(TeamFactory(organisation=other_council), Role.HUB_PRACTITIONER)
    world.other_manager = UserFactory(organisation=other_council, roles=[Role.TEAM_MANAGER])
    world.council_manager = UserFactory(organisation=world.council, roles=[Role.TEAM_MANAGER])
    world.unrelated_officer = member(
        TeamFactory(organisation=world.force, name="Missing from Home Team"), Role.POLICE_OFFICER
    )
    world.stranger = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST), roles=[Role.HEALTH_PRACTITIONER]
    )
    return world


def sees(user, contact) -> bool:
    return policy.visible_contacts(user).filter(pk=contact.pk).exists()


def test_the_hub_team_and_the_councils_team_managers_see_the_contact_in_full(w):
    for user in (w.practitioner, w.colleague, w.manager, w.council_manager):
        assert sees(user, w.contact)
        assert policy.contact_view(user, w.contact) == ContactView.HUB


def test_another_councils_hub_and_managers_do_not_see_it(w):
    for user in (w.other_hub_practitioner, w.other_manager, w.stranger):
        assert not sees(user, w.contact)
        assert policy.contact_view(user, w.contact) is None


def test_an_agency_sees_the_contact_only_while_its_check_is_open(w):
    assert not sees(w.officer, w.contact)
    screened(w, w.contact)
    assert policy.contact_view(w.officer, w.contact) == ContactView.RESEARCH
    assert not sees(w.unrelated_officer, w.contact)
    workflow.answer_research(
        request=w.contact.research_requests.get(agency=ResearchAgency.POLICE),
        answer=ResearchAnswer.NOTHING_KNOWN,
        information="",
        reason_not_shared="",
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT,
        by=w.officer,
    )
    assert not sees(w.officer, w.contact)


def test_the_referrer_sees_only_the_outcome(w):
    assert policy.contact_view(w.dsl, w.contact) == ContactView.REFERRER
    detail = selectors.contact_detail(user=w.dsl, contact=w.contact)
    assert detail.subjects == []
    assert detail.research == []
    assert not detail.shows_identity


def test_an_agency_answering_sees_who_and_what_but_not_other_agencies_answers(w):
    screened(w, w.contact)
    workflow.answer_research(
        request=w.contact.research_requests.get(agency=ResearchAgency.HEALTH),
        answer=ResearchAnswer.SHARED,
        information="Known to the health visitor.",
        reason_not_shared="",
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        by=w.nurse,
    )
    detail = selectors.contact_detail(user=w.officer, contact=w.contact)
    assert [row.subject.family_name for row in detail.subjects] == [w.child.family_name]
    assert [r.agency for r in detail.research] == [ResearchAgency.POLICE]
    hub_detail = selectors.contact_detail(user=w.practitioner, contact=w.contact)
    assert len(hub_detail.research) == 4


def test_visible_research_requests_are_the_hubs_all_and_an_agencys_own_open_ones(w):
    screened(w, w.contact)
    assert policy.visible_research_requests(w.practitioner).count() == 4
    assert list(policy.visible_research_requests(w.officer).values_list("agency", flat=True)) == ["police"]
    assert not policy.visible_research_requests(w.stranger).exists()


def test_can_screen_answer_and_decide(w):
    screened(w, w.contact)
    police_check = w.contact.research_requests.get(agency=ResearchAgency.POLICE)
    assert policy.can(w.practitioner, "screen", w.contact)
    assert not policy.can(w.officer, "screen", w.contact)
    assert policy.can(w.officer, "answer", police_check)
    assert not policy.can(w.nurse, "answer", police_check)
    assert not policy.can(w.practitioner, "answer", police_check)
    assert policy.can(w.manager, "decide", w.contact)
    assert policy.can(w.council_manager, "decide", w.contact)
    assert not policy.can(w.practitioner, "decide", w.contact)
    assert not policy.can(w.other_manager, "decide", w.contact)
    assert policy.can(w.practitioner, "view", w.contact)
    assert not policy.can(w.stranger, "view", w.contact)


def test_a_hidden_contact_is_not_found_on_the_page_and_the_refusal_is_audited(w, client):
    client.force_login(w.stranger)
    response = client.get(reverse("hub:contact", args=[w.contact.pk]))
    assert response.status_code == 404
    refused = AuditEvent.objects.filter(action="access.refused", object_type="hub.contact")
    assert refused.filter(object_id=str(w.contact.pk), outcome="refused").count() == 1
    # Exactly like one that does not exist (which records nothing).
    assert client.get(reverse("hub:contact", args=[w.contact.pk + 1000])).status_code == 404
    assert refused.count() == 1


def test_a_hidden_contact_is_not_found_in_the_api(w):
    api = APIClient()
    api.force_authenticate(w.unrelated_officer)
    assert api.get(f"/api/v1/contacts/{w.contact.pk}/").status_code == 404
    api.force_authenticate(w.practitioner)
    assert api.get(f"/api/v1/contacts/{w.contact.pk}/").status_code == 200


def test_opening_a_contact_is_audited_with_the_basis(w, client):
    client.force_login(w.practitioner)
    assert client.get(reverse("hub:contact", args=[w.contact.pk])).status_code == 200
    event = AuditEvent.objects.get(action="contact.viewed", object_id=str(w.contact.pk))
    assert event.purpose == "hub team"
    assert event.actor_id == w.practitioner.pk
