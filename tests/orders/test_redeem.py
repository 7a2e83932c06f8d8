import pytest
from django.db import transaction

from orders.models import Order
from orders.services import order_redeem
from points import ledger
from points.exceptions import InsufficientPoints
from points.models import PointsTransaction, UserPoints
from shop import stock
from shop.exceptions import OutOfStock, ProductChanged, ProductUnavailable
from shop.models import Product
from shop.services import product_active_set, product_update
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def snapshot(user, product):
    """Everything a redemption may change, to prove a refusal changed none of it."""
    balance = UserPoints.objects.filter(pk=user.pk).values_list("current_points", "total_redeemed").first()
    return (
        balance,
        Product.objects.get(pk=product.pk).stock_quantity,
        Order.objects.count(),
        PointsTransaction.objects.count(),
    )


def test_redeem_debits_points_takes_stock_and_records_order_and_ledger(employee, product, give_points):
    give_points(employee, 1000)

    order = order_redeem(user_id=employee.pk, product_id=product.pk)

    balance = UserPoints.objects.get(pk=employee.pk)
    assert (balance.current_points, balance.total_earned, balance.total_redeemed) == (700, 1000, 300)
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert (order.user, order.product, order.points_used, order.status) == (employee, product, 300, "Placed")
    ledger_row = PointsTransaction.objects.get(order=order)
    assert ledger_row.transaction_type == "redeemed"
    assert ledger_row.points_amount == 300
    assert ledger_row.balance_after == 700
    assert ledger_row.description == "Redeemed Hoodie"
    assert_ledger_consistent()


def test_redeem_refuses_without_enough_points_and_says_how_many_are_missing(employee, product, give_points):
    give_points(employee, 120)
    before = snapshot(employee, product)

    with pytest.raises(InsufficientPoints) as refusal:
        order_redeem(user_id=employee.pk, product_id=product.pk)

    assert refusal.value.message == "You need 300 points but have 120: 180 more to go."
    assert refusal.value.details == {"needed": 300, "balance": 120, "missing": 180}
    assert snapshot(employee, product) == before


def test_redeem_by_someone_who_never_had_points_says_they_have_none(employee, product):
    with pytest.raises(InsufficientPoints, match="You need 300 points but have 0"):
        order_redeem(user_id=employee.pk, product_id=product.pk)

    assert not Order.objects.exists()


def test_redeem_refuses_when_stock_is_zero_and_gives_the_points_back(employee, give_points):
    sold_out = ProductFactory(name="Cap", points_cost=50, stock_quantity=0)
    give_points(employee, 500)
    before = snapshot(employee, sold_out)

    with pytest.raises(OutOfStock, match="“Cap” is out of stock."):
        order_redeem(user_id=employee.pk, product_id=sold_out.pk)

    assert snapshot(employee, sold_out) == before
    assert UserPoints.objects.get(pk=employee.pk).current_points == 500


def test_redeem_refuses_an_inactive_product(employee, give_points):
    retired = ProductFactory(name="Old console", is_active=False)
    give_points(employee, 500)
    before = snapshot(employee, retired)

    with pytest.raises(ProductUnavailable, match="This product is not available."):
        order_redeem(user_id=employee.pk, product_id=retired.pk)

    assert snapshot(employee, retired) == before


def test_redeem_refuses_an_unknown_product(employee, give_points):
    give_points(employee, 500)

    with pytest.raises(ProductUnavailable) as refusal:
        order_redeem(user_id=employee.pk, product_id="does-not-exist")

    assert refusal.value.details == {"product_id": "does-not-exist"}
    assert UserPoints.objects.get(pk=employee.pk).current_points == 500


def test_stock_take_refuses_a_product_repriced_since_it_was_read(product):
    stale = Product.objects.get(pk=product.pk)
    product_update(product_id=product.pk, changes={"points_cost": 450})

    with pytest.raises(ProductChanged, match="changed from 300 to 450 points"), transaction.atomic():
        stock.take(product=stale)

    assert Product.objects.get(pk=product.pk).stock_quantity == 5


def test_stock_take_refuses_a_product_deactivated_since_it_was_read(product):
    stale = Product.objects.get(pk=product.pk)
    product_active_set(product_ids=[product.pk], is_active=False)

    with pytest.raises(ProductUnavailable, match="is no longer available"), transaction.atomic():
        stock.take(product=stale)


@pytest.mark.django_db(transaction=True)
def test_stock_and_balance_changes_outside_a_transaction_are_refused(product, employee):
    with pytest.raises(RuntimeError, match="inside the order's transaction"):
        stock.take(product=product)
    with pytest.raises(RuntimeError, match="inside a transaction with their ledger row"):
        ledger.post(user_id=employee.pk, kind="redeemed", amount=1, description="Outside")

    assert Product.objects.get(pk=product.pk).stock_quantity == 5


def test_redeeming_the_last_unit_leaves_stock_at_zero(employee, give_points):
    last_one = ProductFactory(points_cost=10, stock_quantity=1)
    give_points(employee, 100)

    order_redeem(user_id=employee.pk, product_id=last_one.pk)

    with pytest.raises(OutOfStock):
        order_redeem(user_id=employee.pk, product_id=last_one.pk)
    assert Product.objects.get(pk=last_one.pk).stock_quantity == 0
    assert UserPoints.objects.get(pk=employee.pk).current_points == 90
    assert_ledger_consistent()
