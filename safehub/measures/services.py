"""Writes of the measures layer: the measures table rebuilt from the definitions, and the
partnership's commitments recorded and evaluated against it.

`refresh_measures` computes every measure's numerator and denominator by month, council
and agency with one grouped query per measure and agency, outside any transaction, then
swaps the window's rows in one short transaction: readers see the old figures or the new,
never a mix. The nightly job (`run_nightly`) refreshes, then evaluates every commitment and
raises to the partnership's business managers each commitment not met for two whole months
running.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from safehub.audit.services import record
from safehub.core.references import save_with_next_reference
from safehub.hub.measures import Period
from safehub.measures import definitions
from safehub.measures.definitions import Measure
from safehub.measures.models import (
    Commitment,
    CommitmentEscalation,
    CommitmentStatus,
    CommitmentTarget,
    EvidencePack,
    MeasureValue,
    NightlyRun,
    PackState,
    TargetMonth,
)
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, User
from safehub.partnership.roles import Role
from safehub.timescales.calendar import LONDON, add_months

# The dashboard shows up to three years; the table keeps that and the month under way.
WINDOW_MONTHS = 36
NIGHTLY_HOUR = 2
NOT_MET_MONTHS_TO_RAISE = 2
# How far ahead a commitment may start.
MONTHS_AHEAD = 24


class CommitmentError(ValueError):
    """A commitment that cannot be recorded as given; the message says what to change, and
    `field` which part of the form it is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def window(today: datetime.date, months: int = WINDOW_MONTHS) -> Period:
    last = today.replace(day=1)
    return Period(add_months(last, 1 - months), last)


def in_period(measure: Measure, period: Period) -> Q:
    if measure.by_date:
        return Q(**{f"{measure.month_field}__gte": period.first, f"{measure.month_field}__lt": period.end.date()})
    return Q(**{f"{measure.month_field}__gte": period.start, f"{measure.month_field}__lt": period.end})


def _month(measure: Measure) -> TruncMonth:
    if measure.by_date:
        return TruncMonth(measure.month_field, output_field=DateField())
    return TruncMonth(measure.month_field, tzinfo=LONDON, output_field=DateField())


def _as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.astimezone(LONDON).date()
    return value.replace(day=1)


def compute(measure: Measure, period: Period) -> list[tuple[datetime.date, int | None, str, int, int]]:
    """(month, council id, agency, numerator, denominator) for every month, council and agency with records."""
    rows = []
    council = F(measure.council_field) if measure.council_field else None
    for agency in measure.agency_values:
        records = measure.population().filter(in_period(measure, period))
        if measure.scope is not None:
            records = records.filter(measure.scope(agency))
        grouped = (
            records.annotate(month_of=_month(measure), **({"council_of": council} if council is not None else {}))
            .values("month_of", *(["council_of"] if council is not None else []))
            .annotate(denominator_count=Count("pk"), numerator_count=Count("pk", filter=measure.counted(agency)))
            .order_by()
        )
        for row in grouped:
            rows.append(
                (
                    _as_month(row["month_of"]),
                    row.get("council_of"),
                    agency,
                    row["numerator_count"],
                    row["denominator_count"],
                )
            )
    return rows


def refresh_measures(*, today: datetime.date | None = None, keys: Iterable[str] | None = None) -> int:
    """Rebuild the measures table's rows for the window (three years to this month); returns the rows written."""
    today = today or timezone.localdate()
    period = window(today)
    chosen = [definitions.BY_KEY[key] for key in keys] if keys is not None else list(definitions.MEASURES)
    now = timezone.now()
    computed = {measure.key: compute(measure, period) for measure in chosen}
    values = [
        MeasureValue(
            measure=key,
            month=month,
            local_authority_id=council,
            agency=agency,
            numerator=numerator,
            denominator=denominator,
            computed_at=now,
        )
        for key, rows in computed.items()
        for month, council, agency, numerator, denominator in rows
    ]
    with transaction.atomic():
        MeasureValue.objects.filter(measure__in=list(computed)).delete()
        MeasureValue.objects.bulk_create(values, batch_size=1000)
    return len(values)


def last_refreshed() -> datetime.datetime | None:
    latest = MeasureValue.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return latest


# Commitments ------------------------------------------------------------------------------


def _check_target(measure_key: str, agency: str, target_percent: int) -> None:
    measure = definitions.measure(measure_key)
    if measure is None:
        raise CommitmentError("Choose a measure from the list.", "target_1")
    if agency not in measure.agency_values:
        raise CommitmentError(
            f"“{measure.title}” is not measured for that agency: choose one it is measured for.", "target_1"
        )
    if not 0 < target_percent <= 100:
        raise CommitmentError("Enter the target as a whole percentage from 1 to 100.", "percent_1")


def record_commitment(
    *,
    by: User,
    wording: str,
    made_by: Organisation,
    made_on: datetime.date,
    made_where: str,
    applies_from: datetime.date,
    review_on: datetime.date,
    targets: list[tuple[str, str, int]],
    local_authority: Organisation | None = None,
) -> Commitment:
    """Record a commitment with its targets: (measure key, agency, target percentage) each."""
    wording, made_where = wording.strip(), made_where.strip()
    if len(wording) < 10:
        raise CommitmentError("Enter the commitment as it was made, in at least a sentence.", "wording")
    if not made_where:
        raise CommitmentError(
            "Enter where the commitment was made, for example “Board minutes, 12 May 2026”.", "made_where"
        )
    if not targets:
        raise CommitmentError(
            "Add at least one target: the measure, the agency and the share it must reach.", "target_1"
        )
    if review_on <= applies_from:
        raise CommitmentError("The review date must be after the date the commitment applies from.", "review_on")
    if local_authority is not None and local_authority.kind != "local_authority":
        raise CommitmentError("Choose a council, or leave it blank for the whole partnership.", "local_authority")
    today = timezone.localdate()
    earliest, latest = window(today).first, add_months(today.replace(day=1), MONTHS_AHEAD)
    if not earliest <= applies_from.replace(day=1) <= latest:
        raise CommitmentError(
            f"Choose a month it applies from between {earliest:%B %Y} and {latest:%B %Y}: figures are kept for "
            f"{WINDOW_MONTHS} months.",
            "applies_from",
        )
    seen = set()
    for measure_key, agency, target_percent in targets:
        _check_target(measure_key, agency, target_percent)
        if local_authority is not None and definitions.BY_KEY[measure_key].council_field is None:
            raise CommitmentError(
                f"“{definitions.BY_KEY[measure_key].title}” is kept for the force, not by council: leave the "
                "council blank for a commitment about it.",
                "local_authority",
            )
        if (measure_key, agency) in seen:
            raise CommitmentError("Each measure and agency can have only one target in a commitment.", "target_2")
        seen.add((measure_key, agency))
    with transaction.atomic():
        commitment = Commitment(
            wording=wording,
            made_by=made_by,
            made_on=made_on,
            made_where=made_where,
            applies_from=applies_from.replace(day=1),
            review_on=review_on,
            local_authority=local_authority,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        save_with_next_reference(commitment, prefix="COM-", what="a commitment")
        CommitmentTarget.objects.bulk_create(
            CommitmentTarget(commitment=commitment, measure=measure_key, agency=agency, target_percent=target_percent)
            for measure_key, agency, target_percent in targets
        )
        record(
            action="commitment.recorded",
            actor=by,
            purpose="partnership commitments",
            detail={"commitment": commitment.reference, "targets": len(targets)},
        )
    return commitment


def _month_values(
    target: CommitmentTarget, commitment: Commitment, period: Period
) -> dict[datetime.date, tuple[int, int]]:
    rows = MeasureValue.objects.filter(
        measure=target.measure, agency=target.agency, month__gte=period.first, month__lte=period.last
    )
    if commitment.local_authority_id is not None:
        rows = rows.filter(local_authority_id=commitment.local_authority_id)
    totals: dict[datetime.date, tuple[int, int]] = {}
    for month, numerator, denominator in rows.values_list("month", "numerator", "denominator"):
        counted, all_ = totals.get(month, (0, 0))
        totals[month] = (counted + numerator, all_ + denominator)
    return totals


def met(numerator: int, denominator: int, target_percent: int) -> bool | None:
    if denominator == 0:
        return None
    return numerator * 100 >= target_percent * denominator


def evaluate_commitment(commitment: Commitment, *, today: datetime.date) -> Commitment:
    """Evaluate every whole month from the commitment's start to last month; set its status
    from the last whole month (every target met, or not), and raise it if two months running
    were not met."""
    last_whole = add_months(today.replace(day=1), -1)
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        status = CommitmentStatus.NOT_YET_DUE
        month_met: dict[datetime.date, bool] = {}
        if commitment.applies_from <= last_whole:
            # Months older than the measures table's window keep the result they were given.
            period = Period(max(commitment.applies_from, window(today).first), last_whole)
            for target in commitment.targets.all():
                values = _month_values(target, commitment, period)
                TargetMonth.objects.filter(target=target, month__gte=period.first).delete()
                rows = []
                for month in period.months:
                    numerator, denominator = values.get(month, (0, 0))
                    result = met(numerator, denominator, target.target_percent)
                    rows.append(
                        TargetMonth(
                            target=target, month=month, numerator=numerator, denominator=denominator, met=result
                        )
                    )
                    if result is not None:
                        month_met[month] = month_met.get(month, True) and result
                TargetMonth.objects.bulk_create(rows)
            latest = month_met.get(last_whole)
            status = (
                CommitmentStatus.NO_DATA
                if latest is None
                else CommitmentStatus.MET
                if latest
                else CommitmentStatus.NOT_MET
            )
            previous = month_met.get(add_months(last_whole, -1))
            if latest is False and previous is False:
                _raise(commitment, last_whole)

        commitment.status = status
        commitment.evaluated_at = timezone.now()
        commitment.evaluated_month = last_whole
        commitment.save(update_fields=["status", "evaluated_at", "evaluated_month"])
    return commitment


@dataclass(frozen=True)
class Change:
    """An interrupted time series estimate: the step in the monthly share when the commitment
    began, allowing for the trend before it, with its 95% interval."""

    step: float
    low: float
    high: float
    months_before: int
    months_after: int

    @property
    def clear(self) -> bool:
        """The interval leaves out no change at all."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class BeforeAfter:
    before_first: datetime.date
    before_last: datetime.date
    before: tuple[int, int]
    after: tuple[int, int]
    change: Change | None
    reason: str = ""

    @property
    def before_share(self) -> int | None:
        return _percent(*self.before)

    @property
    def after_share(self) -> int | None:
        return _percent(*self.after)


def _percent(numerator: int, denominator: int) -> int | None:
    return round(100 * numerator / denominator) if denominator else None


MIN_MONTHS_EACH_SIDE = 3


# Student's t, two-sided 95%, by degrees of freedom (1 to 30); beyond, the normal 1.96.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(freedom: int) -> float:
    return T_975[freedom - 1] if freedom <= len(T_975) else 1.96


def interrupted_time_series(before: list[float | None], after: list[float | None]) -> Change | None:
    """Segmented regression of a monthly share: y = a + b·t + step·after + slope·(t - t0)·after,
    fitted by least squares over the months that had records (None: a month with none, which
    keeps its place in time); the step's 95% interval from its standard error and Student's t.
    None with fewer than three measured months on either side (too few to tell a step from the
    trend). Each month counts once, whatever its number of records."""
    points = [(t, y) for t, y in enumerate([*before, *after]) if y is not None]
    t0 = len(before)
    months_before = sum(1 for t, _ in points if t < t0)
    months_after = len(points) - months_before
    if months_before < MIN_MONTHS_EACH_SIDE or months_after < MIN_MONTHS_EACH_SIDE:
        return None
    t = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    after_flag = (t >= t0).astype(float)
    design = np.column_stack([np.ones_like(t), t, after_flag, (t - t0) * after_flag])
    coefficients, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    freedom = len(y) - design.shape[1]
    if rank < design.shape[1] or freedom < 1:
        return None
    residuals = y - design @ coefficients
    variance = float(residuals @ residuals) / freedom
    covariance = variance * np.linalg.inv(design.T @ design)
    error = float(np.sqrt(covariance[2, 2]))
    step = float(coefficients[2])
    margin = t_quantile(freedom) * error
    return Change(
        step=step, low=step - margin, high=step + margin, months_before=months_before, months_after=months_after
    )


def before_after(target: CommitmentTarget, commitment: Commitment, *, today: datetime.date) -> BeforeAfter | None:
    """The target's measure for the equal periods before and since the commitment applied."""
    last_whole = add_months(today.replace(day=1), -1)
    if commitment.applies_from > last_whole:
        return None
    after_period = Period(commitment.applies_from, last_whole)
    months = len(after_period.months)
    # The equal period before, within the months the measures table keeps.
    earliest = window(today).first
    before_period = Period(
        max(add_months(commitment.applies_from, -months), earliest), add_months(commitment.applies_from, -1)
    )
    values = _month_values(target, commitment, Period(before_period.first, after_period.last))

    def total(period: Period) -> tuple[int, int]:
        pairs = [values.get(month, (0, 0)) for month in period.months]
        return sum(n for n, _ in pairs), sum(d for _, d in pairs)

    def shares(period: Period) -> list[float | None]:
        return [100 * n / d if d else None for n, d in (values.get(m, (0, 0)) for m in period.months)]

    change = interrupted_time_series(shares(before_period), shares(after_period))
    return BeforeAfter(
        before_first=before_period.first,
        before_last=before_period.last,
        before=total(before_period),
        after=total(after_period),
        change=change,
        reason=""
        if change
        else f"At least {MIN_MONTHS_EACH_SIDE} months with records are needed on each side to estimate the change.",
    )


def business_managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.PARTNERSHIP_MANAGER).order_by("pk").distinct()
    )


def _raise(commitment: Commitment, month: datetime.date) -> None:
    """Raise once for a run of months not met: a run already raised last month is not raised again."""
    if CommitmentEscalation.objects.filter(commitment=commitment, month=add_months(month, -1)).exists():
        CommitmentEscalation.objects.get_or_create(
            commitment=commitment, month=month, defaults={"raised_at": timezone.now()}
        )
        return
    try:
        with transaction.atomic():
            CommitmentEscalation.objects.create(commitment=commitment, month=month, raised_at=timezone.now())
    except IntegrityError:
        return  # raised already for this run of months
    link = reverse("measures:commitment", args=[commitment.pk])
    for manager in business_managers():
        notify(
            key=f"commitment.not_met:{commitment.pk}:{month:%Y-%m}:{manager.pk}",
            recipient=manager,
            kind="measures.commitment_not_met",
            reference=commitment.reference,
            link=link,
        )
    record(
        action="commitment.raised",
        actor=None,
        purpose="partnership commitments",
        detail={"commitment": commitment.reference, "month": f"{month:%Y-%m}"},
    )


def evaluate_commitments(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    count = 0
    for commitment in Commitment.objects.order_by("pk"):
        evaluate_commitment(commitment, today=today)
        count += 1
    return count


def run_nightly(*, now: datetime.datetime | None = None) -> bool:
    """The nightly job, asked by the worker every hour: after 02:00 (London), once a day."""
    now = now or timezone.now()
    day = now.astimezone(LONDON)
    if day.hour < NIGHTLY_HOUR or NightlyRun.objects.filter(day=day.date()).exists():
        return False
    refresh_measures(today=day.date())
    evaluate_commitments(today=day.date())
    NightlyRun.objects.get_or_create(day=day.date(), defaults={"finished_at": timezone.now()})
    return True


# Evidence packs ---------------------------------------------------------------------------


def request_evidence_pack(*, by: User, period: Period, council: Organisation | None = None) -> EvidencePack:
    """Ask the worker for a pack; it is made once the request commits. Someone whose last pack is
    still being made gets that one back."""
    from django_q.tasks import async_task

    with transaction.atomic():
        waiting = EvidencePack.objects.filter(requested_by=by, state=PackState.QUEUED).first()
        if waiting is not None:
            return waiting  # one pack at a time each: a second click does not queue another
        pack = EvidencePack.objects.create(
            requested_by=by,
            requested_at=timezone.now(),
            first_month=period.first,
            last_month=period.last,
            local_authority=council,
        )
        record(
            action="measures.evidence_pack_made",
            actor=by,
            purpose="partnership performance",
            detail={"pack": pack.pk, "start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
        )
        transaction.on_commit(lambda: async_task("safehub.measures.tasks.make_evidence_pack", pack.pk))
    return pack


def make_evidence_pack(pack_id: int) -> EvidencePack | None:
    """Make a requested pack (the worker's job; running it again for a made pack changes nothing)."""
    from safehub.measures import evidence

    pack = EvidencePack.objects.select_related("local_authority").filter(pk=pack_id).first()
    if pack is None or pack.state == PackState.READY:
        return pack
    try:
        made = evidence.build(Period(pack.first_month, pack.last_month), council=pack.local_authority)
    except Exception:
        EvidencePack.objects.filter(pk=pack.pk).update(state=PackState.FAILED, finished_at=timezone.now())
        raise
    EvidencePack.objects.filter(pk=pack.pk).update(
        state=PackState.READY,
        finished_at=timezone.now(),
        pdf=made.pdf,
        archive=made.archive,
        pages=made.pages,
        stem=made.stem,
    )
    pack.refresh_from_db()
    return pack
