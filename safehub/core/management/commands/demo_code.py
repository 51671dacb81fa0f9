"""`safehub demo-code USERNAME`: the current sign-in code of a demo user's authenticator.

Demo only: it refuses unless SAFEHUB_DEMO_MODE is on (production settings force it off),
and only for users enrolled by the demo, never for a real user's authenticator.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safehub.core import mfa


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code for a demo user (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The demo user's username, as printed by `safehub demo`.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = mfa.demo_code(options["username"])
        except (ImproperlyConfigured, LookupError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(code)
