"""The meetings pages. Each views module owns its part of the URL map."""

from safehub.meetings.views import measures, meetings, recording

app_name = "meetings"

urlpatterns = [*meetings.urlpatterns, *recording.urlpatterns, *measures.urlpatterns]
