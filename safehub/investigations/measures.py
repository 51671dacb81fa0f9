"""The partnership's evidence that no investigation into harm to a child closes early: closures
by outcome, and the figures that must be zero (closed with an opportunity outstanding, signed
off by the proposer), challenges and reopenings, working days from the strategy discussion to
closure, and supervisory reviews overdue.

A closure belongs to the month it took effect (Europe/London): in effect after its window or
confirmed after a challenge. A challenge belongs to the month it was raised. Reviews overdue
are counted now, over every open investigation. Each figure is defined once here as a
queryset, and its records page lists exactly that queryset, so a figure always equals the
number of records it links to. The records are references, outcomes and dates: no child, and
each links to the investigation only for a viewer who may open it.
"""

import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from safehub.access import policy
from safehub.hub.measures import Period, PeriodError, default_period, period_from, period_or_default
from safehub.investigations.models import (
    OPEN_STATES,
    ChallengeOutcome,
    Closure,
    ClosureOutcome,
    ClosureState,
    Investigation,
    Opportunity,
)
from safehub.partnership.models import User
from safehub.timescales.calendar import working_days_between

__all__ = ["Period", "PeriodError", "default_period", "period_from", "period_or_default"]

IN_EFFECT = (ClosureState.EFFECTIVE, ClosureState.CONFIRMED)

FIGURES = {
    "closed": "Investigations closed",
    "outstanding_at_closure": "Closed with an opportunity outstanding when signed off (must be 0)",
    "signed_off_by_proposer": "Closures signed off by the officer who proposed them (must be 0)",
    "challenged": "Closures challenged by the council",
    "upheld": "Challenges upheld: the investigation reopened",
    "reviews_overdue": "Open investigations with a supervisory review overdue (now)",
}


def _closed(period: Period) -> QuerySet[Closure]:
    return Closure.objects.filter(state__in=IN_EFFECT, effective_at__gte=period.start, effective_at__lt=period.end)


def _outstanding_at_sign_off() -> Exists:
    """An opportunity there before the sign-off and not settled by then."""
    return Exists(
        Opportunity.objects.filter(
            investigation=OuterRef("investigation"), added_at__lte=OuterRef("signed_off_at")
        ).filter(Q(settled_at__isnull=True) | Q(settled_at__gt=OuterRef("signed_off_at")))
    )


def closures_for(figure: str, period: Period, *, outcome: str = "") -> QuerySet[Closure]:
    """The closures behind a closure figure."""
    if figure == "closed":
        closures = _closed(period)
        return closures.filter(outcome=outcome) if outcome else closures
    if figure == "outstanding_at_closure":
        return _closed(period).filter(_outstanding_at_sign_off())
    if figure == "signed_off_by_proposer":
        return Closure.objects.filter(
            signed_off_at__gte=period.start, signed_off_at__lt=period.end, signed_off_by=F("proposed_by")
        )
    challenged = Closure.objects.filter(challenge__raised_at__gte=period.start, challenge__raised_at__lt=period.end)
    if figure == "challenged":
        return challenged
    if figure == "upheld":
        return challenged.filter(challenge__outcome=ChallengeOutcome.REOPENED)
    raise PeriodError("Choose a figure shown on the page.")


def reviews_overdue() -> QuerySet[Investigation]:
    return Investigation.objects.filter(state__in=OPEN_STATES, next_review_due__lt=timezone.now())


@dataclass(frozen=True)
class OutcomeLine:
    outcome: str
    label: str
    count: int


@dataclass(frozen=True)
class InvestigationFigures:
    period: Period
    counts: dict[str, int]
    outcomes: list[OutcomeLine]
    days_to_closure: list[int]

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_closure) if self.days_to_closure else None

    @property
    def p90_days(self) -> float | None:
        if not self.days_to_closure:
            return None
        if len(self.days_to_closure) == 1:
            return float(self.days_to_closure[0])
        return statistics.quantiles(self.days_to_closure, n=10, method="inclusive")[-1]


def investigation_figures(period: Period) -> InvestigationFigures:
    counts = {figure: closures_for(figure, period).count() for figure in FIGURES if figure != "reviews_overdue"}
    counts["reviews_overdue"] = reviews_overdue().count()
    by_outcome = dict.fromkeys(ClosureOutcome.values, 0)
    for outcome in _closed(period).values_list("outcome", flat=True):
        by_outcome[outcome] += 1
    outcomes = [OutcomeLine(o, str(ClosureOutcome(o).label), n) for o, n in by_outcome.items()]
    pairs = (
        _closed(period)
        .filter(investigation__strategy_discussion__held_at__isnull=False)
        .values_list("investigation__strategy_discussion__held_at", "effective_at")
    )
    days = [working_days_between(held, effective) for held, effective in pairs if held and effective]
    return InvestigationFigures(period=period, counts=counts, outcomes=outcomes, days_to_closure=sorted(days))


@dataclass(frozen=True)
class RecordRow:
    reference: str
    url: str
    outcome: str
    state: str
    proposed_at: Any
    signed_off_at: Any
    effective_at: Any


def behind(figure: str, period: Period, *, outcome: str = "") -> QuerySet[Any]:
    """The records behind a figure: closures, or (reviews overdue) investigations."""
    if figure not in FIGURES:
        raise PeriodError("Choose a figure shown on the page.")
    if outcome and outcome not in ClosureOutcome.values:
        raise PeriodError("Choose an outcome shown on the page.")
    if figure == "reviews_overdue":
        return reviews_overdue().order_by("next_review_due", "pk")
    return closures_for(figure, period, outcome=outcome).select_related("investigation").order_by("proposed_at", "pk")


def describe(user: User, items: list[Any]) -> list[RecordRow]:
    """One page of records as rows, each linked only for a viewer who may open it."""
    investigations = [i if isinstance(i, Investigation) else i.investigation for i in items]
    visible = set(
        policy.visible_investigations(user).filter(pk__in=[i.pk for i in investigations]).values_list("pk", flat=True)
    )
    rows = []
    for item, investigation in zip(items, investigations, strict=True):
        url = investigation.get_absolute_url() if investigation.pk in visible else ""
        if isinstance(item, Investigation):
            rows.append(
                RecordRow(investigation.reference, url, "", item.get_state_display(), None, None, item.next_review_due)
            )
        else:
            rows.append(
                RecordRow(
                    investigation.reference,
                    url,
                    item.get_outcome_display(),
                    item.get_state_display(),
                    item.proposed_at,
                    item.signed_off_at,
                    item.effective_at,
                )
            )
    return rows
