"""The `safehub` command.

Every sub-command is a Django management command, so `safehub demo`, `safehub serve`,
`safehub worker`, `safehub import schools FILE.csv`, `safehub check --deploy` and
Django's own commands (`migrate`, `createsuperuser`, ...) all run through here.
"""

import os
import sys

DEMO_COMMANDS = frozenset({"demo", "demo-code", "demo_code"})


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in DEMO_COMMANDS:
        # The demo's own commands run in demo mode; production settings switch it off regardless.
        os.environ.setdefault("SAFEHUB_DEMO_MODE", "1")
    execute_from_command_line(["safehub", *(args or ["help"])])
    return 0


if __name__ == "__main__":
    sys.exit(main())
