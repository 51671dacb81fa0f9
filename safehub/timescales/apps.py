from django.apps import AppConfig


class TimescalesConfig(AppConfig):
    name = "safehub.timescales"
    label = "timescales"
    verbose_name = "Timescales and calendars"
