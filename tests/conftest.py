import pytest
from django.db import connection

from points.services import points_award

from .factories import ProductFactory, UserFactory

MYSQL_ONLY_REASON = (
    "needs MySQL/MariaDB: SQLite has no row locks and serialises every writer, so a race there proves "
    "nothing; `make test-mysql` runs it"
)


def pytest_runtest_setup(item):
    if item.get_closest_marker("mysql_only") and connection.vendor != "mysql":
        pytest.skip(MYSQL_ONLY_REASON)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hr_user(db):
    return UserFactory(email="hr@example.com", is_staff=True)


@pytest.fixture
def employee(db):
    return UserFactory(email="employee@example.com", first_name="Emma")


@pytest.fixture
def product(db):
    return ProductFactory(name="Hoodie", points_cost=300, stock_quantity=5)


@pytest.fixture
def give_points(hr_user):
    """Award points through the service, as HR would."""

    def give(user, amount, reason="Test award"):
        return points_award(user_id=user.pk, amount=amount, reason=reason, awarded_by_id=hr_user.pk)

    return give
