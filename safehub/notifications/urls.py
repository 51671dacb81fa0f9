from django.urls import path

from safehub.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<id:pk>/", views.open_notification, name="open"),
]
