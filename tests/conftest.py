import logging
import os

import pytest
from django.db import connection

from tests.awards import points_award

from .factories import ProductFactory, UserFactory
from .servers import NO_AWS_ENV

# The test process itself: no AWS credential lookup, whatever the developer's environment holds
# (the AWS tests set the emulator's); and it connects to loopback only (pyproject.toml's
# --allow-hosts, pytest-socket).
os.environ.update(NO_AWS_ENV)

MYSQL_ONLY_REASON = (
    "needs MySQL/MariaDB: SQLite has no row locks and serialises every writer, so a race there proves "
    "nothing; `make test-mysql` runs it"
)


@pytest.fixture(scope="session", autouse=True)
def _environment_restored():
    """Every test and fixture leaves the process environment as it found it (a variable set by
    one test would quietly change every test after it)."""
    before = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    yield
    after = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"Environment variables left changed by the tests: {changed}"


def pytest_runtest_setup(item):
    if item.get_closest_marker("mysql_only") and connection.vendor != "mysql":
        pytest.skip(MYSQL_ONLY_REASON)


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Throttle counters and catalog pages live in the caches; each test starts with none.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _throttle_clock_in_mid_window(monkeypatch):
    """Throttles count in fixed windows; a test that crossed a window's end would see its count
    start again. Their clock stands still in the middle of a window, so counts are exact."""
    from awsomeshop.api_defaults import CountingRateThrottle

    monkeypatch.setattr(CountingRateThrottle, "timer", staticmethod(lambda: 1_800_000_030.0))


@pytest.fixture(autouse=True)
def _notifications_sent_by_the_tests(settings):
    """Tests send notification e-mails when they mean to (`notifications_send`); a background
    sender thread would race their assertions. tests/notifications tries the other modes."""
    settings.NOTIFICATIONS_SEND_ON_COMMIT = "off"


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request in German leaves German active in the thread (LocaleMiddleware activates a
    language and nothing deactivates it), so a later test calling a service directly would read
    German: each test starts, and ends, in LANGUAGE_CODE."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as():
    """An API client signed in as the user with a DRF token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client_for(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return client_for


@pytest.fixture
def employee_api(api_as, employee):
    return api_as(employee)


@pytest.fixture
def hr_api(api_as, hr_user):
    from django.contrib.auth.models import Permission

    hr_user.user_permissions.add(Permission.objects.get(codename="award_points"))
    return api_as(hr_user)


def staff_in(role: str, email: str):
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import roles_sync

    # The data migration made the roles; a transactional test's flush removes them, so make sure.
    roles_sync(group_model=Group, permission_model=Permission)
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def hr_staff(db):
    from accounts.roles import HR

    return staff_in(HR, "hana.hr@example.com")


@pytest.fixture
def catalog_manager(db):
    from accounts.roles import CATALOG_MANAGERS

    return staff_in(CATALOG_MANAGERS, "kai.catalog@example.com")


@pytest.fixture
def fulfilment_staff(db):
    from accounts.roles import FULFILMENT

    return staff_in(FULFILMENT, "femi.fulfilment@example.com")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Retrying "):
            self.count += 1


@pytest.fixture
def deadlock_retries():
    """How many times a transaction was run again after a deadlock or lock-wait timeout, in any
    thread, during the test: lock order, not the retry, must keep ordinary workloads apart."""
    counter = _RetryCounter()
    logger = logging.getLogger("awsomeshop.db")
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def second_hr(db):
    """Another member of HR: the second pair of eyes for large awards."""
    from accounts.roles import HR

    return staff_in(HR, "omar.hr@example.com")


@pytest.fixture
def hr(client, hr_staff):
    """The test client, signed in as a member of the HR role."""
    client.force_login(hr_staff)
    return client
