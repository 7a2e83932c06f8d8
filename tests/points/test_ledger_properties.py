"""A Hypothesis state machine drives random sequences of the operations that move points and
stock, and after every step checks the invariants the ledger promises."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from awsomeshop.exceptions import ShopError
from orders.models import Order
from orders.services import order_redeem
from points.models import PointsTransaction
from points.services import points_award
from shop.models import Product
from shop.services import product_active_set, product_stock_set, product_update
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.users = [UserFactory().pk for _ in range(3)]
        self.products = [ProductFactory(points_cost=cost, stock_quantity=3).pk for cost in (50, 120, 300)]
        self.orders_made = Order.objects.count()

    @rule(user=st.integers(0, 2), amount=st.integers(1, 400))
    def award(self, user, amount):
        points_award(user_id=self.users[user], amount=amount, reason="Property test")

    @rule(user=st.integers(0, 2), product=st.integers(0, 2))
    def redeem(self, user, product):
        try:
            order_redeem(user_id=self.users[user], product_id=self.products[product])
            self.orders_made += 1
        except ShopError:
            pass

    @rule(product=st.integers(0, 2), attempts=st.integers(2, 6))
    def concurrent_redeem(self, product, attempts):
        calls = [{"user_id": self.users[i % 3], "product_id": self.products[product]} for i in range(attempts)]
        if connection.vendor == "mysql":
            outcomes = run_concurrently(order_redeem, calls)
        else:  # SQLite serialises writers; the same calls one after the other
            outcomes = []
            for call in calls:
                try:
                    outcomes.append(order_redeem(**call))
                except ShopError as refusal:
                    outcomes.append(refusal)
        unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ShopError)]
        assert unexpected == []
        self.orders_made += sum(isinstance(o, Order) for o in outcomes)

    @rule(product=st.integers(0, 2), quantity=st.integers(0, 5))
    def restock(self, product, quantity):
        product_stock_set(product_ids=[self.products[product]], quantity=quantity)

    @rule(product=st.integers(0, 2), active=st.booleans())
    def deactivate_or_reactivate(self, product, active):
        product_active_set(product_ids=[self.products[product]], is_active=active)

    @rule(product=st.integers(0, 2), cost=st.integers(1, 500))
    def reprice(self, product, cost):
        product_update(product_id=self.products[product], changes={"points_cost": cost})

    @invariant()
    def balances_equal_the_ledger_and_every_order_has_one_ledger_row(self):
        assert_ledger_consistent()

    @invariant()
    def stock_never_below_zero(self):
        assert not Product.objects.filter(stock_quantity__lt=0).exists()

    @invariant()
    def every_redemption_is_one_order_and_one_ledger_row(self):
        redemptions = PointsTransaction.objects.filter(transaction_type="redeemed").count()
        assert Order.objects.count() == redemptions == getattr(self, "orders_made", redemptions)


LedgerMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.mark.django_db(transaction=True)
def test_random_sequences_keep_the_ledger_whole():
    LedgerMachine.TestCase().runTest()
