"""REST API endpoints of strategy discussions and conferences, under /api/v1/."""

urlpatterns: list = []
