"""Admin for the outbox: administrators see what failed to send and why."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from safehub.notifications.models import Notification
from safehub.notifications.services import send_again


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "channel", "recipient", "state", "attempts", "due_at", "sent_at", "last_error"]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["reference", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["send_failed_again"]

    @admin.action(description="Send the selected failed notifications again")
    def send_failed_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = send_again(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} failed notification(s) will be sent again within a minute.")

    def has_add_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
