"""Operation Encompass pages. Each views module owns its part of the URL map."""

from safehub.encompass.views import measures, police, school

app_name = "encompass"

urlpatterns = [*police.urlpatterns, *school.urlpatterns, *measures.urlpatterns]
