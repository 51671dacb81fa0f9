"""The hub's work pages: the queue, the contact page, screening, checks to answer and the
decision, through the browser's requests."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from safehub.hub.models import ContactState, Decision, LawfulBasis, Rag, ResearchAgency, ResearchAnswer
from safehub.hub.services import workflow
from safehub.partnership.roles import Role
from tests.factories import UserFactory
from tests.hub.test_workflow import hub_world, london, make_contact, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return hub_world()


def test_the_queue_lists_open_contacts_soonest_due_first_with_overdue_marked(w, client):
    with time_machine.travel(london(2026, 1, 6, 9, 0), tick=False):
        later = make_contact(w, received_at=london(2026, 1, 6, 8, 0))
        screened(w, later, rag=Rag.GREEN)
        sooner = make_contact(w, received_at=london(2026, 1, 6, 8, 30))
        screened(w, sooner, rag=Rag.RED)
        decided = make_contact(w, received_at=london(2026, 1, 6, 8, 45))
        workflow.decide(contact=decided, decision=Decision.ADVICE, rationale="Advice.", by=w.manager)
    client.force_login(w.practitioner)
    with time_machine.travel(london(2026, 1, 6, 14, 0), tick=False):
        page = client.get(reverse("hub:queue")).content.decode()
    assert page.index(sooner.reference) < page.index(later.reference)
    assert decided.reference not in page
    assert page.count("Overdue") == 1  # the red one, due at 13:00
    assert "govuk-tag--red" in page


def test_the_queue_filters_by_rating_and_allocation(w, client):
    red = make_contact(w)
    screened(w, red, rag=Rag.RED)
    unrated = make_contact(w)
    workflow.allocate(contact=unrated, to=w.practitioner, by=w.practitioner)
    client.force_login(w.practitioner)
    page = client.get(reverse("hub:queue"), {"rag": "red"}).content.decode()
    assert red.reference in page
    assert unrated.reference not in page
    page = client.get(reverse("hub:queue"), {"mine": "on"}).content.decode()
    assert unrated.reference in page
    assert red.reference not in page


def test_allocate_to_me_from_the_queue(w, client):
    contact = make_contact(w)
    client.force_login(w.colleague)
    response = client.post(reverse("hub:allocate", args=[contact.pk]), {"to": "me", "back": "queue"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.allocated_to == w.colleague


def test_only_the_hub_has_the_queue(w, client):
    client.force_login(w.officer)
    assert client.get(reverse("hub:queue")).status_code == 403


def test_screening_through_the_form_asks_the_default_agencies(w, client):
    contact = make_contact(w)
    client.force_login(w.practitioner)
    form = client.get(reverse("hub:screen", args=[contact.pk])).content.decode()
    assert "Child Abuse Investigation Team" in form
    response = client.post(
        reverse("hub:screen", args=[contact.pk]),
        {"rag": "amber", "notes": "Bruising.", "agencies": ["police", "health", "education", "social_care"]},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.state == ContactState.RESEARCH
    assert contact.research_requests.count() == 4


def test_screening_without_a_rating_shows_the_error(w, client):
    contact = make_contact(w)
    client.force_login(w.practitioner)
    response = client.post(reverse("hub:screen", args=[contact.pk]), {"agencies": ["police"]})
    assert response.status_code == 200
    assert "Choose a RAG rating" in response.content.decode()


def test_an_agency_finds_its_check_from_home_and_answers_not_to_share_with_a_reason(w, client):
    contact = make_contact(w)
    screened(w, contact)
    check = contact.research_requests.get(agency=ResearchAgency.POLICE)
    client.force_login(w.officer)
    home = client.get(reverse("core:home")).content.decode()
    assert "Checks to answer" in home
    assert reverse("hub:checks") in home
    listing = client.get(reverse("hub:checks")).content.decode()
    assert reverse("hub:research-answer", args=[check.pk]) in listing
    page = client.get(reverse("hub:research-answer", args=[check.pk])).content.decode()
    assert contact.what_happened in page
    missing_reason = client.post(
        reverse("hub:research-answer", args=[check.pk]),
        {"answer": ResearchAnswer.NOT_SHARED, "lawful_basis": LawfulBasis.LAW_ENFORCEMENT},
    )
    assert "Record why your agency decided not to share" in missing_reason.content.decode()
    response = client.post(
        reverse("hub:research-answer", args=[check.pk]),
        {
            "answer": ResearchAnswer.NOT_SHARED,
            "reason_not_shared": "A live investigation would be prejudiced.",
            "lawful_basis": LawfulBasis.LAW_ENFORCEMENT,
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.answer == ResearchAnswer.NOT_SHARED
    # The hub reads the decision and its reason on the contact page.
    client.force_login(w.practitioner)
    page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
    assert "Decision not to share" in page
    assert "A live investigation would be prejudiced." in page


def test_a_team_that_was_not_asked_gets_not_found(w, client):
    contact = make_contact(w)
    screened(w, contact, agencies=[ResearchAgency.HEALTH])
    check = contact.research_requests.get()
    client.force_login(w.officer)
    assert client.get(reverse("hub:research-answer", args=[check.pk])).status_code == 404
    assert client.get(reverse("hub:contact", args=[contact.pk])).status_code == 404


def test_a_late_decision_form_asks_why_then_records_it_and_flags_the_referrer_to_tell(w, client):
    contact = make_contact(w, received_at=london(2026, 1, 9, 15, 0))
    client.force_login(w.manager)
    url = reverse("hub:decide", args=[contact.pk])
    with time_machine.travel(london(2026, 1, 12, 16, 0), tick=False):
        page = client.get(url).content.decode()
        assert "it is late" in page
        response = client.post(url, {"decision": Decision.EARLY_HELP, "decision_rationale": "Family support."})
        assert "record why it was not made in time" in response.content.decode()
        response = client.post(
            url,
            {"decision": Decision.EARLY_HELP, "decision_rationale": "Family support.", "late_reason": "Sickness."},
        )
        assert response.status_code == 302
        page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
    assert "Tell the referrer the outcome by phone or email" in page
    assert "Why it was late" in page
    with time_machine.travel(london(2026, 1, 13, 9, 0), tick=False):
        client.force_login(w.manager)
        page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
        assert "This is overdue." in page
        client.post(reverse("hub:referrer-told", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.referrer_told_at == london(2026, 1, 13, 9, 0)


def test_the_decision_form_names_the_open_checks_and_closes_them_only_when_confirmed(w, client):
    contact = make_contact(w)
    screened(w, contact)
    client.force_login(w.manager)
    url = reverse("hub:decide", args=[contact.pk])
    page = client.get(url).content.decode()
    assert "have not answered yet. You can wait, or decide without them." in page
    assert "Decide without the checks still open" in page
    body = {"decision": Decision.EARLY_HELP, "decision_rationale": "Family support."}
    response = client.post(url, body)
    assert response.status_code == 200
    assert "confirm that you are deciding without it" in response.content.decode()
    contact.refresh_from_db()
    assert contact.state == ContactState.RESEARCH
    response = client.post(url, body | {"close_open_checks": "on"})
    assert response.status_code == 302
    page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
    assert page.count("Not needed: decided without it") == 4


def test_the_contact_page_shows_a_check_whose_answerer_is_not_recorded(w, client):
    # No service leaves an answer without its person, but an old import might: the page still opens.
    contact = make_contact(w)
    screened(w, contact)
    contact.research_requests.filter(agency=ResearchAgency.POLICE).update(
        answer=ResearchAnswer.NOTHING_KNOWN, lawful_basis=LawfulBasis.SIGNIFICANT_HARM, answered_at=london(2026, 1, 9)
    )
    client.force_login(w.practitioner)
    response = client.get(reverse("hub:contact", args=[contact.pk]))
    assert response.status_code == 200
    assert "by (name not recorded)" in response.content.decode()


def test_a_hub_practitioner_cannot_open_the_decision_form(w, client):
    contact = make_contact(w)
    client.force_login(w.practitioner)
    assert client.get(reverse("hub:decide", args=[contact.pk])).status_code == 403


def test_the_contact_page_shows_due_times_in_uk_time(w, client):
    # 10:00 UTC in summer is 11:00 in London.
    contact = make_contact(w, received_at=datetime.datetime(2026, 7, 6, 10, 0, tzinfo=datetime.UTC))
    client.force_login(w.practitioner)
    with time_machine.travel(london(2026, 7, 6, 12, 0), tick=False):
        page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
    assert "Tuesday 7 July 2026, 11:00" in page


def test_the_referrer_sees_the_outcome_but_not_the_checks(w, client):
    teacher = UserFactory(organisation=w.school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    contact = make_contact(w, referrer_user=teacher)
    screened(w, contact)
    client.force_login(teacher)
    page = client.get(reverse("hub:contact", args=[contact.pk])).content.decode()
    assert "Only the outcome is shown here" in page
    assert 'id="checks"' not in page
    assert contact.what_happened not in page


def test_navigation_offers_hub_and_checks_by_capability(w, client):
    client.force_login(w.practitioner)
    home = client.get(reverse("core:home")).content.decode()
    assert 'href="/hub/"' in home
    assert "Your hub queue" in home
    client.force_login(w.nurse)
    home = client.get(reverse("core:home")).content.decode()
    assert 'href="/hub/checks/"' in home
    assert "Your hub queue" not in home


def test_the_screening_form_offers_the_agencies_as_checkboxes_all_ticked(w, client):
    contact = make_contact(w)
    client.force_login(w.practitioner)
    page = client.get(reverse("hub:screen", args=[contact.pk])).content.decode()
    assert page.count('name="agencies" type="checkbox"') == 4
    assert page.count('type="checkbox" value="police" checked') == 1
