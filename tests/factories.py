"""factory-boy factories for the models every test needs. Data is fictional."""

import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from safehub.partnership.models import Organisation, OrganisationKind, Partnership, RoleAssignment, Team, User
from safehub.partnership.roles import Role
from safehub.people.identifiers import nhs_check_digit, upn_check_letter
from safehub.people.models import (
    Address,
    Enrolment,
    Identifier,
    IdentifierScheme,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
    Sex,
)

TEST_PASSWORD = "correct-horse-battery-staple"


def valid_nhs_number(n: int) -> str:
    """The nth valid NHS number in the 999 test range."""
    base = 999_000_000 + n
    while True:
        first_nine = f"{base:09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
        base += 1


def valid_upn(la_code: str, n: int) -> str:
    body = f"{la_code}{1000 + n % 9000:04d}{26:02d}{n % 1000:03d}"
    return upn_check_letter(body) + body


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("name",)

    name = "Riverside Safeguarding Children Partnership"
    short_name = "Riverside"


class LocalAuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    kind = OrganisationKind.LOCAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Borough {n} Council")
    # 100-899: tests name their own authorities in the 900s (980, 990-993), so these never clash.
    la_code = factory.Sequence(lambda n: f"{100 + n % 800:03d}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    kind = OrganisationKind.POLICE_FORCE
    name = factory.Sequence(lambda n: f"Organisation {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    kind = OrganisationKind.SCHOOL
    name = factory.Sequence(lambda n: f"Millbrook Primary School {n}")
    urn = factory.Sequence(lambda n: 900000 + n)
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    phase = "Primary"
    establishment_type = "Community school"
    school_day_starts = datetime.time(8, 45)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        self.save()
        for role in extracted or []:
            RoleAssignment.objects.create(user=self, role=Role(role))
        self.__dict__.pop("role_codes", None)
        self.__dict__.pop("capabilities", None)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    kind = PersonKind.CHILD
    given_names = factory.Iterator(["Amelia", "Noah", "Isla", "Leo", "Freya", "Arlo", "Maya", "Theo"])
    family_name = factory.Sequence(lambda n: f"Ashworth{n}")
    sex = factory.Iterator([Sex.FEMALE, Sex.MALE])
    date_of_birth = factory.Sequence(lambda n: datetime.date(2012, 1, 1) + datetime.timedelta(days=37 * n % 3000))


class AdultFactory(PersonFactory):
    kind = PersonKind.ADULT
    date_of_birth = factory.Sequence(lambda n: datetime.date(1985, 1, 1) + datetime.timedelta(days=53 * n % 5000))


class IdentifierFactory(DjangoModelFactory):
    class Meta:
        model = Identifier

    person = factory.SubFactory(PersonFactory)
    scheme = IdentifierScheme.NHS_NUMBER
    value = factory.Sequence(valid_nhs_number)


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    line_1 = factory.Sequence(lambda n: f"{n + 1} Willow Lane")
    town = "Riverside"
    postcode = factory.Sequence(lambda n: f"RV{n % 9 + 1} {n % 10}AB")


class PersonAddressFactory(DjangoModelFactory):
    class Meta:
        model = PersonAddress

    person = factory.SubFactory(PersonFactory)
    address = factory.SubFactory(AddressFactory)
    start_date = datetime.date(2020, 1, 1)


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = Relationship

    person = factory.SubFactory(AdultFactory)
    related_to = factory.SubFactory(PersonFactory)
    kind = RelationshipKind.PARENT


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(SchoolFactory)
    start_date = datetime.date(2023, 9, 1)
