from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "safehub.hub"
    label = "hub"
    verbose_name = "Children's Hub"
