"""The Children's Hub front door in the browser: a police referral arrives in a bulk import, the
hub screens it amber, three agencies answer their checks (one decides not to share, with its
reason), a team manager decides, the referrer is told, and the manager sees it on the hub's
performance figures. Every page is checked with axe."""

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehub.hub.models import Contact, ContactState, Decision, ResearchAnswer
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import IdentifierScheme
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations
from tests.factories import (
    EnrolmentFactory,
    IdentifierFactory,
    LocalAuthorityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

REFERRALS = Path(__file__).parent / "fixtures" / "police-referrals.csv"
SHARED = "Two domestic incidents at the address this year, both graded medium risk."
NOT_SHARED = "The information relates to a live criminal investigation; sharing it now could prejudice it."
NARRATIVE = "Officers attended a domestic incident at the home. Ruby was present and upset."


def member(team, role, **extra):
    user = UserFactory(organisation=team.organisation, roles=[role], **extra)
    user.teams.add(team)
    return user


@pytest.fixture
def hub_world(transactional_db):
    council = LocalAuthorityFactory(name="Riverside Council", la_code="991")
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    trust = OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Riverside NHS Trust")
    school = SchoolFactory(local_authority=council, name="Millbrook Primary School")
    hub = TeamFactory(organisation=council, name="Children's Hub")
    TeamFactory(organisation=council, name="Children's Social Care duty team", is_duty_team=True)
    cait = TeamFactory(organisation=force, name="Child Abuse Investigation Team")
    trust_team = TeamFactory(organisation=trust, name="Safeguarding Children Team", is_duty_team=True)
    school_team = TeamFactory(organisation=school, name="Safeguarding", is_duty_team=True)
    child = PersonFactory(given_names="Ruby", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))
    nhs = IdentifierFactory(person=child, scheme=IdentifierScheme.NHS_NUMBER)
    EnrolmentFactory(person=child, organisation=school, start_date=datetime.date(2020, 9, 2))
    return SimpleNamespace(
        child=child,
        nhs_number=nhs.value,
        practitioner=member(hub, Role.HUB_PRACTITIONER, first_name="Priya"),
        manager=member(hub, Role.TEAM_MANAGER, first_name="Tom"),
        officer=member(cait, Role.POLICE_OFFICER),
        nurse=member(trust_team, Role.HEALTH_PRACTITIONER),
        dsl=member(school_team, Role.DESIGNATED_SAFEGUARDING_LEAD),
    )


def _referrals_file(tmp_path: Path, nhs_number: str) -> Path:
    """The fixture CSV, received an hour ago so the decision is in time."""
    received = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    text = REFERRALS.read_text().replace("{received_at}", received).replace("{nhs_number}", nhs_number)
    path = tmp_path / "police-referrals.csv"
    path.write_text(text)
    return path


def _answer_check(page: Page, sign_in_as, user, reference: str, answer: str, *, text: str = "") -> None:
    page.context.clear_cookies()
    sign_in_as(user)
    page.get_by_role("link", name="Checks", exact=True).click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=f"Answer the check for {reference}").click()
    expect(page.locator("main")).to_contain_text(NARRATIVE)
    assert_no_axe_violations(page)
    page.get_by_label(answer, exact=True).check()
    if answer == "Information shared":
        page.get_by_label("Information your agency is sharing").fill(text)
    elif answer == "Decision not to share":
        page.get_by_label("Why your agency decided not to share").fill(text)
    page.get_by_label("Public task: statutory duty to safeguard (UK GDPR Art 6(1)(e))").check()
    page.get_by_role("button", name="Send the answer to the hub").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)


def test_a_police_referral_goes_from_bulk_import_to_a_decision_in_time_and_onto_the_figures(
    page: Page, hub_world, sign_in_as, tmp_path
):
    call_command("import", "police-referrals", str(_referrals_file(tmp_path, hub_world.nhs_number)))
    contact = Contact.objects.get()
    reference = contact.reference
    assert contact.subjects.filter(person=hub_world.child).exists()

    # The hub practitioner finds it in the queue and screens it amber, asking three agencies.
    sign_in_as(hub_world.practitioner)
    page.get_by_role("link", name="Hub", exact=True).click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=reference).click()
    expect(page.locator("main")).to_contain_text(NARRATIVE)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Screen this contact").click()
    assert_no_axe_violations(page)
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Screening notes").fill("Domestic abuse with a child present; checks with three agencies.")
    agencies = page.get_by_role("group", name="Ask these agencies to check their records")
    for agency in ("Police", "Health", "Education"):
        agencies.get_by_role("checkbox", name=agency, exact=True).check()
    agencies.get_by_role("checkbox", name="Children's social care", exact=True).uncheck()
    expect(agencies.get_by_role("checkbox", name="Police", exact=True)).to_be_checked()
    page.get_by_role("button", name="Screen and ask the agencies").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    contact.refresh_from_db()
    assert contact.state == ContactState.RESEARCH
    assert contact.research_requests.count() == 3

    # Three agencies answer: police share, health decides not to share (with why), the school knows nothing.
    _answer_check(page, sign_in_as, hub_world.officer, reference, "Information shared", text=SHARED)
    _answer_check(page, sign_in_as, hub_world.nurse, reference, "Decision not to share", text=NOT_SHARED)
    _answer_check(page, sign_in_as, hub_world.dsl, reference, "Nothing known")
    answers = dict(contact.research_requests.values_list("agency", "answer"))
    assert answers == {
        "police": ResearchAnswer.SHARED,
        "health": ResearchAnswer.NOT_SHARED,
        "education": ResearchAnswer.NOTHING_KNOWN,
    }

    # The team manager reads the answers, including the reason not to share, and decides in time.
    page.context.clear_cookies()
    sign_in_as(hub_world.manager)
    page.goto(contact.get_absolute_url())
    expect(page.locator("main")).to_contain_text(SHARED)
    expect(page.locator("main")).to_contain_text(NOT_SHARED)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Record the decision").click()
    assert_no_axe_violations(page)
    page.get_by_label("Assessment (section 17, child in need)").check()
    page.get_by_label("Why this decision").fill("Repeated domestic abuse with the child present: assess needs.")
    page.get_by_role("button", name="Record the decision and tell the referrer").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    contact.refresh_from_db()
    assert contact.decision == Decision.ASSESSMENT
    assert contact.decided_at <= contact.decision_due_at
    assert contact.assessments.count() == 1

    # The referrer is a police officer outside SafeHub: the hub tells them and records it.
    expect(page.locator("main")).to_contain_text("Tell the referrer the outcome")
    page.get_by_role("button", name="I have told the referrer").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    contact.refresh_from_db()
    assert contact.referrer_told_at is not None

    # The decision shows on the hub's performance figures, with the record behind it.
    page.get_by_role("link", name="Hub performance").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hub performance")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="1 records: Police").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(NARRATIVE)
    assert_no_axe_violations(page)
