"""`safehub serve`: the production web server (waitress), for SQLite or PostgreSQL."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve SafeHub over HTTP with waitress. Put a TLS-terminating proxy in front in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from config.wsgi import application

        self.stdout.write(f"SafeHub is serving on http://{options['host']}:{options['port']}/")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="SafeHub",
                # Behind a proxy, trust its X-Forwarded-* headers only from the loopback address.
                trusted_proxy="127.0.0.1",
                trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-for"},
                clear_untrusted_proxy_headers=True,
                _quiet=True,
            )
        except KeyboardInterrupt:
            self.stdout.write("SafeHub web server stopped.")
