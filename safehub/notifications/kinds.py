"""What each kind of notification is called on the inbox page. Apps that raise a new
kind add its label here; an unknown kind is shown by its name."""

KIND_LABELS: dict[str, str] = {
    "break_glass.alert": "Break-glass access to review",
    "break_glass.outcome": "Break-glass review outcome",
    "access.granted": "Access granted",
    "access.expiring": "Access ending soon",
}


def label_for(kind: str) -> str:
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    return kind.replace("_", " ").replace(".", ": ").capitalize()
