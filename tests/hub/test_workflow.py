"""The hub's workflow: screening and due times, the agencies' checks and their answers,
escalation, the referral decision, the referrer, assessments and the chronology."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.models import AuditEvent
from safehub.hub.models import (
    Assessment,
    Consent,
    Contact,
    ContactSource,
    ContactState,
    ContactSubject,
    Decision,
    FamilyAwareness,
    LawfulBasis,
    Rag,
    ResearchAgency,
    ResearchAnswer,
    ResearchRequest,
    SubjectRole,
)
from safehub.hub.services import workflow
from safehub.notifications.models import Channel, Notification
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry
from tests.factories import (
    EnrolmentFactory,
    LocalAuthorityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles, **extra):
    user = UserFactory(organisation=team.organisation, roles=list(roles), **extra)
    user.teams.add(team)
    return user


def hub_world():
    """A council with its hub, a police force, an NHS trust and a school, each with its
    safeguarding team and a practitioner in it."""
    council = LocalAuthorityFactory(name="Riverside Council", la_code="991")
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    trust = OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Riverside NHS Trust")
    school = SchoolFactory(local_authority=council)
    w = SimpleNamespace(council=council, force=force, trust=trust, school=school)
    w.hub = TeamFactory(organisation=council, name="Children's Hub")
    w.duty = TeamFactory(organisation=council, name="Children's Social Care duty team", is_duty_team=True)
    w.education = TeamFactory(organisation=council, name="Education Safeguarding Team")
    w.cait = TeamFactory(organisation=force, name="Child Abuse Investigation Team")
    TeamFactory(organisation=force, name="Force Control Room duty team", is_duty_team=True)
    w.trust_team = TeamFactory(organisation=trust, name="Safeguarding Children Team", is_duty_team=True)
    w.school_team = TeamFactory(organisation=school, name="Safeguarding", is_duty_team=True)
    w.practitioner = member(w.hub, Role.HUB_PRACTITIONER)
    w.colleague = member(w.hub, Role.HUB_PRACTITIONER)
    w.manager = member(w.hub, Role.TEAM_MANAGER)
    w.officer = member(w.cait, Role.POLICE_OFFICER)
    w.supervisor = UserFactory(organisation=force, roles=[Role.POLICE_SUPERVISOR])
    w.nurse = member(w.trust_team, Role.HEALTH_PRACTITIONER)
    w.dsl = member(w.school_team, Role.DESIGNATED_SAFEGUARDING_LEAD)
    w.social_worker = member(w.duty, Role.SOCIAL_WORKER)
    w.child = PersonFactory()
    EnrolmentFactory(person=w.child, organisation=school, start_date=datetime.date(2020, 9, 1))
    return w


_references = iter(range(1, 100000))


def make_contact(w, *, received_at=None, referrer_user=None, linked=True, **extra) -> Contact:
    contact = Contact.objects.create(
        reference=f"C-{next(_references):06d}",
        received_at=received_at or timezone.now(),
        source=ContactSource.SCHOOL,
        source_organisation=w.school,
        referrer_name="A Teacher",
        referrer_contact="01234 567890",
        referrer_user=referrer_user,
        what_happened="The child came to school with a bruise and said a parent hit them.",
        family_awareness=FamilyAwareness.NOT_AWARE,
        consent=Consent.NOT_SOUGHT,
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        hub_team=w.hub,
        **extra,
    )
    ContactSubject.objects.create(
        contact=contact,
        role=SubjectRole.CHILD,
        person=w.child if linked else None,
        given_names=w.child.given_names,
        family_name=w.child.family_name,
        date_of_birth=w.child.date_of_birth,
    )
    return contact


def screened(w, contact, *, rag=Rag.AMBER, agencies=workflow.DEFAULT_AGENCIES):
    return workflow.screen(contact=contact, rag=rag, notes="Bruise on arm.", agencies=list(agencies), by=w.practitioner)


def answer_all(w, contact):
    answerers = {
        ResearchAgency.POLICE: w.officer,
        ResearchAgency.HEALTH: w.nurse,
        ResearchAgency.EDUCATION: w.dsl,
        ResearchAgency.SOCIAL_CARE: w.social_worker,
    }
    for request in contact.research_requests.all():
        workflow.answer_research(
            request=request,
            answer=ResearchAnswer.NOTHING_KNOWN,
            information="",
            reason_not_shared="",
            lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
            by=answerers[ResearchAgency(request.agency)],
        )


@pytest.fixture
def w():
    return hub_world()


# Due times --------------------------------------------------------------------------------


def _dues(contact) -> dict[str, datetime.datetime]:
    return dict(contact.research_requests.values_list("agency", "due_at"))


def test_amber_contact_screened_friday_afternoon_has_checks_due_monday_afternoon(w):
    contact = make_contact(w, received_at=london(2026, 1, 9, 15, 0))
    with time_machine.travel(london(2026, 1, 9, 16, 0), tick=False):
        screened(w, contact, rag=Rag.AMBER)
    contact.refresh_from_db()
    # Health and the school: 1 working (school) day; the police and the council's duty team
    # work round the clock: 24 hours.
    assert _dues(contact) == {
        ResearchAgency.POLICE: london(2026, 1, 10, 16, 0),
        ResearchAgency.SOCIAL_CARE: london(2026, 1, 10, 16, 0),
        ResearchAgency.HEALTH: london(2026, 1, 12, 16, 0),
        ResearchAgency.EDUCATION: london(2026, 1, 12, 16, 0),
    }
    # The checks are all due by the last of them.
    assert contact.research_due_at == london(2026, 1, 12, 16, 0)


def test_green_checks_skip_the_christmas_bank_holidays(w):
    contact = make_contact(w, received_at=london(2025, 12, 23, 9, 0))
    with time_machine.travel(london(2025, 12, 23, 11, 0), tick=False):
        screened(w, contact, rag=Rag.GREEN)
    contact.refresh_from_db()
    # 24th, then 25th, 26th (bank holidays), 27th-28th (weekend), 29th, 30th.
    assert contact.research_due_at == london(2025, 12, 30, 11, 0)


def test_red_checks_are_due_in_four_hours_of_each_agencys_working_time(w):
    contact = make_contact(w, received_at=london(2026, 1, 10, 21, 0))
    with time_machine.travel(london(2026, 1, 10, 22, 30), tick=False):  # a Saturday night
        screened(w, contact, rag=Rag.RED)
    contact.refresh_from_db()
    start = w.school.school_day_starts
    assert _dues(contact) == {
        # The police and the council's duty team: four clock hours, overnight.
        ResearchAgency.POLICE: london(2026, 1, 11, 2, 30),
        ResearchAgency.SOCIAL_CARE: london(2026, 1, 11, 2, 30),
        # Health: four office hours from 09:00 on Monday.
        ResearchAgency.HEALTH: london(2026, 1, 12, 13, 0),
        # The school: four hours from the start of its school day on Monday.
        ResearchAgency.EDUCATION: london(2026, 1, 12, start.hour + 4, start.minute),
    }
    assert contact.research_due_at == london(2026, 1, 12, 13, 0)


def test_decision_is_due_one_working_day_after_the_contact_was_received(w):
    contact = make_contact(w, received_at=london(2025, 12, 24, 14, 0))
    with time_machine.travel(london(2025, 12, 24, 15, 0), tick=False):
        screened(w, contact, rag=Rag.RED)
    contact.refresh_from_db()
    assert contact.decision_due_at == london(2025, 12, 29, 14, 0)


# Screening and the checks -------------------------------------------------------------------


def test_screening_asks_each_agencys_safeguarding_team_and_tells_its_members(w):
    contact = make_contact(w)
    screened(w, contact)
    teams = dict(contact.research_requests.values_list("agency", "team"))
    assert teams == {
        ResearchAgency.POLICE: w.cait.pk,
        ResearchAgency.HEALTH: w.trust_team.pk,
        ResearchAgency.EDUCATION: w.school_team.pk,
        ResearchAgency.SOCIAL_CARE: w.duty.pk,
    }
    contact.refresh_from_db()
    assert contact.state == ContactState.RESEARCH
    told = set(Notification.objects.filter(kind="hub.research_requested").values_list("recipient", flat=True))
    assert told == {w.officer.pk, w.nurse.pk, w.dsl.pk, w.social_worker.pk}


def test_education_check_goes_to_the_councils_education_team_when_the_child_is_on_no_roll(w):
    contact = make_contact(w, linked=False)
    screened(w, contact, agencies=[ResearchAgency.EDUCATION])
    assert contact.research_requests.get().team == w.education


def test_screening_gives_each_agency_team_access_to_the_child_while_its_check_is_open(w):
    contact = make_contact(w)
    screened(w, contact)
    access = LegitimateRelationship.objects.active().filter(person=w.child, source=RelationshipSource.REFERRAL)
    assert set(access.values_list("team", flat=True)) == {w.cait.pk, w.trust_team.pk, w.school_team.pk, w.duty.pk}


def test_a_contact_is_screened_once(w):
    contact = make_contact(w)
    screened(w, contact)
    with pytest.raises(ValidationError, match="already been screened"):
        screened(w, contact)


def test_only_the_hub_team_screens(w):
    contact = make_contact(w)
    with pytest.raises(PermissionDenied):
        workflow.screen(contact=contact, rag=Rag.RED, notes="", agencies=[], by=w.officer)


def test_screening_is_audited_and_on_the_childs_chronology(w):
    contact = make_contact(w)
    screened(w, contact)
    assert AuditEvent.objects.filter(action="contact.screened", object_id=str(contact.pk)).count() == 1
    entry = ChronologyEntry.objects.get(person=w.child, source_id=str(contact.pk))
    assert "amber" in entry.summary
    assert "police" in entry.summary


# Answers ------------------------------------------------------------------------------------


def _request(contact, agency):
    return contact.research_requests.get(agency=agency)


def test_a_decision_not_to_share_needs_a_reason(w):
    contact = make_contact(w)
    screened(w, contact)
    with pytest.raises(ValidationError) as error:
        workflow.answer_research(
            request=_request(contact, ResearchAgency.POLICE),
            answer=ResearchAnswer.NOT_SHARED,
            information="",
            reason_not_shared="  ",
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT,
            by=w.officer,
        )
    assert "reason_not_shared" in error.value.error_dict


def test_every_answer_needs_its_lawful_basis_even_nothing_known(w):
    contact = make_contact(w)
    screened(w, contact)
    with pytest.raises(ValidationError) as error:
        workflow.answer_research(
            request=_request(contact, ResearchAgency.HEALTH),
            answer=ResearchAnswer.NOTHING_KNOWN,
            information="",
            reason_not_shared="",
            lawful_basis="",
            by=w.nurse,
        )
    assert "lawful_basis" in error.value.error_dict


def test_a_decision_not_to_share_is_recorded_with_its_reason_and_keeps_no_information(w):
    contact = make_contact(w)
    screened(w, contact)
    request = workflow.answer_research(
        request=_request(contact, ResearchAgency.POLICE),
        answer=ResearchAnswer.NOT_SHARED,
        information="Details of a live investigation",
        reason_not_shared="Sharing now would prejudice a live investigation.",
        lawful_basis=LawfulBasis.LAW_ENFORCEMENT,
        by=w.officer,
    )
    request.refresh_from_db()
    assert request.answer == ResearchAnswer.NOT_SHARED
    assert request.reason_not_shared == "Sharing now would prejudice a live investigation."
    assert request.information == ""
    assert request.answered_by == w.officer
    assert AuditEvent.objects.filter(action="research.answered", object_id=str(request.pk)).exists()


def test_answering_ends_the_agency_teams_access_to_the_child(w):
    contact = make_contact(w)
    screened(w, contact)
    workflow.answer_research(
        request=_request(contact, ResearchAgency.HEALTH),
        answer=ResearchAnswer.SHARED,
        information="Missed two health appointments.",
        reason_not_shared="",
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        by=w.nurse,
    )
    assert not LegitimateRelationship.objects.active().filter(team=w.trust_team, person=w.child).exists()
    assert LegitimateRelationship.objects.active().filter(team=w.cait, person=w.child).exists()


def test_only_the_addressed_team_answers_and_only_once(w):
    contact = make_contact(w)
    screened(w, contact)
    request = _request(contact, ResearchAgency.POLICE)
    arguments = {
        "answer": ResearchAnswer.NOTHING_KNOWN,
        "information": "",
        "reason_not_shared": "",
        "lawful_basis": LawfulBasis.LAW_ENFORCEMENT,
    }
    with pytest.raises(PermissionDenied):
        workflow.answer_research(request=request, by=w.nurse, **arguments)
    workflow.answer_research(request=request, by=w.officer, **arguments)
    with pytest.raises(ValidationError, match="already answered"):
        workflow.answer_research(request=request, by=w.officer, **arguments)


def test_the_last_answer_moves_the_contact_to_a_decision_and_tells_the_hub(w):
    contact = make_contact(w)
    screened(w, contact)
    answer_all(w, contact)
    contact.refresh_from_db()
    assert contact.state == ContactState.AWAITING_DECISION
    told = set(Notification.objects.filter(kind="hub.awaiting_decision").values_list("recipient", flat=True))
    assert told == {w.practitioner.pk, w.colleague.pk, w.manager.pk}


# Escalation ---------------------------------------------------------------------------------


def test_an_overdue_check_is_escalated_to_the_agencys_managers_once(w):
    contact = make_contact(w, received_at=london(2026, 1, 6, 9, 0))
    with time_machine.travel(london(2026, 1, 6, 10, 0), tick=False):
        screened(w, contact, rag=Rag.RED, agencies=[ResearchAgency.POLICE])
    with time_machine.travel(london(2026, 1, 6, 15, 0), tick=False):
        assert workflow.escalate_overdue_research() == 1
        assert workflow.escalate_overdue_research() == 0
    escalations = Notification.objects.filter(kind="hub.research_overdue", channel=Channel.INBOX)
    assert list(escalations.values_list("recipient", flat=True)) == [w.supervisor.pk]
    request = contact.research_requests.get()
    assert request.escalated_at == london(2026, 1, 6, 15, 0)
    assert AuditEvent.objects.filter(action="research.escalated").count() == 1


def test_a_check_not_yet_due_or_answered_is_not_escalated(w):
    contact = make_contact(w)
    with time_machine.travel(london(2026, 1, 6, 10, 0), tick=False):
        screened(w, contact, rag=Rag.RED, agencies=[ResearchAgency.POLICE, ResearchAgency.HEALTH])
        workflow.answer_research(
            request=_request(contact, ResearchAgency.HEALTH),
            answer=ResearchAnswer.NOTHING_KNOWN,
            information="",
            reason_not_shared="",
            lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
            by=w.nurse,
        )
    assert workflow.escalate_overdue_research(now=london(2026, 1, 6, 13, 59)) == 0
    assert workflow.escalate_overdue_research(now=london(2026, 1, 6, 14, 1)) == 1
    assert _request(contact, ResearchAgency.HEALTH).escalated_at is None


def test_a_school_without_managers_has_its_overdue_check_escalated_to_the_hubs_team_managers(w):
    contact = make_contact(w)
    with time_machine.travel(london(2026, 1, 6, 10, 0), tick=False):
        screened(w, contact, rag=Rag.RED, agencies=[ResearchAgency.EDUCATION])
    workflow.escalate_overdue_research(now=london(2026, 1, 7, 10, 0))
    recipients = set(Notification.objects.filter(kind="hub.research_overdue").values_list("recipient", flat=True))
    assert recipients == {w.manager.pk}


# Decision -----------------------------------------------------------------------------------


def test_only_a_social_care_team_manager_decides(w):
    contact = make_contact(w)
    for user in (w.practitioner, w.officer, w.social_worker):
        with pytest.raises(PermissionDenied):
            workflow.decide(contact=contact, decision=Decision.ADVICE, rationale="Advice given.", by=user)


def test_a_late_decision_needs_a_reason(w):
    contact = make_contact(w, received_at=london(2026, 1, 9, 15, 0))
    with time_machine.travel(london(2026, 1, 12, 15, 1), tick=False):
        with pytest.raises(ValidationError) as error:
            workflow.decide(
                contact=contact, decision=Decision.NO_FURTHER_ACTION, rationale="No concerns.", by=w.manager
            )
        assert "late_reason" in error.value.error_dict
        assert "15:00 on Monday 12 January 2026" in error.value.error_dict["late_reason"][0].message
        workflow.decide(
            contact=contact,
            decision=Decision.NO_FURTHER_ACTION,
            rationale="No concerns.",
            late_reason="Waiting for the police check.",
            by=w.manager,
        )
    contact.refresh_from_db()
    assert contact.late_reason == "Waiting for the police check."


def test_a_decision_with_checks_unanswered_must_say_so_and_changes_nothing_until_it_does(w):
    contact = make_contact(w)
    screened(w, contact)
    workflow.answer_research(
        request=contact.research_requests.get(agency=ResearchAgency.POLICE),
        answer=ResearchAnswer.NOTHING_KNOWN,
        information="",
        reason_not_shared="",
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        by=w.officer,
    )
    with pytest.raises(ValidationError) as error:
        workflow.decide(contact=contact, decision=Decision.EARLY_HELP, rationale="Family support.", by=w.manager)
    message = error.value.error_dict["close_open_checks"][0].message
    assert "health" in message
    assert "education" in message
    assert "police" not in message
    contact.refresh_from_db()
    assert contact.state == ContactState.RESEARCH
    assert contact.research_requests.filter(answered_at=None).count() == 3


def test_deciding_without_the_open_checks_closes_them_as_not_needed_and_ends_the_agencies_access(w):
    contact = make_contact(w)
    screened(w, contact)
    nurse_access = LegitimateRelationship.objects.filter(team=w.trust_team, person=w.child, revoked_at=None)
    assert nurse_access.exists()
    workflow.decide(
        contact=contact,
        decision=Decision.STRATEGY_DISCUSSION,
        rationale="Possible s47: the strategy discussion hears the agencies.",
        close_open_checks=True,
        by=w.manager,
    )
    checks = contact.research_requests.all()
    assert checks.count() == 4
    for check in checks:
        assert check.answer == ResearchAnswer.NOT_NEEDED
        assert check.answered_by == w.manager
        assert check.answered_at == Contact.objects.get(pk=contact.pk).decided_at
    assert not nurse_access.exists()
    assert AuditEvent.objects.filter(action="research.closed", actor=w.manager).count() == 4
    # Closed checks are no one's to answer, and nothing escalates them.
    assert not policy.open_research_requests_to(w.nurse).exists()
    assert workflow.escalate_overdue_research(now=timezone.now() + datetime.timedelta(days=30)) == 0
    with pytest.raises(ValidationError):
        workflow.answer_research(
            request=checks.get(agency=ResearchAgency.HEALTH),
            answer=ResearchAnswer.NOTHING_KNOWN,
            information="",
            reason_not_shared="",
            lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
            by=w.nurse,
        )


def test_an_agency_cannot_answer_not_needed(w):
    contact = make_contact(w)
    screened(w, contact)
    with pytest.raises(ValidationError) as error:
        workflow.answer_research(
            request=contact.research_requests.get(agency=ResearchAgency.HEALTH),
            answer=ResearchAnswer.NOT_NEEDED,
            information="",
            reason_not_shared="",
            lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
            by=w.nurse,
        )
    assert "answer" in error.value.error_dict


def test_a_decision_in_time_records_no_late_reason(w):
    contact = make_contact(w, received_at=london(2026, 1, 9, 15, 0))
    with time_machine.travel(london(2026, 1, 12, 14, 59), tick=False):
        workflow.decide(
            contact=contact, decision=Decision.EARLY_HELP, rationale="Family support.", late_reason="x", by=w.manager
        )
    contact.refresh_from_db()
    assert contact.state == ContactState.DECIDED
    assert contact.late_reason == ""


def test_the_referrer_with_an_account_is_told_in_safehub_and_by_email_without_personal_data(w):
    contact = make_contact(w, referrer_user=w.dsl)
    workflow.decide(contact=contact, decision=Decision.EARLY_HELP, rationale="Family support.", by=w.manager)
    rows = Notification.objects.filter(kind="hub.referral_outcome", recipient=w.dsl)
    assert set(rows.values_list("channel", flat=True)) == {Channel.INBOX, Channel.EMAIL}
    for row in rows:
        assert row.reference == contact.reference
        assert w.child.family_name not in row.key + row.reference + row.link
    contact.refresh_from_db()
    assert contact.referrer_told_at is not None


def test_an_external_referrer_is_left_for_the_hub_to_tell_the_same_working_day(w):
    contact = make_contact(w, received_at=london(2026, 1, 9, 11, 0))
    with time_machine.travel(london(2026, 1, 9, 17, 0), tick=False):
        workflow.decide(contact=contact, decision=Decision.ADVICE, rationale="Advice.", by=w.manager)
    contact.refresh_from_db()
    assert contact.referrer_told_at is None
    assert workflow.referrer_feedback_due(contact) == london(2026, 1, 9, 23, 59)
    workflow.record_referrer_told(contact=contact, by=w.practitioner)
    contact.refresh_from_db()
    assert contact.referrer_told_at is not None


def test_an_assessment_decision_starts_one_per_linked_child_due_in_45_working_days(w):
    contact = make_contact(w, received_at=london(2025, 12, 1, 10, 0))
    with time_machine.travel(london(2025, 12, 1, 15, 0), tick=False):
        workflow.decide(contact=contact, decision=Decision.ASSESSMENT, rationale="Needs assessing.", by=w.manager)
    assessment = Assessment.objects.get(contact=contact)
    assert assessment.person == w.child
    # 45 working days after 1 Dec 2025, skipping Christmas, Boxing Day and New Year's Day.
    assert assessment.due_at == london(2026, 2, 5, 10, 0)
    assert ChronologyEntry.objects.filter(person=w.child, category="assessment").exists()


def test_a_strategy_discussion_decision_goes_through_the_seam_to_the_hub(w):
    contact = make_contact(w)
    workflow.decide(contact=contact, decision=Decision.STRATEGY_DISCUSSION, rationale="Possible s47.", by=w.manager)
    assert ChronologyEntry.objects.filter(person=w.child, category="strategy_discussion").exists()
    told = set(Notification.objects.filter(kind="hub.strategy_discussion").values_list("recipient", flat=True))
    assert told == {w.practitioner.pk, w.colleague.pk, w.manager.pk}


def test_the_whole_journey_is_on_the_childs_chronology(w):
    contact = make_contact(w)
    screened(w, contact)
    answer_all(w, contact)
    workflow.decide(contact=contact, decision=Decision.EARLY_HELP, rationale="Family support.", by=w.manager)
    categories = list(
        ChronologyEntry.objects.filter(person=w.child, source_id=str(contact.pk)).values_list("category", flat=True)
    )
    assert categories.count("contact") == 5  # screened, then four answers
    assert categories.count("referral_decision") == 1


# Allocation ---------------------------------------------------------------------------------


def test_allocation_is_to_a_hub_colleague_who_is_told(w):
    contact = make_contact(w)
    workflow.allocate(contact=contact, to=w.colleague, by=w.practitioner)
    contact.refresh_from_db()
    assert contact.allocated_to == w.colleague
    assert Notification.objects.filter(kind="hub.allocated", recipient=w.colleague).exists()
    with pytest.raises(ValidationError):
        workflow.allocate(contact=contact, to=w.officer, by=w.practitioner)


def test_research_requests_are_unique_per_agency(w):
    contact = make_contact(w)
    with pytest.raises(ValidationError, match="once"):
        screened(w, contact, agencies=[ResearchAgency.POLICE, ResearchAgency.POLICE])
    assert not ResearchRequest.objects.filter(contact=contact).exists()
