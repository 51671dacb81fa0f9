"""Django's flush, able to empty the audit log too, and refused in production.

Emptying a whole database (tests between cases, `safehub demo --reset`) must delete the
audit rows that the append-only triggers otherwise protect.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush

from safehub.audit.guard import maintenance


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        if not settings.SAFEHUB_ALLOW_FLUSH:
            raise CommandError("Emptying the database is not allowed with production settings.")
        with maintenance():
            super().handle(**options)
