import time

import pytest
from django.test import Client as DjangoClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.matching import forget_given_names
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.mail_server import local_smtp  # noqa: F401  (a fixture for every test)


def enrolled_authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator, made if they have none (as if they had enrolled)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def authenticator_code(device: TOTPDevice) -> str:
    """The code the user's app shows now, as a person would read it off their phone; if this
    step's code was already used, the next step's (the device accepts one step ahead)."""
    device.refresh_from_db()
    step = max(int((time.time() - device.t0) // device.step) + device.drift, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):06d}"


def verify_second_factor(client, user) -> None:
    """Mark a client's signed-in session as verified by the user's authenticator."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrolled_authenticator(user).persistent_id
    session.save()


class SignedInClient(DjangoClient):
    """The test client, whose `force_login` signs in with both factors: the session is
    verified by the user's authenticator, as after a real sign-in. Tests of the second factor
    itself use `force_login_without_second_factor`."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        verify_second_factor(self, user)

    def force_login_without_second_factor(self, user, backend=None) -> None:
        super().force_login(user, backend)


@pytest.fixture(autouse=True)
def _given_names_read_afresh():
    """The matcher keeps the index's given names in memory: each test starts from its own data."""
    forget_given_names()


@pytest.fixture
def client() -> SignedInClient:
    return SignedInClient()


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def social_worker(db):
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council", la_code="990")
    return UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER])
