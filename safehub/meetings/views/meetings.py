"""Pages for arranging meetings and answering invitations: the meetings list, convening (from
a hub contact, after an earlier meeting, or for a person), the meeting page, answering an
invitation, and the organiser's changes (time and format, another invitation, withdrawing
one, cancelling). Thin: reads go through `safehub.meetings.selectors` and `access.policy`,
writes through `safehub.meetings.services.convening`.

URLs carry ids only: a contact's, a meeting's, an invitation's or a person's, and a meeting
kind's code.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import policy
from safehub.hub import selectors as hub_selectors
from safehub.hub.models import Contact
from safehub.meetings import forms, selectors
from safehub.meetings.models import (
    CONFERENCE_KINDS,
    Agency,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services import convening, recording
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import selectors as people_selectors
from safehub.people.models import Person, PersonKind
from safehub.timescales.calendar import LONDON, is_working_day, next_working_day

PAST_PAGE_SIZE = 50
UPCOMING_LIMIT = 100
RESPONSE_COLOURS: dict[str, str] = {
    ResponseState.PENDING: "yellow",
    ResponseState.ACCEPTED: "green",
    ResponseState.DECLINED: "orange",
    ResponseState.WITHDRAWN: "grey",
}


def _user(request: HttpRequest, capability: Capability | None = None) -> User:
    user: User = request.user  # type: ignore[assignment]
    if capability is not None and not has_capability(user, capability):
        raise PermissionDenied
    return user


def visible_children(user: User, meetings: Iterable[Meeting]) -> dict[int, list[dict[str, Any]]]:
    """Each meeting's children, named only where the user may open the child's record."""
    subjects = {m.pk: list(m.subjects.all()) for m in meetings}
    ids = {p.pk for people in subjects.values() for p in people}
    visible = set(policy.visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: [{"person": p, "visible": p.pk in visible} for p in people] for pk, people in subjects.items()}


def _convene_url(due: selectors.DueMeeting) -> str:
    if due.contact is not None:
        return reverse("meetings:convene-contact", args=[due.contact.pk])
    assert due.previous is not None
    return reverse("meetings:convene-after", args=[due.previous.pk, due.kind])


# The list -------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.ATTEND_MEETINGS)
    to_answer = list(selectors.invitations_to_answer(user=user).prefetch_related("meeting__subjects"))
    waiting = list(selectors.waiting_for_record(user=user).prefetch_related("subjects"))
    upcoming = list(selectors.upcoming_meetings(user=user).prefetch_related("subjects")[:UPCOMING_LIMIT])
    mine = {
        i.meeting_id: i
        for i in policy.open_invitations_to(user).filter(meeting__in=[m.pk for m in upcoming]).order_by("-pk")
    }
    children = visible_children(user, [i.meeting for i in to_answer] + waiting + upcoming)
    to_convene = [{"due": due, "url": _convene_url(due)} for due in selectors.meetings_to_convene(user=user)]
    context = {
        "to_answer": [{"invitation": i, "meeting": i.meeting, "children": children[i.meeting_id]} for i in to_answer],
        "to_convene": to_convene,
        "waiting": [{"meeting": m, "children": children[m.pk]} for m in waiting],
        "upcoming": [
            {
                "meeting": m,
                "children": children[m.pk],
                "mine": mine.get(m.pk),
                "colour": RESPONSE_COLOURS.get(mine[m.pk].response, "grey") if m.pk in mine else "",
            }
            for m in upcoming
        ],
        "upcoming_limited": len(upcoming) == UPCOMING_LIMIT,
        "may_convene": has_capability(user, Capability.CONVENE_MEETINGS),
        "now": timezone.now(),
    }
    return render(request, "meetings/list.html", context)


@login_required
def past(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.ATTEND_MEETINGS)
    page = Paginator(selectors.past_meetings(user=user).prefetch_related("subjects"), PAST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    children = visible_children(user, page.object_list)
    rows = [{"meeting": m, "children": children[m.pk]} for m in page.object_list]
    return render(request, "meetings/past.html", {"page": page, "rows": rows})


# The meeting page -----------------------------------------------------------------------------


def _unsettled(page: selectors.MeetingPage) -> list[dict[str, Any]]:
    lines = []
    for agency in page.unsettled_agencies:
        escalated = [
            i.escalated_at
            for i in page.invitations
            if i.agency == agency and i.escalated_at and i.response != ResponseState.WITHDRAWN
        ]
        label = Agency(agency).label
        lines.append(
            {
                "label": label,
                "verb": "have" if agency == Agency.POLICE else "has",
                "escalated_at": min(escalated) if escalated else None,
            }
        )
    return lines


def _answer_forms(
    user: User, page: selectors.MeetingPage, bound: dict[int, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    if page.meeting.state != MeetingState.SCHEDULED:
        return []
    bound = bound or {}
    boxes = []
    for invitation in page.my_invitations:
        given = bound.get(invitation.pk, {})
        boxes.append(
            {
                "invitation": invitation,
                "accept": given.get("accept")
                or forms.AcceptForm(prefix=f"accept-{invitation.pk}", by_video=page.meeting.needs_video_link),
                "decline": given.get("decline")
                or forms.DeclineForm(prefix=f"decline-{invitation.pk}", colleagues=forms.colleagues_of(user)),
            }
        )
    return boxes


def render_meeting(
    request: HttpRequest, user: User, meeting: Meeting, *, bound: dict[int, dict[str, Any]] | None = None
) -> HttpResponse:
    page = selectors.meeting_page(user=user, meeting=meeting)
    held = meeting.state == MeetingState.HELD
    following = list(
        policy.visible_meetings(user).filter(previous=meeting).exclude(state=MeetingState.CANCELLED).order_by("pk")
    )
    next_due = [{"due": due, "url": _convene_url(due)} for due in page.next_due]
    context = {
        "page": page,
        "meeting": meeting,
        "children": visible_children(user, [meeting])[meeting.pk],
        "unsettled": _unsettled(page),
        "boxes": _answer_forms(user, page, bound),
        "show_join_link": bool(meeting.video_link) and (page.may_manage or bool(page.my_invitations)),
        "scheduled": meeting.state == MeetingState.SCHEDULED,
        "held": held,
        "overdue": meeting.state == MeetingState.SCHEDULED and timezone.now() > meeting.due_at,
        "late": meeting.starts_at > meeting.due_at,
        "may_record": meeting.state == MeetingState.SCHEDULED and page.started and page.may_chair,
        "response_colours": RESPONSE_COLOURS,
        "initial_conference_due": recording.initial_conference_due(meeting) if held else None,
        "next_due": next_due,
        "following": following,
        # What was agreed about the family is part of the record: only for those who may read it.
        "actions": (
            list(meeting.actions.select_related("owner_organisation")) if held and page.may_read_minutes else []
        ),
        # Parents' and other non-users' names: only for those who run the meeting (as in the API).
        "runs_it": page.may_manage or page.may_chair,
        # A joint section 47 enquiry: the police investigation it started, and (for the police) opening one.
        "investigations": list(policy.visible_investigations(user).filter(strategy_discussion=meeting)),
        "may_open_investigation": (
            held
            and meeting.outcome == StrategyOutcome.SECTION_47_JOINT
            and has_capability(user, Capability.INVESTIGATE)
            and policy.visible_meetings(user).filter(pk=meeting.pk).exists()
        ),
        "unreached": [i for i in page.invitations if i.reached_nobody and i.response == ResponseState.PENDING],
        # Invitations nobody in SafeHub can answer: the organisers record the reply they were given.
        "outside": (
            {i.pk for i in page.invitations if convening.answers_outside_safehub(i)}
            if page.may_manage and meeting.state == MeetingState.SCHEDULED
            else set()
        ),
        "bound_form": next((form for given in (bound or {}).values() for form in given.values()), None),
    }
    return render(request, "meetings/meeting.html", context)


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = selectors.get_meeting(user=user, pk=pk)
    return render_meeting(request, user, found)


@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline an invitation addressed to the user or their team."""
    user = _user(request, Capability.ATTEND_MEETINGS)
    invitation = policy.open_invitations_to(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    found = selectors.get_meeting(user=user, pk=invitation.meeting_id)
    accepting = request.POST.get("answer") == "accept"
    form: forms.AcceptForm | forms.DeclineForm
    if accepting:
        form = forms.AcceptForm(request.POST, prefix=f"accept-{pk}", by_video=found.needs_video_link)
    else:
        form = forms.DeclineForm(request.POST, prefix=f"decline-{pk}", colleagues=forms.colleagues_of(user))
    if form.is_valid():
        try:
            if isinstance(form, forms.AcceptForm):
                convening.respond(invitation=invitation, by=user, accept=True, mode=form.cleaned_data["mode"])
            else:
                convening.respond(
                    invitation=invitation,
                    by=user,
                    accept=False,
                    decline_reason=form.cleaned_data["decline_reason"],
                    deputy=form.cleaned_data["deputy"],
                    deputy_name=form.cleaned_data["deputy_name"],
                )
        except ValidationError as error:
            forms.apply_service_error(form, error, {"response_mode": "mode"})
        else:
            if accepting:
                messages.success(request, f"You have accepted the invitation to {found.title}.")
            else:
                messages.success(
                    request, f"You have declined the invitation to {found.title}. The organisers are told."
                )
            return redirect("meetings:meeting", pk=found.pk)
    key = "accept" if accepting else "decline"
    return render_meeting(request, user, found, bound={pk: {key: form}})


# Changing and cancelling ----------------------------------------------------------------------


def _managed(user: User, pk: int) -> Meeting:
    found = selectors.get_meeting(user=user, pk=pk)
    if not policy.can(user, "manage", found):
        raise PermissionDenied
    return found


def _scheduled_or_back(request: HttpRequest, found: Meeting) -> HttpResponse | None:
    if found.state != MeetingState.SCHEDULED:
        messages.info(request, convening.NOT_SCHEDULED)
        return redirect("meetings:meeting", pk=found.pk)
    return None


def _london_initial(found: Meeting) -> dict[str, str]:
    starts, ends = found.starts_at.astimezone(LONDON), found.ends_at.astimezone(LONDON)
    return {
        "date": f"{starts.day} {starts.month} {starts.year}",
        "starts": f"{starts:%H:%M}",
        "ends": f"{ends:%H:%M}",
        "format": found.format,
        "venue": found.venue,
        "late_reason": found.late_reason,
    }


@login_required
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = _managed(user, pk)
    if (back := _scheduled_or_back(request, found)) is not None:
        return back
    form = forms.RescheduleForm(
        request.POST or None, initial=_london_initial(found), show_late_reason=bool(found.late_reason)
    )
    if request.method == "POST" and form.is_valid():
        try:
            convening.reschedule(
                meeting=found,
                by=user,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                format=form.cleaned_data["format"],
                venue=form.cleaned_data["venue"],
                late_reason=form.cleaned_data["late_reason"],
            )
        except ValidationError as error:
            forms.apply_service_error(form, error, forms.SERVICE_ALIASES)
        else:
            messages.success(request, f"{found.title} changed. Everyone invited has been sent the new details.")
            return redirect("meetings:meeting", pk=found.pk)
    return render(request, "meetings/change.html", {"form": form, "meeting": found})


@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = _managed(user, pk)
    if (back := _scheduled_or_back(request, found)) is not None:
        return back
    who = forms.team_choices(forms.partnership_teams(found.local_authority))
    form = forms.InviteForm(request.POST or None, who_choices=who)
    if request.method == "POST" and form.is_valid():
        try:
            convening.invite(meeting=found, invitation=form.cleaned_data["invitation"], by=user)
        except ValidationError as error:
            forms.apply_service_error(form, error, {"invitee": "who", "team": "who"})
        else:
            messages.success(request, f"Invitation to {found.title} sent.")
            return redirect("meetings:meeting", pk=found.pk)
    return render(request, "meetings/invite.html", {"form": form, "meeting": found})


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    invitation = Invitation.objects.filter(pk=pk).only("meeting_id").first()
    if invitation is None:
        raise Http404("No such invitation")
    found = _managed(user, invitation.meeting_id)
    invitation = found.invitations.get(pk=pk)
    try:
        convening.withdraw_invitation(invitation=invitation, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation for {invitation.get_agency_display().lower()} withdrawn.")
    return redirect("meetings:meeting", pk=found.pk)


@login_required
def record_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """An organiser records the answer of an agency or parent that has no one in SafeHub."""
    user = _user(request)
    invitation = Invitation.objects.filter(pk=pk).only("meeting_id").first()
    if invitation is None:
        raise Http404("No such invitation")
    found = _managed(user, invitation.meeting_id)
    invitation = found.invitations.select_related("team__organisation", "invitee").get(pk=pk)
    if (back := _scheduled_or_back(request, found)) is not None:
        return back
    if not convening.answers_outside_safehub(invitation):
        messages.error(request, convening.ANSWERED_IN_SAFEHUB)
        return redirect("meetings:meeting", pk=found.pk)
    form = forms.RecordReplyForm(request.POST or None, by_video=found.needs_video_link)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            convening.record_reply(
                invitation=invitation,
                by=user,
                accept=accept,
                mode=form.cleaned_data["mode"] if accept else "",
                decline_reason=form.cleaned_data["decline_reason"],
                deputy_name=form.cleaned_data["deputy_name"],
            )
        except ValidationError as error:
            forms.apply_service_error(form, error, {"response_mode": "mode"})
        else:
            messages.success(request, f"The reply for {invitation.get_agency_display().lower()} is recorded.")
            return redirect("meetings:meeting", pk=found.pk)
    context = {"form": form, "meeting": found, "invitation": invitation}
    return render(request, "meetings/record_reply.html", context)


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = _managed(user, pk)
    if (back := _scheduled_or_back(request, found)) is not None:
        return back
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            convening.cancel(meeting=found, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            forms.apply_service_error(form, error, forms.SERVICE_ALIASES)
        else:
            messages.success(request, f"{found.title} cancelled. Everyone invited has been told.")
            return redirect("meetings:meeting", pk=found.pk)
    return render(request, "meetings/cancel.html", {"form": form, "meeting": found})


@login_required
def enquiry_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the section 47 enquiry a strategy discussion started ended without a conference."""
    user = _user(request)
    found = _managed(user, pk)
    form = forms.EnquiryOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recording.record_enquiry_outcome(
                meeting=found,
                by=user,
                outcome=form.cleaned_data["enquiry_outcome"],
                reason=form.cleaned_data["enquiry_outcome_reason"],
            )
        except ValidationError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, "The enquiry's outcome is recorded. No initial conference is due.")
            return redirect("meetings:meeting", pk=found.pk)
    return render(request, "meetings/enquiry_outcome.html", {"form": form, "meeting": found})


# Convening ------------------------------------------------------------------------------------


def _suggested_start(kind: str, due_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime | None:
    """A first suggestion for the start: the next half hour an hour from now in working hours
    for a strategy discussion; 10:00 on the last working day by the due date for a conference."""
    local_now = now.astimezone(LONDON)
    if kind != MeetingKind.STRATEGY_DISCUSSION:
        day = due_at.astimezone(LONDON).date()
        while not is_working_day(day):
            day -= datetime.timedelta(days=1)
        start = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=LONDON)
        if start > now + datetime.timedelta(days=1):
            return start
    candidate = local_now + datetime.timedelta(hours=1)
    candidate = candidate.replace(second=0, microsecond=0)
    candidate += datetime.timedelta(minutes=(30 - candidate.minute % 30) % 30)
    if not is_working_day(candidate.date()) or candidate.time() > datetime.time(16, 0):
        return datetime.datetime.combine(next_working_day(candidate.date()), datetime.time(10, 0), tzinfo=LONDON)
    return max(candidate, datetime.datetime.combine(candidate.date(), datetime.time(9, 30), tzinfo=LONDON))


def _initial(start: datetime.datetime | None) -> dict[str, str]:
    if start is None:
        return {}
    start = start.astimezone(LONDON)
    end = start + datetime.timedelta(hours=1)
    return {"date": f"{start.day} {start.month} {start.year}", "starts": f"{start:%H:%M}", "ends": f"{end:%H:%M}"}


def _alternatives(
    defaults: Sequence[convening.InvitationInput],
    *,
    council: Organisation,
    subjects: list[Person],
    contact: Contact | None,
) -> dict[str, Any]:
    return {
        given.agency: convening.default_team_for(
            agency=given.agency, council=council, subjects=subjects, contact=contact
        )
        for given in defaults
        if given.invitee is not None
    }


def _convene(
    request: HttpRequest,
    user: User,
    *,
    kinds: list[str],
    council: Organisation,
    subjects: list[Person],
    contact: Contact | None = None,
    previous: Meeting | None = None,
    back: tuple[str, str],
) -> HttpResponse:
    now = timezone.now()
    rule_contact = contact if contact is not None else (previous.contact if previous is not None else None)
    dues: dict[str, datetime.datetime] = {}
    for kind in kinds:
        try:
            dues[kind] = convening.due_for(kind=kind, contact=contact, previous=previous, subjects=subjects, now=now)
        except ValidationError:
            continue
    kinds = [k for k in kinds if k in dues]
    if not kinds:
        raise Http404("Nothing to convene")
    first = kinds[0]
    defaults = convening.default_invitations(kind=first, council=council, subjects=subjects, contact=rule_contact)
    alternatives = _alternatives(defaults, council=council, subjects=subjects, contact=rule_contact)
    rows = forms.invitation_rows(defaults, alternatives=alternatives)
    if any(k in CONFERENCE_KINDS for k in kinds):
        rows += forms.invitation_rows(
            convening.parents_to_invite(subjects, by=user),
            alternatives={},
            conference_only=first not in CONFERENCE_KINDS,
        )
    kind_choices = [(k, f"{MeetingKind(k).label}: due by {_due_text(dues[k])}") for k in kinds]
    form = forms.ConveneForm(
        request.POST or None,
        kinds=kind_choices,
        chairs=forms.chairs_in(council),
        rows=rows,
        extra_choices=forms.team_choices(forms.partnership_teams(council)),
        initial={"kind": first, **_initial(_suggested_start(first, dues[first], now))},
        show_late_reason=dues[first] < now,
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = convening.convene(
                kind=form.cleaned_data["kind"],
                by=user,
                chair=form.cleaned_data["chair"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                format=form.cleaned_data["format"],
                venue=form.cleaned_data["venue"],
                subjects=subjects if contact is None and previous is None else (),
                contact=contact,
                previous=previous,
                invitations=form.cleaned_data["invitations"],
                late_reason=form.cleaned_data["late_reason"],
            )
        except ValidationError as error:
            forms.apply_service_error(form, error, forms.SERVICE_ALIASES)
            form.show_late_reason = form.show_late_reason or "late_reason" in form.errors
        else:
            messages.success(
                request, f"{created.title} arranged. The invitations have been sent with a calendar entry."
            )
            return redirect("meetings:meeting", pk=created.pk)
    visible = set(policy.visible_persons(user).filter(pk__in=[p.pk for p in subjects]).values_list("pk", flat=True))
    context = {
        "form": form,
        "kinds": kinds,
        "fixed_kind": MeetingKind(first).label if len(kinds) == 1 else "",
        "due_at": dues[first] if len(kinds) == 1 else None,
        "dues": [(MeetingKind(k).label, dues[k]) for k in kinds],
        "overdue": all(d < now for d in dues.values()),
        "children": [{"person": p, "visible": p.pk in visible} for p in subjects],
        "contact": contact,
        "previous": previous,
        "back_url": back[0],
        "back_label": back[1],
    }
    return render(request, "meetings/convene.html", context)


def _due_text(due_at: datetime.datetime) -> str:
    local = due_at.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A %-d %B %Y}"


@login_required
def convene_from_contact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.CONVENE_MEETINGS)
    contact = hub_selectors.get_contact(user=user, pk=pk, part="strategy discussion")
    if policy.contact_view(user, contact) != policy.ContactView.HUB:
        raise PermissionDenied
    existing = (
        policy.visible_meetings(user)
        .filter(contact=contact, kind=MeetingKind.STRATEGY_DISCUSSION)
        .exclude(state=MeetingState.CANCELLED)
        .first()
    )
    if existing is not None:
        messages.info(request, f"{existing.title} has already been arranged for contact {contact.reference}.")
        return redirect("meetings:meeting", pk=existing.pk)
    subjects = [
        s.person
        for s in contact.subjects.filter(role__in=["child", "unborn"], person__isnull=False)
        .select_related("person")
        .order_by("pk")
        if s.person is not None
    ]
    return _convene(
        request,
        user,
        kinds=[MeetingKind.STRATEGY_DISCUSSION],
        council=contact.hub_team.organisation,
        subjects=subjects,
        contact=contact,
        back=(reverse("hub:contact", args=[contact.pk]), f"Back to contact {contact.reference}"),
    )


@login_required
def convene_after(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = _user(request, Capability.CONVENE_MEETINGS)
    previous = selectors.get_meeting(user=user, pk=pk)
    if not convening.FOLLOWS.get(kind) or previous.kind not in convening.FOLLOWS[MeetingKind(kind)]:
        raise Http404("No such meeting to convene")
    if not policy.can(user, "manage", previous):
        raise PermissionDenied
    if previous.state != MeetingState.HELD:
        messages.info(request, "Record this meeting's outcome first: what follows depends on it.")
        return redirect("meetings:meeting", pk=previous.pk)
    existing = policy.visible_meetings(user).filter(previous=previous, kind=kind).exclude(state=MeetingState.CANCELLED)
    if (found := existing.first()) is not None:
        messages.info(request, f"{found.title} has already been arranged.")
        return redirect("meetings:meeting", pk=found.pk)
    return _convene(
        request,
        user,
        kinds=[kind],
        council=previous.local_authority,
        subjects=list(previous.subjects.order_by("pk")),
        previous=previous,
        back=(reverse("meetings:meeting", args=[previous.pk]), f"Back to {previous.title}"),
    )


@login_required
def convene_for_person(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.CONVENE_MEETINGS)
    person = people_selectors.get_person(user=user, pk=pk, part="meeting")
    if person.kind == PersonKind.ADULT:
        raise Http404("Meetings are about children")
    council = user.organisation
    if council is None or council.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise PermissionDenied
    kinds: list[str] = [MeetingKind.STRATEGY_DISCUSSION]
    if person.kind == PersonKind.UNBORN and person.expected_due_date:
        kinds.append(MeetingKind.PRE_BIRTH_CONFERENCE)
    return _convene(
        request,
        user,
        kinds=kinds,
        council=council,
        subjects=[person],
        back=(person.get_absolute_url(), "Back to the record"),
    )


urlpatterns = [
    path("", meeting_list, name="list"),
    path("past/", past, name="past"),
    path("<id:pk>/", meeting, name="meeting"),
    path("<id:pk>/change/", reschedule, name="reschedule"),
    path("<id:pk>/invite/", invite, name="invite"),
    path("<id:pk>/cancel/", cancel, name="cancel"),
    path("<id:pk>/enquiry-outcome/", enquiry_outcome, name="enquiry-outcome"),
    path("invitations/<id:pk>/respond/", respond, name="respond"),
    path("invitations/<id:pk>/withdraw/", withdraw, name="withdraw"),
    path("invitations/<id:pk>/record-reply/", record_reply, name="record-reply"),
    path("convene/contact/<id:pk>/", convene_from_contact, name="convene-contact"),
    path("convene/after/<id:pk>/<slug:kind>/", convene_after, name="convene-after"),
    path("convene/person/<id:pk>/", convene_for_person, name="convene-person"),
]
