"""The meetings pages. Each views module owns its part of the URL map."""

from safehub.meetings.views import measures, meetings

app_name = "meetings"

urlpatterns = [*meetings.urlpatterns, *measures.urlpatterns]
