import pytest

from orders.exceptions import IdempotencyKeyReused, InvalidIdempotencyKey
from orders.models import Order
from orders.services import order_redeem
from points.models import PointsTransaction, UserPoints
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent


@pytest.mark.django_db
def test_the_same_key_again_returns_the_first_order_and_charges_once(employee, product, give_points):
    give_points(employee, 1000)

    first = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="key-1")
    again = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="key-1")

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_replay_is_answered_even_when_the_points_are_spent_by_then(employee, give_points):
    product = ProductFactory(points_cost=100)
    give_points(employee, 100)
    first = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="only-one")

    assert order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="only-one").pk == first.pk


@pytest.mark.django_db
def test_the_same_key_for_another_product_is_refused_and_changes_nothing(employee, product, give_points):
    give_points(employee, 1000)
    first = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="key-1")
    other = ProductFactory()

    with pytest.raises(IdempotencyKeyReused, match="already used for a different redemption") as refusal:
        order_redeem(user_id=employee.pk, product_id=other.pk, idempotency_key="key-1")

    assert refusal.value.details == {"order_id": first.pk}
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700


@pytest.mark.django_db
def test_keys_belong_to_one_user(employee, product, give_points):
    colleague = UserFactory()
    give_points(employee, 1000)
    give_points(colleague, 1000)

    mine = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="shared")
    theirs = order_redeem(user_id=colleague.pk, product_id=product.pk, idempotency_key="shared")

    assert mine.pk != theirs.pk
    assert Order.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "k" * 101])
def test_a_malformed_key_is_refused(employee, product, give_points, key):
    give_points(employee, 1000)

    with pytest.raises(InvalidIdempotencyKey, match="1 to 100 visible ASCII characters"):
        order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key=key)
    assert not Order.objects.exists()


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_make_one_order(employee, give_points, deadlock_retries):
    product = ProductFactory(points_cost=100, stock_quantity=50)
    give_points(employee, 1000)

    outcomes = run_concurrently(
        order_redeem, [{"user_id": employee.pk, "product_id": product.pk, "idempotency_key": "tap-tap-tap"}] * 20
    )

    assert all(isinstance(o, Order) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {Order.objects.get().pk}
    assert PointsTransaction.objects.filter(transaction_type="redeemed").count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 900
    assert_ledger_consistent()
    assert deadlock_retries.count == 0
