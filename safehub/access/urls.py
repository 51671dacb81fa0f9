from django.urls import path

from safehub.access import views

app_name = "access"

urlpatterns = [
    path("emergency/", views.emergency_access, name="emergency"),
    path("emergency/results/", views.emergency_results, name="emergency-results"),
    path("emergency/open/", views.open_with_emergency_access, name="emergency-open"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<id:pk>/", views.review_grant, name="review"),
    path("history/", views.find_access_history, name="find-history"),
    path("history/<id:pk>/", views.access_history, name="history"),
]
