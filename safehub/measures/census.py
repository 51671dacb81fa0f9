"""The DfE children-in-need census extract of what SafeHub holds, in the census's XML and with
its field names: each child referred in the collection year (1 April to 31 March) with the
referral (CINreferralDate, ReferralSource, ReferralNFA), its assessments, its section 47
enquiries (S47ActualStartDate, InitialCPCtarget from the partnership's own timescale,
DateOfInitialCPC, ICPCnotRequired) and the child protection plans that followed.

Only SafeHub's items are written (no primary need, closure or characteristics): the council's
case management system adds the rest. `validate` checks a message against the schema in
`schemas/cin_census.xsd` (see its note on the DfE's published schema).
"""

import datetime
from collections import defaultdict
from pathlib import Path

from django.utils import timezone
from lxml import etree

from safehub.hub.models import REFERRAL_DECISIONS, Assessment, Contact, ContactSource, ContactSubject, SubjectRole
from safehub.meetings import due_dates
from safehub.meetings.models import (
    SECTION_47_OUTCOMES,
    ChildProtectionPlan,
    EnquiryOutcome,
    Meeting,
    MeetingKind,
    MeetingState,
    PlanCategory,
)
from safehub.partnership.models import Organisation
from safehub.people.models import Identifier, IdentifierScheme, PersonKind
from safehub.timescales.calendar import LONDON

SCHEMA = Path(__file__).parent / "schemas" / "cin_census.xsd"
SOURCES: dict[str, str] = {
    ContactSource.FAMILY: "1B",
    ContactSource.PUBLIC: "1C",
    ContactSource.SCHOOL: "2A",
    ContactSource.EARLY_YEARS: "2B",
    ContactSource.HEALTH: "3F",
    ContactSource.SOCIAL_CARE: "5B",
    ContactSource.POLICE: "6",
    ContactSource.OTHER: "8",
    ContactSource.ANONYMOUS: "9",
}
ABUSE = {
    PlanCategory.NEGLECT: "NEG",
    PlanCategory.PHYSICAL: "PHY",
    PlanCategory.EMOTIONAL: "EMO",
    PlanCategory.SEXUAL: "SAB",
    PlanCategory.MULTIPLE: "MUL",
}
GENDER = {"male": "1", "female": "2"}


class CensusError(ValueError):
    pass


def collection_year(day: datetime.date) -> int:
    """The census year a day falls in: 1 April to 31 March, named by the year it ends."""
    return day.year + 1 if day.month >= 4 else day.year


def _london(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def _add(parent: etree._Element, name: str, value: object) -> None:
    if value is None or value == "":
        return
    element = etree.SubElement(parent, name)
    element.text = value.isoformat() if isinstance(value, datetime.date) else str(value)


def build(council: Organisation, year: int, *, serial: int = 1) -> bytes:
    if not council.la_code:
        raise CensusError("The council has no LA code: add it in the directory first.")
    start = datetime.datetime(year - 1, 4, 1, tzinfo=LONDON)
    end = datetime.datetime(year, 4, 1, tzinfo=LONDON)
    referrals = list(
        ContactSubject.objects.filter(
            contact__hub_team__organisation=council,
            contact__decision__in=list(REFERRAL_DECISIONS),
            contact__received_at__gte=start,
            contact__received_at__lt=end,
            role__in=[SubjectRole.CHILD, SubjectRole.UNBORN],
            person__isnull=False,
        )
        .select_related("contact", "person")
        .order_by("person_id", "contact__received_at")
    )
    contact_ids = {r.contact_id for r in referrals}
    person_ids = {r.person_id for r in referrals if r.person_id is not None}
    assessments: dict[tuple[int, int], list[Assessment]] = defaultdict(list)
    for assessment in Assessment.objects.filter(contact_id__in=contact_ids).order_by("started_at"):
        assessments[(assessment.contact_id, assessment.person_id)].append(assessment)
    discussions: dict[tuple[int | None, int], list[Meeting]] = defaultdict(list)
    held_s47 = (
        Meeting.objects.filter(
            contact_id__in=contact_ids,
            kind=MeetingKind.STRATEGY_DISCUSSION,
            state=MeetingState.HELD,
            outcome__in=list(SECTION_47_OUTCOMES),
        )
        .prefetch_related("subjects", "followed_by__plans_started")
        .order_by("starts_at")
    )
    for discussion in held_s47:
        for child in discussion.subjects.all():
            discussions[(discussion.contact_id, child.pk)].append(discussion)
    plan_counts: dict[int, list[datetime.date]] = defaultdict(list)
    for person_id, started_on in ChildProtectionPlan.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "started_on"
    ):
        plan_counts[person_id].append(started_on)
    upns = dict(
        Identifier.objects.filter(person_id__in=person_ids, scheme=IdentifierScheme.UPN).values_list(
            "person_id", "value"
        )
    )

    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year)
    _add(details, "ReferenceDate", datetime.date(year, 3, 31))
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", council.la_code)
    _add(source, "SoftwareCode", "SafeHub")
    _add(source, "Release", "1")
    _add(source, "SerialNo", serial)
    _add(source, "DateTime", timezone.now().astimezone(LONDON).replace(microsecond=0).isoformat())
    children = etree.SubElement(message, "Children")
    by_person: dict[int, list[ContactSubject]] = defaultdict(list)
    for referral in referrals:
        if referral.person_id is not None:
            by_person[referral.person_id].append(referral)
    for person_id, rows in by_person.items():
        person = rows[0].person
        assert person is not None  # the query takes only referrals linked to a record
        child = etree.SubElement(children, "Child")
        identifiers = etree.SubElement(child, "ChildIdentifiers")
        _add(identifiers, "LAchildID", person.reference)
        _add(identifiers, "UPN", upns.get(person_id))
        if person.kind == PersonKind.UNBORN:
            _add(identifiers, "ExpectedPersonBirthDate", person.expected_due_date)
        else:
            _add(identifiers, "PersonBirthDate", person.date_of_birth)
        _add(identifiers, "GenderCurrent", GENDER.get(person.sex, "0"))
        _add(identifiers, "PersonDeathDate", person.date_of_death)
        for referral in rows:
            contact: Contact = referral.contact
            cin = etree.SubElement(child, "CINdetails")
            _add(cin, "CINreferralDate", _london(contact.received_at))
            _add(cin, "ReferralSource", SOURCES.get(contact.source, "10"))
            _add(cin, "ReferralNFA", "false")
            for assessment in assessments[(contact.pk, person_id)]:
                block = etree.SubElement(cin, "Assessments")
                _add(block, "AssessmentActualStartDate", _london(assessment.started_at))
                _add(
                    block,
                    "AssessmentAuthorisationDate",
                    _london(assessment.completed_at) if assessment.completed_at else None,
                )
            plans: list[ChildProtectionPlan] = []
            for discussion in discussions[(contact.pk, person_id)]:
                conference = next(
                    (
                        m
                        for m in discussion.followed_by.all()
                        if m.kind in (MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE)
                        and m.state == MeetingState.HELD
                    ),
                    None,
                )
                block = etree.SubElement(cin, "Section47")
                _add(block, "S47ActualStartDate", _london(discussion.starts_at))
                _add(block, "InitialCPCtarget", _london(due_dates.initial_conference_due(discussion.starts_at)))
                _add(block, "DateOfInitialCPC", _london(conference.starts_at) if conference else None)
                not_required = discussion.enquiry_outcome not in ("", EnquiryOutcome.CONFERENCE)
                _add(block, "ICPCnotRequired", "true" if not_required else "false")
                if conference is not None:
                    plans.extend(
                        p for p in conference.plans_started.all() if person_id in (p.person_id, p.transferred_from_id)
                    )
            for plan in plans:
                block = etree.SubElement(cin, "ChildProtectionPlans")
                _add(block, "CPPstartDate", plan.started_on)
                _add(block, "CPPendDate", plan.ended_on)
                _add(block, "InitialCategoryOfAbuse", ABUSE[PlanCategory(plan.category)])
                _add(block, "LatestCategoryOfAbuse", ABUSE[PlanCategory(plan.category)])
                _add(block, "NumberOfPreviousCPP", sum(day < plan.started_on for day in plan_counts[person_id]))
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(xml: bytes) -> list[str]:
    """The schema's complaints about a message; empty when it is valid."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(xml)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
