"""The demo partnership's dashboard and commitments: every figure in the measures table equals
the records its link lists, for every measure and agency; the dashboard, its charts and the
lists open for the business manager and the analyst (and for nobody without performance
figures); the force's commitment is not met for pre-birth conferences, with the meetings that
broke it, and met since March for strategy discussions and initial conferences; one commitment
met throughout and one not yet due."""

import datetime
import re

import pytest

from safehub.hub.measures import Period
from safehub.measures import definitions, selectors, services
from safehub.measures.models import (
    Commitment,
    CommitmentEscalation,
    CommitmentStatus,
    EvidencePack,
    MeasureValue,
    PackState,
)
from safehub.meetings.demo import police_change
from safehub.meetings.models import Agency, Meeting, MeetingKind
from safehub.notifications.models import Notification
from safehub.partnership.models import User
from tests.conftest import SignedInClient
from tests.demo.conftest import TODAY, seeded_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY):
        yield


@pytest.fixture(autouse=True)
def _today(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


def _client(username: str) -> SignedInClient:
    client = SignedInClient()
    client.force_login(User.objects.get(username=username))
    return client


def test_every_stored_figure_equals_the_records_behind_it():
    window = services.window(TODAY.date())
    checked = 0
    for measure in definitions.MEASURES:
        for agency in measure.agency_values:
            rows = MeasureValue.objects.filter(measure=measure.key, agency=agency)
            numerator = sum(rows.values_list("numerator", flat=True))
            denominator = sum(rows.values_list("denominator", flat=True))
            listed = {
                part: selectors.records_behind(measure, window, council=None, agency=agency, part=part).count()
                for part in selectors.PARTS
            }
            assert (listed["counted"], listed["all"]) == (numerator, denominator), (measure.key, agency)
            assert listed["not_counted"] == denominator - numerator, (measure.key, agency)
            checked += denominator
    assert checked > 1000, "the demo measures thousands of records"


def test_a_councils_month_on_the_page_lists_as_many_records_as_its_figure():
    client = _client("partnership.manager")
    value = (
        MeasureValue.objects.filter(measure="hub-decided-in-time", local_authority__isnull=False, denominator__gt=3)
        .select_related("local_authority")
        .first()
    )
    month = f"{value.month:%Y-%m}"
    response = client.get(
        f"/partnership/dashboard/records/hub-decided-in-time/?start={month}&end={month}"
        f"&la={value.local_authority.la_code}&for={value.agency}&part=not_counted"
    )
    assert response.status_code == 200
    count = int(re.search(r'id="count">(\d+) record', response.content.decode()).group(1))
    assert count == value.denominator - value.numerator


def test_the_dashboard_shows_every_process_with_definitions_targets_charts_and_tables():
    client = _client("partnership.manager")
    response = client.get("/partnership/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    for process in definitions.Process:
        assert f'id="{process}"' in html
    for measure in definitions.MEASURES:
        assert f'id="{measure.key}-headline"' in html
        assert f'id="{measure.key}-months"' in html
        assert f"/partnership/dashboard/charts/{measure.key}.svg?" in html
    assert "Counted (numerator)" in html
    assert "Out of (denominator)" in html
    assert "Left out" in html
    assert len(response.content) < 300 * 1024


def test_filters_stay_in_the_links_and_a_bad_filter_is_explained_not_a_crash():
    client = _client("partnership.analyst")
    response = client.get("/partnership/dashboard/?start=2026-03&end=2026-10&agency=police")
    html = response.content.decode()
    assert response.status_code == 200
    assert "start=2026-03&amp;end=2026-10&amp;agency=police" in html
    assert 'id="dbs-within-standard-headline"' in html
    assert 'id="encompass-acknowledged-in-time-headline"' not in html, "a schools' measure is not the police's"
    for odd in ("la=%C2%B2", "start=2019-01&end=2019-12", "la=%00"):
        response = client.get(f"/partnership/dashboard/?{odd}")
        assert response.status_code == 200, odd
        assert "There is a problem" in response.content.decode(), odd
    assert client.get("/api/v1/measures/?la=%C2%B2").status_code == 400
    assert client.get("/api/v1/measures/?from=2019-01&to=2019-12").status_code == 400
    bad = client.get("/partnership/dashboard/?la=XYZ&agency=wizards&start=2026-13")
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Choose a council from the list" in text
    assert "Choose an agency from the list" in text
    assert "year and month" in text


def test_a_chart_is_an_svg_of_counts_for_the_page_and_the_pack():
    client = _client("partnership.manager")
    response = client.get("/partnership/dashboard/charts/meetings-strategy-attendance.svg?start=2026-01&end=2026-10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert "Agencies at strategy discussions" in svg
    assert "Target 95%" in svg
    assert "<script" not in svg
    assert client.get("/partnership/dashboard/charts/no-such.svg").status_code == 404


def test_only_people_who_see_performance_open_the_dashboard_and_dbs_lists_stay_with_the_unit():
    assert _client("social.worker").get("/partnership/dashboard/").status_code == 403
    analyst = _client("partnership.analyst")
    assert analyst.get("/partnership/dashboard/records/dbs-within-standard/").status_code == 404
    listed = analyst.get("/partnership/dashboard/records/meetings-strategy-attendance/?for=police&part=all")
    assert listed.status_code == 200
    # The analyst opens no record: references only, no links to meetings.
    assert "/meetings/" not in listed.content.decode().split('id="records"')[1]


def test_the_forces_commitment_is_not_met_for_pre_birth_conferences_and_met_since_march_for_the_rest():
    commitment = Commitment.objects.get(made_by__kind="police_force")
    assert commitment.status == CommitmentStatus.NOT_MET
    assert commitment.applies_from == police_change(TODAY.date())
    targets = {target.measure: target for target in commitment.targets.all()}
    strategy = targets["meetings-strategy-attendance"].months.exclude(met=None)
    assert strategy.exists()
    assert all(row.met for row in strategy)
    pre_birth = targets["meetings-prebirth-attendance"].months.filter(met=False)
    assert pre_birth.count() >= 2
    # The meetings that broke it: held pre-birth conferences that month without the police.
    row = pre_birth.first()
    period = Period(row.month, row.month)
    measure = definitions.BY_KEY["meetings-prebirth-attendance"]
    broke = selectors.records_behind(measure, period, council=None, agency=Agency.POLICE, part="not_counted")
    assert broke.count() == row.broke > 0
    assert all(meeting.kind == MeetingKind.PRE_BIRTH_CONFERENCE for meeting in broke)
    assert not Meeting.objects.filter(
        pk__in=broke, invitations__agency=Agency.POLICE, invitations__attendance__status="in_person"
    ).exists()
    # Raised to the business manager, in the inbox.
    assert CommitmentEscalation.objects.filter(commitment=commitment).exists()
    assert Notification.objects.filter(
        kind="measures.commitment_not_met", recipient__username="partnership.manager"
    ).exists()


def test_the_commitment_page_shows_each_target_the_before_and_after_and_links_the_meetings_that_broke_it():
    commitment = Commitment.objects.get(made_by__kind="police_force")
    response = _client("partnership.manager").get(f"/partnership/dashboard/commitments/{commitment.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not met" in html
    assert "Estimated change" in html
    assert "part=not_counted" in html
    assert "meetings-prebirth-attendance" in html


def test_one_commitment_is_met_throughout_and_one_is_not_yet_due():
    statuses = sorted(Commitment.objects.values_list("status", flat=True))
    assert statuses == sorted([CommitmentStatus.NOT_MET, CommitmentStatus.MET, CommitmentStatus.NOT_YET_DUE])
    met = Commitment.objects.get(status=CommitmentStatus.MET)
    assert all(row.met in (True, None) for target in met.targets.all() for row in target.months.all())


def test_the_api_gives_each_measure_with_its_definition_and_the_same_figures_as_the_table():
    client = _client("partnership.analyst")
    response = client.get("/api/v1/measures/?from=2025-12&to=2026-11")
    assert response.status_code == 200
    body = response.json()
    assert [m["key"] for m in body["measures"]] == [m.key for m in definitions.MEASURES]
    strategy = next(m for m in body["measures"] if m["key"] == "meetings-strategy-attendance")
    assert strategy["numerator_definition"]
    police = next(line for line in strategy["agencies"] if line["agency"] == Agency.POLICE)
    rows = MeasureValue.objects.filter(measure="meetings-strategy-attendance", agency=Agency.POLICE)
    assert police["total"]["numerator"] == sum(rows.values_list("numerator", flat=True))
    assert police["total"]["denominator"] == sum(rows.values_list("denominator", flat=True))
    assert len(police["months"]) == 12
    assert {c["la_code"] for c in police["councils"]}

    one = client.get("/api/v1/measures/dbs-within-standard/?agency=police").json()
    assert one["by_council"] is False
    assert one["agencies"][0]["councils"] == []
    assert client.get("/api/v1/measures/?from=2026-13").status_code == 400
    assert client.get("/api/v1/measures/?la=nowhere").status_code == 400
    assert client.get("/api/v1/measures/no-such/").status_code == 404
    assert _client("social.worker").get("/api/v1/measures/").status_code == 403


def test_the_api_lists_the_commitments_with_their_monthly_evaluations():
    client = _client("partnership.manager")
    body = client.get("/api/v1/commitments/").json()
    assert body["count"] == 3
    force = next(c for c in body["results"] if c["status"] == CommitmentStatus.NOT_MET)
    pre_birth = next(t for t in force["targets"] if t["measure"] == "meetings-prebirth-attendance")
    assert any(month["met"] is False for month in pre_birth["months"])
    detail = client.get(f"/api/v1/commitments/{force['id']}/")
    assert detail.json()["reference"] == force["reference"]
    assert client.get("/api/v1/commitments/999999/").status_code == 404


def test_the_six_months_evidence_pack_is_made_with_its_contents_figures_and_csvs():
    import io
    import zipfile

    import pypdf

    pack = EvidencePack.objects.get()
    assert pack.requested_by.username == "partnership.manager"
    assert (pack.first_month, pack.last_month) == (datetime.date(2026, 5, 1), datetime.date(2026, 10, 1))
    made = services.make_evidence_pack(pack.pk)
    assert made.state == PackState.READY
    reader = pypdf.PdfReader(io.BytesIO(bytes(made.pdf)))
    assert len(reader.pages) == made.pages >= 10
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Inspection evidence pack" in reader.pages[0].extract_text()
    assert "Contents" in reader.pages[1].extract_text()
    for measure in definitions.MEASURES:
        assert measure.title in text
    for commitment in Commitment.objects.all():
        assert commitment.reference in text
    police = selectors.figures_for(
        definitions.BY_KEY["meetings-prebirth-attendance"],
        selectors.Filters(period=Period(made.first_month, made.last_month)),
    ).lines[1]
    assert police.agency == Agency.POLICE
    assert f"{police.total.share}%" in text
    with zipfile.ZipFile(io.BytesIO(bytes(made.archive))) as archive:
        assert set(archive.namelist()) == {
            "definitions.csv",
            "figures.csv",
            "commitments.csv",
            "commitment_months.csv",
            "case_sample.csv",
        }
        sample = archive.read("case_sample.csv").decode("utf-8-sig")
    assert "DBS-" not in sample, "DBS checks stay with the disclosure unit"
    client = _client("partnership.analyst")
    listed = client.get("/partnership/dashboard/evidence-packs/")
    assert f"/partnership/dashboard/evidence-packs/{pack.pk}/pack.pdf" in listed.content.decode()
    download = client.get(f"/partnership/dashboard/evidence-packs/{pack.pk}/pack.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="evidence-pack-2026-05-to-2026-10')
    assert _client("social.worker").get(f"/partnership/dashboard/evidence-packs/{pack.pk}/pack.zip").status_code == 403


def test_the_dashboard_button_asks_the_worker_for_a_pack_one_at_a_time(django_capture_on_commit_callbacks):
    client = _client("partnership.manager")
    waiting = EvidencePack.objects.get()
    # The demo's own pack is still being made: a second ask does not queue another.
    response = client.post("/partnership/dashboard/evidence-packs/", {"start": "2026-09", "end": "2026-10", "la": ""})
    assert response.status_code == 302
    assert EvidencePack.objects.count() == 1
    services.make_evidence_pack(waiting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/partnership/dashboard/evidence-packs/", {"start": "2026-09", "end": "2026-10", "la": ""})
    newest = EvidencePack.objects.order_by("-pk").first()
    assert (newest.first_month, newest.state) == (datetime.date(2026, 9, 1), PackState.READY)
    bad = client.post("/partnership/dashboard/evidence-packs/", {"start": "2026-13", "end": "2026-10"})
    assert bad.status_code == 302
    assert EvidencePack.objects.count() == 2
