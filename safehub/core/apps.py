from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safehub.core"
    label = "core"
    verbose_name = "SafeHub core"

    def ready(self) -> None:
        # <id:pk> in every app's URLs: registered before any URL module is read.
        from safehub.core import converters  # noqa: F401
