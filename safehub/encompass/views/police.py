"""Operation Encompass pages, police side: the force's incidents, recording one (with "Add
another adult/child" done on the server, so it works without JavaScript), the confirmation
saying where each child's notice went and when it is due, the incident page, and correcting
an incident (the schools already told get an update).

Thin: reads through `safehub.encompass.selectors`, writes through
`safehub.encompass.services.incidents`. URLs carry ids only; the form's token (which makes a
double-submitted form record one incident) carries nothing about anyone.
"""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from safehub.access import policy
from safehub.encompass import forms, selectors
from safehub.encompass.models import Incident, Notice, RecipientKind
from safehub.encompass.services.incidents import (
    AdultInput,
    ChildCorrection,
    ChildInput,
    DuplicateIncident,
    IncidentInput,
    correct_incident,
    record_incident,
)
from safehub.partnership.models import Organisation, User
from safehub.partnership.roles import Capability, has_capability

PAGE_SIZE = 25
ROW_PREFIXES = ("adults", "children")
FIRST_ROWS = {"adults": 2, "children": 1}


def _officer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.RECORD_INCIDENT) or user.organisation is None:
        raise PermissionDenied
    return user


# The force's incidents ------------------------------------------------------------------------


def _with_notice_counts(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    now = timezone.now()
    unacknowledged = Q(notices__acknowledged_at__isnull=True)
    return incidents.annotate(
        children_count=Count("children", distinct=True),
        notices_count=Count("notices", distinct=True),
        acknowledged_count=Count("notices", filter=~unacknowledged, distinct=True),
        overdue_count=Count("notices", filter=unacknowledged & Q(notices__acknowledge_by__lte=now), distinct=True),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    incidents = _with_notice_counts(selectors.incidents_visible_to(user)).order_by("-occurred_at", "-pk")
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "encompass/incident_list.html", {"page": page, "incidents": page.object_list})


# Recording an incident ------------------------------------------------------------------------


def _with_another_row(data: QueryDict, prefix: str) -> QueryDict:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, forms.MAX_ROWS))
    return data


def _incident_forms(
    force: Organisation, data: QueryDict | None = None, *, quiet: bool = False
) -> tuple[forms.IncidentForm, forms.RowFormSet, forms.RowFormSet]:
    if data is None:
        form = forms.IncidentForm(force=force, initial={"token": secrets.token_urlsafe(24)})
        councils = form.fields["local_authority"].queryset  # type: ignore[attr-defined]
        if councils.count() == 1:
            form.initial["local_authority"] = councils.first()
        adults = forms.AdultFormSet(prefix="adults")
        children = forms.ChildFormSet(prefix="children")
        # Blank rows to start with; on the way back they are "extra" rows too, so a blank one is left out.
        adults.extra, children.extra = FIRST_ROWS["adults"], FIRST_ROWS["children"]
        return form, adults, children
    return (
        forms.IncidentForm(data, force=force, quiet=quiet),
        forms.AdultFormSet(data, prefix="adults", quiet=quiet),
        forms.ChildFormSet(data, prefix="children", quiet=quiet),
    )


def _adult(row: dict[str, Any]) -> AdultInput:
    return AdultInput(
        role=row["role"],
        given_names=row["given_names"],
        family_name=row["family_name"],
        date_of_birth=row.get("date_of_birth"),
    )


def _child(row: dict[str, Any]) -> ChildInput:
    return ChildInput(
        given_names=row["given_names"],
        family_name=row["family_name"],
        date_of_birth=row.get("date_of_birth"),
        nhs_number=row.get("nhs_number", ""),
        upn=row.get("upn", ""),
        postcode=row.get("postcode", ""),
        present=row["present"] == "yes",
        whereabouts=row.get("whereabouts", ""),
        voice_of_child=row.get("voice_of_child", ""),
        injuries=row.get("injuries", ""),
        actions_taken=row.get("actions_taken", ""),
    )


ALREADY_SENT = (
    "This form was already sent: it recorded incident {reference}. To record another incident, start a new form."
)


def _duplicate(user: User, error: DuplicateIncident, key: str, police_reference: str) -> dict[str, Any]:
    """What to say about a duplicate, and the incident it names: this form's own earlier one
    (sent again after changing it), or the force's incident with the same reference."""
    visible = selectors.incidents_visible_to(user)
    earlier = visible.filter(idempotency_key=key).first() if key else None
    if earlier is not None:
        return {"message": ALREADY_SENT.format(reference=earlier.reference), "incident": earlier}
    return {
        "message": " ".join(error.messages),
        "incident": visible.filter(police_reference=police_reference.strip()).first(),
    }


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    force = user.organisation
    assert force is not None
    duplicate: dict[str, Any] | None = None
    if request.method != "POST":
        form, adults, children = _incident_forms(force)
    elif request.POST.get("add") in ROW_PREFIXES:
        data = _with_another_row(request.POST, request.POST["add"])
        form, adults, children = _incident_forms(force, data, quiet=True)
    else:
        form, adults, children = _incident_forms(force, request.POST)
        if form.is_valid() and adults.is_valid() and children.is_valid():
            adult_rows, child_rows = adults.filled(), children.filled()
            cleaned = form.cleaned_data
            key = f"form:{user.pk}:{cleaned['token']}" if cleaned["token"] else ""
            given = IncidentInput(
                police_reference=cleaned["police_reference"],
                occurred_at=cleaned["occurred_at"],
                local_authority=cleaned["local_authority"],
                location=cleaned["location"],
                location_kind=cleaned["location_kind"],
                circumstances=cleaned["circumstances"],
                adults=[_adult(row.cleaned_data) for _, row in adult_rows],
                children=[_child(row.cleaned_data) for _, row in child_rows],
            )
            try:
                try:
                    incident, _ = record_incident(incident=given, by=user, idempotency_key=key or None, via="form")
                except IntegrityError:
                    # The same form arrived twice at once and the other one saved first: now it is a resend.
                    incident, _ = record_incident(incident=given, by=user, idempotency_key=key or None, via="form")
            except DuplicateIncident as error:
                duplicate = _duplicate(user, error, key, cleaned["police_reference"])
            except ValidationError as error:
                forms.place_service_errors(
                    error,
                    form,
                    {
                        "adults": (adults, [index for index, _ in adult_rows]),
                        "children": (children, [index for index, _ in child_rows]),
                    },
                )
            else:
                return redirect("encompass:incident-recorded", pk=incident.pk)
    summary = forms.error_summary(form, adults, children)
    if duplicate is not None:
        summary.insert(0, ("#duplicate", duplicate["message"]))
    return render(
        request,
        "encompass/incident_form.html",
        {
            "form": form,
            "adults": adults,
            "children": children,
            "errors": summary,
            "duplicate": duplicate,
            "max_rows": forms.MAX_ROWS,
        },
    )


def _notice_rows(incident: Incident) -> list[dict[str, Any]]:
    now = timezone.now()
    notices = (
        Notice.objects.filter(incident=incident)
        .select_related("child__person", "organisation", "team", "acknowledged_by")
        .order_by("child_id")
    )
    rows = []
    for notice in notices:
        rows.append(
            {
                "notice": notice,
                "child": notice.child,
                "to_school": notice.recipient_kind == RecipientKind.SCHOOL,
                "overdue": notice.acknowledged_at is None and notice.acknowledge_by <= now,
            }
        )
    return rows


@login_required
def recorded(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    incident = selectors.get_incident(user=user, pk=pk)
    return render(request, "encompass/incident_recorded.html", {"incident": incident, "rows": _notice_rows(incident)})


# The incident page --------------------------------------------------------------------------


@login_required
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = selectors.get_incident(user=user, pk=pk)
    rows = _notice_rows(found)
    linked = [row["child"].person_id for row in rows if row["child"].person_id is not None]
    visible = set(policy.visible_persons(user).filter(pk__in=linked).values_list("pk", flat=True))
    for row in rows:
        row["person_visible"] = row["child"].person_id in visible
    return render(
        request,
        "encompass/incident.html",
        {
            "incident": found,
            "adults": found.adults.all(),
            "rows": rows,
            "children_without_notice": found.children.filter(notice__isnull=True),
        },
    )


# Correcting an incident ---------------------------------------------------------------------


def _child_initial(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "present": "yes" if child.present else "no",
            "whereabouts": child.whereabouts,
            "voice_of_child": child.voice_of_child,
            "injuries": child.injuries,
            "actions_taken": child.actions_taken,
        }
        for child in incident.children.order_by("pk")
    ]


@login_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    found = selectors.get_incident(user=user, pk=pk)
    existing = list(found.children.order_by("pk"))
    initial = _child_initial(found)
    incident_initial = {"circumstances": found.circumstances, "location_kind": found.location_kind}
    data: QueryDict | None = None
    quiet = False
    if request.method == "POST":
        data = request.POST
        if request.POST.get("add") == "new":
            data, quiet = _with_another_row(request.POST, "new"), True
    form = forms.CorrectionForm(data, initial=incident_initial, quiet=quiet)
    children = forms.ChildCorrectionFormSet(data, prefix="children", initial=initial, quiet=quiet)
    added = forms.AddedChildFormSet(data, prefix="new", quiet=quiet, first_number=len(existing) + 1)
    if data is not None and not quiet and form.is_valid() and children.is_valid() and added.is_valid():
        added_rows = added.filled()
        cleaned = form.cleaned_data
        try:
            corrected = correct_incident(
                incident=found,
                by=user,
                note=cleaned["correction_note"],
                circumstances=cleaned["circumstances"],
                location_kind=cleaned["location_kind"],
                children=[
                    ChildCorrection(
                        child_id=child.pk,
                        present=row.cleaned_data["present"] == "yes",
                        whereabouts=row.cleaned_data["whereabouts"],
                        voice_of_child=row.cleaned_data["voice_of_child"],
                        injuries=row.cleaned_data["injuries"],
                        actions_taken=row.cleaned_data["actions_taken"],
                    )
                    for child, row in zip(existing, children.forms, strict=True)
                ],
                add_children=[_child(row.cleaned_data) for _, row in added_rows],
            )
        except ValidationError as error:
            forms.place_service_errors(error, form, {"children": (added, [index for index, _ in added_rows])})
        else:
            told = Notice.objects.filter(incident=corrected).count() - len(added_rows)
            message = f"Version {corrected.version} saved. Update sent to the schools"
            message += f" ({told} notice{'s' if told != 1 else ''})." if told else "."
            if added_rows:
                message += (
                    f" First notice sent for {len(added_rows)} added child{'ren' if len(added_rows) != 1 else ''}."
                )
            messages.success(request, message)
            return redirect("encompass:incident", pk=corrected.pk)
    return render(
        request,
        "encompass/incident_correct.html",
        {
            "incident": found,
            "form": form,
            "children": children,
            "child_rows": list(zip(existing, children.forms, strict=True)),
            "added": added,
            "errors": forms.error_summary(form, children, added),
            "max_rows": forms.MAX_ROWS,
        },
    )


urlpatterns = [
    path("incidents/", index, name="incidents"),
    path("incidents/new/", new, name="incident-new"),
    path("incidents/<id:pk>/", incident, name="incident"),
    path("incidents/<id:pk>/recorded/", recorded, name="incident-recorded"),
    path("incidents/<id:pk>/correct/", correct, name="incident-correct"),
]
