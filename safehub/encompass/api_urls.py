"""REST API endpoints of Operation Encompass, under /api/v1/."""


urlpatterns: list = []
