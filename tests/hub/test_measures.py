"""Hub performance: each figure counted right, timeliness in working days, and figures narrowed
to the contacts the viewer may see."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.hub import measures
from safehub.hub.models import (
    Consent,
    Contact,
    ContactSource,
    ContactState,
    ContactSubject,
    Decision,
    FamilyAwareness,
    LawfulBasis,
    ResearchAgency,
    ResearchRequest,
    SubjectRole,
)
from safehub.hub.services.workflow import decision_due
from safehub.partnership.roles import Role
from tests.factories import LocalAuthorityFactory, OrganisationFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)
PERIOD = measures.Period(datetime.date(2025, 7, 1), datetime.date(2026, 6, 1))
serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def world():
    council = LocalAuthorityFactory(name="Riverside Council")
    other_council = LocalAuthorityFactory(name="Wolds Council")
    hub = TeamFactory(organisation=council, name="Children's Hub")
    other_hub = TeamFactory(organisation=other_council, name="Children's Hub")
    manager = UserFactory(organisation=council, roles=[Role.TEAM_MANAGER])
    manager.teams.add(hub)
    analyst = UserFactory(organisation=OrganisationFactory(name="Business Unit"), roles=[Role.PARTNERSHIP_ANALYST])
    return {"hub": hub, "other_hub": other_hub, "manager": manager, "analyst": analyst}


def contact(hub, received_at, *, source=ContactSource.POLICE, decided_at=None, decision="", child=None, **extra):
    item = Contact(
        reference=f"CT-{received_at.year}-{next(serial):05d}",
        received_at=received_at,
        source=source,
        what_happened="A secret narrative about the family.",
        family_awareness=FamilyAwareness.AWARE,
        consent=Consent.NOT_SOUGHT,
        lawful_basis=LawfulBasis.SIGNIFICANT_HARM,
        hub_team=hub,
        **extra,
    )
    item.decision_due_at = decision_due(item)
    if decided_at is not None:
        item.decided_at, item.decision, item.state = decided_at, decision or Decision.ADVICE, ContactState.DECIDED
    item.save()
    if child is not None:
        ContactSubject.objects.create(contact=item, role=SubjectRole.CHILD, person=child)
    return item


def check(item, agency, *, due_at, answered_at=None):
    return ResearchRequest.objects.create(
        contact=item,
        agency=agency,
        team=item.hub_team,
        requested_at=item.received_at,
        due_at=due_at,
        answered_at=answered_at,
    )


def test_the_default_period_is_the_last_twelve_months_by_month():
    period = measures.default_period(NOW.date())
    assert (period.first, period.last) == (datetime.date(2025, 7, 1), datetime.date(2026, 6, 1))
    assert len(period.months) == 12
    assert period.end == london(2026, 7, 1)


def test_a_period_the_wrong_way_round_says_what_to_enter():
    with pytest.raises(measures.PeriodError, match="same as or after the first month"):
        measures.period_from("2026-05", "2026-01", today=NOW.date())
    with pytest.raises(measures.PeriodError, match="for example 2026-03"):
        measures.period_from("May", "", today=NOW.date())


def test_contacts_are_counted_by_source_and_outcome(world):
    hub = world["hub"]
    contact(
        hub,
        london(2026, 3, 2, 10),
        source=ContactSource.POLICE,
        decided_at=london(2026, 3, 2, 15),
        decision=Decision.EARLY_HELP,
    )
    contact(
        hub,
        london(2026, 3, 3, 10),
        source=ContactSource.POLICE,
        decided_at=london(2026, 3, 3, 15),
        decision=Decision.ASSESSMENT,
    )
    contact(hub, london(2026, 4, 7, 10), source=ContactSource.SCHOOL)
    contact(hub, london(2025, 6, 30, 10), source=ContactSource.SCHOOL)  # before the period

    figures = measures.hub_figures(world["manager"], PERIOD, now=NOW)

    assert figures.contacts == 3
    assert {c.value: (c.count, c.share) for c in figures.by_source} == {"police": (2, 67), "school": (1, 33)}
    outcomes = {c.value: c.count for c in figures.by_decision}
    assert outcomes["early_help"] == outcomes["assessment"] == outcomes["undecided"] == 1
    assert outcomes["nfa"] == 0
    march = next(m for m in figures.by_month if m.month == datetime.date(2026, 3, 1))
    assert (march.contacts, march.decided) == (2, 2)


def test_a_decision_is_in_time_up_to_one_working_day_later_across_a_weekend_and_bank_holiday(world):
    hub = world["hub"]
    # Friday 1 May 2026, 15:00; Monday 4 May is the early May bank holiday: due Tuesday 15:00.
    friday = london(2026, 5, 1, 15)
    in_time = contact(hub, friday, decided_at=london(2026, 5, 5, 14, 59))
    late = contact(hub, friday, decided_at=london(2026, 5, 5, 15, 1), late_reason="Waiting for police checks.")
    on_the_dot = contact(hub, friday, decided_at=london(2026, 5, 5, 15, 0))
    assert in_time.decision_due_at == london(2026, 5, 5, 15)

    figures = measures.hub_figures(world["manager"], PERIOD, now=NOW)

    assert (figures.decided, figures.decided_in_time, figures.percent_in_time) == (3, 2, 67)
    in_time_refs = {r.reference for r in measures.records_behind(world["manager"], PERIOD, "decided_in_time", now=NOW)}
    assert in_time_refs == {in_time.reference, on_the_dot.reference}
    late_refs = [r.reference for r in measures.records_behind(world["manager"], PERIOD, "decided_late", now=NOW)]
    assert late_refs == [late.reference]


def test_checks_answered_in_time_are_counted_by_agency(world):
    item = contact(world["hub"], london(2026, 6, 10, 9))
    due = london(2026, 6, 11, 9)
    check(item, ResearchAgency.POLICE, due_at=due, answered_at=london(2026, 6, 10, 17))
    check(item, ResearchAgency.HEALTH, due_at=due, answered_at=london(2026, 6, 12, 10))
    check(item, ResearchAgency.EDUCATION, due_at=due)  # unanswered, overdue by now
    check(item, ResearchAgency.SOCIAL_CARE, due_at=london(2026, 6, 16, 9))  # not yet due

    agencies = {a.agency: a for a in measures.hub_figures(world["manager"], PERIOD, now=NOW).by_agency}

    assert (agencies["police"].in_time, agencies["police"].percent_in_time) == (1, 100)
    assert (agencies["health"].late, agencies["health"].percent_in_time) == (1, 0)
    assert (agencies["education"].overdue, agencies["education"].percent_in_time) == (1, 0)
    assert (agencies["social_care"].waiting, agencies["social_care"].percent_in_time) == (1, None)
    overdue = measures.records_behind(world["manager"], PERIOD, "checks_overdue", "education", now=NOW)
    assert [r.reference for r in overdue] == [item.reference]


def test_a_repeat_contact_is_one_about_a_child_with_another_contact_in_the_twelve_months_before(world):
    hub = world["hub"]
    repeated, not_repeated = PersonFactory(), PersonFactory()
    contact(hub, london(2025, 5, 20, 10), child=repeated)  # before the period, within 12 months
    repeat = contact(hub, london(2026, 2, 2, 10), child=repeated)
    contact(hub, london(2025, 1, 5, 10), child=not_repeated)  # more than 12 months before
    first_time = contact(hub, london(2026, 2, 3, 10), child=not_repeated)

    figures = measures.hub_figures(world["manager"], PERIOD, now=NOW)

    assert figures.repeats == 1
    records = measures.records_behind(world["manager"], PERIOD, "repeat", now=NOW)
    assert [r.reference for r in records] == [repeat.reference]
    assert first_time.reference not in {r.reference for r in records}


def test_a_team_manager_counts_only_their_own_hubs_contacts(world):
    contact(world["hub"], london(2026, 3, 2, 10))
    contact(world["other_hub"], london(2026, 3, 2, 11))
    contact(world["other_hub"], london(2026, 3, 2, 12))

    assert measures.hub_figures(world["manager"], PERIOD, now=NOW).contacts == 1
    assert measures.hub_figures(world["analyst"], PERIOD, now=NOW).contacts == 3


def test_someone_without_performance_access_gets_no_figures_and_no_page(client, world):
    officer = UserFactory(roles=[Role.POLICE_OFFICER])
    assert measures.hub_figures(officer, PERIOD, now=NOW) is None
    client.force_login(officer)
    assert client.get(reverse("hub:performance")).status_code == 403
    assert client.get(reverse("hub:performance-records"), {"figure": "contacts"}).status_code == 403


def test_the_page_shows_the_figures_with_captions_and_links_to_their_records(client, world):
    contact(world["hub"], london(2026, 3, 2, 10), decided_at=london(2026, 3, 2, 12))
    client.force_login(world["manager"])

    page = client.get(reverse("hub:performance")).content.decode()

    assert "Contacts by source" in page
    assert "Contacts by outcome" in page
    assert "Multi-agency checks answered in time, by agency" in page
    assert "figure=source&amp;value=police" in page
    assert "100%" in page


def test_the_records_behind_a_figure_show_references_not_narratives_and_link_only_what_may_be_opened(client, world):
    own = contact(world["hub"], london(2026, 3, 2, 10))
    other = contact(world["other_hub"], london(2026, 3, 2, 11))
    url = reverse("hub:performance-records")

    client.force_login(world["manager"])
    page = client.get(url, {"figure": "source", "value": "police"}).content.decode()
    assert own.reference in page
    assert other.reference not in page
    assert f'href="{own.get_absolute_url()}"' in page
    assert "secret narrative" not in page

    client.force_login(world["analyst"])
    page = client.get(url, {"figure": "source", "value": "police", "month": "2026-03"}).content.decode()
    assert own.reference in page
    assert other.reference in page
    assert own.get_absolute_url() not in page
    assert "secret narrative" not in page
    assert AuditEvent.objects.filter(action="performance.records_listed", actor=world["analyst"]).exists()


def test_an_unknown_figure_or_a_month_outside_the_period_is_not_found(client, world):
    client.force_login(world["analyst"])
    url = reverse("hub:performance-records")
    assert client.get(url, {"figure": "salaries"}).status_code == 404
    assert client.get(url, {"figure": "source", "value": "martians"}).status_code == 404
    assert client.get(url, {"figure": "contacts", "month": "2020-01"}).status_code == 404


def test_a_wrong_period_on_the_page_falls_back_to_twelve_months_and_says_why(client, world):
    client.force_login(world["analyst"])
    page = client.get(reverse("hub:performance"), {"start": "2026-05", "end": "2026-01"}).content.decode()
    assert "The last month must be the same as or after the first month." in page
    assert "July 2025" in page
