from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safehub.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from safehub.audit import guard, signals

        guard.connect()
        signals.connect()
