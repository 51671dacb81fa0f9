"""The inspection evidence pack: the dashboard's figures, charts and tables for a period, every
commitment with its status, and a sample of cases (references only) for inspectors to pick
from, as a PDF (WeasyPrint, which renders the charts' SVG as drawn for the page) and as a ZIP
of CSVs (every cell neutralised against spreadsheet formulas, `safehub.core.spreadsheets`).

Built by `safehub evidence-pack` (with a progress line) and by the worker for the dashboard's
button (`services.request_evidence_pack`). Counts and references only: no name, no narrative.
"""

import base64
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from safehub.core.spreadsheets import csv_text
from safehub.hub.measures import Period
from safehub.measures import charts, definitions, selectors
from safehub.measures.models import Commitment, CommitmentTarget, TargetMonth
from safehub.partnership.models import Organisation, Partnership
from safehub.partnership.roles import Capability

Progress = Callable[[int, int, str], None]
SAMPLE_PER_PART = 10


@dataclass(frozen=True)
class SampleRow:
    measure: str
    agency: str
    reference: str
    counted_on: object
    met: bool


@dataclass(frozen=True)
class Pack:
    pdf: bytes
    archive: bytes
    stem: str
    pages: int


def stem(period: Period, council: Organisation | None) -> str:
    where = f"-{council.la_code or council.pk}" if council is not None else ""
    return f"evidence-pack-{period.first:%Y-%m}-to-{period.last:%Y-%m}{where}"


def _sample(measure: definitions.Measure, period: Period, council: Organisation | None) -> list[SampleRow]:
    """The latest records that did not meet the standard, and the latest that did, per agency."""
    rows = []
    for agency in measure.agency_values:
        for part, met in (("not_counted", False), ("counted", True)):
            records = selectors.records_behind(measure, period, council=council, agency=agency, part=part)
            for item in records.reverse()[:SAMPLE_PER_PART]:
                rows.append(
                    SampleRow(
                        measure=measure.title,
                        agency=measure.agency_label(agency),
                        reference=str(selectors._path_value(item, measure.reference_field)),
                        counted_on=selectors._path_value(item, measure.month_field),
                        met=met,
                    )
                )
    return rows


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def build(period: Period, *, council: Organisation | None = None, progress: Progress | None = None) -> Pack:
    progress = progress or (lambda done, total, stage: None)
    filters = selectors.Filters(period=period, council=council)
    measures = list(definitions.MEASURES)
    total = len(measures) + 3
    figures = []
    for index, measure in enumerate(measures, start=1):
        shown = selectors.figures_for(measure, filters)
        figures.append((shown, _data_uri(charts.trend_svg(shown))))
        progress(index, total, "measures drawn")
    commitments = list(
        Commitment.objects.select_related("made_by", "local_authority").prefetch_related("targets__months")
    )
    if council is not None:
        commitments = [c for c in commitments if c.local_authority_id in (None, council.pk)]
    # DBS checks are for the disclosure unit alone: their references stay out of the sample.
    sampled = [m for m in measures if m.records_capability == Capability.VIEW_PERFORMANCE]
    if council is not None:
        # A council's pack samples its own records: a force-wide measure's are every council's.
        sampled = [m for m in sampled if m.council_field is not None]
    sample = [row for measure in sampled for row in _sample(measure, period, council)]
    progress(len(measures) + 1, total, "case sample chosen")
    generated_at = timezone.now()
    context = {
        "partnership": Partnership.current(),
        "period": period,
        "council": council,
        "generated_at": generated_at,
        "sections": [
            (process, [(f, uri) for f, uri in figures if f.measure.process == process])
            for process in definitions.Process
        ],
        "commitments": [(c, _targets(c, period)) for c in commitments],
        "sample": sample,
    }
    pdf, pages = _pdf(render_to_string("measures/evidence_pack.html", context))
    progress(len(measures) + 2, total, "PDF written")
    archive = _archive(figures, commitments, sample, period)
    progress(total, total, "CSVs written")
    return Pack(pdf=pdf, archive=archive, stem=stem(period, council), pages=pages)


def _targets(commitment: Commitment, period: Period) -> list[tuple[CommitmentTarget, str, list[TargetMonth]]]:
    rows = []
    for target in commitment.targets.all():
        measure = definitions.measure(target.measure)
        title = f"{measure.agency_label(target.agency)}: {measure.title}" if measure else target.measure
        months = [m for m in target.months.all() if period.first <= m.month <= period.last]
        rows.append((target, title, months))
    return rows


def _pdf(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML  # imported here: it loads Pango, which only the pack needs

    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def _archive(
    figures: list[tuple[selectors.MeasureFigures, str]],
    commitments: list[Commitment],
    sample: list[SampleRow],
    period: Period,
) -> bytes:
    definitions_rows = [
        (m.key, m.process.label, m.title, m.numerator, m.denominator, m.exclusions, m.target)
        for m in definitions.MEASURES
    ]
    monthly = []
    for shown, _ in figures:
        names = shown.council_names
        for line in shown.lines:
            for month in shown.months:
                cell = line.months.get(month)
                if cell is None:
                    continue
                monthly.append(
                    (
                        shown.measure.key,
                        line.label,
                        "All",
                        f"{month:%Y-%m}",
                        cell.numerator,
                        cell.denominator,
                        cell.share,
                    )
                )
            for council_id, cell in line.councils.items():
                monthly.append(
                    (
                        shown.measure.key,
                        line.label,
                        names.get(council_id, "The force") if council_id is not None else "The force",
                        "period",
                        cell.numerator,
                        cell.denominator,
                        cell.share,
                    )
                )
    commitment_rows = [
        (
            c.reference,
            c.wording,
            c.made_by.name,
            c.made_on,
            c.made_where,
            c.applies_from,
            c.review_on,
            c.get_status_display(),
            c.evaluated_month,
        )
        for c in commitments
    ]
    month_rows = [
        (c.reference, t.measure, t.agency, t.target_percent, f"{m.month:%Y-%m}", m.numerator, m.denominator, m.met)
        for c in commitments
        for t in c.targets.all()
        for m in t.months.all()
        if period.first <= m.month <= period.last
    ]
    files = {
        "definitions.csv": csv_text(
            ["measure", "process", "title", "numerator", "denominator", "exclusions", "target_percent"],
            definitions_rows,
        ),
        "figures.csv": csv_text(
            ["measure", "agency", "council", "month", "numerator", "denominator", "share_percent"], monthly
        ),
        "commitments.csv": csv_text(
            [
                "reference",
                "wording",
                "made_by",
                "made_on",
                "made_where",
                "applies_from",
                "review_on",
                "status",
                "evaluated_month",
            ],
            commitment_rows,
        ),
        "commitment_months.csv": csv_text(
            ["commitment", "measure", "agency", "target_percent", "month", "numerator", "denominator", "met"],
            month_rows,
        ),
        "case_sample.csv": csv_text(
            ["measure", "agency", "reference", "counted_on", "met_the_standard"],
            [(r.measure, r.agency, r.reference, r.counted_on, r.met) for r in sample],
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8-sig"))
    return out.getvalue()
