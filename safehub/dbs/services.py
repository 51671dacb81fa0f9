"""Every write to a DBS local check. A check arrives from DBS (the form, the import or the API,
each with the same rules), the force's records are searched, anything found is assessed for
relevance to the workforce applied for, a disclosure is reviewed by a second person (a
supervisor who did not assess it), and the check goes back to DBS. Each stage records who and
when, on the check and on its timeline, and is audited.

The clocks are calendar days from the day DBS sent the check (`dbs_local_check_standard`, 14
days by default, and `dbs_local_check_limit`, 60), fixed when the check arrives. A check with
nothing found is fast-tracked: it is ready to return as soon as the search is recorded.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.dbs.models import CheckEvent, CheckState, Decision, EventKind, LocalCheck, ReviewOutcome, Workforce
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import matching
from safehub.people.models import ChronologyEntry, Identifier, IdentifierScheme, Person, PersonKind
from safehub.timescales.calendar import LONDON, calendar_days_between
from safehub.timescales.rules import due_on

PURPOSE = "DBS local check"
MIN_REASON_LENGTH = 20

NOT_THE_UNIT = "Only the force's disclosure unit works DBS local checks."
NOT_THIS_FORCE = "This check belongs to another force."
NOT_A_SECOND_PERSON = "The quality review must be by a second person: a supervisor who did not assess this check."
IN_FUTURE = "{what} cannot be in the future."
A_SENTENCE = "Write at least a sentence ({n} characters or more)."
WRONG_STATE = "This check is {state}: {action} is not the next step."
KEY_CONFLICT = (
    "This idempotency key was already used for check {reference} with different details, so nothing was "
    "changed. Resend the same details to retry it; use a new key for another check."
)
REFERENCE_CONFLICT = "DBS reference {dbs_reference} is already check {reference}: it was not recorded twice."


class DuplicateCheck(ValidationError):
    """A key or a DBS reference names a different check already recorded."""


@dataclass(frozen=True)
class CheckInput:
    dbs_reference: str
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None
    workforce: str
    role_applied_for: str
    received_on: datetime.date
    other_names: str = ""
    postcode: str = ""
    # Matching reads these too (safehub.people.matching.Details).
    nhs_number: str = ""
    upn: str = ""
    sex: str = ""


def request_fingerprint(given: CheckInput) -> str:
    """A digest of everything the request says, to tell a resend from a changed request."""
    body = [
        given.dbs_reference.strip().upper(),
        given.given_names.strip(),
        given.family_name.strip(),
        str(given.date_of_birth),
        given.workforce,
        given.role_applied_for.strip(),
        given.received_on.isoformat(),
        given.other_names.strip(),
        given.postcode.strip().upper(),
    ]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LONDON).date()


def _sentence(text: str) -> bool:
    return len(text.strip()) >= MIN_REASON_LENGTH


def _validate(given: CheckInput, now: datetime.datetime) -> None:
    errors: dict[str, str] = {}
    if not given.dbs_reference.strip():
        errors["dbs_reference"] = "Enter DBS's reference for the application."
    elif len(given.dbs_reference.strip()) > 20:
        errors["dbs_reference"] = "A DBS reference is at most 20 characters."
    if not given.given_names.strip() or not given.family_name.strip():
        errors["applicant_name"] = "Enter the applicant's given names and family name."
    if given.date_of_birth is None:
        errors["date_of_birth"] = "Enter the applicant's date of birth."
    elif given.date_of_birth >= given.received_on:
        errors["date_of_birth"] = "The date of birth must be before the day the check was received."
    if given.workforce not in Workforce.values:
        errors["workforce"] = "Choose the workforce: child, adult, or both."
    if not given.role_applied_for.strip():
        errors["role_applied_for"] = "Enter the role applied for, as DBS gives it."
    if given.received_on > _today(now):
        errors["received_on"] = IN_FUTURE.format(what="The day the check was received")
    if errors:
        raise ValidationError(errors)


def _force_knows(person: Person, force: Organisation) -> bool:
    """Whether the force itself holds something on the person: its person reference, or an
    entry it recorded on the person's chronology."""
    return (
        Identifier.objects.filter(person=person, scheme=IdentifierScheme.POLICE_REFERENCE)
        .filter(Q(issuer=force) | Q(issuer__isnull=True))
        .exists()
        or ChronologyEntry.objects.filter(person=person, organisation=force).exists()
    )


def _event(check: LocalCheck, kind: str, at: datetime.datetime, by: User | None, text: str = "") -> None:
    CheckEvent.objects.create(check_request=check, kind=kind, at=at, by=by, text=text[:300])


def _locked(check: LocalCheck, by: User, action: str = "work_check") -> LocalCheck:
    """The check's row, locked, once the user may do `action` to it as it is now."""
    check = LocalCheck.objects.select_for_update().get(pk=check.pk)
    _require(policy.can(by, action, check), NOT_A_SECOND_PERSON if action == "review_disclosure" else NOT_THE_UNIT)
    return check


def _expect(check: LocalCheck, state: str, action: str) -> None:
    if check.state != state:
        raise ValidationError(WRONG_STATE.format(state=check.get_state_display().lower(), action=action))


def _existing(force: Organisation, given: CheckInput, idempotency_key: str | None) -> LocalCheck | None:
    fingerprint = request_fingerprint(given)
    if idempotency_key:
        earlier = LocalCheck.objects.filter(force=force, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.request_fingerprint != fingerprint:
                raise DuplicateCheck(KEY_CONFLICT.format(reference=earlier.reference))
            return earlier
    earlier = LocalCheck.objects.filter(force=force, dbs_reference=given.dbs_reference.strip().upper()).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint == fingerprint:
        return earlier
    raise DuplicateCheck(REFERENCE_CONFLICT.format(dbs_reference=earlier.dbs_reference, reference=earlier.reference))


@transaction.atomic
def receive_check(
    *,
    given: CheckInput,
    by: User | None,
    force: Organisation | None = None,
    idempotency_key: str | None = None,
    via: str = "form",
    now: datetime.datetime | None = None,
) -> tuple[LocalCheck, bool]:
    """Record a local check request from DBS; returns the check and whether it is new. The same
    request again (the same key, or the same DBS reference with the same details) is the first
    check, unchanged; different details under either are refused (`DuplicateCheck`). `by` is
    the disclosure officer keying it in, or None for the import (then `force` is required)."""
    if by is not None:
        _require(has_capability(by, Capability.WORK_DBS_CHECKS) and by.organisation is not None, NOT_THE_UNIT)
        force = by.organisation
    if force is None or force.kind != OrganisationKind.POLICE_FORCE:
        raise PermissionDenied(NOT_THE_UNIT)
    now = now or timezone.now()
    _validate(given, now)
    earlier = _existing(force, given, idempotency_key)
    if earlier is not None:
        return earlier, False
    assert given.date_of_birth is not None  # _validate refused a check without one
    agent = by.username if by is not None else f"{force.name} ({via})"
    # The force's own record of the applicant, when the match is sure; else none is linked (most
    # applicants are not known to the police, and no record is made for them).
    person = matching.sure_match_for_system(given, kind=PersonKind.ADULT, on_behalf_of=agent)
    if person is not None and not _force_knows(person, force):
        # In the partnership's index only through the council or health: the unit must not learn
        # even that, so the check is not linked.
        person = None
    check = LocalCheck(
        force=force,
        dbs_reference=given.dbs_reference.strip().upper(),
        idempotency_key=idempotency_key or "",
        request_fingerprint=request_fingerprint(given),
        recorded_via=via,
        recorded_at=now,
        recorded_by=by,
        given_names=given.given_names.strip(),
        family_name=given.family_name.strip(),
        other_names=given.other_names.strip(),
        date_of_birth=given.date_of_birth,
        postcode=given.postcode.strip().upper(),
        person=person,
        workforce=given.workforce,
        role_applied_for=given.role_applied_for.strip(),
        received_on=given.received_on,
        standard_due_on=due_on(given.received_on, "dbs_local_check_standard"),
        limit_due_on=due_on(given.received_on, "dbs_local_check_limit"),
    )
    check.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:
        # The same request twice at once (a double-clicked form, two imports) and the other one
        # saved first: now it is a resend, or a conflict, as if it had come second.
        earlier = _existing(force, given, idempotency_key)
        if earlier is None:
            raise
        return earlier, False
    _event(check, EventKind.RECEIVED, now, by, f"Received {given.received_on:%d %B %Y}")
    record(
        action="dbs.check_received",
        actor=by,
        actor_username="" if by is not None else agent,
        target=check,
        purpose=PURPOSE,
        detail={"via": via, "matched": person is not None},
    )
    return check, True


@transaction.atomic
def allocate(*, check: LocalCheck, to: User, by: User, now: datetime.datetime | None = None) -> LocalCheck:
    """Give an open check to a disclosure officer of the unit."""
    check = _locked(check, by)
    if not check.is_open:
        raise ValidationError("This check has been returned to DBS: there is nothing left to allocate.")
    if not (has_capability(to, Capability.WORK_DBS_CHECKS) and to.organisation_id == check.force_id):
        raise ValidationError({"to": "Choose a disclosure officer of this force's unit."})
    now = now or timezone.now()
    check.allocated_to, check.allocated_at = to, now
    check.save(update_fields=["allocated_to", "allocated_at"])
    _event(check, EventKind.ALLOCATED, now, by, f"To {to.get_full_name() or to.username}")
    record(action="dbs.check_allocated", actor=by, target=check, purpose=PURPOSE, detail={"to": to.pk})
    return check


@transaction.atomic
def record_search(
    *, check: LocalCheck, by: User, records_found: bool, summary: str = "", now: datetime.datetime | None = None
) -> LocalCheck:
    """The force's systems have been searched. Nothing found: the check is fast-tracked, ready to
    return. Records found: it goes to assessment, with a summary of what was found."""
    check = _locked(check, by)
    _expect(check, CheckState.RECEIVED, "recording the search")
    if records_found and not _sentence(summary):
        raise ValidationError({"summary": "Say what the search found. " + A_SENTENCE.format(n=MIN_REASON_LENGTH)})
    now = now or timezone.now()
    check.searched_at, check.searched_by = now, by
    check.records_found = records_found
    check.search_summary = summary.strip()
    check.fast_tracked = not records_found
    check.state = CheckState.ASSESSMENT if records_found else CheckState.READY
    if check.allocated_to is None:
        check.allocated_to, check.allocated_at = by, now
    check.save()
    _event(check, EventKind.SEARCHED, now, by, "Records found" if records_found else "Nothing found: fast-tracked")
    record(action="dbs.check_searched", actor=by, target=check, purpose=PURPOSE, detail={"found": records_found})
    return check


@transaction.atomic
def record_assessment(
    *,
    check: LocalCheck,
    by: User,
    decision: str,
    relevance: str,
    disclosure_text: str = "",
    representations_invited_on: datetime.date | None = None,
    representations: str = "",
    now: datetime.datetime | None = None,
) -> LocalCheck:
    """The disclosure officer's decision on what was found, with the relevance test written out.
    A disclosure also needs the text to disclose and the applicant's right to make
    representations dealt with (invited on a date, or why not); it then waits for quality
    review. Nothing to disclose: ready to return."""
    check = _locked(check, by)
    _expect(check, CheckState.ASSESSMENT, "an assessment")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose whether to disclose approved information."
    if not _sentence(relevance):
        errors["relevance"] = (
            "Write the relevance test: why the information is, or is not, relevant to the "
            f"{check.get_workforce_display().lower()} and proportionate to disclose. "
            + A_SENTENCE.format(n=MIN_REASON_LENGTH)
        )
    if decision == Decision.DISCLOSE:
        if not _sentence(disclosure_text):
            errors["disclosure_text"] = "Write the information to disclose, as it will read on the certificate."
        if representations_invited_on is None and not _sentence(representations):
            errors["representations"] = (
                "Give the day the applicant was invited to make representations, or say why they were not."
            )
        if representations_invited_on is not None:
            if representations_invited_on > _today(now):
                errors["representations_invited_on"] = IN_FUTURE.format(what="The invitation")
            elif representations_invited_on < check.received_on:
                errors["representations_invited_on"] = "The invitation cannot be before the check was received."
    if errors:
        raise ValidationError(errors)
    check.assessed_at, check.assessed_by = now, by
    check.decision = decision
    check.relevance = relevance.strip()
    disclosing = decision == Decision.DISCLOSE
    check.disclosure_text = disclosure_text.strip() if disclosing else ""
    check.representations_invited_on = representations_invited_on if disclosing else None
    check.representations = representations.strip() if disclosing else ""
    check.state = CheckState.REVIEW if disclosing else CheckState.READY
    # A new assessment needs a new review.
    check.reviewed_at, check.reviewed_by, check.review_outcome, check.review_rationale = None, None, "", ""
    check.save()
    _event(check, EventKind.ASSESSED, now, by, check.get_decision_display())
    record(action="dbs.check_assessed", actor=by, target=check, purpose=PURPOSE, detail={"decision": decision})
    return check


@transaction.atomic
def record_review(
    *, check: LocalCheck, by: User, approved: bool, rationale: str, now: datetime.datetime | None = None
) -> LocalCheck:
    """A second person's quality review of a disclosure: approved (ready to return) or sent back
    for reassessment with the reason. The reviewer may not be the assessor."""
    check = _locked(check, by, "review_disclosure")
    _expect(check, CheckState.REVIEW, "a quality review")
    if not _sentence(rationale):
        raise ValidationError({"rationale": "Give the reason for the review's outcome. " + A_SENTENCE.format(n=20)})
    now = now or timezone.now()
    check.reviewed_at, check.reviewed_by = now, by
    check.review_outcome = ReviewOutcome.APPROVED if approved else ReviewOutcome.SENT_BACK
    check.review_rationale = rationale.strip()
    check.state = CheckState.READY if approved else CheckState.ASSESSMENT
    check.save()
    _event(check, EventKind.REVIEWED, now, by, f"{check.get_review_outcome_display()}: {check.review_rationale}")
    record(action="dbs.disclosure_reviewed", actor=by, target=check, purpose=PURPOSE, detail={"approved": approved})
    return check


@transaction.atomic
def return_to_dbs(*, check: LocalCheck, by: User, now: datetime.datetime | None = None) -> LocalCheck:
    """The check goes back to DBS: the clocks stop on the day, in calendar days from receipt."""
    check = _locked(check, by)
    _expect(check, CheckState.READY, "returning it to DBS")
    now = now or timezone.now()
    check.returned_at, check.returned_by = now, by
    check.returned_on = _today(now)
    check.days_to_return = max(calendar_days_between(check.received_on, check.returned_on), 0)
    check.state = CheckState.RETURNED
    check.save()
    _event(check, EventKind.RETURNED, now, by, f"{check.days_to_return} days after receipt")
    record(action="dbs.check_returned", actor=by, target=check, purpose=PURPOSE, detail={"days": check.days_to_return})
    return check
