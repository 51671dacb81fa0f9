"""Hub pages: recording a contact, a GOV.UK form journey with one thing per page.

Who it is about (children, unborn children, adults; each child or adult matched against
existing records), what happened, the referrer, what the family knows, consent and the
lawful basis, then check your answers and a confirmation with the reference.

An unfinished journey lives in the session (`DRAFT_KEY`), never in URLs: the only things
in these URLs are a subject's role and position in the list. Candidates shown to the user
are remembered in the draft, and only those may be linked.
"""

import datetime
import secrets
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from safehub.hub import forms
from safehub.hub.models import Consent, Contact, ContactSource, FamilyAwareness, LawfulBasis, SubjectRole
from safehub.hub.services.contacts import IdempotencyConflict, SubjectInput, record_contact, source_for
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import matching
from safehub.people.models import Person
from safehub.people.selectors import persons_visible_to

DRAFT_KEY = "safehub.hub.contact_draft"
RECORDED_KEY = "safehub.hub.contact_recorded"
MAX_CANDIDATES = 10

# The single-question pages after "who": slug -> (form, title).
STEPS: dict[str, tuple[type[forms.forms.Form], str]] = {
    "what-happened": (forms.ContactWhatHappenedForm, "What happened?"),
    "referrer": (forms.ContactReferrerForm, "Your details"),
    "family": (forms.ContactFamilyForm, "What the family knows"),
    "consent": (forms.ContactConsentForm, "Consent and the lawful basis for sharing"),
}
NEXT_STEP = {"what-happened": "referrer", "referrer": "family", "family": "consent", "consent": "check"}
ROLE_TITLES = {
    SubjectRole.CHILD: "Add a child",
    SubjectRole.UNBORN: "Add an unborn child",
    SubjectRole.ADULT: "Add an adult in the household",
}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.RECORD_CONTACT):
        raise PermissionDenied
    return user


def _draft(request: HttpRequest) -> dict[str, Any] | None:
    draft: dict[str, Any] | None = request.session.get(DRAFT_KEY)
    return draft


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT_KEY] = draft
    request.session.modified = True


def _go(slug: str) -> HttpResponse:
    if slug == "check":
        return redirect("hub:contact-check")
    return redirect("hub:contact-step", step=slug)


def _has_child(draft: dict[str, Any]) -> bool:
    return any(s["role"] in (SubjectRole.CHILD, SubjectRole.UNBORN) for s in draft.get("subjects", []))


@login_required
def start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        _save(
            request,
            {
                "token": secrets.token_hex(16),
                "subjects": [],
                "referrer_name": user.get_full_name(),
                "referrer_role": user.job_title,
                "referrer_contact": user.email or user.phone,
            },
        )
        return redirect("hub:contact-people")
    return render(request, "hub/contact_start.html", {"has_draft": _draft(request) is not None})


@login_required
def people(request: HttpRequest) -> HttpResponse:
    _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    error = ""
    if request.method == "POST":
        if _has_child(draft):
            return _go(draft.get("return_to") or "what-happened")
        error = "Add at least one child or unborn child: a contact is a concern about a child."
    return render(
        request,
        "hub/contact_people.html",
        {"subjects": _described(draft["subjects"]), "error": error, "roles": ROLE_TITLES},
    )


@login_required
def add_person(request: HttpRequest, role: str) -> HttpResponse:
    _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    if role not in SubjectRole.values:
        return redirect("hub:contact-people")
    form = forms.ContactSubjectForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        subject = {"role": role, "link": "", "candidates": [], **_blank_subject()}
        subject.update(form.cleaned_data)
        draft["subjects"].append(subject)
        _save(request, draft)
        index = len(draft["subjects"]) - 1
        if role == SubjectRole.UNBORN:
            # An unborn child's record hangs on the mother's: the hub links it when screening.
            return redirect("hub:contact-people")
        return redirect("hub:contact-match", index=index)
    return render(request, "hub/contact_person.html", {"form": form, "title": ROLE_TITLES[SubjectRole(role)]})


def _blank_subject() -> dict[str, str]:
    return dict.fromkeys(
        ("given_names", "family_name", "date_of_birth", "expected_due_date", "nhs_number", "upn", "postcode"), ""
    )


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _find_candidates(user: User, subject: dict[str, Any]) -> list[Any]:
    return list(
        matching.find_candidates(
            user=user,
            given_names=subject["given_names"],
            family_name=subject["family_name"],
            date_of_birth=_date(subject.get("date_of_birth", "")),
            nhs_number=subject.get("nhs_number", ""),
            upn=subject.get("upn", ""),
            postcode=subject.get("postcode", ""),
        )
    )[:MAX_CANDIDATES]


@login_required
def match(request: HttpRequest, index: int) -> HttpResponse:
    user = _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    if index >= len(draft["subjects"]) or draft["subjects"][index]["role"] == SubjectRole.UNBORN:
        return redirect("hub:contact-people")
    subject = draft["subjects"][index]
    candidates = _find_candidates(user, subject)
    subject["candidates"] = [candidate.person.pk for candidate in candidates]
    _save(request, draft)
    choices = [(f"person-{c.person.pk}", f"{c.person.full_name} ({c.person.reference})") for c in candidates]
    form = forms.ContactMatchForm(request.POST or None, candidates=choices)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        subject["link"] = choice
        _save(request, draft)
        return redirect("hub:contact-people")
    return render(
        request,
        "hub/contact_match.html",
        {
            "form": form,
            "candidates": candidates,
            "subject": _described([subject])[0],
            "index": index,
        },
    )


@login_required
@require_POST
def remove_person(request: HttpRequest, index: int) -> HttpResponse:
    _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    if index < len(draft["subjects"]):
        draft["subjects"].pop(index)
        _save(request, draft)
    return redirect("hub:contact-people")


@login_required
def step(request: HttpRequest, step: str) -> HttpResponse:
    _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    if step not in STEPS:
        return redirect("hub:contact-people")
    if not _has_child(draft):
        return redirect("hub:contact-people")
    form_class, title = STEPS[step]
    initial = {name: draft.get(name, "") for name in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft.update(form.cleaned_data)
        _save(request, draft)
        if draft.get("return_to") == "check" and _complete(draft):
            return redirect("hub:contact-check")
        return _go(NEXT_STEP[step])
    return render(request, "hub/contact_step.html", {"form": form, "title": title, "step": step})


def _first_unanswered(draft: dict[str, Any]) -> str:
    for slug, (form_class, _title) in STEPS.items():
        if any(field.required and not draft.get(name) for name, field in form_class.base_fields.items()):
            return slug
    return "check"


def _complete(draft: dict[str, Any]) -> bool:
    return _has_child(draft) and _first_unanswered(draft) == "check"


def _described(subjects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft's subjects as the pages show them."""
    shown = []
    for index, subject in enumerate(subjects):
        name = f"{subject['given_names']} {subject['family_name']}".strip()
        link = subject.get("link", "")
        if link.startswith("person-"):
            record = f"Linked to record P-{int(link.removeprefix('person-')):07d}"
        elif link == forms.ContactMatchForm.CREATE:
            record = "A new record will be created"
        elif subject["role"] == SubjectRole.UNBORN:
            record = "The hub links the record"
        else:
            record = "For the hub to match"
        born = _date(subject.get("date_of_birth", ""))
        due = _date(subject.get("expected_due_date", ""))
        shown.append(
            {
                "index": index,
                "role": SubjectRole(subject["role"]).label,
                "is_unborn": subject["role"] == SubjectRole.UNBORN,
                "name": name or ("Name not known yet" if subject["role"] == SubjectRole.UNBORN else "Name not known"),
                "born": f"Due {due:%-d %B %Y}" if due else (f"{born:%-d %B %Y}" if born else "Not known"),
                "nhs_number": subject.get("nhs_number", ""),
                "upn": subject.get("upn", ""),
                "postcode": subject.get("postcode", ""),
                "record": record,
            }
        )
    return shown


def _subject_inputs(user: User, subjects: list[dict[str, Any]]) -> list[SubjectInput]:
    linked_pks = [int(s["link"].removeprefix("person-")) for s in subjects if s.get("link", "").startswith("person-")]
    # Linking re-checks that the user may still see each record chosen.
    visible = {p.pk: p for p in persons_visible_to(user).filter(pk__in=linked_pks)}
    inputs = []
    for subject in subjects:
        person: Person | None = None
        link = subject.get("link", "")
        if link.startswith("person-"):
            pk = int(link.removeprefix("person-"))
            if pk not in subject.get("candidates", []) or pk not in visible:
                raise ValidationError("A record you chose can no longer be linked. Choose again for that person.")
            person = visible[pk]
        inputs.append(
            SubjectInput(
                role=subject["role"],
                given_names=subject["given_names"],
                family_name=subject["family_name"],
                date_of_birth=_date(subject.get("date_of_birth", "")),
                expected_due_date=_date(subject.get("expected_due_date", "")),
                nhs_number=subject.get("nhs_number", ""),
                upn=subject.get("upn", ""),
                postcode=subject.get("postcode", ""),
                person=person,
                create_person=link == forms.ContactMatchForm.CREATE,
            )
        )
    return inputs


@login_required
def check(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    draft = _draft(request)
    if draft is None:
        return redirect("hub:contact-start")
    if not _has_child(draft):
        return redirect("hub:contact-people")
    if not _complete(draft):
        return _go(_first_unanswered(draft))
    draft["return_to"] = "check"
    _save(request, draft)
    errors: list[str] = []
    if request.method == "POST":
        try:
            contact = record_contact(
                recorded_by=user,
                source=source_for(user.organisation),
                source_organisation=user.organisation,
                referrer_name=draft["referrer_name"],
                referrer_role=draft.get("referrer_role", ""),
                referrer_contact=draft["referrer_contact"],
                referrer_user=user,
                what_happened=draft["what_happened"],
                family_awareness=draft["family_awareness"],
                consent=draft["consent"],
                lawful_basis=draft["lawful_basis"],
                subjects=_subject_inputs(user, draft["subjects"]),
                idempotency_key=f"form:{draft['token']}",
            )
        except ValidationError as error:
            errors = error.messages
        except IdempotencyConflict:
            errors = ["This contact was already sent with different answers. Start again to send a new one."]
        else:
            del request.session[DRAFT_KEY]
            request.session[RECORDED_KEY] = contact.pk
            return redirect("hub:contact-done")
    answers = {
        "what_happened": draft["what_happened"],
        "referrer": [draft["referrer_name"], draft.get("referrer_role", ""), draft["referrer_contact"]],
        "source": ContactSource(source_for(user.organisation)).label,
        "organisation": user.organisation,
        "family_awareness": FamilyAwareness(draft["family_awareness"]).label,
        "consent": Consent(draft["consent"]).label,
        "lawful_basis": LawfulBasis(draft["lawful_basis"]).label,
    }
    return render(
        request,
        "hub/contact_check.html",
        {"subjects": _described(draft["subjects"]), "answers": answers, "errors": errors},
    )


@login_required
def done(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pk = request.session.get(RECORDED_KEY)
    contact = Contact.objects.filter(pk=pk, recorded_by=user).select_related("hub_team").first() if pk else None
    if contact is None:
        return redirect("hub:contact-start")
    return render(request, "hub/contact_done.html", {"contact": contact})


urlpatterns = [
    path("contacts/new/", start, name="contact-start"),
    path("contacts/new/people/", people, name="contact-people"),
    path("contacts/new/people/add/<slug:role>/", add_person, name="contact-add-person"),
    path("contacts/new/people/<int:index>/match/", match, name="contact-match"),
    path("contacts/new/people/<int:index>/remove/", remove_person, name="contact-remove-person"),
    path("contacts/new/check/", check, name="contact-check"),
    path("contacts/new/sent/", done, name="contact-done"),
    path("contacts/new/<slug:step>/", step, name="contact-step"),
]
