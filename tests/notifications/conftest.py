import pytest

from tests.factories import UserFactory


@pytest.fixture
def recipient(db):
    return UserFactory(first_name="Rosalind", last_name="Featherstonehaugh", email="rosalind@example.invalid")
