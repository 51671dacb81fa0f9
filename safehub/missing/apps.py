from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "safehub.missing"
    label = "missing"
    verbose_name = "Missing children"
