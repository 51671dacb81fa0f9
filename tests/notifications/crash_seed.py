"""Prepare the crash test's database: migrate it, then put N email notifications in the
outbox for a few users. Run as `python -m tests.notifications.crash_seed N`."""

import sys

import django


def main(count: int) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from safehub.notifications.services import notify
    from safehub.partnership.models import User

    call_command("migrate", verbosity=0)
    users = [
        User.objects.create_user(
            username=f"crash{n}",
            email=f"crash{n}@example.invalid",
            first_name="Rosalind",
            last_name="Featherstonehaugh",
        )
        for n in range(5)
    ]
    with transaction.atomic():
        for n in range(count):
            notify(
                key=f"crash_test:n-{n}",
                recipient=users[n % len(users)],
                kind="access.granted",
                reference=f"CT-{n:05d}",
                link=f"/people/{n}/",
                channels=["email"],
            )


if __name__ == "__main__":
    main(int(sys.argv[1]))
