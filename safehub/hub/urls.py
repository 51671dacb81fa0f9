"""The hub's pages. Each views module owns its part of the URL map."""

from safehub.hub.views import contacts, measures, work

app_name = "hub"

urlpatterns = [*contacts.urlpatterns, *work.urlpatterns, *measures.urlpatterns]
