"""The batch deduplication: a model trained on the index, the pairs it finds, and the review queue."""

import datetime
import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people import duplicates
from safehub.people.merge import merge_people, unmerge
from safehub.people.models import (
    Address,
    DuplicatePair,
    Identifier,
    IdentifierScheme,
    MatchModel,
    PairState,
    Person,
    PersonAddress,
    PersonKind,
    PersonMerge,
    Sex,
    name_key,
)
from tests.factories import OrganisationFactory, UserFactory, valid_nhs_number

GIVEN = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Freya",
    "Grace",
    "Sophia",
    "Aisha",
    "Zara",
    "Maya",
    "Ella",
    "Evie",
    "Chloe",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Muhammad",
    "Harry",
    "Oscar",
    "Jack",
    "Theo",
    "Ibrahim",
    "Yusuf",
    "Kai",
    "Ethan",
    "Mason",
    "Logan",
    "Reuben",
    "Joshua",
    "Samuel",
    "Daniel",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Begum",
    "Nowak",
    "Okafor",
    "Kowalski",
    "Hughes",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hall",
    "Green",
    "Wood",
    "Harris",
    "Martin",
    "Jackson",
    "Clarke",
    "Lewis",
    "Shah",
]
# Each test in its own transaction inside the module's (see `index`), so no test's writes reach the next.
pytestmark = pytest.mark.django_db
PEOPLE = 300
# (how the second record differs): the slips other agencies make
SECOND_RECORDS = ("none", "none", "misspelt", "no date of birth", "none", "sex not known", "none", "misspelt")


def _child(rng: random.Random, serial: int, used: set[tuple[str, str, datetime.date]]) -> Person:
    while True:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        dob = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randint(0, 6000))
        if (given, family, dob) not in used:
            used.add((given, family, dob))
            return Person(
                kind=PersonKind.CHILD,
                given_names=given,
                family_name=family,
                sex=Sex.FEMALE if rng.random() < 0.5 else Sex.MALE,
                date_of_birth=dob,
                family_name_key=name_key(family),
            )


def _misspelt(name: str) -> str:
    return name[:2] + name[2] + name[2:]


@pytest.fixture(scope="module")
def index(django_db_setup, django_db_blocker) -> Iterator[dict[str, object]]:
    """An index of 300 children at their own addresses, each with an NHS number; eight of them
    recorded a second time by another agency (no NHS number, sometimes a slip); and a pair of
    twins (one family, birthday and address, two names and NHS numbers). Trained and searched
    once for the module; each test runs in its own transaction inside this one."""
    rng = random.Random(7)
    with django_db_blocker.unblock(), transaction.atomic():
        used: set[tuple[str, str, datetime.date]] = set()
        people = [_child(rng, n, used) for n in range(PEOPLE)]
        twin_a = Person(
            kind=PersonKind.CHILD,
            given_names="Ruby",
            family_name="Oyelaran",
            sex=Sex.FEMALE,
            date_of_birth=datetime.date(2016, 5, 9),
            family_name_key=name_key("Oyelaran"),
        )
        twin_b = Person(
            kind=PersonKind.CHILD,
            given_names="Rosa",
            family_name="Oyelaran",
            sex=Sex.FEMALE,
            date_of_birth=datetime.date(2016, 5, 9),
            family_name_key=name_key("Oyelaran"),
        )
        Person.objects.bulk_create([*people, twin_a, twin_b])
        seconds = []
        for original, slip in zip(people, SECOND_RECORDS, strict=False):
            seconds.append(
                Person(
                    kind=PersonKind.CHILD,
                    given_names=_misspelt(original.given_names) if slip == "misspelt" else original.given_names,
                    family_name=original.family_name,
                    sex=Sex.UNKNOWN if slip == "sex not known" else original.sex,
                    date_of_birth=None if slip == "no date of birth" else original.date_of_birth,
                    family_name_key=original.family_name_key,
                )
            )
        Person.objects.bulk_create(seconds)
        homes = Address.objects.bulk_create(
            [
                Address(line_1=f"{n} Mill Lane", town="Riverside", postcode=f"RV{n % 40 + 1} {n % 9}AB")
                for n in range(PEOPLE + 1)
            ]
        )
        rows = [PersonAddress(person=p, address=homes[n]) for n, p in enumerate(people)]
        rows += [PersonAddress(person=twin_a, address=homes[-1]), PersonAddress(person=twin_b, address=homes[-1])]
        rows += [PersonAddress(person=s, address=homes[n]) for n, s in enumerate(seconds)]
        PersonAddress.objects.bulk_create(rows)
        numbers = sorted({valid_nhs_number(n) for n in range(2 * PEOPLE)})
        Identifier.objects.bulk_create(
            Identifier(person=p, scheme=IdentifierScheme.NHS_NUMBER, value=number)
            for p, number in zip([*people, twin_a, twin_b], numbers, strict=False)
        )
        model = duplicates.train_model()
        result = duplicates.find_duplicates()
        planted = {(min(a.pk, b.pk), max(a.pk, b.pk)) for a, b in zip(people, seconds, strict=False)}
        yield {"model": model, "result": result, "planted": planted, "twins": (twin_a.pk, twin_b.pk)}
        transaction.set_rollback(True)


@pytest.fixture
def council(db):
    return OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")


@pytest.fixture
def officer(council):
    return UserFactory(organisation=council, roles=[Role.HUB_PRACTITIONER])


def _queue(officer) -> set[tuple[int, int]]:
    return set(duplicates.open_pairs(user=officer).values_list("first_id", "second_id"))


def test_the_queue_holds_every_second_record_and_nothing_else(index, officer):
    queued = _queue(officer)
    assert queued == index["planted"]
    assert index["result"].to_review == len(index["planted"])


def test_twins_are_not_suggested(index, officer):
    """One family, one birthday, one address: their different names and NHS numbers keep them apart."""
    assert tuple(sorted(index["twins"])) not in _queue(officer)
    twins = DuplicatePair.objects.filter(first_id=min(index["twins"]), second_id=max(index["twins"])).first()
    assert twins is None or twins.match_weight < index["model"].threshold


def test_the_model_is_a_new_version_each_training_and_keeps_its_reviewed_threshold(index, officer):
    model = index["model"]
    assert model.version == 1
    assert model.records == PEOPLE + 2 + len(SECOND_RECORDS)
    assert model.settings["comparisons"]
    assert model.splink_version.startswith("5.")
    duplicates.set_threshold(model=model, by=officer, threshold=6.5, reason="Pairs at 5 were different children.")
    second = duplicates.train_model(by=officer)
    assert second.version == 2
    assert second.threshold == 6.5
    assert second.threshold_reason == "Pairs at 5 were different children."
    assert duplicates.current_model() == second
    assert AuditEvent.objects.filter(action="people.match_threshold_set", detail__after=6.5).exists()


def test_pairs_say_how_each_detail_compared_without_its_value(index):
    pair = DuplicatePair.objects.filter(model=index["model"]).order_by("-match_weight").first()
    assert pair is not None
    assert set(pair.levels) == {"given_name", "family_name", "date_of_birth", "postcode", "sex", "nhs_number"}
    assert pair.levels["date_of_birth"][0] == "The same"
    assert pair.levels["nhs_number"][0] == "Not known on one record or both"
    person = Person.objects.get(pk=pair.first_id)
    assert person.given_names not in str(pair.levels)
    assert person.family_name not in str(pair.levels)


def test_different_people_are_never_suggested_again(index, officer):
    pair = duplicates.open_pairs(user=officer).first()
    duplicates.decide(pair=pair, by=officer, decision=duplicates.Decision.DISTINCT, reason="Different mothers.")
    pair.refresh_from_db()
    assert pair.state == PairState.DISTINCT
    assert pair.decided_by == officer
    assert AuditEvent.objects.filter(action="person.marked_distinct", object_id=str(pair.first_id)).exists()
    assert AuditEvent.objects.filter(action="person.marked_distinct", object_id=str(pair.second_id)).exists()
    result = duplicates.find_duplicates(by=officer)
    assert result.already_decided == 1
    assert (pair.first_id, pair.second_id) not in _queue(officer)
    assert DuplicatePair.objects.get(pk=pair.pk).state == PairState.DISTINCT
    with pytest.raises(ValidationError, match="already decided"):
        duplicates.decide(pair=pair, by=officer, decision=duplicates.Decision.KEEP_FIRST, reason="Changed my mind.")


def test_merging_a_pair_uses_the_reversible_merge_and_undoing_it_says_different_people(index, officer):
    pair = duplicates.open_pairs(user=officer).first()
    decided = duplicates.decide(
        pair=pair, by=officer, decision=duplicates.Decision.KEEP_FIRST, reason="Same child: checked with the school."
    )
    assert decided.state == PairState.MERGED
    assert decided.merge is not None
    assert Person.objects.get(pk=pair.second_id).merged_into_id == pair.first_id
    assert (pair.first_id, pair.second_id) not in _queue(officer)
    unmerge(merge_record=decided.merge, by=officer)
    decided.refresh_from_db()
    assert decided.state == PairState.DISTINCT
    assert "was undone" in decided.reason


def test_a_merge_from_the_record_page_decides_the_pair_too(index, officer):
    pair = duplicates.open_pairs(user=officer).first()
    merge_people(keep=pair.second, merge=pair.first, reason="Same NHS letter.", by=officer)
    pair.refresh_from_db()
    assert pair.state == PairState.MERGED
    assert pair.merge == PersonMerge.objects.get(merged_id=pair.first_id)


def test_a_pair_needs_a_reason_and_a_choice_and_changes_nothing_without(index, officer):
    pair = duplicates.open_pairs(user=officer).first()
    with pytest.raises(ValidationError, match="Say why"):
        duplicates.decide(pair=pair, by=officer, decision=duplicates.Decision.DISTINCT, reason="  ")
    with pytest.raises(ValidationError, match="Choose"):
        duplicates.decide(pair=pair, by=officer, decision="both", reason="A reason.")
    pair.refresh_from_db()
    assert pair.state == PairState.OPEN
    assert not PersonMerge.objects.exists()


def test_only_those_who_merge_records_review_pairs(index, council):
    social_worker = UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER])
    with pytest.raises(PermissionDenied):
        duplicates.open_pairs(user=social_worker)
    with pytest.raises(PermissionDenied):
        duplicates.find_duplicates(by=social_worker)
    pair = DuplicatePair.objects.first()
    with pytest.raises(PermissionDenied):
        duplicates.decide(pair=pair, by=social_worker, decision=duplicates.Decision.DISTINCT, reason="No.")


def test_an_open_pair_not_found_again_is_dropped(index, officer):
    pair = duplicates.open_pairs(user=officer).first()
    second = Person.objects.get(pk=pair.second_id)
    second.given_names, second.family_name, second.date_of_birth = "Zebedee", "Quarrington", None
    second.save()
    PersonAddress.objects.filter(person=second).delete()
    duplicates.find_duplicates()
    assert not DuplicatePair.objects.filter(pk=pair.pk).exists()


def test_the_threshold_takes_a_number_in_range_and_a_reason(index, officer):
    model = index["model"]
    for bad in (float("nan"), 99.0):
        with pytest.raises(ValidationError, match="between -10 and 30"):
            duplicates.set_threshold(model=model, by=officer, threshold=bad, reason="Why not.")
    with pytest.raises(ValidationError, match="Say why the threshold"):
        duplicates.set_threshold(model=model, by=officer, threshold=5, reason="")
    model.refresh_from_db()
    assert model.threshold == duplicates.DEFAULT_THRESHOLD


def test_the_nightly_job_runs_once_a_night_after_three(index):
    from safehub.timescales.calendar import LONDON

    # A night in a later month than the module's model (trained today): a new version is trained.
    night = datetime.datetime(2031, 1, 15, 2, 30, tzinfo=LONDON)
    assert duplicates.run_nightly(now=night) is False
    later = night.replace(hour=3, minute=5)
    assert duplicates.run_nightly(now=later) is True
    assert MatchModel.objects.count() == 2
    assert duplicates.current_model().last_run_at == later
    assert duplicates.run_nightly(now=later.replace(hour=4)) is False


def test_the_command_prints_counts_and_nothing_personal(index):
    out = StringIO()
    call_command("people", "find-duplicates", stdout=out, stderr=StringIO())
    printed = out.getvalue()
    assert "pairs kept" in printed
    assert "at or above the threshold" in printed
    assert not any(name in printed for name in (*GIVEN, *FAMILY))


def test_the_command_says_what_to_do_with_no_model(db):
    DuplicatePair.objects.all().delete()  # (the module's index may be loaded: this test's transaction undoes it)
    MatchModel.objects.all().delete()
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("people", "find-duplicates", stdout=StringIO(), stderr=err)
    assert "train-model" in err.getvalue()


# The pages ----------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def test_the_queue_lists_pairs_by_reference_without_names(index, signed_in):
    response = signed_in.get(reverse("people:duplicates"))
    assert response.status_code == 200
    html = response.content.decode()
    pair = DuplicatePair.objects.filter(state=PairState.OPEN).order_by("-match_weight").first()
    assert pair.reference in html
    assert pair.first.reference in html
    assert "Date of birth: the same" in html
    assert pair.first.family_name not in html


def test_a_pair_page_shows_both_records_audited_and_decides(index, signed_in, officer):
    pair, following = list(duplicates.open_pairs(user=officer)[:2])
    url = reverse("people:duplicate-pair", args=[pair.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    assert pair.first.family_name in response.content.decode()
    viewed = AuditEvent.objects.filter(action="person.viewed", actor=officer, detail__part="duplicate review")
    assert set(viewed.values_list("object_id", flat=True)) == {str(pair.first_id), str(pair.second_id)}
    response = signed_in.post(url, {"decision": "distinct", "reason": ""})
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    response = signed_in.post(url, {"decision": "distinct", "reason": "Different schools know both."})
    assert response.status_code == 302
    assert response.url == reverse("people:duplicate-pair", args=[following.pk])
    assert DuplicatePair.objects.get(pk=pair.pk).state == PairState.DISTINCT


def test_the_model_page_shows_pairs_around_the_threshold_and_sets_it(index, signed_in):
    url = reverse("people:match-model")
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pairs around the threshold" in html
    assert "Version" in html
    response = signed_in.post(url, {"threshold": "abc", "reason": "Because."})
    assert response.status_code == 200
    assert "Enter a match weight between -10 and 30" in response.content.decode()
    response = signed_in.post(url, {"threshold": "6", "reason": "Pairs at 5 were different children."})
    assert response.status_code == 302
    assert duplicates.current_model().threshold == 6


def test_the_pages_are_for_those_who_merge_records(index, client, council):
    client.force_login(UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER]))
    pair = DuplicatePair.objects.first()
    for url in (
        reverse("people:duplicates"),
        reverse("people:match-model"),
        reverse("people:duplicate-pair", args=[pair.pk]),
    ):
        assert client.get(url).status_code == 403


def test_decided_pairs_are_listed_only_where_both_records_may_be_opened(index, officer, monkeypatch):
    pair = duplicates.open_pairs(user=officer).first()
    duplicates.decide(pair=pair, by=officer, decision=duplicates.Decision.DISTINCT, reason="Different mothers.")
    assert list(duplicates.decided_pairs(user=officer)) == [pair]
    from safehub.access import policy

    hidden = Person.objects.exclude(pk=pair.first_id)
    monkeypatch.setattr(policy, "visible_persons", lambda user: hidden)
    assert not duplicates.decided_pairs(user=officer).exists()


def test_an_unknown_engine_is_refused_before_anything_is_read(index):
    before = list(DuplicatePair.objects.values_list("pk", "match_weight"))
    with pytest.raises(ValidationError, match="Choose the engine"):
        duplicates.find_duplicates(engine="hadoop")
    assert list(DuplicatePair.objects.values_list("pk", "match_weight")) == before


def test_a_model_trained_on_duckdb_carries_its_probabilities_into_sparks_sql(index):
    trained = index["model"].settings
    spark = duplicates.settings_for(trained, "spark")
    assert spark["sql_dialect"] == "spark"
    assert spark["probability_two_random_records_match"] == trained["probability_two_random_records_match"]
    for ours, theirs in zip(trained["comparisons"], spark["comparisons"], strict=True):
        assert [level.get("m_probability") for level in ours["comparison_levels"]] == [
            level.get("m_probability") for level in theirs["comparison_levels"]
        ]
        assert [level.get("u_probability") for level in ours["comparison_levels"]] == [
            level.get("u_probability") for level in theirs["comparison_levels"]
        ]
    assert duplicates.settings_for(trained, "duckdb") is trained
    other = {**trained, "comparisons": trained["comparisons"][:-1]}
    with pytest.raises(ValidationError, match="trained with other comparisons"):
        duplicates.settings_for(other, "spark")


def _spark_or_skip() -> None:
    """CI installs Spark and sets SAFEHUB_REQUIRE_SPARK=1, so there this test runs or fails."""
    import importlib.util
    import os
    import shutil

    missing = [
        what
        for what, present in (
            ("pyspark (uv sync --extra spark)", importlib.util.find_spec("pyspark") is not None),
            ("Java 17", shutil.which("java") is not None),
        )
        if not present
    ]
    if missing and os.environ.get("SAFEHUB_REQUIRE_SPARK") == "1":
        pytest.fail(f"Spark is required here but missing: {', '.join(missing)}")
    if missing:
        pytest.skip(f"Spark not installed: {', '.join(missing)}")


def test_on_spark_the_batch_finds_the_same_pairs_with_the_same_weights(index, settings, tmp_path):
    _spark_or_skip()
    settings.SAFEHUB_SPARK_MASTER = "local[2]"
    settings.SAFEHUB_SPARK_STAGING = str(tmp_path / "spark")
    on_duckdb = {
        (first, second): (weight, levels)
        for first, second, weight, levels in DuplicatePair.objects.values_list(
            "first_id", "second_id", "match_weight", "levels"
        )
    }
    try:
        result = duplicates.find_duplicates(engine="spark")
    finally:
        duplicates.spark_session().stop()
    on_spark = {
        (first, second): (weight, levels)
        for first, second, weight, levels in DuplicatePair.objects.values_list(
            "first_id", "second_id", "match_weight", "levels"
        )
    }
    assert set(on_spark) == set(on_duckdb)
    assert result.new == 0
    assert result.to_review == index["result"].to_review
    for key, (weight, levels) in on_duckdb.items():
        assert on_spark[key][0] == pytest.approx(weight, abs=1e-6)
        assert on_spark[key][1] == levels
    assert AuditEvent.objects.filter(action="people.duplicates_found", detail__engine="spark").exists()
    assert list((tmp_path / "spark").iterdir()) == []  # the records handed to Spark are gone
