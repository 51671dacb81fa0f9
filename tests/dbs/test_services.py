"""DBS local checks through the services: the clocks from receipt (14 and 60 calendar days,
configurable), the stages in order with who and when, a second person's review of every
disclosure, fast-tracking when nothing is found, and only the force's unit at work."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.dbs import selectors, services
from safehub.dbs.models import CheckEvent, CheckState, Decision, LocalCheck, ReviewOutcome
from safehub.partnership.models import Partnership
from safehub.timescales.models import TimescaleSetting
from tests.dbs.world import build_world, check_input, london, receive

NOW = london(2026, 11, 3, 10, 0)


@pytest.fixture
def w(db):
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def test_the_clocks_run_in_calendar_days_from_the_day_dbs_sent_it(w):
    check = receive(w, received_on=datetime.date(2026, 11, 2))
    assert check.standard_due_on == datetime.date(2026, 11, 16)
    assert check.limit_due_on == datetime.date(2027, 1, 1)
    assert check.state == CheckState.RECEIVED
    assert check.reference.startswith("DBS-")
    # Matched to the force's record of the applicant (exact name and date of birth).
    assert check.person == w.known
    assert CheckEvent.objects.filter(check_request=check, kind="received").count() == 1


def test_someone_in_the_index_only_through_the_council_is_not_linked(w):
    check = receive(w, given_names="Maria", family_name="Quint", date_of_birth=datetime.date(1990, 1, 5))
    assert check.person is None


def test_the_same_request_at_the_same_moment_is_still_one_check(w):
    from unittest import mock

    first = receive(w)
    # As if the other request had not yet saved when this one looked: the unique constraint decides.
    with mock.patch.object(services, "_existing", side_effect=[None, first]):
        again, created = services.receive_check(given=check_input(), by=w.officer)
    assert (again, created) == (first, False)
    assert LocalCheck.objects.count() == 1


def test_the_first_assessor_may_not_approve_after_a_send_back_and_a_resubmission(w):
    second_supervisor = build_second_supervisor(w)
    check = services.record_search(
        check=receive(w), by=w.supervisor, records_found=True, summary="A caution for assault in 2019, a child."
    )
    disclose = {
        "decision": Decision.DISCLOSE,
        "relevance": "The caution concerns violence towards a child and the role is with children.",
        "disclosure_text": "On 3 May 2019 the applicant was cautioned for assaulting a 12-year-old boy.",
        "representations": "Not invited: the applicant has already seen the caution and the facts are agreed.",
    }
    check = services.record_assessment(check=check, by=w.supervisor, **disclose)
    check = services.record_review(
        check=check, by=second_supervisor, approved=False, rationale="Give the exact offence and its date."
    )
    assert "Give the exact offence" in check.events.get(kind="reviewed").text
    check = services.record_assessment(check=check, by=w.officer, **disclose)
    with pytest.raises(PermissionDenied, match="second person"):
        services.record_review(check=check, by=w.supervisor, approved=True, rationale="My own draft, now approved.")


def test_the_standard_is_the_partnerships_to_set(w):
    partnership = Partnership.current() or Partnership.objects.create(name="Riverside Partnership")
    TimescaleSetting.objects.create(partnership=partnership, key="dbs_local_check_standard", value=10)
    check = receive(w, received_on=datetime.date(2026, 11, 2))
    assert check.standard_due_on == datetime.date(2026, 11, 12)


def test_bad_input_changes_nothing_and_says_what_is_wrong(w):
    with pytest.raises(ValidationError) as error:
        receive(
            w,
            given_names="",
            date_of_birth=datetime.date(2026, 12, 1),
            received_on=datetime.date(2026, 11, 20),
            workforce="everyone",
        )
    assert set(error.value.message_dict) == {"applicant_name", "date_of_birth", "received_on", "workforce"}
    assert not LocalCheck.objects.exists()


def test_the_same_request_twice_is_one_check_and_changed_details_are_refused(w):
    first, created = services.receive_check(given=check_input(), by=None, force=w.force, idempotency_key="k1")
    again, created_again = services.receive_check(given=check_input(), by=None, force=w.force, idempotency_key="k1")
    assert (created, created_again, again) == (True, False, first)
    with pytest.raises(services.DuplicateCheck):
        services.receive_check(
            given=check_input(role_applied_for="Youth worker"), by=None, force=w.force, idempotency_key="k1"
        )
    with pytest.raises(services.DuplicateCheck):
        services.receive_check(given=check_input(role_applied_for="Youth worker"), by=w.officer)
    assert LocalCheck.objects.count() == 1


def test_only_the_forces_disclosure_unit_works_a_check(w):
    with pytest.raises(PermissionDenied):
        receive(w, by=w.detective)
    check = receive(w)
    for outsider in (w.detective, w.other_officer, w.analyst):
        assert not policy.can(outsider, "view", check)
        assert not selectors.checks_for(user=outsider).exists()
        with pytest.raises(PermissionDenied):
            services.record_search(check=check, by=outsider, records_found=False)
    check.refresh_from_db()
    assert check.state == CheckState.RECEIVED


def test_nothing_found_is_fast_tracked_and_returned_with_its_days(w):
    check = receive(w, received_on=datetime.date(2026, 10, 30))
    check = services.record_search(check=check, by=w.officer, records_found=False)
    assert (check.state, check.fast_tracked, check.allocated_to) == (CheckState.READY, True, w.officer)
    check = services.return_to_dbs(check=check, by=w.officer)
    assert check.state == CheckState.RETURNED
    assert (check.returned_on, check.days_to_return) == (datetime.date(2026, 11, 3), 4)
    assert check.returned_by == w.officer
    kinds = list(CheckEvent.objects.filter(check_request=check).values_list("kind", flat=True))
    assert kinds == ["received", "searched", "returned"]


def test_a_disclosure_needs_the_relevance_test_the_text_and_representations(w):
    check = services.record_search(
        check=receive(w), by=w.officer, records_found=True, summary="Two intelligence reports, 2023 and 2024."
    )
    assert check.state == CheckState.ASSESSMENT
    with pytest.raises(ValidationError) as error:
        services.record_assessment(check=check, by=w.officer, decision=Decision.DISCLOSE, relevance="Relevant.")
    assert set(error.value.message_dict) == {"relevance", "disclosure_text", "representations"}
    check.refresh_from_db()
    assert check.state == CheckState.ASSESSMENT


def test_every_disclosure_is_reviewed_by_a_second_person_not_the_assessor(w):
    check = services.record_search(
        check=receive(w), by=w.supervisor, records_found=True, summary="A caution for assault in 2019, a child."
    )
    check = services.record_assessment(
        check=check,
        by=w.supervisor,
        decision=Decision.DISCLOSE,
        relevance="The caution concerns violence towards a child and the role is with children.",
        disclosure_text="On 3 May 2019 the applicant was cautioned for assaulting a 12-year-old boy.",
        representations_invited_on=datetime.date(2026, 11, 3),
        representations="The applicant says it was a single incident and gave a character reference.",
    )
    assert check.state == CheckState.REVIEW
    # The assessor may not review their own disclosure, even as a supervisor; an officer may not at all.
    for not_allowed in (w.supervisor, w.officer):
        with pytest.raises(PermissionDenied, match="second person"):
            services.record_review(check=check, by=not_allowed, approved=True, rationale="Looks right to me, approved.")
    assert list(selectors.awaiting_review(user=w.supervisor)) == []
    with pytest.raises(ValidationError, match="not the next step"):
        services.return_to_dbs(check=check, by=w.officer)


def test_a_review_sends_back_or_approves_and_a_new_assessment_needs_a_new_review(w):
    second_supervisor = build_second_supervisor(w)
    check = services.record_search(
        check=receive(w), by=w.officer, records_found=True, summary="A caution for assault in 2019, a child."
    )
    disclose = {
        "decision": Decision.DISCLOSE,
        "relevance": "The caution concerns violence towards a child and the role is with children.",
        "disclosure_text": "On 3 May 2019 the applicant was cautioned for assaulting a 12-year-old boy.",
        "representations": "Not invited: the applicant has already seen the caution and the facts are agreed.",
    }
    check = services.record_assessment(check=check, by=w.officer, **disclose)
    assert check in selectors.awaiting_review(user=w.supervisor)
    check = services.record_review(
        check=check, by=w.supervisor, approved=False, rationale="Say the caution's date and the offence exactly."
    )
    assert (check.state, check.review_outcome) == (CheckState.ASSESSMENT, ReviewOutcome.SENT_BACK)
    check = services.record_assessment(check=check, by=w.officer, **disclose)
    assert (check.state, check.reviewed_by) == (CheckState.REVIEW, None)
    check = services.record_review(
        check=check, by=second_supervisor, approved=True, rationale="Relevant, proportionate and accurate."
    )
    check = services.return_to_dbs(check=check, by=w.officer)
    assert check.state == CheckState.RETURNED
    kinds = list(CheckEvent.objects.filter(check_request=check).values_list("kind", flat=True))
    assert kinds == ["received", "searched", "assessed", "reviewed", "assessed", "reviewed", "returned"]
    actions = set(AuditEvent.objects.filter(object_id=str(check.pk)).values_list("action", flat=True))
    assert {"dbs.check_received", "dbs.check_assessed", "dbs.disclosure_reviewed", "dbs.check_returned"} <= actions


def test_nothing_to_disclose_goes_straight_to_return_without_review(w):
    check = services.record_search(
        check=receive(w), by=w.officer, records_found=True, summary="A neighbour dispute in 2011, no offence."
    )
    check = services.record_assessment(
        check=check,
        by=w.officer,
        decision=Decision.NO_DISCLOSURE,
        relevance="A neighbour dispute fifteen years ago is not relevant to work with children.",
        disclosure_text="ignored",
    )
    assert (check.state, check.disclosure_text) == (CheckState.READY, "")


def test_allocation_is_to_an_officer_of_the_unit_and_shows_in_the_workload(w):
    check = receive(w)
    with pytest.raises(ValidationError):
        services.allocate(check=check, to=w.other_officer, by=w.supervisor)
    services.allocate(check=check, to=w.second_officer, by=w.supervisor)
    load = dict(selectors.workload(user=w.supervisor))
    assert (load[w.second_officer], load[w.officer]) == (1, 0)
    assert list(
        selectors.queue(user=w.officer, filters=selectors.QueueFilter(officer=w.second_officer.pk), today=NOW.date())
    ) == [check]


def test_opening_a_check_is_audited_and_another_forces_is_404(w):
    from django.http import Http404

    check = receive(w)
    assert selectors.get_check(user=w.officer, pk=check.pk) == check
    assert AuditEvent.objects.filter(action="dbs.check_viewed", actor=w.officer).count() == 1
    with pytest.raises(Http404):
        selectors.get_check(user=w.other_officer, pk=check.pk)
    assert AuditEvent.objects.filter(action="access.refused", actor=w.other_officer).exists()


def build_second_supervisor(w):
    from safehub.partnership.roles import Role
    from tests.dbs.world import member

    return member(w.unit, Role.DISCLOSURE_SUPERVISOR)
