"""REST API endpoints of the hub, under /api/v1/."""

from django.urls import path

from safehub.hub import api, api_workflow

urlpatterns = [
    path("contacts/", api.ContactCreateApi.as_view(), name="api-contacts"),
    path("contacts/<id:pk>/", api.ContactDetailApi.as_view(), name="api-contact"),
    path("contacts/<id:pk>/allocate/", api_workflow.ContactAllocateApi.as_view(), name="api-contact-allocate"),
    path("contacts/<id:pk>/screen/", api_workflow.ContactScreenApi.as_view(), name="api-contact-screen"),
    path("contacts/<id:pk>/decision/", api_workflow.ContactDecisionApi.as_view(), name="api-contact-decision"),
    path(
        "contacts/<id:pk>/referrer-told/",
        api_workflow.ContactReferrerToldApi.as_view(),
        name="api-contact-referrer-told",
    ),
    path("hub/queue/", api_workflow.HubQueueApi.as_view(), name="api-hub-queue"),
    path("research-requests/", api_workflow.ResearchRequestListApi.as_view(), name="api-research-requests"),
    path(
        "research-requests/<id:pk>/answer/",
        api_workflow.ResearchAnswerApi.as_view(),
        name="api-research-answer",
    ),
]
