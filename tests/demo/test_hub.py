"""The demo's year of hub activity: realistic, current and exactly what the hub's services would write."""

import datetime
import re

import pytest

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.hub import measures
from safehub.hub.models import (
    Assessment,
    Contact,
    ContactSource,
    ContactState,
    Decision,
    ResearchAnswer,
    ResearchRequest,
)
from safehub.hub.services import workflow
from safehub.partnership.models import User
from safehub.people.models import ChronologyEntry, PersonKind
from safehub.timescales.calendar import add_working_days
from safehub.timescales.patterns import WorkingPattern
from tests.demo.conftest import seeded_once

CHILDREN = 800
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY, children=CHILDREN):
        yield


@pytest.fixture(autouse=True)
def _seeded(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


def test_about_one_contact_a_year_for_every_eight_children():
    assert CHILDREN // 8 <= Contact.objects.count() <= CHILDREN // 8 + 6
    first = Contact.objects.order_by("received_at").first()
    assert first is not None
    assert TODAY - datetime.timedelta(days=366) <= first.received_at < TODAY - datetime.timedelta(days=300)


def test_references_follow_the_hub_pattern_numbered_from_one_each_year_in_arrival_order():
    by_year: dict[str, list[int]] = {}
    for reference in Contact.objects.order_by("received_at", "pk").values_list("reference", flat=True):
        assert re.fullmatch(r"CT-\d{4}-\d{5}", reference)
        by_year.setdefault(reference[3:7], []).append(int(reference[-5:]))
    assert set(by_year) == {"2025", "2026"}
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_every_contact_is_due_for_decision_one_working_day_after_it_arrived():
    for contact in Contact.objects.all():
        assert contact.decision_due_at == add_working_days(contact.received_at, 1)


def test_each_check_is_due_as_screening_would_set_it_in_its_teams_working_time():
    patterns = set()
    for contact in Contact.objects.exclude(rag="").prefetch_related("research_requests__team__organisation"):
        assert contact.screened_at is not None
        requests = list(contact.research_requests.all())
        for request in requests:
            assert request.due_at == workflow.research_due(contact.rag, contact.screened_at, request.team)
            patterns.add(request.team.pattern)
        if requests:
            assert contact.research_due_at == max(r.due_at for r in requests)
    assert patterns == set(WorkingPattern.values)


def test_most_decisions_are_within_a_working_day_and_every_late_one_says_why():
    decided = list(Contact.objects.filter(state=ContactState.DECIDED))
    in_time = [c for c in decided if c.decided_at <= c.decision_due_at]
    assert 0.8 <= len(in_time) / len(decided) < 1
    for contact in decided:
        assert bool(contact.late_reason) == (contact.decided_at > contact.decision_due_at)
        assert contact.decision in Decision.values
        assert contact.decision_rationale


def test_sources_and_decisions_come_in_realistic_proportions():
    total = Contact.objects.count()
    police = Contact.objects.filter(source=ContactSource.POLICE).count()
    assert 0.2 < police / total < 0.4
    decisions = set(Contact.objects.exclude(decision="").values_list("decision", flat=True))
    assert {Decision.NO_FURTHER_ACTION, Decision.EARLY_HELP, Decision.ASSESSMENT} <= decisions


def test_research_answers_are_mostly_nothing_known_and_every_answer_is_complete():
    answered = ResearchRequest.objects.exclude(answer="").exclude(answer=ResearchAnswer.NOT_NEEDED)
    nothing = answered.filter(answer=ResearchAnswer.NOTHING_KNOWN).count()
    assert 0.6 < nothing / answered.count() < 0.8
    assert answered.filter(answer=ResearchAnswer.NOT_SHARED).exists()
    for request in answered:
        request.full_clean()
        assert request.lawful_basis
        assert request.answered_by is not None
        assert request.answered_by.teams.filter(pk=request.team_id).exists()


def test_every_check_was_answered_by_someone_in_its_team_or_closed_by_the_decider():
    # As the services do: no answer without a person, and a decision closes the checks no one answered.
    assert not ResearchRequest.objects.exclude(answered_at=None).filter(answered_by=None).exists()
    closed = ResearchRequest.objects.filter(answer=ResearchAnswer.NOT_NEEDED).select_related("contact")
    assert closed.exists()
    for check in closed:
        assert check.contact.state == ContactState.DECIDED
        assert (check.answered_at, check.answered_by_id) == (check.contact.decided_at, check.contact.decided_by_id)
    assert not ResearchRequest.objects.filter(answered_at=None, contact__state=ContactState.DECIDED).exists()
    awaiting = ResearchRequest.objects.filter(contact__state=ContactState.AWAITING_DECISION)
    assert not awaiting.filter(answered_at=None).exists()


def test_every_screening_and_decision_names_someone_in_the_hubs_council():
    screened = Contact.objects.exclude(screened_at=None).select_related("screened_by", "hub_team")
    assert screened.exists()
    for contact in screened:
        assert contact.screened_by is not None
        assert contact.screened_by.organisation_id == contact.hub_team.organisation_id
    for contact in screened.filter(state=ContactState.DECIDED).select_related("decided_by"):
        assert contact.decided_by is not None
        assert contact.decided_by.organisation_id == contact.hub_team.organisation_id


def test_the_queue_has_open_contacts_in_every_state_today():
    states = set(Contact.objects.exclude(state=ContactState.DECIDED).values_list("state", flat=True))
    assert states == {ContactState.RECEIVED, ContactState.RESEARCH, ContactState.AWAITING_DECISION}
    assert Contact.objects.exclude(state=ContactState.DECIDED).filter(subjects__person=None).exists()
    assert not Contact.objects.filter(state=ContactState.DECIDED, subjects__person=None).exists()
    for contact in Contact.objects.filter(state=ContactState.AWAITING_DECISION):
        assert not contact.research_requests.filter(answered_at__isnull=True).exists()


def test_some_children_have_a_repeat_contact_within_twelve_months():
    children = list(
        Contact.objects.filter(subjects__role="child", subjects__person__kind=PersonKind.CHILD).values_list(
            "subjects__person_id", flat=True
        )
    )
    assert len(children) > len(set(children))


def test_every_contact_and_decision_is_on_the_childs_chronology_and_the_hub_may_open_them():
    contact = Contact.objects.filter(state=ContactState.DECIDED).first()
    for subject in contact.subjects.all():
        entries = ChronologyEntry.objects.filter(
            person=subject.person, source_type="hub.contact", source_id=str(contact.pk)
        )
        answered = contact.research_requests.exclude(answered_at=None).exclude(answer=ResearchAnswer.NOT_NEEDED).count()
        # Received, screened, each agency's answer, and the decision (and what it started).
        assert entries.filter(category="contact").count() == 2 + answered
        assert entries.filter(category="referral_decision").count() == 1
        assert LegitimateRelationship.objects.filter(
            person=subject.person, team=contact.hub_team, source=RelationshipSource.REFERRAL
        ).exists()


def test_every_contact_passes_its_model_checks_and_assessments_are_due_45_working_days_after_the_referral():
    for contact in Contact.objects.all():
        contact.full_clean()
    assessments = Assessment.objects.select_related("contact")
    assert assessments.exists()
    for assessment in assessments:
        assert assessment.contact.decision == Decision.ASSESSMENT
        assert assessment.due_at == add_working_days(assessment.contact.received_at, 45)


def test_the_demo_team_manager_and_analyst_see_a_years_hub_performance():
    period = measures.default_period(TODAY.date())
    manager = measures.hub_figures(User.objects.get(username="team.manager"), period, now=TODAY)
    analyst = measures.hub_figures(User.objects.get(username="partnership.analyst"), period, now=TODAY)
    assert 0 < manager.contacts <= analyst.contacts
    assert 75 <= manager.percent_in_time < 100
    assert manager.repeats > 0
    assert {a.agency for a in analyst.by_agency} == {"police", "health", "education", "social_care"}
