import pytest

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def social_worker(db):
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")
    return UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER])
