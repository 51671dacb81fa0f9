"""How fast the Meeting attendance page's figures are with a busy partnership's year of meetings.

    uv run python benchmarks/meeting_measures.py --meetings 5000

Seeds a partnership with that many held strategy discussions and conferences over the last
twelve months (each with invitations to the agencies and the chair's attendance record, with
the gaps real partnerships have), into a throw-away SQLite file (or DATABASE_URL, which must
name an empty database). Then times the page's figures (`safehub.meetings.measures
.meeting_figures`) and one records list over many repetitions, and prints the median and 95th
percentile in milliseconds with query counts. It prints; it asserts nothing about time.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _time(label: str, work: Callable[[], object], repeat: int) -> None:
    from django.db import connection, reset_queries

    samples = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    samples.sort()
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
    print(f"  {label:44} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   {queries} queries")


def _seed(count: int, rng: random.Random) -> None:
    """`count` held meetings over the last twelve months, with invitations and attendance."""
    from django.utils import timezone

    from safehub.meetings.models import (
        Agency,
        Attendance,
        AttendanceStatus,
        Invitation,
        Meeting,
        MeetingFormat,
        MeetingKind,
        MeetingState,
    )
    from safehub.partnership.models import Organisation, OrganisationKind, Partnership, Team, User

    partnership = Partnership.objects.create(name="Benchmark Safeguarding Children Partnership")
    council = Organisation.objects.create(
        partnership=partnership, kind=OrganisationKind.LOCAL_AUTHORITY, name="Benchmark Council", la_code="995"
    )
    team = Team.objects.create(organisation=council, name="Children's Hub")
    chair = User.objects.create(username="bench.chair", organisation=council)
    now = timezone.now()
    kinds = [
        (MeetingKind.STRATEGY_DISCUSSION, "SD", 0.6),
        (MeetingKind.INITIAL_CONFERENCE, "CP", 0.15),
        (MeetingKind.PRE_BIRTH_CONFERENCE, "CP", 0.05),
        (MeetingKind.REVIEW_CONFERENCE, "CP", 0.2),
    ]
    # How often each agency is there, and how often by video or phone when it is.
    presence = {
        Agency.SOCIAL_CARE: (0.99, 0.3),
        Agency.POLICE: (0.75, 0.6),
        Agency.HEALTH: (0.85, 0.5),
        Agency.EDUCATION: (0.7, 0.4),
        Agency.FAMILY: (0.6, 0.1),
    }
    meetings = []
    for number in range(count):
        kind, prefix, _ = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        starts_at = now - datetime.timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
        quorate = rng.random() < 0.8
        meetings.append(
            Meeting(
                reference=f"{prefix}-B-{number:06d}",
                kind=kind,
                local_authority=council,
                team=team,
                convened_by=chair,
                convened_at=starts_at - datetime.timedelta(days=1),
                chair=chair,
                due_at=starts_at + datetime.timedelta(hours=rng.choice([-30, 2, 4, 24])),
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=1),
                format=MeetingFormat.VIDEO,
                state=MeetingState.HELD,
                held_at=starts_at + datetime.timedelta(hours=1),
                quorate=quorate,
                quorum_override_reason="" if quorate or rng.random() < 0.5 else "The child could not wait.",
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    invitations = []
    for meeting in Meeting.objects.only("pk", "kind", "convened_at"):
        for agency in presence:
            if agency == Agency.FAMILY and meeting.kind == MeetingKind.STRATEGY_DISCUSSION:
                continue
            # Some agencies are never invited: those count as absent too.
            if agency == Agency.EDUCATION and rng.random() < 0.2:
                continue
            invitations.append(
                Invitation(
                    meeting=meeting,
                    agency=agency,
                    external_name="Someone from the agency",
                    required=True,
                    invited_at=meeting.convened_at,
                    invited_by=chair,
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    attendances = []
    for invitation in Invitation.objects.only("pk", "agency", "invited_at"):
        there, remote = presence[Agency(invitation.agency)]
        if rng.random() < there:
            status = rng.choice([AttendanceStatus.VIDEO, AttendanceStatus.PHONE]) if rng.random() < remote else None
            status = status or rng.choice([AttendanceStatus.IN_PERSON, AttendanceStatus.DEPUTY])
        else:
            status = rng.choice([AttendanceStatus.APOLOGIES, AttendanceStatus.DID_NOT_ATTEND])
        attendances.append(
            Attendance(
                invitation=invitation,
                status=status,
                attendee_name="A deputy" if status == AttendanceStatus.DEPUTY else "",
                recorded_at=invitation.invited_at,
                recorded_by=chair,
            )
        )
    Attendance.objects.bulk_create(attendances, batch_size=2000)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.paginator import Paginator
        from django.db import connection
        from django.utils import timezone

        from safehub.meetings import measures
        from safehub.meetings.models import Agency, Attendance, Invitation, MeetingKind
        from safehub.partnership.models import User

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        _seed(args.meetings, random.Random(args.seed))
        seeded = time.perf_counter() - started
        connection.force_debug_cursor = True  # count queries outside DEBUG
        print(
            f"Meeting attendance figures on {connection.vendor}: {args.meetings:,} held meetings, "
            f"{Invitation.objects.count():,} invitations, {Attendance.objects.count():,} attendances "
            f"(seeded in {seeded:.1f} s)"
        )
        period = measures.default_period(timezone.localdate())
        viewer = User.objects.get(username="bench.chair")

        _time("the page's figures (12 months)", lambda: measures.meeting_figures(period), args.repeat)

        def missed_by_police() -> object:
            meetings = measures.meetings_behind(period, "missed", MeetingKind.STRATEGY_DISCUSSION, Agency.POLICE)
            page = Paginator(meetings, 50).get_page(1)
            return measures.describe(viewer, list(page.object_list))

        _time("records: discussions without police (page 1)", missed_by_police, args.repeat)
        figures = measures.meeting_figures(period)
        police = figures.group(MeetingKind.STRATEGY_DISCUSSION).of(Agency.POLICE)
        assert police is not None
        total = police.total
        print(
            f"  police at strategy discussions: {total.attended} of {total.held} ({total.share}%),"
            f" {total.remote} remote"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
