"""Missing children: recording an episode, the daily digest (weekends and bank holidays too),
the 72-hour interview clock, the repeat flag, exploitation flags and who sees what."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from safehub.access import policy
from safehub.missing import measures, selectors, services
from safehub.missing.models import (
    Digest,
    Episode,
    ExploitationFlag,
    Indicator,
    InterviewState,
    ReturnInterview,
    RiskGrade,
)
from safehub.missing.services import ChildDetails
from safehub.notifications.models import Notification
from safehub.people.models import ChronologyEntry, Person
from safehub.timescales.models import TimescaleSetting
from tests.missing.world import bring_back, build_world, episode_input, london, report


@pytest.fixture
def w(db):
    return build_world()


def test_an_episode_matches_the_child_opens_her_chronology_and_gives_the_council_her_record(w):
    with time_machine.travel(london(2026, 11, 2, 21, 0), tick=False):
        episode = report(w, at=london(2026, 11, 2, 20, 30))
    assert episode.person == w.child
    assert not episode.new_record
    entry = ChronologyEntry.objects.get(person=w.child, source_type="missing.episode")
    assert episode.reference in entry.summary
    assert policy.can(w.coordinator, "view", w.child)
    assert not policy.can(w.other_coordinator, "view", w.child)
    assert policy.visible_episodes(w.coordinator).filter(pk=episode.pk).exists()
    assert not policy.visible_episodes(w.nurse).exists()


def test_an_episode_recorded_as_of_an_earlier_time_gives_access_from_then(w):
    """A service given `now` (an import of last year's episodes, the demo's history) grants the
    council's access from that moment: not from the wall clock, which would end it before it began."""
    from safehub.access.models import LegitimateRelationship

    recorded = london(2025, 9, 1, 21, 0)
    episode, _ = services.record_episode(
        episode=episode_input(w, at=london(2025, 9, 1, 20, 30)), by=w.officer, now=recorded
    )
    access = LegitimateRelationship.objects.get(person=episode.person, reason__contains=episode.reference)
    assert access.starts_at == recorded
    assert access.expires_at == recorded + datetime.timedelta(days=365)
    assert not policy.can(w.coordinator, "view", w.child)  # that year is over


def test_a_child_with_no_sure_match_gets_a_new_record_marked_for_the_hub(w):
    with time_machine.travel(london(2026, 11, 2, 21, 0), tick=False):
        episode, _ = services.record_episode(
            by=w.officer,
            episode=episode_input(
                w,
                at=london(2026, 11, 2, 20, 0),
                child=services.ChildDetails("Kaila", "Thorn", date_of_birth=datetime.date(2012, 3, 1)),
            ),
        )
    assert episode.new_record
    assert episode.person != w.child
    assert Person.objects.filter(given_names="Kaila").count() == 1


def test_bad_input_changes_nothing_and_says_what_is_wrong(w):
    with (
        time_machine.travel(london(2026, 11, 2, 21, 0), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        report(w, at=london(2026, 11, 3, 9, 0), risk_grade="severe", last_seen_location="")
    assert set(error.value.message_dict) == {"reported_at", "risk_grade", "last_seen_location"}
    assert not Episode.objects.exists()
    assert not ChronologyEntry.objects.exists()


def test_a_wrong_nhs_number_or_upn_is_refused_not_matched_on(w):
    child = ChildDetails(
        given_names="Kayla",
        family_name="Thorne",
        date_of_birth=datetime.date(2012, 3, 1),
        nhs_number="943 476 5918",
        upn="B801200001011",
    )
    with (
        time_machine.travel(london(2026, 11, 2, 21, 0), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        report(w, at=london(2026, 11, 2, 20, 0), child=child)
    assert set(error.value.message_dict) == {"child_nhs_number", "child_upn"}
    assert "check letter" in error.value.message_dict["child_upn"][0]
    assert not Episode.objects.exists()


def test_only_the_police_record_episodes(w):
    with pytest.raises(PermissionDenied):
        report(w, at=london(2026, 11, 2, 20, 0), by=w.coordinator)


def test_the_same_key_twice_records_one_episode_and_a_changed_body_is_refused(w):
    with time_machine.travel(london(2026, 11, 2, 21, 0), tick=False):
        given = episode_input(w, at=london(2026, 11, 2, 20, 0))
        first, created = services.record_episode(episode=given, by=w.officer, idempotency_key="k-1")
        again, created_again = services.record_episode(episode=given, by=w.officer, idempotency_key="k-1")
        assert created
        assert not created_again
        assert first == again
        changed = episode_input(w, at=london(2026, 11, 2, 20, 0), risk_grade=RiskGrade.HIGH)
        with pytest.raises(services.DuplicateEpisode):
            services.record_episode(episode=changed, by=w.officer, idempotency_key="k-1")
    assert Episode.objects.count() == 1


# The daily digest --------------------------------------------------------------------------------


def _digest_notifications(w, day: datetime.date) -> list[Notification]:
    return list(Notification.objects.filter(key__startswith=f"missing.digest:la-{w.council.pk}:{day.isoformat()}"))


@pytest.mark.parametrize(
    "day",
    [datetime.date(2026, 11, 7), datetime.date(2026, 12, 25), datetime.date(2026, 8, 31)],
    ids=["saturday", "christmas-day", "summer-bank-holiday"],
)
def test_the_digest_goes_at_eight_every_day_weekends_and_bank_holidays_too(w, day):
    before = datetime.datetime.combine(
        day - datetime.timedelta(days=1), datetime.time(22, 0), tzinfo=london(2026, 1, 1).tzinfo
    )
    with time_machine.travel(before, tick=False):
        episode = report(w, at=before - datetime.timedelta(minutes=30))
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 59), tzinfo=before.tzinfo), tick=False):
        assert services.send_digests() == 0
    at_eight = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=before.tzinfo)
    with time_machine.travel(at_eight, tick=False):
        assert services.send_digests() == 2  # each council its own; the other's has nothing in it
        assert services.send_digests() == 0  # never doubled
    digest = Digest.objects.get(local_authority=w.council, day=day)
    assert digest.episode_count == 1
    assert [line.episode for line in selectors.digest_lines(digest)] == [episode]
    episode.refresh_from_db()
    assert episode.council_told_at == at_eight
    sent = _digest_notifications(w, day)
    assert sent
    assert all(n.kind == "missing.digest" for n in sent)
    # The email names the digest by its reference only: no child.
    assert all("Thorne" not in n.reference and "Kayla" not in n.reference for n in sent)
    assert {n.mailbox_id for n in sent if n.mailbox_id} == {w.team.pk}


def test_a_digest_with_nothing_in_it_is_sent_and_says_so(w, client):
    with time_machine.travel(london(2026, 11, 8, 8, 5), tick=False):
        assert services.send_digests() == 2
        digest = Digest.objects.get(local_authority=w.council)
        assert digest.episode_count == 0
        assert {n.kind for n in _digest_notifications(w, datetime.date(2026, 11, 8))} == {"missing.digest_empty"}
        client.force_login(w.coordinator)
        page = client.get(digest.get_absolute_url())
    assert page.status_code == 200
    assert b"No missing episodes were reported, updated or closed since the last digest." in page.content


def test_each_digest_covers_what_happened_since_the_one_before(w):
    with time_machine.travel(london(2026, 11, 9, 8, 0), tick=False):
        services.send_digests()
    with time_machine.travel(london(2026, 11, 9, 12, 0), tick=False):
        episode = report(w, at=london(2026, 11, 9, 11, 30))
    with time_machine.travel(london(2026, 11, 10, 8, 0), tick=False):
        services.send_digests()
    with time_machine.travel(london(2026, 11, 10, 9, 0), tick=False):
        bring_back(w, episode, at=london(2026, 11, 10, 8, 30))
    with time_machine.travel(london(2026, 11, 11, 8, 0), tick=False):
        services.send_digests()
    kinds = [
        [e.kind for e in Digest.objects.get(local_authority=w.council, day=datetime.date(2026, 11, day)).events.all()]
        for day in (9, 10, 11)
    ]
    assert kinds == [[], ["reported"], ["returned"]]


def test_a_councils_own_digest_time_is_kept(w):
    arrangement = w.council.missing_arrangement
    arrangement.digest_time = datetime.time(7, 0)
    arrangement.save()
    with time_machine.travel(london(2026, 11, 9, 7, 0), tick=False):
        assert services.send_digests() == 1
    assert Digest.objects.filter(local_authority=w.council).exists()
    assert not Digest.objects.filter(local_authority=w.other_council).exists()


def test_a_high_risk_episode_reaches_the_council_at_once_and_the_placing_authority_too(w):
    with time_machine.travel(london(2026, 11, 2, 21, 0), tick=False):
        episode = report(
            w,
            at=london(2026, 11, 2, 20, 40),
            risk_grade=RiskGrade.HIGH,
            in_care=True,
            placing_authority=w.other_council,
        )
    assert episode.council_told_at == london(2026, 11, 2, 21, 0)
    alerts = Notification.objects.filter(kind="missing.high_risk")
    assert {n.recipient_id for n in alerts if n.recipient_id} == {w.coordinator.pk, w.other_coordinator.pk}
    assert policy.visible_episodes(w.other_coordinator).filter(pk=episode.pk).exists()


# Return home interviews ---------------------------------------------------------------------------


def test_the_interview_is_due_72_clock_hours_after_the_return_across_the_clocks_going_back(w):
    # The clocks go back at 02:00 BST on Sunday 25 October 2026: 72 hours after 20:00 BST on
    # Friday 23 October is 19:00 GMT on Monday 26 October, not 20:00.
    with time_machine.travel(london(2026, 10, 22, 12, 0), tick=False):
        episode = report(w, at=london(2026, 10, 22, 11, 0))
    with time_machine.travel(london(2026, 10, 23, 21, 0), tick=False):
        bring_back(w, episode, at=london(2026, 10, 23, 20, 0))
    interview = ReturnInterview.objects.get(episode=episode)
    assert interview.due_at == london(2026, 10, 26, 19, 0)
    assert interview.due_at - london(2026, 10, 23, 20, 0) == datetime.timedelta(hours=72)
    assert interview.provider == w.provider
    referred = Notification.objects.filter(kind="missing.interview_referred")
    assert {n.recipient_id for n in referred} == {w.worker.pk}


def test_a_provider_sees_only_the_children_referred_to_it(w, client):
    other_child = build_other_child(w)
    with time_machine.travel(london(2026, 11, 2, 12, 0), tick=False):
        mine = report(w, at=london(2026, 11, 2, 11, 0))
        theirs = report(
            w, reference="MP/2/26", at=london(2026, 11, 2, 11, 0), local_authority=w.other_council, child=other_child
        )
        bring_back(w, mine, at=london(2026, 11, 2, 11, 30))
        bring_back(w, theirs, at=london(2026, 11, 2, 11, 30))
    assert list(policy.visible_interviews(w.worker)) == [mine.interview]
    assert list(policy.visible_interviews(w.other_worker)) == [theirs.interview]
    assert not policy.can(w.worker, "view", w.child)  # the interview, not the child's whole record
    client.force_login(w.worker)
    with time_machine.travel(london(2026, 11, 2, 13, 0), tick=False):
        assert client.get(mine.interview.get_absolute_url()).status_code == 200
        assert client.get(theirs.interview.get_absolute_url()).status_code == 404
        listing = client.get("/missing/interviews/")
    assert b"Kayla" in listing.content
    assert b"Jordan" not in listing.content
    with pytest.raises(PermissionDenied):
        services.record_interview(interview=theirs.interview, by=w.worker, state=InterviewState.OFFERED)


def build_other_child(w):
    from tests.factories import PersonFactory

    PersonFactory(given_names="Jordan", family_name="Pike", date_of_birth=datetime.date(2011, 6, 6))
    return services.ChildDetails("Jordan", "Pike", date_of_birth=datetime.date(2011, 6, 6))


def test_an_overdue_interview_is_escalated_to_the_missing_lead_once(w):
    with time_machine.travel(london(2026, 11, 2, 12, 0), tick=False):
        episode = report(w, at=london(2026, 11, 2, 11, 0))
        bring_back(w, episode, at=london(2026, 11, 2, 11, 30))
    with time_machine.travel(london(2026, 11, 5, 11, 29), tick=False):
        assert services.escalate_overdue_interviews() == 0
    with time_machine.travel(london(2026, 11, 5, 11, 30), tick=False):
        assert services.escalate_overdue_interviews() == 1
        assert services.escalate_overdue_interviews() == 0
    overdue = Notification.objects.filter(kind="missing.interview_overdue")
    assert {n.recipient_id for n in overdue} == {w.coordinator.pk}


def test_the_provider_records_the_interview_and_its_indicators_raise_the_flag(w):
    with time_machine.travel(london(2026, 11, 2, 12, 0), tick=False):
        episode = report(w, at=london(2026, 11, 2, 11, 0))
        bring_back(w, episode, at=london(2026, 11, 2, 11, 30))
    interview = episode.interview
    with time_machine.travel(london(2026, 11, 3, 10, 0), tick=False):
        services.record_interview(interview=interview, by=w.worker, state=InterviewState.OFFERED)
        with pytest.raises(ValidationError, match="Record what the interview found"):
            services.record_interview(interview=interview, by=w.worker, state=InterviewState.COMPLETED)
        services.record_interview(
            interview=interview,
            by=w.worker,
            state=InterviewState.COMPLETED,
            findings=services.InterviewFindings(
                push_factors="Arguments at the home.",
                where_and_with_whom="With a man in his twenties she calls Dee.",
                indicators=[Indicator.OLDER_ASSOCIATES],
            ),
        )
    interview.refresh_from_db()
    assert interview.offered_in_time
    assert interview.completed_in_time
    flag = ExploitationFlag.objects.get(person=w.child)
    assert flag.indicators == [Indicator.OLDER_ASSOCIATES]
    told = Notification.objects.filter(kind="missing.exploitation_flag")
    assert {n.recipient_id for n in told} == {w.coordinator.pk, w.manager.pk}
    # The email names the flag, never the child (not even the child's record number).
    assert {n.reference for n in told} == {flag.reference}
    assert flag.reference.startswith("EXF-")
    with pytest.raises(ValidationError, match="finished"):
        services.record_interview(interview=interview, by=w.worker, state=InterviewState.DECLINED)


def test_two_returns_from_the_same_postcode_are_an_indicator_computed_not_typed(w):
    for number, day in enumerate((2, 9), start=1):
        with time_machine.travel(london(2026, 11, day, 12, 0), tick=False):
            episode = report(w, reference=f"MP/{number}/26", at=london(2026, 11, day, 11, 0))
            bring_back(w, episode, at=london(2026, 11, day, 11, 30), found_postcode="ab1 2cd")
    episode.refresh_from_db()
    assert Indicator.SAME_ADDRESS in episode.indicators
    assert ExploitationFlag.objects.get(person=w.child).indicators == [Indicator.SAME_ADDRESS]


# Repeat missing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("third_day", "repeat"), [(90, True), (91, False)])
def test_repeat_missing_at_the_third_episode_in_90_days_and_not_in_91(w, third_day, repeat):
    first = datetime.date(2026, 3, 2)
    episodes = []
    for number, offset in enumerate((0, 40, third_day), start=1):
        day = first + datetime.timedelta(days=offset)
        at = datetime.datetime.combine(day, datetime.time(15, 0), tzinfo=london(2026, 1, 1).tzinfo)
        with time_machine.travel(at, tick=False):
            episodes.append(report(w, reference=f"MP/{number}/26", at=at - datetime.timedelta(hours=1)))
    assert [e.repeat for e in episodes] == [False, False, repeat]
    with time_machine.travel(episodes[-1].reported_at, tick=False):
        assert selectors.flags_for(w.child).repeat is repeat


def test_the_repeat_threshold_is_the_partnerships_to_set(w):
    partnership = w.council.partnership
    if partnership is None:
        pytest.skip("the factory made no partnership")
    TimescaleSetting.objects.create(partnership=partnership, key="repeat_missing_episodes", value=2)
    with time_machine.travel(london(2026, 11, 2, 12, 0), tick=False):
        report(w, at=london(2026, 11, 1, 11, 0))
        second = report(w, reference="MP/2/26", at=london(2026, 11, 2, 11, 0))
    assert second.repeat


# Measures -----------------------------------------------------------------------------------------


def test_each_measure_equals_the_records_it_links_to(w):
    with time_machine.travel(london(2026, 11, 2, 12, 0), tick=False):
        told = report(w, at=london(2026, 11, 2, 11, 0), risk_grade=RiskGrade.HIGH)
        late = report(w, reference="MP/2/26", at=london(2026, 11, 2, 11, 0))
        bring_back(w, told, at=london(2026, 11, 2, 11, 30))
    with time_machine.travel(london(2026, 11, 4, 8, 0), tick=False):
        services.send_digests()  # the only digest: two days after the report
    period = measures.Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))
    figures = measures.missing_figures(period)
    for figure in measures.FIGURES:
        assert figures.counts[figure] == measures.behind(figure, period).count(), figure
    assert figures.counts["episodes"] == 2
    assert list(measures.behind("told_within_a_day", period)) == [told]
    assert list(measures.behind("told_late", period)) == [late]
    assert figures.counts["interviews_due"] == 1
    line = next(line for line in figures.by_council if line.council == w.council)
    assert line.counts[RiskGrade.HIGH] == 1
    assert line.total == 2
