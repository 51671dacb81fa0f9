"""What each audit action means, in words a privacy officer reads."""

ACTION_LABELS = {
    "person.viewed": "Opened the record",
    "person.searched": "Searched for people",
    "access.refused": "Tried to open the record: refused",
    "access_history.viewed": "Looked at who opened the record",
    "break_glass.opened": "Used emergency access",
    "break_glass.refused": "Emergency access refused (wrong password)",
    "break_glass.reviewed": "Reviewed an emergency access",
    "auth.signed_in": "Signed in",
    "auth.sign_in_failed": "Failed to sign in",
    "auth.signed_out": "Signed out",
    "auth.session_expired": "Session ended",
    "auth.throttled": "Sign-in slowed after repeated failures",
    "mfa.enrolled": "Set up an authenticator",
    "mfa.verify_failed": "Entered a wrong authenticator code",
    "mfa.recovery_code_used": "Used a recovery code",
    "mfa.reset": "Second factor reset",
    "notification.sent": "Notification sent",
    "notification.failed": "Notification could not be sent",
    "data.imported": "Imported a file",
    "admin.added": "Added a record in the administration site",
    "admin.changed": "Changed a record in the administration site",
    "admin.deleted": "Deleted a record in the administration site",
    "partnership.settings_changed": "Changed the partnership's settings",
    "person.created": "Created a person's record",
    "contact.recorded": "Recorded a contact with the Children's Hub",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
