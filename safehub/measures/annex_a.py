"""Ofsted's Annex A lists for a council and a period, as CSV: the lists SafeHub's records can
fill, in Ofsted's order and with its column headings.

Filled: List 1 (contacts), List 3 (referrals), List 4 (assessments), List 5 (section 47
enquiries and initial child protection conferences) and List 7 (child protection plans).
Not produced, because SafeHub does not hold them: List 2 (early help: SafeHub records the
decision to offer it, not the episode), List 6 (children in need), and Lists 8 onwards
(children in care, care leavers, adoption, special guardianship). Within a list, the
columns SafeHub does not hold are present and left empty, so the file keeps Ofsted's shape:
ethnicity and disability (in every list), and each list's other columns named in `NOT_HELD`.

The child is identified by SafeHub's record reference (P-0001234), never by name. Annex A
is personal data: `safehub annex-a` writes it for the council's own use and is audited.
"""

import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from safehub.core.spreadsheets import csv_text
from safehub.hub.measures import Period
from safehub.hub.models import REFERRAL_DECISIONS, Assessment, Contact, ContactSubject, Decision, SubjectRole
from safehub.meetings.models import ChildProtectionPlan, Meeting, MeetingKind, MeetingState, StrategyOutcome
from safehub.partnership.models import Organisation
from safehub.people.models import Person, PersonKind
from safehub.timescales.calendar import LONDON

CHILD = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Disability"]
LISTS: dict[str, list[str]] = {
    "List 1 Contacts": [*CHILD, "Date of Contact", "Contact Source"],
    "List 3 Referrals": [
        *CHILD,
        "Date of Referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
    ],
    "List 4 Assessments": [
        *CHILD,
        "Continuation of Referral Date",
        "Assessment Start Date",
        "Assessment Completion Date",
        "Allocated Team",
    ],
    "List 5 Section 47 Enquiries and ICPCs": [
        *CHILD,
        "Strategy Discussion Initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference Deemed Unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan?",
    ],
    "List 7 Child Protection": [
        *CHILD,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Review",
        "Child Protection Plan End Date",
        "Number of Previous Child Protection Plans",
    ],
}
NOT_HELD = {
    "Ethnicity": "not recorded in SafeHub",
    "Disability": "not recorded in SafeHub",
    "Date of the Last Review": "not yet derived from the review conferences",
    "Allocated Team": "SafeHub does not record which team carries out an assessment",
}
GENDER = {"female": "Female", "male": "Male"}


@dataclass(frozen=True)
class AnnexA:
    files: dict[str, str]

    def archive(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.files.items():
                archive.writestr(name, text.encode("utf-8-sig"))
        return out.getvalue()


def _day(moment: datetime.datetime | datetime.date | None) -> datetime.date | None:
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(LONDON).date()
    return moment


def _child(person: Person | None, on: datetime.date | None, subject: ContactSubject | None = None) -> list[object]:
    dob = person.date_of_birth if person is not None else (subject.date_of_birth if subject else None)
    sex = person.sex if person is not None else ""
    age = person.age_on(on) if person is not None and on is not None else None
    reference = person.reference if person is not None else "Not yet linked to a record"
    # Unborn then (a child whose record moved to them at birth is listed as unborn before it).
    if (person is not None and person.kind == PersonKind.UNBORN) or (dob is not None and on is not None and dob > on):
        dob, age = None, None
    return [reference, GENDER.get(sex, "Unknown"), "", dob, age, ""]


def _contacts(council: Organisation, period: Period) -> QuerySet[Contact]:
    return Contact.objects.filter(
        hub_team__organisation=council, received_at__gte=period.start, received_at__lt=period.end
    ).order_by("received_at", "pk")


def _contact_children(contacts: QuerySet[Contact]) -> Iterator[tuple[Contact, ContactSubject]]:
    subjects = (
        ContactSubject.objects.filter(contact__in=contacts, role__in=[SubjectRole.CHILD, SubjectRole.UNBORN])
        .select_related("contact", "person")
        .order_by("contact__received_at", "contact_id", "pk")
    )
    for subject in subjects.iterator(chunk_size=2000):
        yield subject.contact, subject


def list_1(council: Organisation, period: Period) -> Iterable[list[object]]:
    for contact, subject in _contact_children(_contacts(council, period)):
        day = _day(contact.received_at)
        yield [*_child(subject.person, day, subject), day, contact.get_source_display()]


def list_3(council: Organisation, period: Period) -> Iterable[list[object]]:
    referrals = _contacts(council, period).filter(decision__in=list(REFERRAL_DECISIONS))
    # Referrals of each child in the twelve months before each one (this council's hub).
    history = (
        ContactSubject.objects.filter(
            contact__hub_team__organisation=council,
            contact__decision__in=list(REFERRAL_DECISIONS),
            contact__received_at__lt=period.end,
            person__isnull=False,
        )
        .values_list("person_id", "contact__received_at")
        .order_by("contact__received_at")
    )
    times: dict[int, list[datetime.datetime]] = {}
    for person_id, received_at in history:
        times.setdefault(person_id, []).append(received_at)
    for contact, subject in _contact_children(referrals):
        day = _day(contact.received_at)
        since = contact.received_at - datetime.timedelta(days=365)
        count = sum(since <= t < contact.received_at for t in times.get(subject.person_id or 0, []))
        yield [
            *_child(subject.person, day, subject),
            day,
            contact.get_source_display(),
            "No" if contact.decision != Decision.NO_FURTHER_ACTION else "Yes",
            count,
        ]


def list_4(council: Organisation, period: Period) -> Iterable[list[object]]:
    assessments = (
        Assessment.objects.filter(
            contact__hub_team__organisation=council, started_at__gte=period.start, started_at__lt=period.end
        )
        .select_related("person", "contact")
        .order_by("started_at", "pk")
    )
    for assessment in assessments.iterator(chunk_size=2000):
        start = _day(assessment.started_at)
        yield [
            *_child(assessment.person, start),
            _day(assessment.contact.received_at),
            start,
            _day(assessment.completed_at),
            "",
        ]


def list_5(council: Organisation, period: Period) -> Iterable[list[object]]:
    discussions = (
        Meeting.objects.filter(
            local_authority=council,
            kind=MeetingKind.STRATEGY_DISCUSSION,
            state=MeetingState.HELD,
            outcome__in=[StrategyOutcome.SECTION_47_SINGLE, StrategyOutcome.SECTION_47_JOINT],
            starts_at__gte=period.start,
            starts_at__lt=period.end,
        )
        .prefetch_related("subjects", "followed_by")
        .order_by("starts_at", "pk")
    )
    for discussion in discussions:
        conference = next(
            (
                m
                for m in discussion.followed_by.all()
                if m.kind in (MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE)
                and m.state == MeetingState.HELD
            ),
            None,
        )
        started = _day(discussion.starts_at)
        for child in discussion.subjects.all():
            if child.kind == PersonKind.ADULT:
                continue
            unnecessary = "Yes" if discussion.enquiry_outcome and discussion.enquiry_outcome != "conference" else "No"
            yield [
                *_child(child, started),
                started,
                unnecessary if discussion.enquiry_outcome else "",
                _day(conference.starts_at) if conference else None,
                ("Yes" if conference.plan_decision else "No")
                if conference and conference.plan_decision is not None
                else "",
            ]


def list_7(council: Organisation, period: Period) -> Iterable[list[object]]:
    plans = (
        ChildProtectionPlan.objects.filter(started_by__local_authority=council, started_on__lt=period.end.date())
        .exclude(ended_on__lt=period.first)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    starts: dict[int, list[datetime.date]] = {}
    for person_id, started_on in ChildProtectionPlan.objects.filter(started_by__local_authority=council).values_list(
        "person_id", "started_on"
    ):
        starts.setdefault(person_id, []).append(started_on)
    for plan in plans.iterator(chunk_size=2000):
        label = plan.get_category_display()
        yield [
            *_child(plan.person, period.end.date() - datetime.timedelta(days=1)),
            plan.started_on,
            label,
            label,
            None,
            plan.ended_on,
            sum(day < plan.started_on for day in starts.get(plan.person_id, [])),
        ]


BUILDERS = {
    "List 1 Contacts": list_1,
    "List 3 Referrals": list_3,
    "List 4 Assessments": list_4,
    "List 5 Section 47 Enquiries and ICPCs": list_5,
    "List 7 Child Protection": list_7,
}


def build(council: Organisation, period: Period) -> AnnexA:
    files = {}
    for name, columns in LISTS.items():
        files[f"{name}.csv"] = csv_text(columns, BUILDERS[name](council, period))
    files["README.txt"] = _readme(council, period)
    return AnnexA(files=files)


def _readme(council: Organisation, period: Period) -> str:
    lines = [
        f"Ofsted Annex A lists for {council.name}, {period.first:%B %Y} to {period.last:%B %Y}, made by SafeHub.",
        "",
        "Lists filled: " + ", ".join(LISTS) + ".",
        "Lists not produced (SafeHub does not hold the records): List 2 Early Help, List 6 Children in Need, "
        "List 8 onwards (children in care, care leavers, adoption, special guardianship).",
        "",
        "Columns present but left empty:",
        *[f"- {column}: {why}" for column, why in NOT_HELD.items()],
        "",
        "Each child is identified by their SafeHub record reference; children not yet linked to a record "
        "are shown so. This file is personal data: keep it as the council's data protection policy requires.",
    ]
    return "\r\n".join(lines) + "\r\n"
