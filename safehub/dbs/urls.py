"""The DBS local check pages."""

from safehub.dbs import views, views_measures

app_name = "dbs"

urlpatterns = [*views_measures.urlpatterns, *views.urlpatterns]
