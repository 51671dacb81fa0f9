"""Term and closure rows: owners and overlaps."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from safehub.timescales.models import SchoolClosure, TermDate
from tests.factories import LocalAuthorityFactory, OrganisationFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_term_overlapping_another_of_the_same_owner_is_refused(authority):
    term = TermDate(
        local_authority=authority,
        name="Autumn 1 2026 (typo)",
        start_date=datetime.date(2026, 10, 20),
        end_date=datetime.date(2026, 11, 6),
    )
    with pytest.raises(ValidationError, match="overlaps Autumn 1 2026"):
        term.full_clean()


def test_terms_of_different_owners_may_overlap(authority):
    other = LocalAuthorityFactory(la_code="991")
    TermDate(
        local_authority=other,
        name="Autumn 1",
        start_date=datetime.date(2026, 9, 2),
        end_date=datetime.date(2026, 10, 22),
    ).full_clean()


def test_term_needs_exactly_one_owner():
    term = TermDate(name="Autumn 1", start_date=datetime.date(2026, 9, 2), end_date=datetime.date(2026, 10, 22))
    with pytest.raises(ValidationError, match="either a local authority or one school"):
        term.full_clean()


def test_term_for_an_organisation_that_is_not_a_local_authority_is_refused():
    police = OrganisationFactory()
    term = TermDate(
        local_authority=police,
        name="Autumn 1",
        start_date=datetime.date(2026, 9, 2),
        end_date=datetime.date(2026, 10, 22),
    )
    with pytest.raises(ValidationError, match="not a local authority"):
        term.full_clean()


def test_closure_for_an_organisation_that_is_not_a_school_is_refused():
    closure = SchoolClosure(school=OrganisationFactory(), date=datetime.date(2026, 9, 2))
    with pytest.raises(ValidationError, match="not a school"):
        closure.full_clean()


def test_closure_for_a_school_is_accepted():
    SchoolClosure(school=SchoolFactory(), date=datetime.date(2026, 9, 2), reason="Staff training").full_clean()
