"""Police investigations: the checklist, the closure that cannot take effect early, the
council's challenge window and the escalation that reopens or confirms, with history kept."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.investigations import services
from safehub.investigations.models import (
    ChallengeOutcome,
    ClosureOutcome,
    ClosureState,
    InvestigationState,
    OffenceCategory,
    OpportunityState,
    OpportunityTemplate,
    SubjectRole,
)
from safehub.notifications.models import Notification
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry
from tests.access.factories import allocate
from tests.factories import UserFactory
from tests.investigations.conftest import london, open_case

pytestmark = pytest.mark.django_db

RATIONALE = "The child's account was not supported by the medical evidence and there are no witnesses."


def _settle_all(w, investigation):
    for opportunity in investigation.opportunities.filter(state=OpportunityState.OUTSTANDING):
        services.settle_opportunity(opportunity=opportunity, by=w.officer, done=True, outcome="Done: nothing found.")


def _signed_off(w, *, at, category=OffenceCategory.PHYSICAL_ABUSE):
    with time_machine.travel(at - datetime.timedelta(hours=3), tick=False):
        investigation = open_case(w, category=category)
        _settle_all(w, investigation)
        closure = services.propose_closure(
            investigation=investigation, by=w.officer, outcome=ClosureOutcome.NFA_EVIDENTIAL, rationale=RATIONALE
        )
    with time_machine.travel(at, tick=False):
        services.sign_off_closure(closure=closure, by=w.supervisor, rationale=RATIONALE)
    closure.refresh_from_db()
    return investigation, closure


# Opening and the checklist --------------------------------------------------------------------


def test_opening_gives_the_forces_checklist_for_the_offence_and_the_childs_age(w):
    investigation = open_case(w)
    titles = list(investigation.opportunities.values_list("title", flat=True))
    assert "ABE interview of the child" in titles
    assert "Medical or paediatric assessment" in titles
    assert "Siblings and other children in the household seen" in titles
    assert "Skeletal survey" not in titles  # for a child under two
    assert "Digital devices seized and downloaded" not in titles  # not for physical abuse
    assert investigation.reference.startswith("INV-")
    assert investigation.state == InvestigationState.OPEN


def test_a_force_that_keeps_its_own_checklist_gets_only_its_own(w):
    OpportunityTemplate.objects.create(force=w.force, title="Body-worn video reviewed", position=1)
    investigation = open_case(w)
    assert list(investigation.opportunities.values_list("title", flat=True)) == ["Body-worn video reviewed"]


def test_opening_puts_a_police_only_entry_on_the_childs_chronology_and_is_audited(w):
    investigation = open_case(w)
    entry = ChronologyEntry.objects.get(person=w.child, category="police_investigation")
    assert not policy.visible_chronology(w.social_worker, w.child).filter(pk=entry.pk).exists()
    assert policy.visible_chronology(w.supervisor, w.child).filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="investigation.opened", object_id=str(investigation.pk)).exists()


def test_only_the_police_open_one_and_it_needs_a_child_victim(w):
    with pytest.raises(PermissionDenied):
        open_case(w, by=w.social_worker)
    with pytest.raises(ValidationError, match="victim"):
        open_case(w, subjects=[services.SubjectInput(w.suspect, SubjectRole.SUSPECT)])
    with pytest.raises(ValidationError):
        open_case(w, supervising_officer=w.colleague)  # not a supervisor


def test_the_same_idempotency_key_gives_the_same_investigation_and_a_different_body_is_refused(w):
    first = open_case(w, idempotency_key="api:1:abc")
    assert open_case(w, idempotency_key="api:1:abc") == first
    with pytest.raises(services.InvestigationIdempotencyConflict):
        open_case(w, idempotency_key="api:1:abc", crime_reference="RP/99999/26")


def test_a_not_applicable_opportunity_needs_a_reason_of_a_sentence(w):
    investigation = open_case(w)
    opportunity = investigation.opportunities.first()
    with pytest.raises(ValidationError):
        services.settle_opportunity(opportunity=opportunity, by=w.officer, done=False, reason="N/A")
    services.settle_opportunity(
        opportunity=opportunity, by=w.officer, done=False, reason="The child is non-verbal; an intermediary assessed."
    )
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.NOT_APPLICABLE


# Closure --------------------------------------------------------------------------------------


def test_a_closure_is_refused_while_an_opportunity_is_outstanding_naming_it(w):
    investigation = open_case(w)
    for opportunity in investigation.opportunities.exclude(
        title__in=["ABE interview of the child", "Medical or paediatric assessment"]
    ):
        services.settle_opportunity(opportunity=opportunity, by=w.officer, done=True, outcome="Done.")
    with pytest.raises(ValidationError) as error:
        services.propose_closure(
            investigation=investigation, by=w.officer, outcome=ClosureOutcome.NFA_EVIDENTIAL, rationale=RATIONALE
        )
    assert "ABE interview of the child" in str(error.value)
    assert "Medical or paediatric assessment" in str(error.value)
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.OPEN
    assert not investigation.closures.exists()


def test_the_proposer_cannot_sign_off_their_own_closure(w):
    allocate(w.supervisor, w.child, w.suspect, starts_at=london(2025, 1, 6, 9, 0))
    investigation = open_case(w, by=w.supervisor, allocated_officer=w.supervisor, supervising_officer=w.supervisor)
    for opportunity in investigation.opportunities.all():
        services.settle_opportunity(opportunity=opportunity, by=w.supervisor, done=True, outcome="Done.")
    closure = services.propose_closure(
        investigation=investigation, by=w.supervisor, outcome=ClosureOutcome.NFA_EVIDENTIAL, rationale=RATIONALE
    )
    with pytest.raises(ValidationError, match="another supervising officer"):
        services.sign_off_closure(closure=closure, by=w.supervisor, rationale=RATIONALE)
    with pytest.raises(PermissionDenied):
        services.sign_off_closure(closure=closure, by=w.officer, rationale=RATIONALE)
    services.sign_off_closure(closure=closure, by=w.second_supervisor, rationale=RATIONALE)
    closure.refresh_from_db()
    assert closure.signed_off_by == w.second_supervisor


def test_the_challenge_window_ends_two_working_days_on_across_a_weekend_and_a_bank_holiday(w):
    # Signed off at 15:00 on Thursday 24 December 2026: Christmas Day, Boxing Day (Monday 28th
    # in lieu) and the weekend are not working days, so the window ends at 15:00 on Wednesday 30th.
    investigation, closure = _signed_off(w, at=london(2026, 12, 24, 15, 0))
    assert closure.state == ClosureState.SIGNED_OFF
    assert closure.challenge_window_ends == london(2026, 12, 30, 15, 0)
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.CHALLENGE_WINDOW
    told = set(
        Notification.objects.filter(kind="investigations.closure_to_challenge", channel="inbox").values_list(
            "recipient", flat=True
        )
    )
    assert told == {w.social_worker.pk, w.manager.pk}


def test_an_unchallenged_closure_takes_effect_when_the_window_ends_and_not_before(w):
    investigation, closure = _signed_off(w, at=london(2026, 12, 24, 15, 0))
    assert services.close_after_windows(now=london(2026, 12, 30, 14, 59)) == 0
    assert services.close_after_windows(now=london(2026, 12, 30, 15, 0)) == 1
    assert services.close_after_windows(now=london(2026, 12, 30, 15, 5)) == 0
    investigation.refresh_from_db()
    closure.refresh_from_db()
    assert investigation.state == InvestigationState.CLOSED
    assert closure.effective_at == london(2026, 12, 30, 15, 0)


def test_a_closure_of_an_offence_outside_the_window_rules_takes_effect_on_sign_off(w):
    investigation, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0), category=OffenceCategory.ONLINE_ABUSE)
    assert closure.state == ClosureState.EFFECTIVE
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.CLOSED


def test_a_challenge_stops_the_closure_and_starts_the_escalation(w):
    investigation, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0))
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        with pytest.raises(PermissionDenied):
            services.challenge_closure(closure=closure, by=w.nurse, reasons="I disagree with this closure entirely.")
        challenge = services.challenge_closure(
            closure=closure, by=w.social_worker, reasons="No ABE interview of the sibling, who saw the injury happen."
        )
    assert services.close_after_windows(now=london(2026, 11, 20, 9, 0)) == 0
    investigation.refresh_from_db()
    closure.refresh_from_db()
    assert investigation.state == InvestigationState.CHALLENGED
    assert closure.state == ClosureState.CHALLENGED
    stage = challenge.current_stage
    assert stage.number == 1
    assert stage.due_at == london(2026, 11, 12, 9, 0)  # 1 working day


def test_a_challenge_after_the_window_is_refused(w):
    _, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0))
    with time_machine.travel(london(2026, 11, 12, 11, 1), tick=False), pytest.raises(ValidationError, match="ended"):
        services.challenge_closure(closure=closure, by=w.social_worker, reasons="Too late but I disagree strongly.")


def test_reopening_keeps_the_history_and_adds_the_missed_opportunities(w):
    investigation, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0))
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        challenge = services.challenge_closure(
            closure=closure, by=w.social_worker, reasons="No ABE interview of the sibling, who saw the injury happen."
        )
        services.escalate_challenge(
            challenge=challenge, by=w.officer, outcome="The officer and the social worker did not agree."
        )
        stage = challenge.current_stage
        assert stage.number == 2
        with pytest.raises(ValidationError, match="missed"):
            services.resolve_challenge(challenge=challenge, by=w.supervisor, reopen=True, resolution=RATIONALE)
        services.resolve_challenge(
            challenge=challenge,
            by=w.supervisor,
            reopen=True,
            resolution="Agreed at manager level: the sibling must be interviewed.",
            missed=["ABE interview of the sibling"],
        )
    investigation.refresh_from_db()
    closure.refresh_from_db()
    challenge.refresh_from_db()
    assert investigation.state == InvestigationState.OPEN
    assert closure.state == ClosureState.OVERTURNED
    assert closure.rationale == RATIONALE  # nothing edited in place
    assert challenge.outcome == ChallengeOutcome.REOPENED
    missed = investigation.opportunities.get(title="ABE interview of the sibling")
    assert missed.state == OpportunityState.OUTSTANDING
    assert missed.from_challenge == challenge
    assert investigation.closures.count() == 1
    assert [s.number for s in challenge.stages.all()] == [1, 2]
    assert all(s.ended_at is not None for s in challenge.stages.all())
    actions = list(
        AuditEvent.objects.filter(object_id=str(investigation.pk), action__startswith="investigation.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "investigation.closure_signed_off",
        "investigation.closure_challenged",
        "investigation.challenge_escalated",
        "investigation.reopened",
    ]


def test_past_the_first_stage_only_managers_work_the_disagreement_and_the_signer_never_confirms(w):
    """An officer cannot take a challenge to the top alone, and whoever proposed or signed off the
    closure cannot confirm it at the last stage: the partnership's lead decides."""
    investigation, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0))
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        challenge = services.challenge_closure(
            closure=closure, by=w.social_worker, reasons="No ABE interview of the sibling, who saw the injury happen."
        )
        services.escalate_challenge(challenge=challenge, by=w.officer, outcome="We did not agree at our level.")
        for practitioner in (w.officer, w.social_worker):
            with pytest.raises(ValidationError, match="team manager and the police supervisor"):
                services.escalate_challenge(challenge=challenge, by=practitioner, outcome="Up again, at once.")
        assert challenge.current_stage.number == 2
        services.escalate_challenge(challenge=challenge, by=w.manager, outcome="The managers did not agree.")
        services.escalate_challenge(challenge=challenge, by=w.supervisor, outcome="Heads of service did not agree.")
        assert challenge.current_stage.number == 4
        with pytest.raises(ValidationError, match="signed off this closure"):
            services.resolve_challenge(
                challenge=challenge, by=w.supervisor, reopen=False, resolution="Confirmed by the lead, I say."
            )
        with pytest.raises(ValidationError, match="recording what the partnership's lead decides"):
            services.resolve_challenge(
                challenge=challenge, by=w.officer, reopen=False, resolution="Confirmed by the lead, I say."
            )
        services.resolve_challenge(
            challenge=challenge,
            by=w.second_supervisor,
            reopen=False,
            resolution="The partnership's lead heard both sides on 11 November and confirmed the closure.",
        )
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.CLOSED
    challenge.refresh_from_db()
    assert challenge.resolved_by == w.second_supervisor
    assert [s.ended_by for s in challenge.stages.order_by("number")] == [
        w.officer,
        w.manager,
        w.supervisor,
        w.second_supervisor,
    ]


def test_a_confirmed_closure_closes_the_investigation_with_the_reasons(w):
    investigation, closure = _signed_off(w, at=london(2026, 11, 10, 11, 0))
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        challenge = services.challenge_closure(
            closure=closure, by=w.social_worker, reasons="The mother's new partner was never interviewed."
        )
        # The police cannot overrule the challenge before the last stage.
        with pytest.raises(ValidationError, match="council accepts"):
            services.resolve_challenge(
                challenge=challenge, by=w.supervisor, reopen=False, resolution="We are satisfied it is right."
            )
        services.resolve_challenge(
            challenge=challenge,
            by=w.manager,
            reopen=False,
            resolution="He was interviewed under caution; the record was shown to the social worker.",
        )
    investigation.refresh_from_db()
    closure.refresh_from_db()
    assert investigation.state == InvestigationState.CLOSED
    assert closure.state == ClosureState.CONFIRMED


def test_a_supervisor_may_refuse_to_sign_off_and_the_investigation_goes_on(w):
    investigation = open_case(w)
    _settle_all(w, investigation)
    closure = services.propose_closure(
        investigation=investigation, by=w.officer, outcome=ClosureOutcome.NFA_VICTIM, rationale=RATIONALE
    )
    services.refuse_closure(
        closure=closure, by=w.supervisor, reason="Speak to the grandmother, who has new information."
    )
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.OPEN
    closure.refresh_from_db()
    assert closure.state == ClosureState.WITHDRAWN


def test_a_supervisory_review_sets_the_next_one_due(w):
    with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
        investigation = open_case(w)
        assert investigation.next_review_due == london(2026, 11, 30, 10, 0)  # 20 working days
    with time_machine.travel(london(2026, 11, 20, 10, 0), tick=False):
        services.record_review(investigation=investigation, by=w.supervisor, rationale="Good progress; chase the CCTV.")
    investigation.refresh_from_db()
    assert investigation.next_review_due == london(2026, 12, 18, 10, 0)
    with pytest.raises(PermissionDenied):
        services.record_review(investigation=investigation, by=w.officer, rationale="I review my own case here.")


# Who reads it ------------------------------------------------------------------------------------


def test_health_a_school_and_another_force_cannot_read_an_investigation(w):
    investigation = open_case(w)
    for outsider in (w.nurse, w.dsl, w.other_force_officer):
        assert not policy.visible_investigations(outsider).filter(pk=investigation.pk).exists()
    for insider in (w.officer, w.colleague, w.supervisor, w.social_worker, w.manager):
        assert policy.visible_investigations(insider).filter(pk=investigation.pk).exists()


def test_with_no_checklist_in_the_database_the_defaults_are_written_again(w):
    OpportunityTemplate.objects.all().delete()
    investigation = open_case(w)
    assert "ABE interview of the child" in set(investigation.opportunities.values_list("title", flat=True))
    assert OpportunityTemplate.objects.filter(force__isnull=True).count() > 10


def test_with_no_social_worker_allocated_the_managers_of_the_childs_council_are_told_and_may_challenge(w):
    from safehub.partnership.roles import Role
    from tests.factories import EnrolmentFactory, PersonFactory, SchoolFactory, UserFactory

    child = PersonFactory(given_names="Bea")
    school = SchoolFactory(local_authority=w.council)
    EnrolmentFactory(person=child, organisation=school, start_date=london(2024, 9, 1, 9, 0).date())
    allocate(w.officer, child, starts_at=london(2025, 1, 6, 9, 0))
    manager = UserFactory(organisation=w.council, roles=[Role.TEAM_MANAGER])
    investigation = open_case(w, subjects=[services.SubjectInput(child, SubjectRole.VICTIM)])
    assert set(policy.council_leads(investigation)) == {w.manager, manager}
    assert policy.can(manager, "challenge", investigation)
    assert not policy.can(w.social_worker, "challenge", investigation)


def test_each_forces_idempotency_keys_are_its_own(w):
    """Another force's system choosing the same key opens its own investigation: it is not told
    of (nor refused because of) the first force's."""
    first = open_case(w, idempotency_key="case-1")
    elsewhere = w.other_force_officer.organisation
    supervisor = UserFactory(organisation=elsewhere, roles=[Role.POLICE_SUPERVISOR])
    allocate(w.other_force_officer, w.child, w.suspect, starts_at=london(2025, 1, 6, 9, 0))
    theirs = open_case(
        w,
        by=w.other_force_officer,
        allocated_officer=w.other_force_officer,
        supervising_officer=supervisor,
        crime_reference="EP/999/26",
        idempotency_key="case-1",
    )
    assert theirs.pk != first.pk
    assert theirs.force == elsewhere
    assert open_case(w, idempotency_key="case-1") == first  # a resend is still the same one
