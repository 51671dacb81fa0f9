"""Hub pages: the work on a contact. The hub queue, the contact page, screening, the agencies'
checks and their answers, and the referral decision. Thin: each page reads through
`safehub.hub.selectors` and writes through `safehub.hub.services.workflow`.

Only filter choices (state, rating, mine, unlinked) go in the queue's URL; nothing about a
person does.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import policy
from safehub.hub import selectors
from safehub.hub.models import (
    AGENCY_ANSWERS,
    Contact,
    ContactState,
    Decision,
    LawfulBasis,
    Rag,
    ResearchAgency,
)
from safehub.hub.services import workflow
from safehub.meetings import selectors as meetings_selectors
from safehub.meetings.due_dates import strategy_discussion_due
from safehub.meetings.models import MeetingKind, MeetingState
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability

QUEUE_PAGE_SIZE = 50
RAG_COLOURS: dict[str, str] = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}
# The four agencies every contact is checked with unless the hub says otherwise.
DEFAULT_AGENCIES = [agency.value for agency in workflow.DEFAULT_AGENCIES]


# Forms ----------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Any state"), *ContactState.choices[:3]])
    rag = forms.ChoiceField(
        label="RAG rating", required=False, choices=[("", "Any rating"), *Rag.choices, ("none", "Not yet rated")]
    )
    mine = forms.BooleanField(label="Allocated to me", required=False)
    unlinked = forms.BooleanField(label="Someone not yet linked to a record", required=False)


class ScreenForm(forms.Form):
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        help_text="Red: checks due within hours. Amber and green: checks due within working days.",
        error_messages={"required": "Choose a RAG rating: red, amber or green."},
    )
    notes = forms.CharField(
        label="Screening notes",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Why this rating, and anything the agencies should look for.",
    )
    agencies = forms.MultipleChoiceField(
        label="Ask these agencies to check their records",
        choices=[(a.value, a.label) for a in workflow.DEFAULT_AGENCIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Each agency's safeguarding team is asked; untick an agency only if it cannot hold anything.",
    )


class ResearchAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="What do your agency's records show?",
        choices=AGENCY_ANSWERS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what your agency's records show."},
    )
    information = forms.CharField(
        label="Information your agency is sharing",
        required=False,
        widget=forms.Textarea,
        max_length=10000,
        help_text="Only if you are sharing information.",
    )
    reason_not_shared = forms.CharField(
        label="Why your agency decided not to share",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Only if you decided not to share. The decision and the reason are recorded either way.",
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        help_text="Record it whether or not you share. No consent is needed where a child may be at risk of "
        "significant harm.",
        error_messages={"required": "Record the lawful basis, whether or not you share."},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision."},
    )
    decision_rationale = forms.CharField(
        label="Why this decision",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": workflow.ENTER_RATIONALE},
    )
    late_reason = forms.CharField(
        label="Why the decision is late",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Only if the decision is being made after it was due.",
    )
    close_open_checks = forms.BooleanField(
        label="Decide without the checks still open: they are closed as not needed",
        required=False,
    )


# Pages ----------------------------------------------------------------------------------------


def _user(request: HttpRequest, capability: Capability | None = None) -> User:
    user: User = request.user  # type: ignore[assignment]
    if capability is not None and not has_capability(user, capability):
        raise PermissionDenied
    return user


def _apply(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError beside the field it is about, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.WORK_HUB_QUEUE)
    form = QueueFilterForm(request.GET or None)
    filters = selectors.QueueFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.QueueFilters(
            state=form.cleaned_data["state"],
            rag=form.cleaned_data["rag"],
            mine=form.cleaned_data["mine"],
            unlinked=form.cleaned_data["unlinked"],
        )
    contacts = selectors.hub_queue(user=user, filters=filters)
    page = Paginator(contacts, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "contact": contact,
            "due_at": workflow.next_due(contact),
            "overdue": workflow.next_due(contact) < now,
            "rag_colour": RAG_COLOURS.get(contact.rag, "grey"),
            "unlinked": any(subject.person_id is None for subject in contact.subjects.all()),
            "can_take": contact.allocated_to_id != user.pk,
        }
        for contact in page
    ]
    return render(request, "hub/queue.html", {"form": form, "page": page, "rows": rows, "filters": filters})


@login_required
@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.WORK_HUB_QUEUE)
    contact = selectors.get_contact(user=user, pk=pk, part="allocation")
    to_pk = request.POST.get("to", "")
    to = user if to_pk in ("", "me") else selectors.hub_colleagues(user=user, contact=contact).filter(pk=to_pk).first()
    if to is None:
        messages.error(request, workflow.NOT_IN_HUB_TEAM)
        return redirect("hub:contact", pk=contact.pk)
    try:
        workflow.allocate(contact=contact, to=to, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Contact {contact.reference} allocated to {to.get_full_name() or to.username}.")
    if request.POST.get("back") == "queue":
        return redirect("hub:queue")
    return redirect("hub:contact", pk=contact.pk)


@login_required
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.get_contact(user=user, pk=pk)
    detail = selectors.contact_detail(user=user, contact=record)
    context = {
        "detail": detail,
        "contact": record,
        "rag_colour": RAG_COLOURS.get(record.rag, "grey"),
        "now": timezone.now(),
        "strategy_discussion": _strategy_discussion(user, record) if detail.is_hub else None,
    }
    return render(request, "hub/contact.html", context)


def _strategy_discussion(user: User, record: Contact) -> dict[str, Any] | None:
    """For a contact decided for a strategy discussion: when it is due, and the meeting once
    convened (the meetings app arranges it)."""
    if record.decision != Decision.STRATEGY_DISCUSSION or record.decided_at is None:
        return None
    meeting = (
        meetings_selectors.meetings_visible_to(user)
        .filter(contact=record, kind=MeetingKind.STRATEGY_DISCUSSION)
        .exclude(state=MeetingState.CANCELLED)
        .order_by("-pk")
        .first()
    )
    due_at = strategy_discussion_due(record.decided_at)
    return {
        "due_at": due_at,
        "overdue": meeting is None and timezone.now() > due_at,
        "meeting": meeting,
        "may_convene": meeting is None and has_capability(user, Capability.CONVENE_MEETINGS),
    }


@login_required
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.WORK_HUB_QUEUE)
    record = selectors.get_contact(user=user, pk=pk, part="screening")
    if not policy.can(user, "screen", record):
        raise PermissionDenied
    if record.state != ContactState.RECEIVED:
        messages.info(request, workflow.ALREADY_SCREENED)
        return redirect("hub:contact", pk=record.pk)
    form = ScreenForm(request.POST or None, initial={"agencies": DEFAULT_AGENCIES})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.screen(
                contact=record,
                rag=form.cleaned_data["rag"],
                notes=form.cleaned_data["notes"],
                agencies=[ResearchAgency(a) for a in form.cleaned_data["agencies"]],
                by=user,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Contact {record.reference} screened. The agencies have been asked.")
            return redirect("hub:contact", pk=record.pk)
    teams = {agency: workflow.research_team_for(record, agency) for agency in DEFAULT_AGENCIES}
    return render(request, "hub/screen.html", {"form": form, "contact": record, "teams": teams})


@login_required
def checks(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.ANSWER_RESEARCH)
    now = timezone.now()
    rows = [{"request": r, "overdue": r.due_at < now} for r in selectors.research_requests_for(user=user)]
    return render(request, "hub/research_list.html", {"rows": rows})


@login_required
def research_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    research = selectors.get_research_request(user=user, pk=pk)
    if not policy.can(user, "answer", research):
        # The hub (and the answering agency afterwards) reads the answer on the contact page.
        return redirect("hub:contact", pk=research.contact_id)
    detail = selectors.contact_detail(user=user, contact=research.contact)
    form = ResearchAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.answer_research(
                request=research,
                answer=form.cleaned_data["answer"],
                information=form.cleaned_data["information"],
                reason_not_shared=form.cleaned_data["reason_not_shared"],
                lawful_basis=form.cleaned_data["lawful_basis"],
                by=user,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request, f"Your agency's answer for contact {research.contact.reference} has been sent to the hub."
            )
            return redirect("hub:checks")
    context: dict[str, Any] = {"form": form, "research": research, "detail": detail, "contact": research.contact}
    return render(request, "hub/research_answer.html", context)


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.DECIDE_REFERRAL)
    record = selectors.get_contact(user=user, pk=pk, part="decision")
    if not policy.can(user, "decide", record):
        raise PermissionDenied
    if record.state == ContactState.DECIDED:
        messages.info(request, workflow.ALREADY_DECIDED)
        return redirect("hub:contact", pk=record.pk)
    detail = selectors.contact_detail(user=user, contact=record)
    due_at = record.decision_due_at or workflow.decision_due(record)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.decide(
                contact=record,
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data["decision_rationale"],
                late_reason=form.cleaned_data["late_reason"],
                close_open_checks=form.cleaned_data["close_open_checks"],
                by=user,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Decision on contact {record.reference} recorded.")
            return redirect("hub:contact", pk=record.pk)
    open_checks = [check for check in detail.research if check.answered_at is None]
    context = {
        "form": form,
        "contact": record,
        "detail": detail,
        "due_at": due_at,
        "late": timezone.now() > due_at,
        "open_checks": open_checks,
    }
    return render(request, "hub/decide.html", context)


@login_required
@require_POST
def referrer_told(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.WORK_HUB_QUEUE)
    record = selectors.get_contact(user=user, pk=pk, part="referrer feedback")
    try:
        workflow.record_referrer_told(contact=record, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Recorded that the referrer has been told the outcome.")
    return redirect("hub:contact", pk=record.pk)


urlpatterns = [
    path("", queue, name="queue"),
    path("contacts/<id:pk>/", contact, name="contact"),
    path("contacts/<id:pk>/allocate/", allocate, name="allocate"),
    path("contacts/<id:pk>/screen/", screen, name="screen"),
    path("contacts/<id:pk>/decide/", decide, name="decide"),
    path("contacts/<id:pk>/referrer-told/", referrer_told, name="referrer-told"),
    path("checks/", checks, name="checks"),
    path("checks/<id:pk>/", research_answer, name="research-answer"),
]
