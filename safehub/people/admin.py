"""Admin for people records. Every link to another person is a raw id, so that pages stay
fast with hundreds of thousands of people (a select box would load them all)."""

from django.contrib import admin

from safehub.people.models import (
    Address,
    ChronologyEntry,
    Enrolment,
    Identifier,
    Person,
    PersonAddress,
    PersonName,
    Relationship,
)


class IdentifierInline(admin.TabularInline):
    model = Identifier
    fields = ["scheme", "value", "issuer"]
    autocomplete_fields = ["issuer"]
    extra = 0


class PersonNameInline(admin.TabularInline):
    model = PersonName
    fields = ["kind", "given_names", "family_name", "used_from", "used_until"]
    extra = 0


class PersonAddressInline(admin.TabularInline):
    model = PersonAddress
    fields = ["address", "start_date", "end_date", "is_confidential"]
    raw_id_fields = ["address"]
    extra = 0


class RelationshipFromInline(admin.TabularInline):
    model = Relationship
    fk_name = "person"
    verbose_name = "relationship to another person"
    verbose_name_plural = "this person is the … of"
    fields = ["kind", "related_to", "description", "start_date", "end_date"]
    raw_id_fields = ["related_to"]
    extra = 0


class RelationshipToInline(admin.TabularInline):
    model = Relationship
    fk_name = "related_to"
    verbose_name = "relationship from another person"
    verbose_name_plural = "… of this person"
    fields = ["person", "kind", "description", "start_date", "end_date"]
    raw_id_fields = ["person"]
    extra = 0


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ["organisation", "start_date", "end_date"]
    autocomplete_fields = ["organisation"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["reference", "family_name", "given_names", "kind", "date_of_birth", "sex"]
    list_filter = ["kind", "sex"]
    # Name searches match the start of current and other names; identifiers match exactly.
    search_fields = [
        "given_names__istartswith",
        "family_name__istartswith",
        "other_names__family_name__istartswith",
        "=identifiers__value",
    ]
    raw_id_fields = ["mother"]
    show_full_result_count = False
    inlines = [
        IdentifierInline,
        PersonNameInline,
        PersonAddressInline,
        RelationshipFromInline,
        RelationshipToInline,
        EnrolmentInline,
    ]
    fieldsets = [
        (None, {"fields": ["kind", "given_names", "family_name", "sex"]}),
        ("Dates", {"fields": ["date_of_birth", "date_of_birth_precision", "date_of_death"]}),
        ("Unborn children", {"fields": ["expected_due_date", "mother"]}),
    ]

    @admin.display(description="Reference", ordering="pk")
    def reference(self, person: Person) -> str:
        return person.reference


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["line_1", "town", "postcode", "uprn"]
    search_fields = ["postcode", "line_1", "=uprn"]
    show_full_result_count = False


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "person", "category", "organisation", "visibility"]
    list_filter = ["category", "visibility"]
    list_select_related = ["person", "organisation"]
    raw_id_fields = ["person", "recorded_by"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
