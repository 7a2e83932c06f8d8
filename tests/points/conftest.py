import pytest


@pytest.fixture
def hr(client, hr_staff):
    """The test client, signed in as a member of the HR role."""
    client.force_login(hr_staff)
    return client
