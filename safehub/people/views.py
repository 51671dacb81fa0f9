"""Pages for finding people and reading their records. Thin: each calls a selector.

Search terms are POSTed and kept out of URLs (see `safehub.core.search_state`).
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access import services as access_services
from safehub.core.search_state import load_search, save_search
from safehub.meetings import selectors as meetings_selectors
from safehub.partnership.models import OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import duplicates as dedupe
from safehub.people import merge, selectors
from safehub.people import services as people_services
from safehub.people.forms import ChronologyEntryForm, PersonSearchForm, ReachForm, RollFilterForm
from safehub.people.models import DuplicatePair, PairState, Person, PersonKind, PersonMerge, Reach

RESULTS_PER_PAGE = 25
# The person's latest meetings shown on their record (the meetings list has the rest).
MEETINGS_SHOWN = 20


def _require(request: HttpRequest, capability: Capability) -> None:
    if not has_capability(request.user, capability):  # type: ignore[arg-type]
        raise PermissionDenied


def _terms(form: PersonSearchForm | RollFilterForm) -> dict[str, str]:
    return {name: form.data.get(name, "") for name in form.fields}


@login_required
def search(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.SEARCH_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    context = {
        "fields": policy.field_access(user),
        "can_break_glass": has_capability(user, Capability.BREAK_GLASS),
    }
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            return redirect(f"{reverse('people:search')}?q={save_search(request, _terms(form))}")
        return render(request, "people/search.html", {**context, "form": form, "page": None})
    terms = load_search(request)
    form = PersonSearchForm(terms)
    page = None
    if terms is not None and form.is_valid():
        search_terms = selectors.PersonSearch(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            identifier=form.cleaned_data["identifier"],
            postcode=form.cleaned_data["postcode"],
        )
        results = selectors.search_people(user=user, search=search_terms)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # Recorded before the results are rendered, with the terms: the privacy officer sees what was sought.
        access_services.record_search(user=user, criteria=search_terms.criteria(), result_count=page.paginator.count)
    return render(request, "people/search.html", {**context, "form": form, "page": page})


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.VIEW_PERSON)
    user = request.user
    # A record merged into another is read on the kept record (only references are read here).
    if (kept := merge.final_record(pk)) is not None:
        return redirect("people:person", pk=kept)
    record = selectors.get_person(user=user, pk=pk)  # type: ignore[arg-type]
    chronology = Paginator(selectors.chronology_for(user=user, person=record), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    context = {
        "mother": selectors.visible_mother(user=user, person=record),  # type: ignore[arg-type]
        "household": selectors.household_of(user=user, person=record),  # type: ignore[arg-type]
        "grant": policy.active_grant_for(user, record),  # type: ignore[arg-type]
        "fields": policy.field_access(user),  # type: ignore[arg-type]
        "can_merge": has_capability(user, Capability.MERGE_PEOPLE),  # type: ignore[arg-type]
        "merges": merge.merges_into(record),
        "plans": meetings_selectors.plans_of(user=user, person=record),  # type: ignore[arg-type]
        "meetings": list(meetings_selectors.meetings_about(user=user, person=record)[:MEETINGS_SHOWN]),  # type: ignore[arg-type]
        "can_convene": record.kind != PersonKind.ADULT and has_capability(user, Capability.CONVENE_MEETINGS),  # type: ignore[arg-type]
        "can_add_entry": has_capability(user, Capability.ADD_CHRONOLOGY) and user.organisation_id is not None,  # type: ignore[arg-type, union-attr]
        "own_agency": user.organisation_id,  # type: ignore[union-attr]
    }
    # Recorded before anything is rendered: if the event cannot be written, nothing is shown.
    access_services.record_person_viewed(user=user, person=record)  # type: ignore[arg-type]
    return render(
        request,
        "people/person.html",
        {
            **context,
            "person": record,
            "age": record.age_on(timezone.localdate()),
            "chronology": chronology,
        },
    )


# The chronology: adding an entry and deciding who may read it ---------------------------------


def _agency_name(user: User) -> str:
    return user.organisation.name if user.organisation is not None else "Your agency"


@login_required
def add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an event to the person's chronology for the user's agency, choosing who may read it."""
    from safehub.meetings.forms import apply_service_error

    _require(request, Capability.ADD_CHRONOLOGY)
    user: User = request.user  # type: ignore[assignment]
    record = selectors.get_person(user=user, pk=pk, part="chronology")
    police = user.organisation is not None and user.organisation.kind == OrganisationKind.POLICE_FORCE
    agencies = selectors.agencies_working_with(record, besides=user.organisation)
    initial = {"reach": Reach.OWN_AGENCY if police else Reach.PARTNERSHIP}
    form = ChronologyEntryForm(
        request.POST or None, initial=initial, agencies=agencies, own=_agency_name(user), police=police
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.add_chronology_entry(
                person=record,
                by=user,
                occurred_at=data["occurred_at"],
                category=data["category"],
                summary=data["summary"],
                reach=data["reach"],
                agencies=list(data["agencies"]),
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_service_error(form, error, {"occurred_at": "date"})
        else:
            messages.success(request, "Added to the chronology.")
            return redirect(f"{reverse('people:person', args=[record.pk])}#chronology")
    access_services.record_person_viewed(user=user, person=record, part="chronology")
    return render(request, "people/add_entry.html", {"person": record, "form": form, "police": police})


@login_required
def entry_reach(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording agency's decision on who may read one of its entries, with its history."""
    from safehub.meetings.forms import apply_service_error

    _require(request, Capability.ADD_CHRONOLOGY)
    user: User = request.user  # type: ignore[assignment]
    entry = selectors.chronology_entry_of_own_agency(user=user, pk=pk)
    agencies = selectors.agencies_working_with(entry.person, besides=entry.organisation)
    initial = {"reach": entry.reach, "agencies": list(entry.shared_with.all())}
    form = ReachForm(request.POST or None, initial=initial, agencies=agencies, own=_agency_name(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.change_reach(
                entry=entry, by=user, reach=data["reach"], agencies=list(data["agencies"]), reason=data["reason"]
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Who may read the entry is changed, and your decision is recorded.")
            return redirect(f"{reverse('people:person', args=[entry.person_id])}#chronology")
    access_services.record_person_viewed(user=user, person=entry.person, part="chronology")
    context = {"entry": entry, "person": entry.person, "form": form, "decisions": list(entry.sharing_decisions.all())}
    return render(request, "people/entry_reach.html", context)


@login_required
def school_roll(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.VIEW_SCHOOL_ROLL)
    if request.method == "POST":
        form = RollFilterForm(request.POST)
        if form.is_valid():
            return redirect(f"{reverse('people:school-roll')}?q={save_search(request, _terms(form))}")
    else:
        form = RollFilterForm(load_search(request))
    name = form.cleaned_data["name"] if form.is_bound and form.is_valid() else ""
    roll = selectors.school_roll(user=request.user, name=name)  # type: ignore[arg-type]
    page = Paginator(roll, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "people/school_roll.html", {"form": form, "page": page})


# Merging two records of one person ------------------------------------------------------
# The two small forms live here, with the only pages that use them.

REFERENCE_PATTERN = re.compile(r"^P?-?0*(\d{1,9})$", re.IGNORECASE)


class MergeFindForm(forms.Form):
    other = forms.CharField(
        label="Reference of the other record",
        max_length=20,
        help_text="It is at the top of the other record's page, for example P-0001234.",
        error_messages={"required": "Enter the reference of the other record, for example P-0001234."},
    )

    def __init__(self, *args: object, this: Person, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.this, self.user = this, user
        self.fields["other"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_other(self) -> int:
        typed = self.cleaned_data["other"].strip().replace(" ", "")
        found = REFERENCE_PATTERN.match(typed)
        if not found:
            raise ValidationError("Enter a record reference like P-0001234.")
        pk = int(found.group(1))
        reference = Person(pk=pk).reference
        if pk == self.this.pk:
            raise ValidationError("That is this record: enter the reference of the other record.")
        if not selectors.persons_visible_to(self.user).filter(pk=pk).exists():
            raise ValidationError(f"No record has the reference {reference}. Check it on the other record's page.")
        if (kept := merge.final_record(pk)) is not None:
            raise ValidationError(f"{reference} has already been merged into {Person(pk=kept).reference}.")
        return pk


class MergeConfirmForm(forms.Form):
    keep = forms.ChoiceField(
        label="Which record do you want to keep?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which record to keep."},
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="For example, the identifiers or documents that show it. The privacy officer can read this.",
        error_messages={"required": merge.REASON_NEEDED},
    )

    def __init__(self, *args: object, this: Person, other: Person, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            ("this", f"Keep {this.reference} and merge {other.reference} into it"),
            ("other", f"Keep {other.reference} and merge {this.reference} into it"),
        ]


@login_required
def merge_find(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    this = selectors.get_person(user=user, pk=pk, part="merge")
    form = MergeFindForm(request.POST or None, this=this, user=user)
    if request.method == "POST" and form.is_valid():
        return redirect("people:merge-compare", pk=this.pk, other_pk=form.cleaned_data["other"])
    return render(request, "people/merge_find.html", {"person": this, "form": form})


@login_required
def merge_compare(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    this = selectors.get_person(user=user, pk=pk, part="merge")
    other = selectors.get_person(user=user, pk=other_pk, part="merge")
    form = MergeConfirmForm(request.POST or None, this=this, other=other)
    if request.method == "POST" and form.is_valid():
        keep, folded = (this, other) if form.cleaned_data["keep"] == "this" else (other, this)
        try:
            merge.merge_people(keep=keep, merge=folded, reason=form.cleaned_data["reason"], by=user)
        except ValidationError as error:
            form.add_error(None, error.messages[0] if not hasattr(error, "error_dict") else error)
        else:
            messages.success(request, f"{folded.reference} is merged into {keep.reference}. You can undo this below.")
            return redirect("people:person", pk=keep.pk)
    problem = ""
    try:
        merge.check_mergeable(keep=this, merge=other)
    except ValidationError as error:
        problem = error.messages[0]
    # Both records are shown in full side by side: recorded as read before rendering.
    for record in (this, other):
        access_services.record_person_viewed(user=user, person=record, part="merge comparison")
    return render(
        request,
        "people/merge_compare.html",
        {
            "this": this,
            "other": other,
            "form": form,
            "problem": problem,
            "fields": policy.field_access(user),
            "today": timezone.localdate(),
        },
    )


@login_required
def unmerge(request: HttpRequest, merge_pk: int) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    merge_record = get_object_or_404(PersonMerge.objects.select_related("kept", "merged", "merged_by"), pk=merge_pk)
    kept = selectors.get_person(user=user, pk=merge_record.kept_id, part="merge")
    if merge_record.is_undone:
        raise Http404("This merge has already been undone")
    error = ""
    if request.method == "POST":
        try:
            merge.unmerge(merge_record=merge_record, by=user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            merged = merge_record.merged
            messages.success(request, f"The merge is undone: {merged.reference} is a separate record again.")
            return redirect("people:person", pk=merged.pk)
    return render(request, "people/merge_undo.html", {"merge": merge_record, "person": kept, "error": error})


# Duplicate records: the batch deduplication's review queue (safehub.people.duplicates) ------

PAIRS_PER_PAGE = 25


class PairDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What did you find?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these are the same person, and which record to keep."},
    )
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="For example the identifiers, documents or agencies' records that show it. The privacy officer "
        "can read this.",
        error_messages={"required": dedupe.REASON_NEEDED},
    )

    def __init__(self, *args: object, pair: DuplicatePair, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        first, second = pair.first.reference, pair.second.reference
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (dedupe.Decision.KEEP_FIRST, f"The same person: keep {first} and merge {second} into it"),
            (dedupe.Decision.KEEP_SECOND, f"The same person: keep {second} and merge {first} into it"),
            (dedupe.Decision.DISTINCT, "Different people: do not suggest this pair again"),
        ]


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(
        label="Match weight at and above which pairs are reviewed",
        min_value=-10,
        max_value=30,
        error_messages={
            "required": dedupe.THRESHOLD_RANGE,
            "invalid": dedupe.THRESHOLD_RANGE,
            "min_value": dedupe.THRESHOLD_RANGE,
            "max_value": dedupe.THRESHOLD_RANGE,
        },
    )
    reason = forms.CharField(
        label="Why are you changing it?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": dedupe.THRESHOLD_REASON},
    )


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    showing = "decided" if request.GET.get("show") == "decided" else "open"
    rows = dedupe.decided_pairs(user=user) if showing == "decided" else dedupe.open_pairs(user=user)
    page = Paginator(rows, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    for pair in page.object_list:
        pair.summary = dedupe.summary(pair)  # type: ignore[attr-defined]
    return render(
        request,
        "people/duplicates.html",
        {
            "page": page,
            "showing": showing,
            "model": dedupe.current_model(),
            "counts": dedupe.queue_counts(),
        },
    )


@login_required
def duplicate_pair(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    pair = get_object_or_404(DuplicatePair.objects.select_related("model", "decided_by", "merge"), pk=pk)
    # Both records through the selectors: a pair whose records the user may not open is not theirs.
    this = selectors.get_person(user=user, pk=pair.first_id, part="duplicate review")
    other = selectors.get_person(user=user, pk=pair.second_id, part="duplicate review")
    form = PairDecisionForm(request.POST or None, pair=pair)
    if request.method == "POST" and pair.state == PairState.OPEN and form.is_valid():
        try:
            decided = dedupe.decide(
                pair=pair, by=user, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0] if not hasattr(error, "error_dict") else error)
        else:
            if decided.state == PairState.MERGED and decided.merge is not None:
                kept = decided.merge.kept.reference
                messages.success(request, f"{decided.reference}: merged into {kept}. You can undo it on {kept}'s page.")
            else:
                messages.success(request, f"{decided.reference}: recorded as different people.")
            following = dedupe.open_pairs(user=user).exclude(pk=decided.pk).first()
            if following is not None:
                return redirect("people:duplicate-pair", pk=following.pk)
            return redirect("people:duplicates")
    problem = ""
    if pair.state == PairState.OPEN:
        try:
            merge.check_mergeable(keep=this, merge=other)
        except ValidationError as error:
            problem = error.messages[0]
    for shown in (this, other):
        access_services.record_person_viewed(user=user, person=shown, part="duplicate review")
    levels = dedupe.explained(pair)
    return render(
        request,
        "people/duplicate_pair.html",
        {
            "pair": pair,
            "this": this,
            "other": other,
            "form": form,
            "problem": problem,
            "levels": levels,
            "fields": policy.field_access(user),
        },
    )


@login_required
def match_model(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.MERGE_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    model = dedupe.current_model()
    if model is None:
        return render(request, "people/match_model.html", {"model": None})
    form = ThresholdForm(request.POST or None, initial={"threshold": model.threshold})
    if request.method == "POST" and form.is_valid():
        try:
            dedupe.set_threshold(
                model=model, by=user, threshold=form.cleaned_data["threshold"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The threshold is now a match weight of {model.threshold:g}.")
            return redirect("people:match-model")
    above, below = dedupe.around_threshold(model)
    for pair in (*above, *below):
        pair.summary = dedupe.summary(pair)  # type: ignore[attr-defined]
    return render(
        request,
        "people/match_model.html",
        {
            "model": model,
            "form": form,
            "above": above,
            "below": below,
            "histogram": dedupe.weight_histogram(model),
            "comparisons": {
                dedupe.TITLES.get(name, name): levels
                for name, levels in dedupe.comparison_levels(model.settings).items()
            },
            "versions": dedupe.model_versions()[:10],
        },
    )
