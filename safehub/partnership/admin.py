"""Admin for the partnership directory: the partnership, organisations, teams and users."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from safehub.partnership.models import Organisation, OrganisationKind, Partnership, RoleAssignment, Team, User


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "hub_name"]


class TeamInline(admin.TabularInline):
    model = Team
    fields = ["name", "email", "phone", "is_duty_team", "working_pattern"]
    extra = 0


class LocalAuthorityListFilter(admin.SimpleListFilter):
    """Schools and settings of one local authority, listing only the authorities themselves."""

    title = "local authority"
    parameter_name = "local_authority"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        authorities = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")
        return [(str(la.pk), f"{la.name} ({la.la_code})") for la in authorities]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(local_authority_id=int(value))
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "urn", "la_code", "local_authority", "postcode", "is_open"]
    list_filter = ["kind", LocalAuthorityListFilter, "is_open"]
    list_select_related = ["local_authority"]
    search_fields = ["name", "=urn", "=la_code", "=ods_code", "postcode"]
    inlines = [TeamInline]
    fieldsets = [
        (None, {"fields": ["partnership", "kind", "name", "is_open"]}),
        ("Identifiers", {"fields": ["la_code", "urn", "ods_code"]}),
        ("Schools and settings", {"fields": ["local_authority", "phase", "establishment_type", "school_day_starts"]}),
        ("Contact", {"fields": ["postcode", "phone", "email"]}),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_duty_team", "email"]
    list_filter = ["is_duty_team", "organisation__kind"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]
    extra = 0


class TeamsBelongToOrganisation:
    """The model checks a user's teams against saved data; the form checks what is being saved."""

    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        organisation = cleaned.get("organisation")
        teams = cleaned.get("teams") or []
        elsewhere = [team.name for team in teams if organisation is None or team.organisation_id != organisation.pk]
        if elsewhere:
            self.add_error(  # type: ignore[attr-defined]
                "teams",
                "A user's teams must belong to the user's organisation. Remove: " + ", ".join(sorted(elsewhere)) + ".",
            )
        return cleaned


class SafeHubUserChangeForm(TeamsBelongToOrganisation, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class SafeHubUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "organisation", "job_title")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = SafeHubUserChangeForm
    add_form = SafeHubUserCreationForm
    list_display = ["username", "first_name", "last_name", "organisation", "job_title", "is_active"]
    list_filter = ["is_active", "organisation__kind", "role_assignments__role", "is_staff"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    inlines = [RoleAssignmentInline]
    actions = ["reset_second_factor"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "job_title", "phone"]}),
        ("Organisation", {"fields": ["organisation", "teams"]}),
        (
            "Django permissions",
            {
                "classes": ["collapse"],
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "job_title",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelMultipleChoiceField[Any] | None":
        if db_field.name == "teams":
            kwargs["queryset"] = Team.objects.select_related("organisation")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description="Reset the second factor (lost phone): they set it up again at next sign-in")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from safehub.core.mfa import reset_mfa

        for user in queryset:
            reset_mfa(user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Second factor reset for {queryset.count()} user(s); their sessions have ended.")
