"""Finding records across the whole index that may be one person, for a records officer to review.

The online matcher (safehub.people.matching) answers one query as it arrives. This is the
batch job beside it: every unmerged record compared with every other that shares a blocking
key, scored by Splink (the Ministry of Justice's linker: a Fellegi-Sunter model with
term-frequency adjustments, so a shared "Smith" counts for less than a shared "Okonkwo").
It runs on DuckDB, embedded in the process; a region too large for one machine runs the same
model on Spark (see README, "Deduplicating a region on Spark").

- `train_model` learns the model from the partnership's own records (u probabilities from
  random pairs, m probabilities by expectation maximisation within two blocking rules that
  leave different details free) and stores it as the next `MatchModel` version.
- `find_duplicates` scores the index with the newest model and keeps the pairs it finds as
  `DuplicatePair` rows. Pairs at or above the model's threshold are the review queue; a few
  match weights below it are kept too, so the model's page can show pairs around the threshold.
- A records officer decides each pair: `decide` merges it (the reversible merge) or records
  that they are different people, which keeps the pair from being suggested again. Nothing
  merges itself.

What leaves the database for DuckDB is what matching needs (first given name, family name,
date of birth, sex, current postcode, NHS number), in memory and only for the run; a
confidential address is never read. Nothing personal is logged or kept outside the
database: pairs hold two record keys, a score and the labels of the levels compared.
"""

import datetime
import itertools
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version as package_version
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safehub.audit.services import record
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import merge
from safehub.people.models import (
    DatePrecision,
    DuplicatePair,
    Identifier,
    IdentifierScheme,
    MatchModel,
    PairState,
    Person,
    PersonAddress,
    PersonKind,
    Sex,
)

logger = logging.getLogger(__name__)

EXPORT_CHUNK = 20_000
WRITE_CHUNK = 2_000
# Pairs this many match weights below the threshold are kept for the model's page.
KEPT_BELOW_THRESHOLD = 4.0
# The threshold a new model starts with (a match weight: log2 of the odds). At 4 the model
# gives a pair about 16 to 1 odds of being one person, taking into account how rare a match
# is between two records chosen at random. A person decides every pair, so the queue leans to
# finding duplicates rather than to being short.
DEFAULT_THRESHOLD = 4.0
# Random pairs for the u probabilities, and records sampled for each EM session.
U_PAIRS = 2_000_000
EM_RECORDS = 200_000
SEED = 2026

NOT_ALLOWED = "Your roles do not allow you to review duplicate records. Ask a hub practitioner or team manager."
NO_MODEL = "No match model has been trained yet. Run `safehub people train-model` first."
TOO_FEW = "The index holds {n} records: at least {minimum} are needed to train a match model."
MIN_RECORDS = 200
ALREADY_DECIDED = "This pair was already decided: {state}."
NO_LONGER_OPEN = "{reference} has since been merged into another record, so this pair cannot be decided here."
REASON_NEEDED = "Say why: for example which identifiers, documents or agencies' records show it."
THRESHOLD_RANGE = "Enter a match weight between -10 and 30, for example 8 or 7.5."
THRESHOLD_REASON = "Say why the threshold is changing: for example what the pairs around it showed."

Progress = Callable[[str, int, int], None]


def _require(user: User) -> None:
    if not has_capability(user, Capability.MERGE_PEOPLE):
        raise PermissionDenied(NOT_ALLOWED)


# The records, as Splink reads them ----------------------------------------------------------


COLUMNS = (
    "person_id",
    "given_name",
    "family_name",
    "family_name_key",
    "date_of_birth",
    "sex",
    "postcode",
    "nhs_number",
)
_NOT_LETTERS = re.compile(r"[^a-z\- ']")


def clean_name(name: str) -> str | None:
    """A name as the batch compares it: lower case, only letters, hyphens, spaces and apostrophes."""
    value = _NOT_LETTERS.sub("", (name or "").lower()).strip()
    return value or None


def first_name(given_names: str) -> str | None:
    """The first given name, cleaned: the one the batch compares."""
    value = clean_name(given_names)
    return value.split()[0] if value else None


def _chunks[T](rows: Iterator[T]) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _append(con: Any, name: str, table: Any) -> None:
    con.register("chunk", table)
    con.execute(f"INSERT INTO {name} SELECT * FROM chunk")  # noqa: S608 (our own table names)
    con.unregister("chunk")


def _people() -> QuerySet[Person]:
    """The records compared: in use (not merged) and born (an unborn child is matched by its mother)."""
    return Person.objects.unmerged().exclude(kind=PersonKind.UNBORN)


def load_records(con: Any, progress: Progress | None = None) -> int:
    """Stream the index into DuckDB table `records` in chunks (a county's million records
    never sit in Python at once). Returns how many records were loaded."""
    import pyarrow as pa

    total = _people().count()
    con.execute(
        "CREATE OR REPLACE TABLE people (person_id BIGINT, given_name VARCHAR, family_name VARCHAR, "
        "family_name_key VARCHAR, date_of_birth DATE, sex VARCHAR)"
    )
    con.execute("CREATE OR REPLACE TABLE homes (person_id BIGINT, postcode VARCHAR, start_date DATE)")
    con.execute("CREATE OR REPLACE TABLE nhs (person_id BIGINT, nhs_number VARCHAR)")
    rows = (
        _people()
        .order_by("pk")
        .values_list(
            "pk", "given_names", "family_name", "family_name_key", "date_of_birth", "date_of_birth_precision", "sex"
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    done = 0
    for chunk in _chunks(rows):
        table = pa.table(
            {
                "person_id": [r[0] for r in chunk],
                "given_name": [first_name(r[1]) for r in chunk],
                "family_name": [clean_name(r[2]) for r in chunk],
                "family_name_key": [r[3] or None for r in chunk],
                # A partial date of birth is stored with its unknown parts as 1: not compared.
                "date_of_birth": pa.array([r[4] if r[5] == DatePrecision.DAY else None for r in chunk], pa.date32()),
                "sex": [r[6] if r[6] in (Sex.FEMALE, Sex.MALE) else None for r in chunk],
            }
        )
        _append(con, "people", table)
        done += len(chunk)
        if progress:
            progress("reading the index", done, total)
    homes = (
        PersonAddress.objects.filter(end_date__isnull=True, is_confidential=False)
        .values_list("person_id", "address__postcode", "start_date")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for homes_chunk in _chunks(homes):
        table = pa.table(
            {
                "person_id": [r[0] for r in homes_chunk],
                "postcode": [r[1] or None for r in homes_chunk],
                "start_date": pa.array([r[2] for r in homes_chunk], pa.date32()),
            }
        )
        _append(con, "homes", table)
    numbers = (
        Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER)
        .values_list("person_id", "value")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for numbers_chunk in _chunks(numbers):
        table = pa.table({"person_id": [r[0] for r in numbers_chunk], "nhs_number": [r[1] for r in numbers_chunk]})
        _append(con, "nhs", table)
    # The newest current address, and one NHS number, per record.
    con.execute(
        "CREATE OR REPLACE TABLE records AS "
        "SELECT p.*, h.postcode, n.nhs_number FROM people p "
        "LEFT JOIN (SELECT person_id, arg_max(postcode, coalesce(start_date, DATE '1900-01-01')) AS postcode "
        "  FROM homes GROUP BY person_id) h USING (person_id) "
        "LEFT JOIN (SELECT person_id, min(nhs_number) AS nhs_number FROM nhs GROUP BY person_id) n USING (person_id)"
    )
    con.execute("DROP TABLE people; DROP TABLE homes; DROP TABLE nhs")
    return int(con.execute("SELECT count(*) FROM records").fetchall()[0][0])


# The model ----------------------------------------------------------------------------------


# How often the first given name compares at each level between two records of one child,
# as the agencies write them: mostly the same, sometimes misspelt or transliterated, now and
# then a nickname. Fixed rather than learnt: within any block that holds duplicates, twins
# (same family, birthday and address, another name) outnumber them, and expectation
# maximisation would learn that one child's two records often have different given names.
GIVEN_NAME_M = (0.86, 0.07, 0.025, 0.025, 0.02)
# Two records of one person with two different NHS numbers: almost never (and a merge refuses
# them). Fixed too: a second record is usually made without the number, so the data holds
# almost no pairs of one person that both have one to learn from.
NHS_NUMBER_M = (0.999, 0.001)


def splink_settings(dialect: str = "duckdb") -> dict[str, Any]:
    """The comparisons and blocking rules, before training, as Splink's settings in the SQL
    dialect of the engine that runs them ("duckdb" or "spark")."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="person_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nhs_number"),
        ],
        # Each rule finds pairs the others miss: a changed name (same birthday), a slip in the
        # date (same family name key and first letter), no date at all (same postcode and
        # given name), and an NHS number whatever else differs.
        blocking_rules_to_generate_predictions=[
            block_on("date_of_birth"),
            block_on("family_name_key", "substr(given_name, 1, 1)"),
            block_on("postcode", "given_name"),
            block_on("nhs_number"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=20,
    )
    settings = creator.create_settings_dict(dialect)
    for name, fixed in (("given_name", GIVEN_NAME_M), ("nhs_number", NHS_NUMBER_M)):
        comparison = next(c for c in settings["comparisons"] if c["output_column_name"] == name)
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for level, m in zip(levels, fixed, strict=True):
            level["m_probability"], level["fix_m_probability"] = m, True
    return settings


# The least m probability a level keeps. With few duplicates to learn from, expectation
# maximisation gives a level it never saw among them (a duplicate made after a move: another
# postcode) an m of 0, which would make such a pair impossible however much else agrees.
M_FLOOR = 0.002


def _smoothed(settings: dict[str, Any]) -> dict[str, Any]:
    for comparison in settings["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and not level.get("fix_m_probability")
        ]
        if not levels or any(level.get("m_probability") is None for level in levels):
            continue
        floored = [max(float(level["m_probability"]), M_FLOOR) for level in levels]
        total = sum(floored)
        for level, m in zip(levels, floored, strict=True):
            level["m_probability"] = m / total
    return settings


# What a trained model learnt, level by level; the rest of its settings is SQL of one dialect.
_LEARNT = ("m_probability", "u_probability", "fix_m_probability", "fix_u_probability")
MODEL_MISMATCH = "The match model in use was trained with other comparisons: train a new version first."


def settings_for(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model's settings in another engine's SQL dialect: the same comparisons
    written for that engine, with the probabilities the model learnt carried over level by
    level. The model is trained once (on DuckDB) and runs on either engine."""
    if trained.get("sql_dialect", "duckdb") == dialect:
        return trained
    settings = splink_settings(dialect)
    settings["sql_dialect"] = dialect
    settings["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    learnt = {c["output_column_name"]: c["comparison_levels"] for c in trained["comparisons"]}
    for comparison in settings["comparisons"]:
        levels = learnt.get(comparison["output_column_name"], [])
        if len(levels) != len(comparison["comparison_levels"]):
            raise ValidationError(MODEL_MISMATCH)
        for level, was in zip(comparison["comparison_levels"], levels, strict=True):
            if level.get("label_for_charts") != was.get("label_for_charts"):
                raise ValidationError(MODEL_MISMATCH)
            level.update({key: was[key] for key in _LEARNT if key in was})
    return settings


def _linker(con: Any, settings: Any) -> Any:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con)
    records = db_api.register("records")
    return Linker(records, settings, log_level=logging.WARNING)


def _connect() -> Any:
    import duckdb

    return duckdb.connect(":memory:")


@transaction.atomic
def train_model(
    *,
    by: User | None = None,
    progress: Progress | None = None,
    seed: int = SEED,
    now: datetime.datetime | None = None,
) -> MatchModel:
    """Train a new version of the match model on the index and make it the one in use. It
    keeps the previous version's reviewed threshold (or starts at DEFAULT_THRESHOLD)."""
    from splink import block_on

    if by is not None:
        _require(by)
    con = _connect()
    n = load_records(con, progress)
    if n < MIN_RECORDS:
        raise ValidationError(TOO_FEW.format(n=n, minimum=MIN_RECORDS))
    if progress:
        progress("training the match model", 0, 1)
    linker = _linker(con, splink_settings())
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("given_name", "family_name", "date_of_birth")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed)
    sample = min(1.0, EM_RECORDS / n)
    # The date of birth, sex and NHS number are learnt among people of one family name at one
    # address (siblings and parents, and the duplicates among them); the family name and
    # postcode among people born the same day with the same initial.
    training.estimate_parameters_using_expectation_maximisation(
        block_on("family_name", "postcode"), record_sample_proportion=sample
    )
    training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth", "substr(given_name, 1, 1)"), record_sample_proportion=sample
    )
    settings = _smoothed(linker.misc.save_model_to_json())
    con.close()
    previous = MatchModel.objects.order_by("-version").first()
    model = MatchModel.objects.create(
        version=(previous.version + 1) if previous else 1,
        trained_at=now or timezone.now(),
        trained_by=by,
        records=n,
        splink_version=package_version("splink"),
        settings=settings,
        threshold=previous.threshold if previous else DEFAULT_THRESHOLD,
        threshold_set_by=previous.threshold_set_by if previous else None,
        threshold_set_at=previous.threshold_set_at if previous else timezone.now(),
        threshold_reason=previous.threshold_reason if previous else "",
    )
    record(
        action="people.match_model_trained",
        actor=by,
        target=model,
        purpose="batch deduplication",
        detail={"version": model.version, "records": n, "splink": model.splink_version},
    )
    if progress:
        progress("training the match model", 1, 1)
    return model


def model_versions() -> QuerySet[MatchModel]:
    return MatchModel.objects.select_related("trained_by", "threshold_set_by").order_by("-version")


def current_model() -> MatchModel | None:
    return MatchModel.objects.order_by("-version").first()


TITLES = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "postcode": "Postcode",
    "sex": "Sex",
    "nhs_number": "NHS number",
}
_PLAIN = (
    (re.compile(r" is NULL$"), "Not known on one record or both"),
    (re.compile(r"^Exact match on full postcode$"), "The same postcode"),
    (re.compile(r"^Exact match on (sector|district|area)$"), "The same postcode {0}"),
    (re.compile(r"^Exact match on "), "The same"),
    (re.compile(r"^Jaro-Winkler distance of \w+ >= (0\.\d+)$"), "Similar (Jaro-Winkler {0} or more)"),
    (re.compile(r"^Levenshtein distance <= 1$"), "One character different"),
    (re.compile(r"^Abs date difference <= (\d+) (\w+?)s?$"), "Within {0} {1}"),
    (re.compile(r"^All other comparisons$"), "Different"),
)


def plain_label(label: str) -> str:
    """A level's label as a records officer reads it: "The same", "Within 1 month", "Different"."""
    for pattern, plain in _PLAIN:
        if found := pattern.search(label):
            said = plain.format(*found.groups())
            # "Within 10 year" reads "Within 10 years".
            return re.sub(r"^(Within (?!1 )\d+ \w+)$", r"\1s", said)
    return label


def summary(pair: DuplicatePair) -> str:
    """What counts for the pair, for the queue: "Given name the same; Date of birth within 1 month"."""
    parts = []
    for name, (label, weight) in pair.levels.items():
        if weight > 0:
            parts.append(f"{TITLES.get(name, name)}: {label[0].lower()}{label[1:]}")
    return "; ".join(parts)


def explained(pair: DuplicatePair) -> list[dict[str, Any]]:
    """Each detail compared, how, and the weight it gave, for the pair's page."""
    return [
        {"comparison": TITLES.get(name, name), "label": label, "weight": weight}
        for name, (label, weight) in pair.levels.items()
    ]


def comparison_levels(settings: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """For each comparison of a model, its levels' labels and match weights (log2 of m / u), in
    order; a level the data never showed has no weight (None is kept out)."""
    levels: dict[str, list[tuple[str, float]]] = {}
    for comparison in settings.get("comparisons", []):
        rows = []
        for level in comparison.get("comparison_levels", []):
            label = plain_label(level.get("label_for_charts", ""))
            if level.get("is_null_level"):
                rows.append((label, 0.0))
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                rows.append((label, math.log2(m / u)))
        levels[comparison["output_column_name"]] = rows
    return levels


def _label(levels: list[tuple[str, float]], weight: float) -> str:
    """The level whose match weight this is (Splink gives the weight, not the level)."""
    return min(levels, key=lambda level: abs(level[1] - weight))[0] if levels else ""


# A pair's match weight, match probability, and how each detail compared.
_Found = tuple[float, float, dict[str, Any]]


@dataclass
class RunResult:
    model: MatchModel
    records: int
    pairs: int
    new: int
    to_review: int
    already_decided: int


ENGINES = ("duckdb", "spark")
UNKNOWN_ENGINE = "Choose the engine: duckdb (embedded, the default) or spark (a region's cluster)."


def _select_pairs(table: str, names: list[str]) -> str:
    """The pairs worth a person's time: not two records with two different NHS numbers, which
    the merge refuses (safehub.people.merge), whatever else they share (twins do). Splink keeps
    each comparison's weight, not its level; only "different" weighs against (the NHS number's
    m is fixed at 0.001), "not known" weighs nothing and "the same" for."""
    columns = ", ".join(f"mw_{name}" for name in names)
    return (
        f"SELECT least(person_id_l, person_id_r), greatest(person_id_l, person_id_r), match_weight, "  # noqa: S608 (our own column names)
        f"match_probability, {columns} FROM {table} WHERE coalesce(mw_nhs_number, 0) >= 0"
    )


def _scored_on_duckdb(con: Any, settings: dict[str, Any], floor: float, names: list[str]) -> Iterator[tuple[Any, ...]]:
    """Each pair at or above the floor: both keys, weight, probability and each comparison's weight."""
    linker = _linker(con, settings)
    predictions = linker.inference.predict(threshold_match_weight=floor, warning_mode="never")
    cursor = con.execute(_select_pairs(predictions.physical_name, names))
    while batch := cursor.fetchmany(EXPORT_CHUNK):
        yield from batch


def spark_session() -> Any:
    """The Spark session the batch job runs in: SAFEHUB_SPARK_MASTER (local[2] by default), with
    the jar of Splink's similarity functions (Jaro-Winkler and the rest) on its classpath."""
    from django.conf import settings as django_settings
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(django_settings.SAFEHUB_SPARK_MASTER)
        .appName("safehub-find-duplicates")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _scored_on_spark(con: Any, settings: dict[str, Any], floor: float, names: list[str]) -> Iterator[tuple[Any, ...]]:
    """The same pairs, scored by Splink's Spark backend: the records go to Spark as Parquet in
    the staging directory (removed afterwards), and the pairs stream back partition by partition."""
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings as django_settings
    from splink import Linker, SparkAPI

    staging = Path(django_settings.SAFEHUB_SPARK_STAGING)
    staging.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="find-duplicates-", dir=staging))
    try:
        path = run_dir / "records.parquet"
        con.execute(f"COPY records TO '{path}' (FORMAT parquet)")
        spark = spark_session()
        spark.sparkContext.setCheckpointDir(str(run_dir / "checkpoints"))
        records = SparkAPI(spark_session=spark).register(spark.read.parquet(str(path)))
        linker = Linker(records, settings_for(settings, "spark"), log_level=logging.WARNING)
        predictions = linker.inference.predict(threshold_match_weight=floor, warning_mode="never")
        frame = predictions.as_spark_dataframe()
        frame.createOrReplaceTempView("safehub_pairs")
        for row in spark.sql(_select_pairs("safehub_pairs", names)).toLocalIterator():
            yield tuple(row)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def find_duplicates(
    *,
    by: User | None = None,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
    engine: str = "duckdb",
) -> RunResult:
    """Score the whole index with the newest model and keep the pairs found. An open pair found
    again takes the new score; an open pair not found again is dropped (its records changed);
    a decided pair keeps its decision and is never suggested again. `engine` is "duckdb"
    (embedded) or "spark" (Splink's Spark backend, for a region: SAFEHUB_SPARK_MASTER)."""
    if by is not None:
        _require(by)
    if engine not in ENGINES:
        raise ValidationError(UNKNOWN_ENGINE)
    model = current_model()
    if model is None:
        raise ValidationError(NO_MODEL)
    con = _connect()
    n = load_records(con, progress)
    if progress:
        progress("comparing records", 0, 1)
    floor = model.threshold - KEPT_BELOW_THRESHOLD
    levels_of = comparison_levels(model.settings)
    names = list(levels_of)
    scored = _scored_on_spark if engine == "spark" else _scored_on_duckdb
    now = now or timezone.now()
    found: dict[tuple[int, int], _Found] = {}
    for first, second, weight, probability, *weights in scored(con, model.settings, floor, names):
        found[(int(first), int(second))] = (
            float(weight),
            float(probability),
            {
                name: [_label(levels_of[name], float(w or 0)), round(float(w or 0), 2)]
                for name, w in zip(names, weights, strict=True)
            },
        )
    con.close()
    if progress:
        progress("comparing records", 1, 1)
    result = _store(model, found, now)
    result.records = n
    model.last_run_at = now
    model.last_run_pairs = len(found)
    model.save(update_fields=["last_run_at", "last_run_pairs"])
    record(
        action="people.duplicates_found",
        actor=by,
        target=model,
        purpose="batch deduplication",
        detail={
            "engine": engine,
            "records": n,
            "pairs": result.pairs,
            "new": result.new,
            "to_review": result.to_review,
            "already_decided": result.already_decided,
        },
    )
    return result


@transaction.atomic
def _store(model: MatchModel, found: dict[tuple[int, int], _Found], now: datetime.datetime) -> RunResult:
    existing: dict[tuple[int, int], tuple[int, str]] = {}
    for pk, first, second, state in DuplicatePair.objects.values_list("pk", "first_id", "second_id", "state").iterator(
        chunk_size=EXPORT_CHUNK
    ):
        existing[(first, second)] = (pk, state)
    decided = sum(1 for key in found if key in existing and existing[key][1] != PairState.OPEN)
    # Open pairs not found again: their records changed, or the threshold moved.
    stale = [pk for key, (pk, state) in existing.items() if state == PairState.OPEN and key not in found]
    for start in range(0, len(stale), WRITE_CHUNK):
        DuplicatePair.objects.filter(pk__in=stale[start : start + WRITE_CHUNK]).delete()
    updates, creates = [], []
    for (first, second), (weight, probability, levels) in found.items():
        known = existing.get((first, second))
        if known is None:
            creates.append(
                DuplicatePair(
                    first_id=first,
                    second_id=second,
                    model=model,
                    match_weight=weight,
                    match_probability=probability,
                    levels=levels,
                    found_at=now,
                )
            )
        elif known[1] == PairState.OPEN:
            updates.append(
                DuplicatePair(
                    pk=known[0], model=model, match_weight=weight, match_probability=probability, levels=levels
                )
            )
    DuplicatePair.objects.bulk_create(creates, batch_size=WRITE_CHUNK)
    DuplicatePair.objects.bulk_update(
        updates, ["model", "match_weight", "match_probability", "levels"], batch_size=WRITE_CHUNK
    )
    to_review = sum(1 for weight, _, _ in found.values() if weight >= model.threshold)
    return RunResult(
        model=model, records=0, pairs=len(found), new=len(creates), to_review=to_review, already_decided=decided
    )


# The review queue ---------------------------------------------------------------------------


def open_pairs(*, user: User) -> QuerySet[DuplicatePair]:
    """The queue: open pairs at or above the threshold of the model in use, most likely first,
    whose two records the user may open and are both still in use."""
    _require(user)
    model = current_model()
    if model is None:
        return DuplicatePair.objects.none()
    return (
        _visible_pairs(user)
        .filter(state=PairState.OPEN, match_weight__gte=model.threshold)
        .filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
        .select_related("first", "second")
        .order_by("-match_weight", "pk")
    )


def _visible_pairs(user: User) -> QuerySet[DuplicatePair]:
    """Pairs whose two records the user may open (safehub.access.policy decides)."""
    from safehub.access import policy

    visible = policy.visible_persons(user).values("pk")
    return DuplicatePair.objects.filter(first__in=visible, second__in=visible)


def decided_pairs(*, user: User) -> QuerySet[DuplicatePair]:
    """Pairs already decided, newest first, whose two records the user may open."""
    _require(user)
    return (
        _visible_pairs(user)
        .exclude(state=PairState.OPEN)
        .select_related("first", "second", "decided_by", "merge")
        .order_by("-decided_at", "-pk")
    )


def around_threshold(model: MatchModel, *, each_side: int = 6) -> tuple[list[DuplicatePair], list[DuplicatePair]]:
    """The open pairs just above and just below the threshold, for reviewing where it sits."""
    pairs = DuplicatePair.objects.filter(model=model).select_related("first", "second")
    above = list(pairs.filter(match_weight__gte=model.threshold).order_by("match_weight", "pk")[:each_side])
    below = list(pairs.filter(match_weight__lt=model.threshold).order_by("-match_weight", "pk")[:each_side])
    return above, below


WEIGHT_BANDS = (0, 4, 6, 8, 10, 12, 16, 20)


def weight_histogram(model: MatchModel) -> list[tuple[str, int]]:
    """How many pairs this model's last search kept in each band of match weight (one query)."""
    edges = [-math.inf, *WEIGHT_BANDS, math.inf]
    bands = []
    for low, high in itertools.pairwise(edges):
        condition = Q()
        if math.isfinite(low):
            condition &= Q(match_weight__gte=low)
        if math.isfinite(high):
            condition &= Q(match_weight__lt=high)
        if not math.isfinite(low):
            label = f"Below {high:g}"
        elif not math.isfinite(high):
            label = f"{low:g} and above"
        else:
            label = f"{low:g} to {high:g}"
        bands.append((label, condition))
    counts = DuplicatePair.objects.filter(model=model).aggregate(
        **{f"band_{n}": Count("pk", filter=condition) for n, (_, condition) in enumerate(bands)}
    )
    return [(label, counts[f"band_{n}"]) for n, (label, _) in enumerate(bands)]


class Decision:
    KEEP_FIRST = "keep_first"
    KEEP_SECOND = "keep_second"
    DISTINCT = "distinct"


def decide(*, pair: DuplicatePair, by: User, decision: str, reason: str) -> DuplicatePair:
    """Merge the pair (keeping the record chosen) or record that they are different people."""
    _require(by)
    if not reason.strip():
        raise ValidationError({"reason": REASON_NEEDED})
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().select_related("first", "second").get(pk=pair.pk)
        if pair.state != PairState.OPEN:
            raise ValidationError(ALREADY_DECIDED.format(state=pair.get_state_display().lower()))
        for person in (pair.first, pair.second):
            if person.merged_into_id:
                raise ValidationError(NO_LONGER_OPEN.format(reference=person.reference))
        if decision == Decision.DISTINCT:
            merge._require(by, pair.first, pair.second)
            pair.state = PairState.DISTINCT
            pair.decided_by, pair.decided_at, pair.reason = by, timezone.now(), reason.strip()
            pair.save(update_fields=["state", "decided_by", "decided_at", "reason"])
            detail = {"pair": pair.pk, "first": pair.first_id, "second": pair.second_id}
            for person in (pair.first, pair.second):
                record(action="person.marked_distinct", actor=by, target=person, purpose=pair.reason, detail=detail)
            return pair
        if decision not in (Decision.KEEP_FIRST, Decision.KEEP_SECOND):
            raise ValidationError({"decision": "Choose what you found."})
        keep, folded = (pair.first, pair.second) if decision == Decision.KEEP_FIRST else (pair.second, pair.first)
        # The merge decides the pair (safehub.people.merge closes it).
        merge.merge_people(keep=keep, merge=folded, reason=reason, by=by)
        pair.refresh_from_db()
        return pair


def set_threshold(*, model: MatchModel, by: User, threshold: float, reason: str) -> MatchModel:
    _require(by)
    if not math.isfinite(threshold) or not -10 <= threshold <= 30:
        raise ValidationError({"threshold": THRESHOLD_RANGE})
    if not reason.strip():
        raise ValidationError({"reason": THRESHOLD_REASON})
    before = model.threshold
    model.threshold, model.threshold_set_by = threshold, by
    model.threshold_set_at, model.threshold_reason = timezone.now(), reason.strip()
    model.save(update_fields=["threshold", "threshold_set_by", "threshold_set_at", "threshold_reason"])
    record(
        action="people.match_threshold_set",
        actor=by,
        target=model,
        purpose=model.threshold_reason,
        detail={"version": model.version, "before": before, "after": threshold},
    )
    return model


NIGHTLY_HOUR = 3


def run_nightly(*, now: datetime.datetime | None = None) -> bool:
    """The worker's nightly search, asked every hour: after 03:00 (London, after the measures),
    once a day. A new model version is trained first when the one in use was trained in an
    earlier month (or there is none), so the model follows the index as it grows."""
    from safehub.timescales.calendar import LONDON

    now = now or timezone.now()
    local = now.astimezone(LONDON)
    model = current_model()
    if local.hour < NIGHTLY_HOUR:
        return False
    if model is not None and model.last_run_at and model.last_run_at.astimezone(LONDON).date() == local.date():
        return False
    if _people().count() < MIN_RECORDS:
        return False
    trained = model.trained_at.astimezone(LONDON) if model else None
    if trained is None or (trained.year, trained.month) != (local.year, local.month):
        train_model(now=now)
    find_duplicates(now=now)
    return True


def queue_counts() -> dict[str, int]:
    model = current_model()
    if model is None:
        return {}
    open_rows = DuplicatePair.objects.filter(state=PairState.OPEN, match_weight__gte=model.threshold)
    return {
        "to review": open_rows.count(),
        "merged": DuplicatePair.objects.filter(state=PairState.MERGED).count(),
        "different people": DuplicatePair.objects.filter(state=PairState.DISTINCT).count(),
    }
