"""What each kind of notification is called on the inbox page. Apps that raise a new
kind add its label here; an unknown kind is shown by its name."""

KIND_LABELS: dict[str, str] = {
    "break_glass.alert": "Break-glass access to review",
    "contact.received": "New contact for the hub",
    "break_glass.outcome": "Break-glass review outcome",
    "access.granted": "Access granted",
    "access.expiring": "Access ending soon",
    "hub.allocated": "Hub contact allocated to you",
    "hub.research_requested": "Multi-agency check to answer",
    "hub.research_overdue": "Multi-agency check overdue",
    "hub.awaiting_decision": "Hub contact ready for a decision",
    "hub.referral_outcome": "Outcome of your referral",
    "hub.strategy_discussion": "Strategy discussion to arrange",
    "meetings.invitation": "Invitation to a meeting",
    "meetings.updated": "Meeting changed",
    "meetings.cancelled": "Meeting cancelled",
    "meetings.withdrawn": "Invitation withdrawn",
    "meetings.declined": "Invitation declined",
    "meetings.unanswered": "Required agency has not accepted",
    "meetings.unreached": "Invitation reached nobody: phone the agency",
    "meetings.to_convene": "Meeting to convene",
    "meetings.minutes": "Meeting record ready to read",
    "investigations.allocated": "Police investigation allocated to you",
    "investigations.closure_proposed": "Investigation closure to sign off",
    "investigations.closure_signed_off": "Investigation closure signed off",
    "investigations.closure_refused": "Investigation closure not signed off",
    "investigations.closure_to_challenge": "Investigation closure: you may challenge it",
    "investigations.closure_challenged": "Investigation closure challenged",
    "investigations.challenge_escalated": "Challenge to a closure escalated",
    "investigations.challenge_resolved": "Challenge to a closure resolved",
    "encompass.notice": "Operation Encompass notice",
    "encompass.updated": "Operation Encompass notice updated",
    "encompass.unacknowledged": "Operation Encompass notice not acknowledged: phone the school",
    "missing.digest": "Missing children: today's digest",
    "missing.digest_empty": "Missing children: today's digest (no episodes)",
    "missing.high_risk": "High-risk missing child reported",
    "missing.interview_referred": "Return home interview to offer",
    "missing.interview_unassigned": "Return home interview with no provider to offer it",
    "missing.interview_overdue": "Return home interview overdue",
    "missing.exploitation_flag": "Exploitation flag: consider a strategy discussion",
    "missing.education": "Child missing education",
    "measures.commitment_not_met": "Partnership commitment not met for two months running",
}

# Email subjects for kinds that say more than "SafeHub notification": still only a kind and
# the reference that follows, never a name.
EMAIL_SUBJECTS: dict[str, str] = {
    "meetings.invitation": "Invitation:",
    "meetings.updated": "Updated invitation:",
    "meetings.cancelled": "Cancelled:",
    "meetings.withdrawn": "Cancelled:",
    "encompass.notice": "Operation Encompass notice",
    "encompass.updated": "Operation Encompass update",
    "missing.digest": "Missing children digest",
    "missing.digest_empty": "Missing children digest: no episodes since the last one,",
    "missing.high_risk": "High-risk missing episode",
    "missing.interview_referred": "Return home interview to offer:",
    "missing.interview_overdue": "Return home interview overdue:",
    "measures.commitment_not_met": "Commitment not met for two months running:",
}


def label_for(kind: str) -> str:
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    return kind.replace("_", " ").replace(".", ": ").capitalize()
