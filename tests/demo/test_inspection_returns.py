"""The inspection returns on the demo council: Ofsted's Annex A lists (their columns, the rows
and dates they should hold, formula-like text neutralised), the children-in-need census XML
(valid against the schema, with the DfE's field names and the dates the meetings hold), and
the three commands that write them and the evidence pack."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from safehub.hub.measures import Period
from safehub.hub.models import REFERRAL_DECISIONS, ContactSubject, SubjectRole
from safehub.measures import annex_a, census
from safehub.meetings import due_dates
from safehub.meetings.models import SECTION_47_OUTCOMES, Meeting, MeetingKind, MeetingState
from safehub.partnership.models import Organisation
from tests.demo.conftest import TODAY, seeded_once

pytestmark = pytest.mark.django_db
YEAR = Period(datetime.date(2025, 12, 1), datetime.date(2026, 11, 1))


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY):
        yield


@pytest.fixture(autouse=True)
def _today(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


def _council() -> Organisation:
    """The council whose staff are the demo users: the one with the year of meetings."""
    return Meeting.objects.order_by("pk").first().local_authority


def _rows(lists: annex_a.AnnexA, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(lists.files[f"{name}.csv"])))


def test_annex_a_has_ofsteds_columns_and_a_row_per_child_of_each_record():
    council = _council()
    lists = annex_a.build(council, YEAR)
    for name, columns in annex_a.LISTS.items():
        header = next(csv.reader(io.StringIO(lists.files[f"{name}.csv"])))
        assert header == columns
    contacts = ContactSubject.objects.filter(
        contact__hub_team__organisation=council,
        contact__received_at__gte=YEAR.start,
        contact__received_at__lt=YEAR.end,
        role__in=[SubjectRole.CHILD, SubjectRole.UNBORN],
    )
    assert len(_rows(lists, "List 1 Contacts")) == contacts.count() > 0
    referrals = contacts.filter(contact__decision__in=list(REFERRAL_DECISIONS))
    listed = _rows(lists, "List 3 Referrals")
    assert len(listed) == referrals.count() > 0
    assert all(row["Referral NFA?"] == "No" for row in listed)
    for row in listed:
        assert row["Child Unique ID"].startswith(("P-", "Not yet linked"))
        assert row["Ethnicity"] == ""
    assert "not recorded in SafeHub" in lists.files["README.txt"]


def test_list_5_gives_each_section_47_childs_strategy_discussion_and_conference_dates():
    council = _council()
    rows = _rows(annex_a.build(council, YEAR), "List 5 Section 47 Enquiries and ICPCs")
    discussions = Meeting.objects.filter(
        local_authority=council,
        kind=MeetingKind.STRATEGY_DISCUSSION,
        state=MeetingState.HELD,
        outcome__in=list(SECTION_47_OUTCOMES),
        starts_at__gte=YEAR.start,
        starts_at__lt=YEAR.end,
    )
    assert rows
    started = {row["Strategy Discussion Initiating Section 47 Enquiry Start Date"] for row in rows}
    assert started == {f"{due_dates.london_day(m.starts_at):%Y-%m-%d}" for m in discussions}
    with_conference = [r for r in rows if r["Date of Initial Child Protection Conference"]]
    assert with_conference
    for row in with_conference:
        assert (
            row["Date of Initial Child Protection Conference"]
            > row["Strategy Discussion Initiating Section 47 Enquiry Start Date"]
        )


def test_the_census_extract_is_valid_and_holds_the_meetings_dates():
    council = _council()
    xml = census.build(council, 2026)
    assert census.validate(xml) == []
    document = etree.fromstring(xml)
    assert document.findtext("Header/Source/LEA") == council.la_code
    enquiries = document.findall(".//Section47")
    assert enquiries
    for enquiry in enquiries:
        start = datetime.date.fromisoformat(enquiry.findtext("S47ActualStartDate"))
        target = datetime.date.fromisoformat(enquiry.findtext("InitialCPCtarget"))
        assert target > start
        held = enquiry.findtext("DateOfInitialCPC")
        if held:
            assert enquiry.findtext("ICPCnotRequired") == "false"
    assert document.findall(".//ChildProtectionPlans/CPPstartDate")


def test_a_message_against_the_schema_is_refused_with_the_line():
    council = _council()
    broken = census.build(council, 2026).replace(b"<GenderCurrent>", b"<GenderCurrent>X", 1)
    problems = census.validate(broken)
    assert problems
    assert problems[0].startswith("line ")


def test_the_commands_write_the_returns_and_refuse_bad_input(tmp_path):
    council = _council()
    call_command("annex-a", "--from", "2025-12", "--to", "2026-11", "--la", council.la_code, "--out", str(tmp_path))
    archive = next(tmp_path.glob("annex-a-*.zip"))
    with zipfile.ZipFile(archive) as opened:
        assert "List 1 Contacts.csv" in opened.namelist()
    call_command("census", "--year", "2026", "--la", council.la_code, "--out", str(tmp_path))
    assert census.validate(next(tmp_path.glob("cin-census-*.xml")).read_bytes()) == []
    call_command("evidence-pack", "--from", "2026-09", "--to", "2026-10", "--out", str(tmp_path), verbosity=0)
    assert next(tmp_path.glob("evidence-pack-2026-09-to-2026-10.pdf")).read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="Choose a council"):
        call_command("annex-a", "--from", "2025-12", "--to", "2026-11", "--la", "999", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="year and month"):
        call_command("evidence-pack", "--from", "Dec", "--to", "2026-11", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="collection year"):
        call_command("census", "--year", "3000", "--la", council.la_code, "--out", str(tmp_path))
    with pytest.raises(CommandError, match="no folder"):
        call_command("census", "--la", council.la_code, "--out", str(tmp_path / "missing"))


def test_the_yearly_report_draft_has_the_statutory_sections_the_figures_and_the_commitments():
    from safehub.measures import yearly_report
    from safehub.measures.models import Commitment

    text = yearly_report.draft(YEAR)
    for heading in (
        "## 2. How well the arrangements are working",
        "## 3. Commitments and priorities",
        "## 4. Where there has been little or no progress",
        "## 6. Learning from reviews",
        "## 7. What children and families told the partners",
    ):
        assert heading in text
    for commitment in Commitment.objects.all():
        assert commitment.reference in text
    assert "| Agencies at pre-birth conferences | Police |" in text
    assert "Agencies at pre-birth conferences (Police)" in text.split("## 4.")[1]


def test_the_dashboard_downloads_the_yearly_report_draft():
    from safehub.partnership.models import User
    from tests.conftest import SignedInClient

    client = SignedInClient()
    client.force_login(User.objects.get(username="partnership.analyst"))
    response = client.get("/partnership/dashboard/yearly-report.md?start=2025-12&end=2026-11")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="yearly-report-2025-12-to-2026-11.md"'
    assert response.content.decode().startswith("# ")
