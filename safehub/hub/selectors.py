"""Every read of the hub's contacts and checks. Each starts from `safehub.access.policy`
(`visible_contacts`, `hub_contacts`, `visible_research_requests`), so lists, pages, the API
and the measures see only what the user may see.

Opening one contact is audited here (`contact.viewed`, or `access.refused` for a contact
outside the user's scope, which is then "not found" exactly like one that does not exist).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, F, QuerySet, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from safehub.access import policy
from safehub.access.policy import ContactView
from safehub.audit.services import record
from safehub.hub.models import Contact, ContactState, ContactSubject, Rag, ResearchRequest
from safehub.hub.services import workflow
from safehub.partnership.models import User
from safehub.partnership.roles import CAPABILITIES, Capability
from safehub.people.models import Person

CONTACT_OBJECT_TYPE = "hub.contact"
VIEW_PURPOSES = {
    ContactView.HUB: "hub team",
    ContactView.RESEARCH: "answering the hub's check",
    ContactView.REFERRER: "the referrer, for the outcome",
}


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    """Every contact the user may open (at any depth): for other apps' lists and the API."""
    return policy.visible_contacts(user)


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    rag: str = ""
    mine: bool = False
    unlinked: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.state or self.rag or self.mine or self.unlinked)


OPEN_STATES = [ContactState.RECEIVED, ContactState.RESEARCH, ContactState.AWAITING_DECISION]


def hub_queue(*, user: User, filters: QueueFilters | None = None) -> QuerySet[Contact]:
    """Every open contact of the user's hub team, soonest due first: the checks' due time while
    they are under way, else the decision's (an unscreened contact by when it arrived)."""
    filters = filters or QueueFilters()
    contacts = (
        policy.hub_contacts(user)
        .filter(state__in=OPEN_STATES)
        .select_related("allocated_to", "hub_team")
        .prefetch_related("subjects")
        .annotate(
            queue_due_at=Case(
                When(state=ContactState.RESEARCH, research_due_at__isnull=False, then=F("research_due_at")),
                default=Coalesce(F("decision_due_at"), F("received_at")),
            )
        )
        .order_by("queue_due_at", "received_at", "pk")
    )
    if filters.state in ContactState.values:
        contacts = contacts.filter(state=filters.state)
    if filters.rag == "none":
        contacts = contacts.filter(rag="")
    elif filters.rag in Rag.values:
        contacts = contacts.filter(rag=filters.rag)
    if filters.mine:
        contacts = contacts.filter(allocated_to=user)
    if filters.unlinked:
        contacts = contacts.filter(subjects__person__isnull=True).distinct()
    return contacts


def hub_colleagues(*, user: User, contact: Contact) -> QuerySet[User]:
    """Whom the contact may be allocated to: its hub team's members who work the queue."""
    if not policy.can(user, "allocate", contact):
        return User.objects.none()
    queue_roles = [role for role, granted in CAPABILITIES.items() if Capability.WORK_HUB_QUEUE in granted]
    members = workflow.hub_members(contact).filter(role_assignments__role__in=queue_roles).distinct()
    return members.order_by("first_name", "last_name", "pk")


def get_contact(*, user: User, pk: int, part: str = "contact") -> Contact:
    """One contact the user may see, or 404; audited either way."""
    contact = (
        contacts_visible_to(user)
        .select_related("hub_team__organisation", "source_organisation", "referrer_user", "allocated_to", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        if Contact.objects.filter(pk=pk).exists():
            record(
                action="access.refused",
                actor=user,
                object_type=CONTACT_OBJECT_TYPE,
                object_id=str(pk),
                outcome="refused",
                purpose="outside the user's scope",
                detail={"part": part},
            )
        raise Http404("No such contact")
    view = policy.contact_view(user, contact)
    assert view is not None
    record(action="contact.viewed", actor=user, target=contact, purpose=VIEW_PURPOSES[view], detail={"part": part})
    return contact


def research_requests_for(*, user: User) -> QuerySet[ResearchRequest]:
    """The checks waiting for the user's teams to answer, soonest due first."""
    return (
        policy.open_research_requests_to(user)
        .select_related("contact", "team__organisation")
        .order_by("due_at", "pk")
        .distinct()
    )


def get_research_request(*, user: User, pk: int) -> ResearchRequest:
    """A check the user may read (the hub's, or an open one of their team's), or 404; audited."""
    request = (
        policy.visible_research_requests(user)
        .select_related("contact__hub_team", "team__organisation", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        if ResearchRequest.objects.filter(pk=pk).exists():
            record(
                action="access.refused",
                actor=user,
                object_type="hub.researchrequest",
                object_id=str(pk),
                outcome="refused",
                purpose="outside the user's scope",
                detail={"part": "check"},
            )
        raise Http404("No such check")
    view = policy.contact_view(user, request.contact)
    assert view is not None
    record(
        action="contact.viewed",
        actor=user,
        target=request.contact,
        purpose=VIEW_PURPOSES[view],
        detail={"part": "check", "check": request.pk},
    )
    return request


@dataclass(frozen=True)
class SubjectRow:
    subject: ContactSubject
    person: Person | None  # the linked record, only if the viewer may open it


@dataclass
class ContactDetail:
    """What the contact page shows, cut to the viewer's depth (see `policy.ContactView`)."""

    contact: Contact
    view: ContactView
    subjects: list[SubjectRow] = field(default_factory=list)
    research: list[ResearchRequest] = field(default_factory=list)
    next_due_at: datetime.datetime | None = None
    is_overdue: bool = False
    referrer_feedback_due_at: datetime.datetime | None = None
    referrer_to_tell: bool = False
    referrer_feedback_overdue: bool = False
    can_allocate: bool = False
    can_screen: bool = False
    can_decide: bool = False
    colleagues: list[User] = field(default_factory=list)

    @property
    def is_hub(self) -> bool:
        return self.view == ContactView.HUB

    @property
    def shows_identity(self) -> bool:
        return self.view in (ContactView.HUB, ContactView.RESEARCH)


def contact_detail(*, user: User, contact: Contact) -> ContactDetail:
    """The contact as the user may see it: the hub all of it; an agency answering a check who
    it is about and what happened; the referrer the outcome only."""
    view = policy.contact_view(user, contact)
    if view is None:
        raise Http404("No such contact")
    now = timezone.now()
    detail = ContactDetail(contact=contact, view=view)
    if view in (ContactView.HUB, ContactView.RESEARCH):
        subjects = list(contact.subjects.select_related("person"))
        linked = [s.person_id for s in subjects if s.person_id]
        openable = set(policy.visible_persons(user).filter(pk__in=linked).values_list("pk", flat=True))
        detail.subjects = [SubjectRow(s, s.person if s.person_id in openable else None) for s in subjects]
    if view == ContactView.HUB:
        detail.research = list(
            contact.research_requests.select_related("team__organisation", "answered_by").order_by("agency")
        )
        if contact.state != ContactState.DECIDED:
            detail.next_due_at = workflow.next_due(contact)
            detail.is_overdue = detail.next_due_at < now
        detail.referrer_feedback_due_at = workflow.referrer_feedback_due(contact)
        detail.referrer_to_tell = contact.state == ContactState.DECIDED and contact.referrer_told_at is None
        detail.referrer_feedback_overdue = bool(
            detail.referrer_to_tell and detail.referrer_feedback_due_at and detail.referrer_feedback_due_at < now
        )
        detail.can_allocate = policy.can(user, "allocate", contact) and contact.state != ContactState.DECIDED
        detail.can_screen = policy.can(user, "screen", contact) and contact.state == ContactState.RECEIVED
        detail.can_decide = policy.can(user, "decide", contact) and contact.state != ContactState.DECIDED
        if detail.can_allocate:
            detail.colleagues = list(hub_colleagues(user=user, contact=contact))
    elif view == ContactView.RESEARCH:
        detail.research = list(
            policy.open_research_requests_to(user).filter(contact=contact).select_related("team__organisation")
        )
    return detail


def open_queue_count(*, user: User) -> int:
    return hub_queue(user=user).count()


def checks_to_answer_count(*, user: User) -> int:
    return research_requests_for(user=user).count()
