"""The investigation pages."""

from safehub.investigations import views

app_name = "investigations"

urlpatterns = views.urlpatterns
