"""The DBS local check pages."""

from safehub.dbs import views

app_name = "dbs"

urlpatterns = [*views.urlpatterns]
