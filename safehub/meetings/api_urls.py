"""REST API endpoints of strategy discussions and conferences, under /api/v1/."""

from django.urls import path

from safehub.meetings import api, api_measures

urlpatterns = [
    path("meetings/", api.MeetingListApi.as_view(), name="api-meetings"),
    path("meetings/due/", api.MeetingsDueApi.as_view(), name="api-meetings-due"),
    path("meetings/attendance/", api_measures.MeetingAttendanceApi.as_view(), name="api-meetings-attendance"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="api-meeting"),
    path("meetings/<int:pk>/reschedule/", api.MeetingRescheduleApi.as_view(), name="api-meeting-reschedule"),
    path("meetings/<int:pk>/cancel/", api.MeetingCancelApi.as_view(), name="api-meeting-cancel"),
    path(
        "meetings/<int:pk>/enquiry-outcome/",
        api.MeetingEnquiryOutcomeApi.as_view(),
        name="api-meeting-enquiry-outcome",
    ),
    path("meetings/<int:pk>/invitations/", api.MeetingInviteApi.as_view(), name="api-meeting-invite"),
    path(
        "meetings/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        api.InvitationWithdrawApi.as_view(),
        name="api-meeting-invitation-withdraw",
    ),
    path("meetings/<int:pk>/attendance/", api.MeetingAttendanceApi.as_view(), name="api-meeting-attendance"),
    path("meetings/<int:pk>/attendees/", api.MeetingAttendeeApi.as_view(), name="api-meeting-attendees"),
    path("meetings/<int:pk>/outcome/", api.MeetingOutcomeApi.as_view(), name="api-meeting-outcome"),
    path("meetings/<int:pk>/decision/", api.MeetingDecisionApi.as_view(), name="api-meeting-decision"),
    path("meetings/<int:pk>/calendar.ics", api.MeetingCalendarApi.as_view(), name="api-meeting-calendar"),
    path("invitations/", api.InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/<int:pk>/respond/", api.InvitationRespondApi.as_view(), name="api-invitation-respond"),
]
