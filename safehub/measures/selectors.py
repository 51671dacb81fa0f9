"""Reads of the measures layer: the dashboard's figures from the measures table, and the
records behind a figure from the same definitions (so the list has as many rows as the
figure says).

Figures are counts without personal data, for anyone with VIEW_PERFORMANCE. The records
behind one are listed by reference and date; each links to its page only for a viewer the
access rules let open it (the measure's `visible` selector), and a measure may keep its
list to one unit (`records_capability`: DBS checks, for the disclosure unit).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.urls import reverse

from safehub.hub.measures import Period, percent
from safehub.measures import definitions, services
from safehub.measures.definitions import Measure, Process
from safehub.measures.models import MeasureValue
from safehub.measures.services import in_period
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import has_capability

PARTS = {
    "counted": "met the standard",
    "not_counted": "did not meet the standard",
    "all": "counted",
}


class FilterError(ValueError):
    """A filter the dashboard cannot apply; the message says what to choose instead."""


@dataclass(frozen=True)
class Filters:
    period: Period
    council: Organisation | None = None
    agency: str = ""

    @property
    def query(self) -> dict[str, str]:
        query = dict(self.period.query)
        if self.council is not None:
            query["la"] = self.council.la_code or str(self.council.pk)
        if self.agency:
            query["agency"] = self.agency
        return query

    def query_with(self, **extra: str) -> str:
        return urlencode({**self.query, **{k: v for k, v in extra.items() if v}})


def councils() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")


def council_from(text: str) -> Organisation | None:
    """A council from its LA code (or id); empty for the whole partnership."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isprintable() or len(text) > 20:
        raise FilterError("Choose a council from the list, or all councils.")
    found = councils().filter(la_code=text).first()
    if found is None and text.isascii() and text.isdigit() and len(text) < 19:
        found = councils().filter(pk=int(text)).first()
    if found is None:
        raise FilterError("Choose a council from the list, or all councils.")
    return found


def within_window(period: Period, *, today: datetime.date) -> Period:
    """The period, if the measures table keeps its months (three years to this month)."""
    first = services.window(today).first
    if period.first < first:
        raise FilterError(
            f"Choose a first month from {first:%Y-%m}: the figures are kept for {services.WINDOW_MONTHS} months."
        )
    return period


def agency_from(text: str) -> str:
    text = (text or "").strip()
    if text and text not in definitions.AGENCY_LABELS:
        raise FilterError("Choose an agency from the list, or all agencies.")
    return text


@dataclass
class Cell:
    numerator: int = 0
    denominator: int = 0

    @property
    def share(self) -> int | None:
        return percent(self.numerator, self.denominator)

    @property
    def missed(self) -> int:
        return self.denominator - self.numerator

    def add(self, numerator: int, denominator: int) -> None:
        self.numerator += numerator
        self.denominator += denominator


@dataclass
class Line:
    """One agency's figures for a measure: the period's total, each month's and each council's."""

    agency: str
    label: str
    total: Cell = field(default_factory=Cell)
    months: dict[datetime.date, Cell] = field(default_factory=lambda: defaultdict(Cell))
    councils: dict[int | None, Cell] = field(default_factory=lambda: defaultdict(Cell))


@dataclass
class MeasureFigures:
    measure: Measure
    filters: Filters
    lines: list[Line]
    council_names: dict[int, str]

    @property
    def months(self) -> list[datetime.date]:
        return self.filters.period.months

    @property
    def month_rows(self) -> list[tuple[datetime.date, list[Cell]]]:
        return [(month, [line.months.get(month, Cell()) for line in self.lines]) for month in self.months]

    @property
    def council_rows(self) -> list[tuple[int, str, list[Cell]]]:
        if self.measure.council_field is None:
            return []
        return [
            (pk, name, [line.councils.get(pk, Cell()) for line in self.lines])
            for pk, name in sorted(self.council_names.items(), key=lambda item: item[1])
        ]

    def below_target(self, cell: Cell) -> bool:
        return self.measure.target is not None and cell.share is not None and cell.share < self.measure.target


def figures_for(measure: Measure, filters: Filters) -> MeasureFigures:
    """A measure's figures for the filters, from the measures table (no record is read)."""
    return figures_for_all([measure], filters)[measure.key]


def figures_for_all(measures: list[Measure], filters: Filters) -> dict[str, MeasureFigures]:
    """Several measures' figures in one read of the measures table and one of the councils."""
    lines: dict[str, dict[str, Line]] = {}
    for measure in measures:
        agencies = [a for a in measure.agency_values if not filters.agency or a == filters.agency]
        lines[measure.key] = {agency: Line(agency, measure.agency_label(agency)) for agency in agencies}
    rows = MeasureValue.objects.filter(
        measure__in=[m.key for m in measures], month__gte=filters.period.first, month__lte=filters.period.last
    )
    if filters.agency:
        rows = rows.filter(agency=filters.agency)
    by_council = {m.key for m in measures if m.council_field is not None}
    for key, month, council_id, agency, numerator, denominator in rows.values_list(
        "measure", "month", "local_authority_id", "agency", "numerator", "denominator"
    ):
        if filters.council is not None and key in by_council and council_id != filters.council.pk:
            continue
        line = lines[key].get(agency)
        if line is None:
            continue
        line.total.add(numerator, denominator)
        line.months[month].add(numerator, denominator)
        line.councils[council_id].add(numerator, denominator)
    names = dict(councils().values_list("pk", "name"))
    if filters.council is not None:
        names = {filters.council.pk: names.get(filters.council.pk, filters.council.name)}
    return {
        m.key: MeasureFigures(
            measure=m,
            filters=filters,
            lines=list(lines[m.key].values()),
            council_names=names if m.council_field is not None else {},
        )
        for m in measures
    }


@dataclass
class ProcessFigures:
    process: Process
    measures: list[MeasureFigures]


def dashboard(filters: Filters) -> list[ProcessFigures]:
    shown = [m for m in definitions.MEASURES if not filters.agency or filters.agency in m.agency_values]
    figures = figures_for_all(shown, filters)
    sections = []
    for process in Process:
        items = [figures[m.key] for m in shown if m.process == process]
        if items:
            sections.append(ProcessFigures(process, items))
    return sections


# The records behind a figure ------------------------------------------------------------------


def records_behind(
    measure: Measure, period: Period, *, council: Organisation | None, agency: str, part: str
) -> QuerySet[Model]:
    """The records one figure counts, in the order they fall in the period."""
    if part not in PARTS:
        raise FilterError("Choose counted, not counted or all.")
    if agency not in measure.agency_values:
        raise FilterError("Choose an agency this measure is kept for.")
    rows = measure.population().filter(in_period(measure, period))
    if measure.scope is not None:
        rows = rows.filter(measure.scope(agency))
    if council is not None and measure.council_field is not None:
        rows = rows.filter(**{measure.council_field: council.pk})
    if part == "counted":
        rows = rows.filter(measure.counted(agency))
    elif part == "not_counted":
        # The denominator less the numerator, exactly (a negated condition would drop rows
        # whose fields are empty, which SQL compares as unknown).
        rows = rows.exclude(pk__in=measure.population().filter(measure.counted(agency)).values("pk"))
    related = {path.rsplit("__", 1)[0] for path in (measure.reference_field,) if "__" in path}
    if related:
        rows = rows.select_related(*related)
    return rows.order_by(measure.month_field, "pk")


@dataclass(frozen=True)
class RecordRow:
    reference: str
    counted_on: Any
    counted: bool
    url: str


def may_list(user: User, measure: Measure) -> bool:
    return has_capability(user, measure.records_capability)


def describe(user: User, measure: Measure, items: list[Model], agency: str) -> list[RecordRow]:
    """The rows of a list: reference, the date it is counted by, whether it met the standard,
    and a link for the viewer who may open it."""
    pks = [item.pk for item in items]
    model = type(items[0]) if items else None
    counted: set[int] = set()
    openable: set[int] = set()
    if model is not None:
        counted = set(
            measure.population().filter(pk__in=pks).filter(measure.counted(agency)).values_list("pk", flat=True)
        )
        if measure.visible is not None:
            openable = set(measure.visible(user).filter(pk__in=pks).values_list("pk", flat=True))
    rows = []
    for item in items:
        reference = _path_value(item, measure.reference_field)
        link_id = _path_value(item, measure.link_field.replace("_id", "__pk") if measure.link_field != "pk" else "pk")
        url = reverse(measure.url_name, args=[link_id]) if item.pk in openable else ""
        rows.append(RecordRow(reference, _path_value(item, measure.month_field), item.pk in counted, url))
    return rows


def _path_value(item: Any, path: str) -> Any:
    value = item
    for part in path.split("__"):
        value = getattr(value, part)
    return value
