"""The missing-children pages."""

from safehub.missing import views, views_measures

app_name = "missing"

urlpatterns = [*views_measures.urlpatterns, *views.urlpatterns]
