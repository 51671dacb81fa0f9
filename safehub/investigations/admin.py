"""Admin for investigations: each force keeps its checklist of investigative opportunities
here (data, not code). Investigations themselves change only through their pages."""

from django.contrib import admin

from safehub.investigations.models import OpportunityTemplate


@admin.register(OpportunityTemplate)
class OpportunityTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "force", "categories", "min_age", "max_age", "position", "is_active"]
    list_filter = ["is_active", "force"]
    search_fields = ["title"]
    ordering = ["force", "position", "pk"]
