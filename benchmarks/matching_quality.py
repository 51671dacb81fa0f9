"""How well finding the child works: the automatic link's precision, recall and F1, the
candidates' recall@10 and how often someone absent is linked to a relative.

    uv run python benchmarks/matching_quality.py                      # 20,000 people, 2,000 queries
    uv run python benchmarks/matching_quality.py --people 100000 --queries 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/EMPTY_DB uv run python benchmarks/matching_quality.py

A seeded synthetic UK population of its own (not the demo's, and not the matcher's variant
table): households of parents and children, twins, names of many origins with their
transliteration variants, nicknames, hyphenated family names, family names changed on
marriage, moves, NHS numbers mostly missing. Queries are what a referrer types about them:
slips of the keyboard, a nickname, a variant spelling, given and family name swapped, a date
of birth with day and month swapped or one digit wrong, no date of birth, an old postcode, a
new family name, one half of a hyphenated name. About a fifth are about someone who is not
in the index: a twin or sibling of someone who is, a parent's namesake child, a stranger with
a common name. Linking one of those to the relative is the dangerous error.

Each query goes through `find_candidates_for_system` and `sure_match`, as an import or an
API call does. Prints the figures overall, by what the query got wrong, and the latency by
query shape, in milliseconds.
"""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from importlib.metadata import version as package_version
from pathlib import Path

# Given names by origin, each a group of spellings of one name (the first is the usual one).
FEMALE = [
    ["Olivia"],
    ["Amelia"],
    ["Isla"],
    ["Ava", "Eva"],
    ["Grace"],
    ["Lily", "Lilly"],
    ["Freya"],
    ["Emily"],
    ["Sophie", "Sophia", "Sofia"],
    ["Isabella", "Isabelle", "Isobel"],
    ["Chloe"],
    ["Megan"],
    ["Holly"],
    ["Hannah", "Hanna"],
    ["Catherine", "Katherine", "Kathryn"],
    ["Rebecca"],
    ["Natalie"],
    ["Jessica"],
    ["Aisha", "Ayesha", "Aysha"],
    ["Fatima", "Fatimah"],
    ["Zainab", "Zaynab"],
    ["Maryam", "Mariam"],
    ["Amira", "Ameera"],
    ["Priya"],
    ["Harpreet"],
    ["Simran"],
    ["Nadia", "Nadiya"],
    ["Khadija", "Khadijah"],
    ["Katarzyna"],
    ["Agnieszka"],
    ["Zuzanna"],
    ["Aleksandra", "Alexandra"],
    ["Oliwia"],
    ["Chiamaka"],
    ["Adaeze"],
    ["Oluwaseun"],
    ["Abena"],
    ["Ama"],
    ["Folake"],
    ["Siobhan", "Shevaun"],
    ["Niamh", "Neve"],
    ["Aoife", "Eefa"],
    ["Roisin", "Rosheen"],
    ["Mei"],
    ["Xiu"],
    ["Linh"],
    ["Thi"],
    ["Ana", "Anna"],
    ["Maria", "Mariya"],
    ["Elena", "Yelena"],
]
MALE = [
    ["Oliver"],
    ["George"],
    ["Harry"],
    ["Jack"],
    ["Noah"],
    ["Leo"],
    ["Oscar"],
    ["Charlie"],
    ["Jacob"],
    ["Thomas"],
    ["James"],
    ["William"],
    ["Daniel"],
    ["Joseph"],
    ["Samuel"],
    ["Matthew"],
    ["Ryan"],
    ["Muhammad", "Mohammed", "Mohammad", "Mohamed"],
    ["Yusuf", "Yousef", "Youssef"],
    ["Ibrahim", "Ebrahim"],
    ["Omar", "Umar"],
    ["Ali"],
    ["Hamza", "Hamzah"],
    ["Ahmed", "Ahmad"],
    ["Arjun"],
    ["Gurpreet"],
    ["Rohan"],
    ["Jakub", "Jacub"],
    ["Kacper", "Casper"],
    ["Krzysztof"],
    ["Wojciech"],
    ["Aleksander", "Alexander"],
    ["Chidi"],
    ["Emeka"],
    ["Kwame"],
    ["Kofi"],
    ["Tunde"],
    ["Olumide"],
    ["Sean", "Shaun", "Shawn"],
    ["Ciaran", "Kieran"],
    ["Padraig"],
    ["Eoin", "Owen"],
    ["Wei"],
    ["Jun"],
    ["Minh"],
    ["Ivan"],
    ["Dmitri", "Dmitry"],
    ["Mateusz", "Matthew"],
    ["Stefan", "Stephan"],
]
NICKNAMES = {
    "William": ["Will", "Bill", "Billy"],
    "James": ["Jim", "Jamie"],
    "Thomas": ["Tom", "Tommy"],
    "Daniel": ["Dan", "Danny"],
    "Joseph": ["Joe"],
    "Samuel": ["Sam"],
    "Matthew": ["Matt"],
    "Jacob": ["Jake"],
    "Charlie": ["Charles"],
    "Harry": ["Henry"],
    "Oliver": ["Ollie"],
    "Alexander": ["Alex", "Sasha"],
    "Aleksander": ["Olek", "Alek"],
    "Aleksandra": ["Ola", "Sasha"],
    "Alexandra": ["Alex", "Lexi"],
    "Katarzyna": ["Kasia"],
    "Agnieszka": ["Aga"],
    "Krzysztof": ["Krzys"],
    "Wojciech": ["Wojtek"],
    "Muhammad": ["Mo"],
    "Mohammed": ["Mo"],
    "Ibrahim": ["Ibby"],
    "Oluwaseun": ["Seun"],
    "Olumide": ["Mide"],
    "Catherine": ["Kate", "Cathy"],
    "Katherine": ["Kate", "Katie"],
    "Rebecca": ["Becky"],
    "Natalie": ["Nat"],
    "Jessica": ["Jess"],
    "Isabella": ["Bella", "Izzy"],
    "Elizabeth": ["Liz", "Beth"],
    "Emily": ["Em"],
    "Olivia": ["Liv"],
    "Amelia": ["Millie"],
    "Hannah": ["Han"],
    "Dmitri": ["Dima"],
    "Ivan": ["Vanya"],
}
FAMILY = [
    ["Smith", "Smyth"],
    ["Jones"],
    ["Taylor"],
    ["Brown"],
    ["Williams"],
    ["Wilson"],
    ["Davies", "Davis"],
    ["Evans"],
    ["Thomas"],
    ["Roberts"],
    ["Walker"],
    ["Wright"],
    ["Thompson"],
    ["Hughes"],
    ["Green"],
    ["Patel"],
    ["Khan"],
    ["Shah"],
    ["Singh"],
    ["Kaur"],
    ["Begum"],
    ["Ali"],
    ["Ahmed"],
    ["Rahman"],
    ["Hussain", "Hussein", "Husain"],
    ["Chowdhury", "Choudhury", "Chaudhry"],
    ["Mahmood", "Mahmud"],
    ["Nowak"],
    ["Kowalski"],
    ["Wisniewski"],
    ["Wojcik"],
    ["Lewandowski"],
    ["Zielinski"],
    ["Okafor"],
    ["Mensah"],
    ["Adeyemi"],
    ["Okonkwo"],
    ["Osei"],
    ["Boateng"],
    ["O'Neill", "ONeill"],
    ["O'Brien", "OBrien"],
    ["McDonald", "MacDonald"],
    ["Murphy"],
    ["Byrne"],
    ["Nguyen"],
    ["Tran"],
    ["Chen"],
    ["Wang"],
    ["Li", "Lee"],
    ["Popescu"],
    ["Ivanov"],
    ["Da Silva", "Silva"],
]
POSTCODE_AREAS = ["RV", "WX"]


@dataclass
class Person:
    key: int
    kind: str  # "child" or "adult"
    given: str
    family: str
    sex: str
    dob: datetime.date | None
    postcode: str
    past_postcode: str = ""
    previous_family: str = ""
    nhs: str = ""
    present: bool = True
    absent_as: str = ""  # why a person held out of the index is there: "twin", "namesake", "other"


@dataclass(frozen=True)
class Query:
    given: str
    family: str
    dob: datetime.date | None
    postcode: str
    nhs: str
    sex: str
    kind: str
    target: int | None  # the person it is about, None for someone absent
    noise: str


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    outward = f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 30)}"
    return f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


class Population:
    def __init__(self, rng: random.Random, people: int) -> None:
        from safehub.people.identifiers import nhs_check_digit

        self.rng, self.people, self.next_nhs = rng, [], 943_000_000
        self.nhs_check_digit = nhs_check_digit
        self.twins: list[tuple[Person, Person]] = []
        self.namesakes: list[tuple[Person, Person]] = []
        self.today = datetime.date(2026, 12, 1)
        while len(self.people) < people:
            self._household()

    def _nhs(self) -> str:
        while True:
            self.next_nhs += self.rng.randint(1, 40)
            first_nine = str(self.next_nhs)
            digit = self.nhs_check_digit(first_nine)
            if digit is not None:
                return first_nine + str(digit)

    def _given(self, sex: str) -> str:
        group = self.rng.choice(FEMALE if sex == "female" else MALE)
        return group[0] if self.rng.random() < 0.8 else self.rng.choice(group)

    def _person(self, kind: str, given: str, family: str, sex: str, dob: datetime.date | None, postcode: str) -> Person:
        person = Person(len(self.people), kind, given, family, sex, dob, postcode)
        if self.rng.random() < 0.35:
            person.nhs = self._nhs()
        if self.rng.random() < 0.15:
            person.past_postcode = _postcode(self.rng)
        self.people.append(person)
        return person

    def _birthday(self, earliest: int, latest: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(earliest * 365, latest * 365))

    def _household(self) -> None:
        rng = self.rng
        family_group = rng.choice(FAMILY)
        family = family_group[0] if rng.random() < 0.85 else rng.choice(family_group)
        postcode = _postcode(rng)
        mother_family = family
        mother_previous = ""
        if rng.random() < 0.2:  # she kept her own name, or it changed on marriage
            mother_previous = rng.choice(rng.choice(FAMILY))
            if rng.random() < 0.5:
                mother_family = mother_previous
                mother_previous = ""
        mother = self._person("adult", self._given("female"), mother_family, "female", self._birthday(20, 50), postcode)
        mother.previous_family = mother_previous
        father = None
        if rng.random() < 0.7:
            father = self._person("adult", self._given("male"), family, "male", self._birthday(20, 55), postcode)
        children_family = family
        if mother_family != family and rng.random() < 0.5:
            children_family = f"{family}-{mother_family}"
        for _ in range(rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]):
            sex = rng.choice(("female", "male"))
            given = self._given(sex)
            if father is not None and sex == "male" and rng.random() < 0.04:
                given = father.given  # named after his father: the namesake a link must not confuse
            dob = self._birthday(0, 17)
            child = self._person("child", given, children_family, sex, dob, postcode)
            if father is not None and given == father.given:
                self.namesakes.append((father, child))
            if rng.random() < 0.03:
                twin_sex = rng.choice(("female", "male"))
                twin_given = self._given(twin_sex)
                if twin_given != given:
                    twin = self._person("child", twin_given, children_family, twin_sex, dob, postcode)
                    self.twins.append((child, twin))
        if rng.random() < 0.02:  # a record with no date of birth
            mother.dob = None


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + rng.choice("aeiy")
    position = rng.randrange(1, len(word) - 1)
    match rng.randrange(4):
        case 0:  # a letter left out
            return word[:position] + word[position + 1 :]
        case 1:  # two letters the wrong way round
            return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        case 2:  # a letter doubled
            return word[:position] + word[position] + word[position:]
        case _:  # a neighbouring key
            return word[:position] + rng.choice("aeiouy") + word[position + 1 :]


def _variant(given: str) -> str | None:
    for group in FEMALE + MALE:
        if given in group and len(group) > 1:
            return next(name for name in group if name != given)
    return None


def _one_digit(rng: random.Random, dob: datetime.date) -> datetime.date:
    digits = f"{dob:%Y%m%d}"
    for _ in range(50):
        position = rng.choice((2, 3, 5, 6, 7))
        changed = digits[:position] + str(rng.randrange(10)) + digits[position + 1 :]
        try:
            slip = datetime.datetime.strptime(changed, "%Y%m%d").date()
        except ValueError:
            continue
        if slip != dob:
            return slip
    return dob + datetime.timedelta(days=1)


def queries(population: Population, count: int, rng: random.Random) -> list[Query]:
    """About 80% about people in the index, each with one kind of noise; the rest about absent
    people (held out of the index), mostly relatives of people who are in it."""
    made: list[Query] = []
    present = [p for p in population.people if p.present]

    def about(person: Person, noise: str, **changes: object) -> Query:
        base = Query(
            given=person.given,
            family=person.family,
            dob=person.dob,
            postcode=person.postcode if rng.random() < 0.7 else "",
            nhs=person.nhs if person.nhs and rng.random() < 0.3 else "",
            sex=person.sex if rng.random() < 0.6 else "",
            kind=person.kind,
            target=person.key if person.present else None,
            noise=noise,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    absent = [p for p in population.people if not p.present]
    while len(made) < count:
        if absent and rng.random() < 0.2:
            person = rng.choice(absent)
            made.append(about(person, f"absent: {person.absent_as}", nhs=""))
            continue
        person = rng.choice(present)
        kind = rng.choices(
            [
                "exact",
                "typo in family name",
                "typo in given name",
                "spelling variant",
                "nickname",
                "names swapped",
                "day and month swapped",
                "one digit of DOB wrong",
                "no date of birth",
                "moved: a new postcode",
                "new family name",
                "half of a hyphenated name",
                "identifier only",
            ],
            weights=[15, 10, 8, 8, 8, 4, 5, 5, 10, 8, 5, 4, 4],
        )[0]
        match kind:
            case "typo in family name":
                made.append(about(person, kind, family=_typo(rng, person.family)))
            case "typo in given name":
                made.append(about(person, kind, given=_typo(rng, person.given)))
            case "spelling variant" if _variant(person.given):
                made.append(about(person, kind, given=_variant(person.given)))
            case "nickname" if person.given in NICKNAMES:
                made.append(about(person, kind, given=rng.choice(NICKNAMES[person.given])))
            case "names swapped":
                made.append(about(person, kind, given=person.family, family=person.given))
            case "day and month swapped" if person.dob and person.dob.day <= 12 and person.dob.day != person.dob.month:
                made.append(about(person, kind, dob=person.dob.replace(day=person.dob.month, month=person.dob.day)))
            case "one digit of DOB wrong" if person.dob:
                made.append(about(person, kind, dob=_one_digit(rng, person.dob)))
            case "no date of birth":
                made.append(about(person, kind, dob=None, postcode=person.postcode))
            case "moved: a new postcode":
                made.append(about(person, kind, postcode=_postcode(rng)))
            case "new family name" if person.kind == "adult" and person.sex == "female":
                made.append(about(person, kind, family=rng.choice(rng.choice(FAMILY))))
            case "half of a hyphenated name" if "-" in person.family:
                made.append(about(person, kind, family=rng.choice(person.family.split("-"))))
            case "identifier only" if person.nhs:
                made.append(about(person, kind, given="", family="", dob=None, postcode="", sex="", nhs=person.nhs))
            case "exact":
                made.append(about(person, kind))
    return made


def hold_out(population: Population, rng: random.Random, share: float) -> None:
    """Take some people out of the index, so queries about them are about someone absent: one
    of each pair of twins, the namesake child, and a few others of every kind."""
    for pair in population.twins:
        if rng.random() < 0.5:
            twin = rng.choice(pair)
            twin.present, twin.absent_as = False, "a twin of someone in the index"
    for _father, child in population.namesakes:
        if rng.random() < 0.5:
            child.present, child.absent_as = False, "a son named after his father"
    for person in population.people:
        if person.present and rng.random() < share:
            person.present, person.absent_as = False, f"another {person.kind}"


def load(population: Population) -> dict[int, int]:
    """Write the people in the index through the bulk path the demo uses; their keys by ours."""
    from safehub.people.models import (
        Address,
        Identifier,
        IdentifierScheme,
        NameKind,
        PersonAddress,
        PersonKind,
        PersonName,
        name_key,
    )
    from safehub.people.models import Person as Record

    present = [p for p in population.people if p.present]
    postcodes = sorted({p.postcode for p in present} | {p.past_postcode for p in present if p.past_postcode})
    addresses = Address.objects.bulk_create(
        [Address(line_1=f"{n} Test Street", town="Testham", postcode=code) for n, code in enumerate(postcodes, 1)],
        batch_size=2000,
    )
    address_of = {a.postcode: a for a in addresses}
    records = Record.objects.bulk_create(
        [
            Record(
                kind=PersonKind.CHILD if p.kind == "child" else PersonKind.ADULT,
                given_names=p.given,
                family_name=p.family,
                family_name_key=name_key(p.family),
                sex=p.sex,
                date_of_birth=p.dob,
            )
            for p in present
        ],
        batch_size=2000,
    )
    ids = {p.key: r.pk for p, r in zip(present, records, strict=True)}
    lived: list[PersonAddress] = []
    for p, record in zip(present, records, strict=True):
        if p.past_postcode:
            past = address_of[p.past_postcode]
            lived.append(PersonAddress(person=record, address=past, end_date=datetime.date(2024, 1, 1)))
        lived.append(PersonAddress(person=record, address=address_of[p.postcode], start_date=datetime.date(2024, 1, 2)))
    PersonAddress.objects.bulk_create(lived, batch_size=2000)
    Identifier.objects.bulk_create(
        [
            Identifier(person=r, scheme=IdentifierScheme.NHS_NUMBER, value=p.nhs)
            for p, r in zip(present, records, strict=True)
            if p.nhs
        ],
        batch_size=2000,
    )
    PersonName.objects.bulk_create(
        [
            PersonName(
                person=r,
                kind=NameKind.PREVIOUS,
                given_names=p.given,
                family_name=p.previous_family,
                family_name_key=name_key(p.previous_family),
            )
            for p, r in zip(present, records, strict=True)
            if p.previous_family
        ],
        batch_size=2000,
    )
    return ids


def _show(query: Query, linked: object) -> None:
    record = linked  # a Person record
    held = [
        getattr(record, "given_names", ""),
        getattr(record, "family_name", ""),
        getattr(record, "date_of_birth", None),
        [a.address.postcode for a in record.addresses.all()],  # type: ignore[attr-defined]
    ]
    print(f"    wrong link ({query.noise}): {query.given} {query.family} {query.dob} {query.postcode!r} -> {held}")


def splink_side_by_side(asked: list[Query], ids: dict[int, int], online: int) -> None:
    """The same queries through Splink 5, trained as Splink is used to link new records to an
    index: SafeHub's comparisons (safehub.people.duplicates), the prior from deterministic rules,
    u from random pairs, m by expectation maximisation over the queries and the index (no labels),
    and the term frequencies of both. Each query's best-scoring record is its automatic link when
    the match probability reaches the cut; its ten best are its candidates. Prints the batch
    time per query and `online` queries asked one at a time, as an import would."""
    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on

    from safehub.people import duplicates
    from safehub.people.models import name_key

    con = duckdb.connect(":memory:")
    duplicates.load_records(con)
    table = pa.table(
        {
            "person_id": [-(n + 1) for n in range(len(asked))],
            "given_name": [duplicates.first_name(q.given) for q in asked],
            "family_name": [duplicates.clean_name(q.family) for q in asked],
            "family_name_key": [name_key(q.family) or None for q in asked],
            "date_of_birth": pa.array([q.dob for q in asked], pa.date32()),
            "sex": [q.sex or None for q in asked],
            "postcode": [q.postcode or None for q in asked],
            "nhs_number": [q.nhs or None for q in asked],
        }
    )
    con.register("asked", table)
    con.execute("CREATE TABLE queries AS SELECT * FROM records LIMIT 0")
    con.execute("INSERT INTO queries SELECT * FROM asked")
    db_api = DuckDBAPI(connection=con)
    records, questions = db_api.register("records"), db_api.register("queries")
    settings = duplicates.splink_settings()
    settings["link_type"] = "link_only"
    began = time.perf_counter()
    linker = Linker([records, questions], settings, log_level=logging.ERROR)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("given_name", "family_name", "date_of_birth")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=duplicates.U_PAIRS, seed=duplicates.SEED)
    training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    training.estimate_parameters_using_expectation_maximisation(block_on("family_name", "postcode"))
    trained = time.perf_counter() - began
    for column in ("given_name", "family_name"):
        linker.table_management.compute_tf_table(column)
    began = time.perf_counter()
    pairs = linker.inference.predict(warning_mode="never")
    scored: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for left, right, weight, probability in con.execute(
        f"SELECT person_id_l, person_id_r, match_weight, match_probability FROM {pairs.physical_name}"  # noqa: S608
    ).fetchall():
        query, held = (left, right) if left < 0 else (right, left)
        scored[-query - 1].append((weight, probability, held))
    batch = (time.perf_counter() - began) * 1000 / len(asked)
    best = {n: sorted(found, reverse=True) for n, found in scored.items()}
    print(
        f"  Splink {package_version('splink')} (trained on the index and the queries in {trained:.0f} s; "
        f"batch {batch:.1f} ms a query):"
    )
    present = [n for n, q in enumerate(asked) if q.target is not None]
    absent = [n for n, q in enumerate(asked) if q.target is None]
    in_top = sum(
        1
        for n in present
        if any(record == ids[asked[n].target] for _, _, record in best.get(n, [])[:10])  # type: ignore[index]
    )
    absent_by_kind: Counter[str] = Counter()
    for cut in (0.95, 0.99):
        right = wrong = absent_linked = 0
        for n, query in enumerate(asked):
            top = best.get(n)
            if not top or top[0][1] < cut:
                continue
            if query.target is None:
                absent_linked += 1
                if cut == 0.99:
                    absent_by_kind[query.noise.removeprefix("absent: ")] += 1
            elif top[0][2] == ids[query.target]:
                right += 1
            else:
                wrong += 1
        precision = right / (right + wrong + absent_linked) if right + wrong + absent_linked else 1.0
        recall = right / len(present) if present else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"    link at probability {cut}: precision {precision:.4f}   recall {recall:.4f}   F1 {f1:.4f}   "
            f"absent wrongly linked {absent_linked} of {len(absent)} "
            f"({100 * absent_linked / max(len(absent), 1):.2f}%)"
        )
    if absent_by_kind:
        said = ", ".join(f"{kind} {count}" for kind, count in absent_by_kind.most_common())
        print(f"    absent people it linked at 0.99, by who they were: {said}")
    print(f"    candidates       recall@10 {in_top / max(len(present), 1):.4f}")
    timings = []
    for n in range(min(online, len(asked))):
        con.execute(f"CREATE OR REPLACE TABLE one AS SELECT * FROM queries WHERE person_id = {-(n + 1)}")  # noqa: S608
        one = db_api.register("one")
        began = time.perf_counter()
        linker.inference.predict_between(records, one, warning_mode="never").as_record_list()
        timings.append((time.perf_counter() - began) * 1000)
    if timings:
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        median = statistics.median(timings)
        print(f"    online, one query at a time ({len(timings)}): median {median:.1f} ms, p95 {p95:.1f} ms")
    con.close()


def shape(query: Query) -> str:
    if not (query.given or query.family):
        return "identifier only"
    if query.dob is None:
        return "name and postcode, no DOB" if query.postcode else "name only"
    if query.given and query.family:
        return "full details"
    return "DOB and family name"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--show-wrong", action="store_true", help="print each wrong link (the data is synthetic)")
    parser.add_argument("--show-missed", metavar="NOISE", help="print each query of this kind not linked")
    parser.add_argument("--no-splink", action="store_true", help="leave out the side-by-side run of Splink")
    parser.add_argument("--splink-online", type=int, default=50, help="queries Splink answers one at a time, timed")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from safehub.people.matching import MatchQuery, find_candidates_for_system, sure_match
        from safehub.people.models import PersonKind

        call_command("migrate", verbosity=0, interactive=False)
        rng = random.Random(args.seed)
        started = time.perf_counter()
        population = Population(rng, args.people)
        hold_out(population, rng, share=0.04)
        with transaction.atomic():
            ids = load(population)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        asked = queries(population, args.queries, rng)
        print(
            f"Matching quality on {connection.vendor}: {len(ids):,} people in the index "
            f"({len(population.people) - len(ids):,} held out), {len(asked):,} queries "
            f"({sum(q.target is None for q in asked):,} about someone absent); "
            f"loaded in {time.perf_counter() - started:.0f} s"
        )

        linked_right = linked_wrong = absent_linked = in_top = present_queries = 0
        by_noise: dict[str, Counter[str]] = defaultdict(Counter)
        latency: dict[str, list[float]] = defaultdict(list)
        for query in asked:
            match = MatchQuery(
                given_names=query.given,
                family_name=query.family,
                date_of_birth=query.dob,
                nhs_number=query.nhs,
                postcode=query.postcode,
                sex=query.sex,
            )
            kind = PersonKind.CHILD if query.kind == "child" else PersonKind.ADULT
            began = time.perf_counter()
            with transaction.atomic():
                candidates = find_candidates_for_system(on_behalf_of="benchmark", query=match)
                linked = sure_match(match, candidates, kind=kind)
            latency[shape(query)].append((time.perf_counter() - began) * 1000)
            tally = by_noise[query.noise]
            tally["queries"] += 1
            if query.target is None:
                if linked is not None:
                    absent_linked += 1
                    tally["wrongly linked"] += 1
                    if args.show_wrong:
                        _show(query, linked)
                continue
            present_queries += 1
            wanted = ids[query.target]
            if any(c.person.pk == wanted for c in candidates):
                in_top += 1
                tally["in top 10"] += 1
            if linked is None:
                if args.show_missed and args.show_missed in query.noise:
                    target = next(p for p in population.people if p.key == query.target)
                    ranks = [c.person.pk for c in candidates]
                    rank = ranks.index(wanted) + 1 if wanted in ranks else None
                    print(
                        f"    not linked ({query.noise}): {query.given} {query.family} {query.dob} {query.postcode!r} "
                        f"{query.sex!r} -> {target.given} {target.family} {target.dob} {target.postcode!r} "
                        f"{target.sex} (rank {rank}, of {len(ranks)})"
                    )
                continue
            if linked.pk == wanted:
                linked_right += 1
                tally["linked"] += 1
            else:
                linked_wrong += 1
                tally["wrongly linked"] += 1
                if args.show_wrong:
                    _show(query, linked)

        absent_queries = len(asked) - present_queries
        wrong = linked_wrong + absent_linked
        precision = linked_right / (linked_right + wrong) if linked_right + wrong else 1.0
        recall = linked_right / present_queries if present_queries else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  automatic link   precision {precision:.4f}   recall {recall:.4f}   F1 {f1:.4f}")
        print(f"  candidates       recall@10 {in_top / present_queries:.4f}")
        print(
            f"  absent people wrongly linked: {absent_linked} of {absent_queries} "
            f"({100 * absent_linked / max(absent_queries, 1):.2f}%); present people linked to someone else: "
            f"{linked_wrong}"
        )
        print("  by what the query got wrong:            queries  linked  in top 10  wrongly linked")
        for noise, tally in sorted(by_noise.items()):
            print(
                f"    {noise:36} {tally['queries']:7} {tally['linked']:7} {tally['in top 10']:10}"
                f" {tally['wrongly linked']:15}"
            )
        print("  latency by query shape (ms):             queries   median      p95")
        for name, samples in sorted(latency.items()):
            samples.sort()
            p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
            print(f"    {name:36} {len(samples):7} {statistics.median(samples):8.1f} {p95:8.1f}")
        if not args.no_splink:
            splink_side_by_side(asked, ids, args.splink_online)
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
