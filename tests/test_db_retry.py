import pytest
from django.db import OperationalError, transaction

from awsomeshop.db import atomic_with_retry
from orders import services as order_services
from orders.models import Order
from orders.services import order_redeem
from points.models import UserPoints
from points.services import Award, points_award_batch
from shop.models import Product
from shop.services import product_stock_set, product_update
from tests.ledger import assert_ledger_consistent

DEADLOCK = OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")


def failing_first(times: int, error: Exception, then=lambda: "done"):
    calls = []

    def func():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return then()

    return func, calls


@pytest.mark.django_db(transaction=True)
def test_a_deadlocked_transaction_is_run_again_from_the_start():
    func, calls = failing_first(2, DEADLOCK)

    assert atomic_with_retry(func)() == "done"
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_retries_stop_after_the_last_attempt():
    func, calls = failing_first(10, OperationalError(1205, "Lock wait timeout exceeded"))

    with pytest.raises(OperationalError, match="Lock wait timeout"):
        atomic_with_retry(func, attempts=3)()
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    func, calls = failing_first(1, OperationalError(2006, "MySQL server has gone away"))

    with pytest.raises(OperationalError, match="gone away"):
        atomic_with_retry(func)()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_service_called_inside_another_transaction_fails_loudly_instead_of_losing_its_retry():
    func, calls = failing_first(1, DEADLOCK)

    with pytest.raises(RuntimeError, match="durable atomic block cannot be nested"), transaction.atomic():
        atomic_with_retry(func)()
    assert calls == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "service",
    [
        lambda employee, product, hr: order_redeem(user_id=employee.pk, product_id=product.pk),
        lambda employee, product, hr: points_award_batch(
            awards=[Award(employee.pk, 5, "x")], awarded_by_id=hr.pk, source="form", batch_id="b1"
        ),
        lambda employee, product, hr: product_update(product_id=product.pk, changes={"name": "Renamed"}),
        lambda employee, product, hr: product_stock_set(product_ids=[product.pk], quantity=3),
    ],
    ids=["order_redeem", "points_award_batch", "product_update", "product_stock_set"],
)
def test_public_services_refuse_to_run_nested(employee, product, hr_user, service):
    with pytest.raises(RuntimeError, match="durable atomic block cannot be nested"), transaction.atomic():
        service(employee, product, hr_user)

    assert Order.objects.count() == 0


@pytest.fixture
def deadlock_once_in_the_ledger_write(monkeypatch) -> list[int]:
    """MySQL picks the redemption as a deadlock's victim once, after the debit (with its ledger
    row) and the stock take, at the order's insert; returns the list of attempts."""
    record = order_services._order_insert
    attempts: list[int] = []

    def deadlock_once(**kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise DEADLOCK
        return record(**kwargs)

    monkeypatch.setattr(order_services, "_order_insert", deadlock_once)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_in_the_middle_of_a_redemption_yields_exactly_one_order(
    employee, product, give_points, deadlock_once_in_the_ledger_write
):
    give_points(employee, 1000)
    attempts = deadlock_once_in_the_ledger_write

    order_redeem(user_id=employee.pk, product_id=product.pk)

    assert len(attempts) == 2
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert_ledger_consistent()


@pytest.mark.django_db(transaction=True)
def test_the_request_log_line_says_how_many_times_a_transaction_ran_again(
    employee, product, give_points, deadlock_once_in_the_ledger_write, caplog
):
    from rest_framework.authtoken.models import Token

    give_points(employee, 1000)
    token = Token.objects.create(user=employee).key
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with caplog.at_level("INFO", logger="awsomeshop.request"):
        response = api.post("/api/v1/orders", {"product_id": product.pk}, format="json")

    (line,) = [r for r in caplog.records if r.name == "awsomeshop.request"]
    assert response.status_code == 201
    assert line.db_retries == 1


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_a_lock_wait_ends_inside_the_read_timeout():
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT @@innodb_lock_wait_timeout")
        lock_wait = cursor.fetchone()[0]

    # A lock wait ends as a 1205 that the service retries, before the client gives up on the read
    # (a 2013, not retried); the read timeout itself bounds a stalled database (test_faults.py).
    assert lock_wait == 3
    assert lock_wait < settings.DATABASES["default"]["OPTIONS"]["read_timeout"] == 4
