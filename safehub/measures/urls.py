from safehub.measures.views import urlpatterns

app_name = "measures"

__all__ = ["urlpatterns"]
