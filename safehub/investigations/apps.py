from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "safehub.investigations"
    label = "investigations"
    verbose_name = "Police investigations"
