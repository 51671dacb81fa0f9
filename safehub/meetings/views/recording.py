"""The chair's pages once a meeting has started: attendance for every invitation (and anyone
who came without one), then the strategy discussion's outcome or the conference's decision,
with the actions agreed and the minutes. Thin: writes go through
`safehub.meetings.services.recording`; who may record is `access.policy`'s "chair".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import policy
from safehub.meetings import forms, selectors
from safehub.meetings.models import Agency, Invitation, Meeting, MeetingKind, MeetingState, ResponseState
from safehub.meetings.services import recording
from safehub.partnership.models import User


def _chaired(request: HttpRequest, pk: int) -> tuple[User, Meeting]:
    user: User = request.user  # type: ignore[assignment]
    found = selectors.get_meeting(user=user, pk=pk)
    if not policy.can(user, "chair", found):
        raise PermissionDenied
    return user, found


def _not_ready(request: HttpRequest, found: Meeting) -> HttpResponse | None:
    """Back to the meeting page if it cannot be recorded now (recorded, cancelled, not started)."""
    if found.state != MeetingState.SCHEDULED:
        messages.info(request, recording.NOT_SCHEDULED)
    elif timezone.now() < found.starts_at:
        messages.info(request, recording.NOT_STARTED)
    else:
        return None
    return redirect("meetings:meeting", pk=found.pk)


def _invitations(found: Meeting) -> list[Invitation]:
    return list(
        found.invitations.exclude(response=ResponseState.WITHDRAWN)
        .select_related("invitee", "team__organisation", "organisation", "attendance")
        .order_by("pk")
    )


@login_required
def record_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _chaired(request, pk)
    if (back := _not_ready(request, found)) is not None:
        return back
    invitations = _invitations(found)
    form = forms.AttendanceForm(request.POST or None, invitations=invitations)
    add_form = forms.AddAttendeeForm(
        organisations=forms.organisations_for_attendees(found.local_authority, invitations)
    )
    if request.method == "POST" and form.is_valid():
        try:
            recording.record_attendance(
                meeting=found,
                entries=[recording.AttendanceInput(**entry) for entry in form.entries()],
                by=user,
            )
        except ValidationError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, "Attendance recorded. Now record the outcome.")
            return redirect("meetings:record-outcome", pk=found.pk)
    return render(request, "meetings/record_attendance.html", {"form": form, "add_form": add_form, "meeting": found})


@login_required
@require_POST
def add_attendee(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _chaired(request, pk)
    if (back := _not_ready(request, found)) is not None:
        return back
    invitations = _invitations(found)
    add_form = forms.AddAttendeeForm(
        request.POST, organisations=forms.organisations_for_attendees(found.local_authority, invitations)
    )
    if add_form.is_valid():
        try:
            recording.add_attendee(
                meeting=found,
                agency=add_form.cleaned_data["agency"],
                name=add_form.cleaned_data["name"],
                organisation=add_form.cleaned_data["organisation"],
                by=user,
            )
        except ValidationError as error:
            forms.apply_service_error(add_form, error)
        else:
            messages.success(request, "Attendee added: record how they attended.")
            return redirect("meetings:record-attendance", pk=found.pk)
    form = forms.AttendanceForm(invitations=invitations)
    return render(request, "meetings/record_attendance.html", {"form": form, "add_form": add_form, "meeting": found})


@login_required
def record_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _chaired(request, pk)
    if (back := _not_ready(request, found)) is not None:
        return back
    invitations = _invitations(found)
    missing = recording.attendance_missing(found)
    gaps = recording.quorum_gaps(found)
    may_override = bool(gaps) and policy.can(user, "override_quorum", found)
    organisations = forms.organisations_for_actions(invitations, found.local_authority)
    form: forms.StrategyOutcomeForm | forms.ConferenceDecisionForm | forms.CoreGroupRecordForm
    if found.is_strategy_discussion:
        form = forms.StrategyOutcomeForm(request.POST or None, organisations=organisations, may_override=may_override)
    elif found.is_conference:
        form = forms.ConferenceDecisionForm(
            request.POST or None,
            organisations=organisations,
            may_override=may_override,
            latest_review=recording.review_due_after(found),
        )
    else:
        form = forms.CoreGroupRecordForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "meeting": found,
            "by": user,
            "minutes": data["minutes"],
            "information_shared": data["information_shared"],
            "actions": data["actions"],
            "quorum_override_reason": data.get("quorum_override_reason", ""),
        }
        try:
            if isinstance(form, forms.StrategyOutcomeForm):
                recording.record_strategy_outcome(outcome=data["outcome"], **common)
            elif isinstance(form, forms.CoreGroupRecordForm):
                del common["quorum_override_reason"]
                recording.record_core_group(**common)
            else:
                recording.record_conference_decision(
                    plan=data["plan"],
                    category=data["plan_category"] if data["plan"] else "",
                    review_on=data["plan_review_due"] if data["plan"] else None,
                    **common,
                )
        except ValidationError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, f"{found.title} recorded. The attendees' agencies can read the minutes.")
            return redirect("meetings:meeting", pk=found.pk)
    context = {
        "form": form,
        "meeting": found,
        "missing": missing,
        "gaps": [Agency(a).label for a in gaps],
        "may_override": may_override,
        "conference": found.is_conference,
        "core_group": found.kind == MeetingKind.CORE_GROUP,
    }
    return render(request, "meetings/record_outcome.html", context)


urlpatterns = [
    path("<id:pk>/record/attendance/", record_attendance, name="record-attendance"),
    path("<id:pk>/record/attendee/", add_attendee, name="add-attendee"),
    path("<id:pk>/record/outcome/", record_outcome, name="record-outcome"),
]
