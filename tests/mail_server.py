"""A real SMTP server on localhost for tests that follow a notification all the way out:
`local_smtp` starts aiosmtpd, points Django's default mailer at it, and collects what arrives.

    def test_x(local_smtp):
        ...  # write notifications
        dispatch_due()
        [message] = local_smtp.messages_to("someone@example.invalid")
"""

import email
import email.message
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass
class ReceivedMail:
    """What the server accepted, parsed with the modern email API."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m, (_, rcpt) in zip(self.messages, self.envelopes, strict=True) if address in rcpt]

    @staticmethod
    def calendar_of(message: email.message.EmailMessage) -> str:
        """The text/calendar part of a message ("" if it has none)."""
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                return str(part.get_content())
        return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def local_smtp(settings) -> Iterator[ReceivedMail]:
    # aiosmtpd logs each envelope, addresses included, at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    received = ReceivedMail()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    received.port = controller.port
    settings.MAILERS = {
        "default": {
            "BACKEND": SMTP_BACKEND,
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield received
    finally:
        controller.stop()
