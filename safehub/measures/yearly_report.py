"""A draft of the safeguarding partners' yearly report, as Markdown to edit: the structure
Working Together to Safeguard Children (2023) asks of it, with the year's figures from the
measures table and every commitment with its status filled in, and a prompt where only the
partners can write (what they did, what they learnt, what children and families said).

Counts only: no record is named. Made by `safehub yearly-report` and from the dashboard.
"""

import datetime

from django.utils import timezone

from safehub.hub.measures import Period
from safehub.measures import definitions, selectors, services
from safehub.measures.models import Commitment
from safehub.partnership.models import Partnership

TO_WRITE = "> _To write:_ "


def _share(cell: selectors.Cell) -> str:
    return f"{cell.share}% ({cell.numerator} of {cell.denominator})" if cell.denominator else "none counted"


def draft(period: Period) -> str:
    partnership = Partnership.current()
    name = partnership.name if partnership else "The safeguarding partnership"
    span = f"{period.first:%B %Y} to {period.last:%B %Y}"
    figures = selectors.figures_for_all(list(definitions.MEASURES), selectors.Filters(period=period))
    before = selectors.Filters(period=Period(*_year_before(period)))
    previous = selectors.figures_for_all(list(definitions.MEASURES), before)
    out = [
        f"# {name}: yearly report, {span}",
        "",
        f"Draft made by SafeHub on {timezone.localdate():%-d %B %Y} from the partnership's records. The figures "
        "are counts of records, defined as on the partnership dashboard; edit the rest before publishing.",
        "",
        "## 1. Summary",
        "",
        TO_WRITE + "the year in a few paragraphs: what the partners set out to do and how well it went.",
        "",
        "## 2. How well the arrangements are working: the year's figures",
        "",
        "Each figure with the year before for comparison, and the partnership's target.",
        "",
    ]
    for process in definitions.Process:
        out += [
            f"### {process.label}",
            "",
            "| Measure | Agency | This year | The year before | Target |",
            "| --- | --- | --- | --- | --- |",
        ]
        for measure in definitions.of_process(process):
            for line, old in zip(figures[measure.key].lines, previous[measure.key].lines, strict=True):
                target = f"{measure.target}%" if measure.target is not None else "none"
                out.append(
                    f"| {measure.title} | {line.label} | {_share(line.total)} | {_share(old.total)} | {target} |"
                )
        out.append("")
    out += ["## 3. Commitments and priorities", ""]
    today = timezone.localdate()
    for commitment in Commitment.objects.select_related("made_by").prefetch_related("targets__months"):
        out += [
            f"### {commitment.reference}: {commitment.get_status_display()}",
            "",
            f"{commitment.wording} (made by {commitment.made_by.name}, {commitment.made_on:%-d %B %Y}, "
            f"{commitment.made_where}; applies from {commitment.applies_from:%B %Y}).",
            "",
        ]
        for goal in commitment.targets.all():
            about = definitions.measure(goal.measure)
            title = f"{about.agency_label(goal.agency)}: {about.title}" if about else goal.measure
            months = [m for m in goal.months.all() if period.first <= m.month <= period.last and m.met is not None]
            met = sum(1 for m in months if m.met)
            text = f"- {title}, at least {goal.target_percent}%: met in {met} of {len(months)} months measured."
            comparison = services.before_after(goal, commitment, today=today)
            if comparison is not None and comparison.change is not None:
                change = comparison.change
                text += (
                    f" Estimated change when it began: {change.step:+.1f} percentage points "
                    f"(95% interval {change.low:+.1f} to {change.high:+.1f})."
                )
            out.append(text)
        out += ["", TO_WRITE + "what was done about it, and what happens next.", ""]
    out += [
        "## 4. Where there has been little or no progress",
        "",
        "Measures below their target for the year:",
        "",
    ]
    below = [
        f"- {m.title} ({line.label}): {_share(line.total)}, target {m.target}%"
        for m in definitions.MEASURES
        for line in figures[m.key].lines
        if figures[m.key].below_target(line.total)
    ]
    out += below or ["- None."]
    out += [
        "",
        TO_WRITE + "the reasons and the partners' plan for each.",
        "",
        "## 5. Decisions and actions the partners took",
        "",
        TO_WRITE + "the decisions of the year and those planned, with who is responsible.",
        "",
        "## 6. Learning from reviews",
        "",
        TO_WRITE + "rapid reviews and local child safeguarding practice reviews, and what changed because of them.",
        "",
        "## 7. What children and families told the partners",
        "",
        TO_WRITE + "how their views were sought and what was done with them.",
        "",
        "## 8. How relevant agencies, including education, were involved",
        "",
        TO_WRITE + "schools, colleges, early years, health and others: their part and their attendance.",
        "",
        "## 9. Changes to the published arrangements",
        "",
        TO_WRITE + "any change, with its timescale.",
        "",
    ]
    return "\n".join(out)


def _year_before(period: Period) -> tuple[datetime.date, datetime.date]:
    from safehub.timescales.calendar import add_months

    months = len(period.months)
    return add_months(period.first, -months), add_months(period.first, -1)
