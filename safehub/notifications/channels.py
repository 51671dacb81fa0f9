"""How a notification leaves SafeHub on each channel.

The inbox needs no sending: a delivered inbox row is what the inbox page lists. Email goes
through Django's default mailer (MAILERS["default"]; SMTP in production) and carries no
personal data: the subject and body hold only a reference and where to sign in. The
recipient's address, in the envelope, is the one piece of personal data that must travel.

An email to a team's shared mailbox (a team with no one in SafeHub) cannot point at a sign-in:
it says the invitation or notice is attached or waiting, and to reply to the sender.
"""

import hashlib
from email.message import MIMEPart
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from safehub.notifications.models import Notification

MESSAGE_ID_DOMAIN = "safehub.invalid"
EMAIL_BODY = "You have a new safeguarding notification from SafeHub. Sign in to read it."
MAILBOX_BODY = (
    "Your team has a safeguarding notification from SafeHub. No one in your team has a SafeHub "
    "account: reply to this email to answer it, quoting the reference."
)


def message_id_for(*, key: str, channel: str) -> str:
    """A stable Message-ID for one notification: every attempt to send it carries the same
    one, so a receiving mail system that drops duplicates by Message-ID sees it once."""
    digest = hashlib.sha256(f"{channel}:{key}".encode()).hexdigest()[:40]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


def sign_in_url() -> str:
    base = str(settings.SAFEHUB_BASE_URL).rstrip("/")
    return f"{base}{reverse('core:sign-in')}?{urlencode({'next': reverse('notifications:inbox')})}"


def email_subject(notification: Notification) -> str:
    from safehub.notifications.kinds import EMAIL_SUBJECTS

    if notification.kind in EMAIL_SUBJECTS:
        return f"{EMAIL_SUBJECTS[notification.kind]} {notification.reference}"
    return f"SafeHub notification {notification.reference}"


def email_address(notification: Notification) -> str:
    """Where the email goes: the person's address, or the team's shared mailbox as it is now."""
    if notification.mailbox is not None:
        return notification.mailbox.email
    assert notification.recipient is not None
    return notification.recipient.email


def email_body(notification: Notification) -> str:
    if notification.mailbox is not None:
        detail = " The calendar invitation attached has the time and place." if notification.calendar else ""
        return f"{MAILBOX_BODY}{detail}\n\nReference: {notification.reference}\n"
    return f"{EMAIL_BODY}\n\nReference: {notification.reference}\n\nSign in: {sign_in_url()}\n"


def calendar_part(notification: Notification) -> MIMEPart:
    """The invitation as a text/calendar attachment whose METHOD (REQUEST or CANCEL) is also
    a content-type parameter, which is what Outlook and other clients look for."""
    method = "REQUEST"
    for line in notification.calendar.splitlines():
        if line.startswith("METHOD:"):
            method = line.removeprefix("METHOD:").strip()
            break
    part = MIMEPart()
    part.set_content(
        notification.calendar,
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
        disposition="attachment",
        filename="invite.ics" if method != "CANCEL" else "cancel.ics",
    )
    return part


def build_email(notification: Notification) -> EmailMessage:
    message = EmailMessage(
        subject=email_subject(notification),
        body=email_body(notification),
        to=[email_address(notification)],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={"Message-ID": notification.provider_message_id},
    )
    if notification.calendar:
        message.attach(calendar_part(notification))
    return message
