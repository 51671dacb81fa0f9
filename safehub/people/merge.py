"""Merging two records later found to be one person, and undoing it.

Everything that points at the merged record (identifiers, other names, addresses,
relationships, enrolments, chronology, contact subjects, legitimate relationships,
emergency-access grants, and whatever later apps attach to a person) is re-pointed at the
kept record. The relations are found from the Person model itself, so a new app's rows move
too without a change here. The merged record stays, marked `merged_into`, hidden from search
and matching, and its page redirects to the kept record.

A row that cannot move because the kept record already has the same row (the same
relationship, say) stays on the merged record and is listed in `PersonMerge.left`.
`unmerge` moves back exactly the rows listed in `PersonMerge.moved` and deletes the rows
the merge created, so the records are as they were before.
"""

from collections.abc import Iterator

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.fields.reverse_related import ManyToOneRel
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import (
    DuplicatePair,
    IdentifierScheme,
    NameKind,
    PairState,
    Person,
    PersonMerge,
    PersonName,
)

NOT_ALLOWED = "Your roles do not allow you to merge records. Ask a hub practitioner or team manager."
SAME_RECORD = "These are the same record: choose the other record to merge with."
ALREADY_MERGED = "{reference} has already been merged into {into}. Use {into} instead."
DIFFERENT_NHS_NUMBERS = (
    "{kept} and {merged} have different NHS numbers, so SafeHub cannot treat them as one person. "
    "Check both NHS numbers with the child's health visitor or GP practice; if one is wrong, correct it first."
)
MOTHER_AND_UNBORN = "{mother} is the mother of {child}: a mother and her unborn child are not the same person."
REASON_NEEDED = "Say why these records are the same person, for example which identifiers or documents show it."
ALREADY_UNDONE = "This merge has already been undone."
KEPT_SINCE_MERGED = "{kept} has since been merged into {into}: undo that merge first."

# Columns that record a merge itself, never moved by one.
# Nor do the pairs the batch deduplication suggested: they name the two records compared.
_NOT_MOVED = {
    ("people.person", "merged_into"),
    ("people.personmerge", "kept"),
    ("people.personmerge", "merged"),
    ("people.duplicatepair", "first"),
    ("people.duplicatepair", "second"),
}
UNDONE_PAIR_REASON = "The merge {merge} of these records was undone: they are different people."


def _relations() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, foreign-key column) that points at a Person, including many-to-many link tables."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ManyToOneRel) or relation.field.many_to_many:
            continue
        model = relation.related_model
        assert isinstance(model, type)
        assert issubclass(model, models.Model)
        if (model._meta.label_lower, relation.field.name) in _NOT_MOVED:
            continue
        yield model, relation.field.name


def _key(model: type[models.Model], field_name: str) -> str:
    return f"{model._meta.label_lower}.{field_name}"


def _relation(key: str) -> tuple[type[models.Model], str]:
    label, field_name = key.rsplit(".", 1)
    return apps.get_model(label), field_name


def _require(user: User, *people: Person) -> None:
    if not has_capability(user, Capability.MERGE_PEOPLE):
        raise PermissionDenied(NOT_ALLOWED)
    for person in people:
        if not policy.can(user, "view", person):
            raise PermissionDenied(NOT_ALLOWED)


def check_mergeable(*, keep: Person, merge: Person) -> None:
    """Raise a ValidationError saying why these two records cannot be merged, if they cannot."""
    if keep.pk == merge.pk:
        raise ValidationError(SAME_RECORD)
    for person in (keep, merge):
        if person.merged_into_id:
            into = Person(pk=person.merged_into_id).reference
            raise ValidationError(ALREADY_MERGED.format(reference=person.reference, into=into))
    nhs = {
        person.pk: set(person.identifiers.filter(scheme=IdentifierScheme.NHS_NUMBER).values_list("value", flat=True))
        for person in (keep, merge)
    }
    if nhs[keep.pk] and nhs[merge.pk] and nhs[keep.pk] != nhs[merge.pk]:
        raise ValidationError(DIFFERENT_NHS_NUMBERS.format(kept=keep.reference, merged=merge.reference))
    for mother, child in ((keep, merge), (merge, keep)):
        if child.mother_id == mother.pk:
            raise ValidationError(MOTHER_AND_UNBORN.format(mother=mother.reference, child=child.reference))


@transaction.atomic
def merge_people(*, keep: Person, merge: Person, reason: str, by: User) -> PersonMerge:
    """Fold `merge` into `keep`: every row of the merged record moves to the kept one, the
    merged record's name becomes another name of the kept one, and the merged record is
    marked merged. Audited on both records as `person.merged`."""
    _require(by, keep, merge)
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    merge = Person.objects.select_for_update().get(pk=merge.pk)
    check_mergeable(keep=keep, merge=merge)
    if not reason.strip():
        raise ValidationError({"reason": REASON_NEEDED})
    moved: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for model, field_name in _relations():
        moved_ids, left_ids = _move(model, field_name, source=merge, target=keep)
        if moved_ids:
            moved[_key(model, field_name)] = moved_ids
        if left_ids:
            left[_key(model, field_name)] = left_ids
    created: dict[str, list[int]] = {}
    alias = _keep_name(keep=keep, merged=merge)
    if alias is not None:
        created[_key(PersonName, "person")] = [alias.pk]
    now = timezone.now()
    merge_record = PersonMerge(
        kept=keep, merged=merge, reason=reason.strip(), merged_by=by, merged_at=now, moved=moved, left=left
    )
    merge_record.created = created
    merge_record.full_clean()
    merge_record.save()
    merge.merged_into = keep
    merge.merged_at = now
    merge.save(update_fields=["merged_into", "merged_at"])
    # A suggested pair of these two records is decided by the merge, however it was reached.
    DuplicatePair.objects.filter(
        first=min(keep.pk, merge.pk), second=max(keep.pk, merge.pk), state=PairState.OPEN
    ).update(state=PairState.MERGED, merge=merge_record, decided_by=by, decided_at=now, reason=merge_record.reason)
    detail = {
        "merge": merge_record.pk,
        "kept": keep.pk,
        "merged": merge.pk,
        "moved": {key: len(ids) for key, ids in moved.items()},
        "left": {key: len(ids) for key, ids in left.items()},
    }
    for person in (keep, merge):
        record(action="person.merged", actor=by, target=person, purpose=merge_record.reason, detail=detail)
    return merge_record


@transaction.atomic
def unmerge(*, merge_record: PersonMerge, by: User) -> PersonMerge:
    """Undo a merge exactly: the rows it moved go back, the rows it created are deleted and
    the merged record is in use again. Audited on both records as `person.unmerged`."""
    merge_record = PersonMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge_record.pk)
    keep, merged = merge_record.kept, merge_record.merged
    _require(by, keep)
    if merge_record.is_undone:
        raise ValidationError(ALREADY_UNDONE)
    if keep.merged_into_id:
        raise ValidationError(
            KEPT_SINCE_MERGED.format(kept=keep.reference, into=Person(pk=keep.merged_into_id).reference)
        )
    for key, ids in merge_record.created.items():
        model, field_name = _relation(key)
        model._default_manager.filter(pk__in=ids, **{field_name: keep}).delete()
    restored: dict[str, int] = {}
    for key, ids in merge_record.moved.items():
        model, field_name = _relation(key)
        restored[key] = model._default_manager.filter(pk__in=ids, **{field_name: keep}).update(**{field_name: merged})
    merged.merged_into = None
    merged.merged_at = None
    merged.save(update_fields=["merged_into", "merged_at"])
    merge_record.unmerged_by = by
    merge_record.unmerged_at = timezone.now()
    merge_record.save(update_fields=["unmerged_by", "unmerged_at"])
    # Undoing the merge says they are different people: the pair is not suggested again.
    merge_record.pairs.update(
        state=PairState.DISTINCT,
        decided_by=by,
        decided_at=merge_record.unmerged_at,
        reason=UNDONE_PAIR_REASON.format(merge=merge_record.reference),
    )
    detail = {"merge": merge_record.pk, "kept": keep.pk, "merged": merged.pk, "restored": restored}
    for person in (keep, merged):
        record(action="person.unmerged", actor=by, target=person, purpose="merge undone", detail=detail)
    return merge_record


def _move(model: type[models.Model], field_name: str, *, source: Person, target: Person) -> tuple[list[int], list[int]]:
    """Re-point the rows of `model` whose `field_name` is `source` at `target`. Rows the
    database refuses (the target already has the same row) stay where they were."""
    rows = model._default_manager.filter(**{field_name: source})
    ids = sorted(rows.values_list("pk", flat=True))
    if not ids:
        return [], []
    try:
        with transaction.atomic():
            rows.update(**{field_name: target})
        return ids, []
    except IntegrityError:
        pass
    moved, left = [], []
    for pk in ids:
        try:
            with transaction.atomic():
                model._default_manager.filter(pk=pk).update(**{field_name: target})
            moved.append(pk)
        except IntegrityError:
            left.append(pk)
    return moved, left


def _keep_name(*, keep: Person, merged: Person) -> PersonName | None:
    """The merged record's name, kept as another name of the kept record unless it is one already."""
    name = (merged.given_names.strip(), merged.family_name.strip())
    if not any(name):
        return None
    known = {(keep.given_names.strip().lower(), keep.family_name.strip().lower())}
    known |= {(n.given_names.strip().lower(), n.family_name.strip().lower()) for n in keep.other_names.all()}
    if (name[0].lower(), name[1].lower()) in known:
        return None
    alias = PersonName(person=keep, kind=NameKind.ALIAS, given_names=name[0], family_name=name[1])
    alias.full_clean()
    alias.save()
    return alias


def merges_into(person: Person) -> list[PersonMerge]:
    """The merges that folded other records into this one, newest first, for its page."""
    return list(PersonMerge.objects.filter(kept=person).select_related("merged", "merged_by", "unmerged_by"))


def final_record(pk: int) -> int | None:
    """Where a merged record's page should send the reader (following merges of merges), or
    None if the record is not merged. Only references are read."""
    seen: set[int] = set()
    target = Person.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    current = None
    while target is not None and target not in seen:
        seen.add(target)
        current = target
        target = Person.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
    return current
