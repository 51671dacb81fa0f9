"""Admin for the meetings app: only the partnership's pool of pre-made video rooms.

Meetings, invitations, attendance, actions and plans are personal data about children and
stay out of the admin, which would read and write around the access rules and the audit log.
"""

from django.contrib import admin

from safehub.meetings.models import VideoRoom


@admin.register(VideoRoom)
class VideoRoomAdmin(admin.ModelAdmin):
    list_display = ["name", "join_url", "is_active", "partnership"]
    list_filter = ["is_active"]
    search_fields = ["name", "join_url"]
