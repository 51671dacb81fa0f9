import datetime

import pytest

from safehub.timescales.models import TermDate
from tests.factories import LocalAuthorityFactory, SchoolFactory

# A fictional authority's terms for 2025/26 (from Spring 2) and 2026/27, with real half-terms' shape.
AUTHORITY_TERMS = [
    ("Spring 2 2026", datetime.date(2026, 2, 23), datetime.date(2026, 4, 2)),
    ("Summer 1 2026", datetime.date(2026, 4, 20), datetime.date(2026, 5, 22)),
    ("Summer 2 2026", datetime.date(2026, 6, 1), datetime.date(2026, 7, 22)),
    ("Autumn 1 2026", datetime.date(2026, 9, 3), datetime.date(2026, 10, 23)),
    ("Autumn 2 2026", datetime.date(2026, 11, 2), datetime.date(2026, 12, 18)),
    ("Spring 1 2027", datetime.date(2027, 1, 5), datetime.date(2027, 2, 12)),
    ("Spring 2 2027", datetime.date(2027, 2, 22), datetime.date(2027, 3, 25)),
    ("Summer 1 2027", datetime.date(2027, 4, 12), datetime.date(2027, 5, 28)),
    ("Summer 2 2027", datetime.date(2027, 6, 7), datetime.date(2027, 7, 21)),
]

ACADEMY_TERMS = [
    ("Autumn 1 2026", datetime.date(2026, 9, 2), datetime.date(2026, 10, 16)),
    ("Autumn 2 2026", datetime.date(2026, 10, 26), datetime.date(2026, 12, 17)),
]


@pytest.fixture
def authority(db):
    authority = LocalAuthorityFactory(name="Millbrook Council", la_code="980")
    for name, start, end in AUTHORITY_TERMS:
        TermDate.objects.create(local_authority=authority, name=name, start_date=start, end_date=end)
    return authority


@pytest.fixture
def community_school(authority):
    return SchoolFactory(name="Millbrook Primary School", urn=990100, local_authority=authority)


@pytest.fixture
def academy(authority):
    academy = SchoolFactory(
        name="Riverside Academy", urn=990101, local_authority=authority, establishment_type="Academy converter"
    )
    for name, start, end in ACADEMY_TERMS:
        TermDate.objects.create(school=academy, name=name, start_date=start, end_date=end)
    return academy
