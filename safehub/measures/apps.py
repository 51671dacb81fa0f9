from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "safehub.measures"
    label = "measures"
    verbose_name = "Partnership measures and commitments"
