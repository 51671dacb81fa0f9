"""`safehub demo`: the whole system on the fictional demo partnership, in one command.

Creates the database (SQLite under SAFEHUB_DATA_DIR unless DATABASE_URL says otherwise),
migrates, seeds the demo partnership once, then runs the web server and the worker
together until Ctrl-C, which stops both.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from safehub.core.services import ensure_schedules

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run SafeHub on its demo partnership: migrate, seed, then serve the site and run the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=["small", "medium", "large"],
            default="medium",
            help="About 2k, 20k or 200k children (default medium).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo data and start again.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data, then exit.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        from safehub.demo import seed as demo

        if options["reset"]:
            self._reset()
        self.stdout.write("Preparing the database...")
        call_command("migrate", verbosity=0, interactive=False)
        if demo.is_seeded():
            self.stdout.write(f"Reusing the demo data already in {self._database_label()} (--reset starts over).")
            users = demo.demo_users()
        else:
            started = time.monotonic()
            self.stdout.write(f"Creating the {options['size']} demo partnership (seed {options['seed']})...")
            summary = demo.seed_demo(size=options["size"], seed=options["seed"], progress=self._progress)
            self.stdout.write(
                self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.0f} s: ")
                + ", ".join(f"{count:,} {name}" for name, count in summary.counts.items())
            )
            users = summary.users
        ensure_schedules()
        self._print_sign_ins(users, demo.DEMO_PASSWORD, options)
        if options["no_serve"]:
            return
        self._run_server_and_worker(options)

    def _database_label(self) -> str:
        if connection.vendor == "sqlite":
            return str(settings.DATABASES["default"]["NAME"])
        return f"the {connection.vendor} database {settings.DATABASES['default']['NAME']}"

    def _reset(self) -> None:
        if connection.vendor == "sqlite":
            path = Path(settings.DATABASES["default"]["NAME"])
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.stdout.write(f"Deleted {path}.")
        else:
            call_command("migrate", verbosity=0, interactive=False)
            call_command("flush", verbosity=0, interactive=False)
            self.stdout.write("Emptied the database.")

    def _progress(self, stage: str, done: int, total: int) -> None:
        if done < total and not self.stdout.isatty():
            return  # a log file gets each stage once, when it is done
        ending = "\n" if done >= total else "\r"
        self.stdout.write(f"  {stage}: {done:,} of {total:,}".ljust(60), ending=ending)
        self.stdout.flush()

    def _print_sign_ins(self, users: list[Any], password: str, options: dict[str, Any]) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        if not options["no_serve"]:
            self.stdout.write(self.style.SUCCESS(f"SafeHub demo: {url}"))
        self.stdout.write(f"Sign in with any of these usernames and the password  {password}")
        self.stdout.write("then the code from  uv run safehub demo-code USERNAME  (a demo authenticator app).")
        width = max(len(u.username) for u in users) if users else 10
        for user in users:
            self.stdout.write(f"  {user.username.ljust(width)}  {user.role_label}, {user.organisation}")
        self.stdout.write("")

    def _run_server_and_worker(self, options: dict[str, Any]) -> None:
        env = {
            **os.environ,
            "SAFEHUB_DEMO_MODE": "1",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.base"),
        }
        command = [sys.executable, "-m", "safehub.cli"]
        # Each child runs in its own session, so that Ctrl-C reaches only this process, which
        # then stops each child once, in the way that child handles best (SIGTERM).
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [*command, "serve", "--host", options["host"], "--port", str(options["port"])],
            env=env,
            start_new_session=True,
        )
        worker = subprocess.Popen([*command, "worker"], env=env, start_new_session=True)  # noqa: S603
        children = [server, worker]
        self.stdout.write("The web server and the worker are running. Press Ctrl-C to stop both.")

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            exit_code = next(child.returncode for child in children if child.returncode is not None) or 1
            self.stderr.write("The web server or the worker stopped unexpectedly; stopping the other.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping SafeHub...")
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                # The worker's own processes are in its session: none may outlive it (one left
                # behind would keep the terminal's output open and the database in use).
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.pid, signal.SIGKILL)
        if exit_code:
            raise CommandError("SafeHub stopped because one of its processes failed.")
        self.stdout.write("Stopped.")
