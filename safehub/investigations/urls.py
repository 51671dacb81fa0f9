"""The investigation pages."""

from safehub.investigations import views, views_measures

app_name = "investigations"

urlpatterns = [*views_measures.urlpatterns, *views.urlpatterns]
