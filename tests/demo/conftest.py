import pytest


@pytest.fixture(autouse=True)
def demo_mode(settings):
    """The demo generator enrols demo authenticators, which only demo mode allows."""
    settings.SAFEHUB_DEMO_MODE = True
