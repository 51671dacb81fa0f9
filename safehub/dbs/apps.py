from django.apps import AppConfig


class DbsConfig(AppConfig):
    name = "safehub.dbs"
    label = "dbs"
    verbose_name = "DBS local checks"
