"""What the home and status pages show. Personal data comes only through app selectors."""

import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from safehub.access.selectors import grants_to_review
from safehub.core.models import WorkerHeartbeat
from safehub.partnership.models import EDUCATION_KINDS, Organisation, OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import Person, PersonKind
from safehub.people.selectors import school_roll

WORKER_STALE_AFTER = datetime.timedelta(minutes=3)


def home_page_for(*, user: User) -> dict[str, Any]:
    """The sections of the home page this user's roles call for."""
    context: dict[str, Any] = {
        "can_search": has_capability(user, Capability.SEARCH_PEOPLE),
        "can_view_roll": has_capability(user, Capability.VIEW_SCHOOL_ROLL),
        "can_view_performance": has_capability(user, Capability.VIEW_PERFORMANCE),
        "can_review_access": has_capability(user, Capability.REVIEW_ACCESS),
        "can_manage": has_capability(user, Capability.MANAGE_DIRECTORY),
        "can_work_hub_queue": has_capability(user, Capability.WORK_HUB_QUEUE),
        "can_answer_research": has_capability(user, Capability.ANSWER_RESEARCH),
        "teams": list(user.teams.all()),
    }
    if context["can_view_roll"]:
        roll = school_roll(user=user)
        context["roll_count"] = roll.count()
        context["roll_preview"] = list(roll[:10])
        if user.organisation and user.organisation.is_education:
            from safehub.timescales.calendar import next_school_day_start

            context["next_school_day"] = next_school_day_start(user.organisation, timezone.now())
    if context["can_work_hub_queue"] or context["can_answer_research"]:
        from safehub.hub import selectors as hub_selectors

        context["hub_queue_count"] = hub_selectors.open_queue_count(user=user)
        context["checks_count"] = hub_selectors.checks_to_answer_count(user=user)
    if has_capability(user, Capability.INVESTIGATE) or has_capability(user, Capability.CHALLENGE_CLOSURE):
        from safehub.investigations import selectors as investigation_selectors

        mine = investigation_selectors.investigations_for(user=user).filter(allocated_officer=user)
        context["investigations"] = {
            "police": has_capability(user, Capability.INVESTIGATE),
            "mine": mine.exclude(state="closed").count(),
            "to_sign_off": investigation_selectors.closures_to_sign_off(user=user).count(),
            "to_challenge": list(investigation_selectors.closures_to_challenge(user=user)[:5]),
            # The officer's own closures waiting out the council's window.
            "in_window": list(mine.filter(state="challenge_window").order_by("opened_at")[:5]),
        }
    if any(
        has_capability(user, c)
        for c in (Capability.RECORD_MISSING, Capability.COORDINATE_MISSING, Capability.RECORD_RETURN_INTERVIEW)
    ):
        from safehub.missing import selectors as missing_selectors

        interviews = missing_selectors.open_interviews(user=user)
        context["missing"] = {
            "police": has_capability(user, Capability.RECORD_MISSING),
            "coordinator": has_capability(user, Capability.COORDINATE_MISSING),
            "provider": has_capability(user, Capability.RECORD_RETURN_INTERVIEW),
            "missing_now": missing_selectors.missing_now(user=user).count(),
            "high_risk": missing_selectors.missing_now(user=user).filter(risk_grade="high").count(),
            "interviews": interviews.count(),
            "next_due": list(interviews.filter(due_at__gte=timezone.now())[:3]),
            "overdue": interviews.filter(due_at__lt=timezone.now()).count(),
            "digest": missing_selectors.digest_of_today(user=user),
            "flags": missing_selectors.flagged_children(user=user).count(),
        }
    if has_capability(user, Capability.WORK_DBS_CHECKS):
        from safehub.dbs import selectors as dbs_selectors

        today = timezone.localdate()
        open_checks = dbs_selectors.queue(user=user, filters=dbs_selectors.QueueFilter(), today=today)
        context["dbs"] = {
            "open": open_checks.count(),
            "mine": open_checks.filter(allocated_to=user).count(),
            "past_standard": open_checks.filter(standard_due_on__lt=today).count(),
            "past_limit": open_checks.filter(limit_due_on__lt=today).count(),
            "to_review": dbs_selectors.awaiting_review(user=user).count(),
            "reviewer": has_capability(user, Capability.REVIEW_DISCLOSURES),
        }
    if context["can_view_performance"] or context["can_manage"]:
        context["partnership_figures"] = partnership_figures()
    if context["can_review_access"]:
        context["users_by_role"] = users_by_role()
        context["grants_to_review"] = grants_to_review(user=user).count()
    return context


def partnership_figures() -> dict[str, int]:
    """Counts only: no personal data."""
    by_kind = dict(Organisation.objects.open().values_list("kind").annotate(n=Count("pk")))
    return {
        "local_authorities": by_kind.get(OrganisationKind.LOCAL_AUTHORITY, 0),
        "schools_and_settings": sum(by_kind.get(kind, 0) for kind in EDUCATION_KINDS),
        "health_bodies": sum(
            by_kind.get(kind, 0)
            for kind in (
                OrganisationKind.INTEGRATED_CARE_BOARD,
                OrganisationKind.HEALTH_TRUST,
                OrganisationKind.GP_PRACTICE,
            )
        ),
        "children": Person.objects.filter(kind=PersonKind.CHILD).count(),
        "users": User.objects.filter(is_active=True).count(),
    }


def users_by_role() -> list[dict[str, Any]]:
    from safehub.partnership.models import RoleAssignment
    from safehub.partnership.roles import Role

    counts = dict(RoleAssignment.objects.filter(user__is_active=True).values_list("role").annotate(n=Count("pk")))
    return [{"role": role.label, "count": counts.get(role.value, 0)} for role in Role]


def system_status() -> dict[str, Any]:
    heartbeat = WorkerHeartbeat.objects.filter(pk=1).first()
    now = timezone.now()
    return {
        "worker_seen_at": heartbeat.seen_at if heartbeat else None,
        "worker_running": bool(heartbeat and now - heartbeat.seen_at < WORKER_STALE_AFTER),
    }
