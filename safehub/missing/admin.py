"""Admin for missing children: each council's arrangements (its missing-children team, the
provider commissioned for return home interviews, the digest's time) are data kept here.
Episodes and interviews change only through their pages."""

from django.contrib import admin

from safehub.missing.models import MissingArrangement


@admin.register(MissingArrangement)
class MissingArrangementAdmin(admin.ModelAdmin):
    list_display = ["local_authority", "team", "rhi_provider", "digest_time"]
    raw_id_fields = ["team"]
