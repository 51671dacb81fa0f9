"""REST API endpoints of strategy discussions and conferences, under /api/v1/."""

from django.urls import path

from safehub.meetings import api, api_measures

urlpatterns = [
    path("meetings/", api.MeetingListApi.as_view(), name="api-meetings"),
    path("meetings/due/", api.MeetingsDueApi.as_view(), name="api-meetings-due"),
    path("meetings/attendance/", api_measures.MeetingAttendanceApi.as_view(), name="api-meetings-attendance"),
    path("meetings/<id:pk>/", api.MeetingDetailApi.as_view(), name="api-meeting"),
    path("meetings/<id:pk>/reschedule/", api.MeetingRescheduleApi.as_view(), name="api-meeting-reschedule"),
    path("meetings/<id:pk>/cancel/", api.MeetingCancelApi.as_view(), name="api-meeting-cancel"),
    path(
        "meetings/<id:pk>/enquiry-outcome/",
        api.MeetingEnquiryOutcomeApi.as_view(),
        name="api-meeting-enquiry-outcome",
    ),
    path("meetings/<id:pk>/invitations/", api.MeetingInviteApi.as_view(), name="api-meeting-invite"),
    path(
        "meetings/<id:pk>/invitations/<id:invitation_pk>/withdraw/",
        api.InvitationWithdrawApi.as_view(),
        name="api-meeting-invitation-withdraw",
    ),
    path("meetings/<id:pk>/attendance/", api.MeetingAttendanceApi.as_view(), name="api-meeting-attendance"),
    path("meetings/<id:pk>/attendees/", api.MeetingAttendeeApi.as_view(), name="api-meeting-attendees"),
    path("meetings/<id:pk>/outcome/", api.MeetingOutcomeApi.as_view(), name="api-meeting-outcome"),
    path("meetings/<id:pk>/decision/", api.MeetingDecisionApi.as_view(), name="api-meeting-decision"),
    path("meetings/<id:pk>/calendar.ics", api.MeetingCalendarApi.as_view(), name="api-meeting-calendar"),
    path("invitations/", api.InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/<id:pk>/respond/", api.InvitationRespondApi.as_view(), name="api-invitation-respond"),
]
