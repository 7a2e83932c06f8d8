"""A Hypothesis state machine drives random sequences of the operations that move points and
stock (awards, redemptions of products and of options, cancellations with their refunds,
reversals of awards, large awards waiting for and given approval, steps of fulfilment, restocks,
repricing), and after every step checks the invariants the ledger promises."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from awsomeshop.exceptions import ShopError
from orders.models import Order
from orders.services import OrderDetails, order_cancel, order_redeem, order_status_change
from points.expiry import points_expire
from points.models import AwardBatch, PointsLot, PointsLotMove, PointsTransaction
from points.services import Award, award_request_approve, points_award_batch, points_lots_rebuild, points_reverse
from shop.models import Product, ProductOption
from shop.services import (
    product_active_set,
    product_option_create,
    product_option_update,
    product_stock_set,
    product_update,
)
from tests.awards import points_award
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.users = [UserFactory().pk for _ in range(3)]
        self.products = [ProductFactory(points_cost=cost, stock_quantity=3).pk for cost in (50, 120, 300)]
        # A fourth product whose stock lives on two options.
        sized = ProductFactory(points_cost=80, stock_quantity=0)
        self.options = [product_option_create(product_id=sized.pk, name=n, stock_quantity=2).pk for n in ("S", "M")]
        self.sized = sized.pk
        self.staff = UserFactory(is_superuser=True).pk  # may award, correct and approve
        self.second_staff = UserFactory(is_superuser=True).pk
        # The database outlives each example: count from what is there.
        self.reversals = AwardBatch.objects.filter(kind="reversal").count()
        self.orders_made = Order.objects.count()
        self.cancelled = Order.objects.filter(status="Cancelled").count()

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

    @rule(user=st.integers(0, 2), option=st.integers(0, 1))
    def redeem_an_option(self, user, option):
        try:
            order_redeem(
                user_id=self.users[user], product_id=self.sized, details=OrderDetails(option_id=self.options[option])
            )
            self.orders_made += 1
        except ShopError:
            pass

    @rule(option=st.integers(0, 1), quantity=st.integers(0, 4))
    def restock_an_option(self, option, quantity):
        seen = ProductOption.objects.get(pk=self.options[option]).stock_quantity
        product_option_update(option_id=self.options[option], changes={"stock_quantity": quantity}, stock_seen=seen)

    @rule(pick=st.integers(0, 1000), by_staff=st.booleans())
    def cancel(self, pick, by_staff):
        orders = list(Order.objects.order_by("created_at", "id").values_list("pk", "user_id"))
        if not orders:
            return
        order_id, user_id = orders[pick % len(orders)]
        try:
            outcome = order_cancel(
                order_id=order_id,
                cancelled_by_id=self.staff if by_staff else user_id,
                reason="Property test",
                by_staff=by_staff,
            )
            self.cancelled += outcome.cancelled_now
        except ShopError:
            pass

    @rule(pick=st.integers(0, 1000))
    def start_processing(self, pick):
        orders = list(Order.objects.order_by("created_at", "id").values_list("pk", flat=True))
        if orders:
            order_status_change(
                order_ids=[orders[pick % len(orders)]], to_status="Processing", changed_by_id=self.staff
            )

    @rule(pick=st.integers(0, 1000), amount=st.integers(1, 500))
    def reverse_an_award(self, pick, amount):
        awards = list(
            PointsTransaction.objects.filter(transaction_type="earned").order_by("id").values_list("pk", flat=True)
        )
        if not awards:
            return
        try:
            points_reverse(
                award_id=awards[pick % len(awards)],
                amount=amount,
                reason="Property test",
                reversed_by_id=self.staff,
                source="api",
                client_key=f"reversal-{self.reversals}",
            )
            self.reversals += 1
        except ShopError:
            pass

    @rule(user=st.integers(0, 2), amount=st.integers(1001, 3000), approve=st.booleans())
    def a_large_award_waits_for_approval(self, user, amount, approve):
        with override_settings(POINTS_APPROVAL_ABOVE=1000):
            outcome = points_award_batch(
                awards=[Award(self.users[user], amount, "Large")],
                awarded_by_id=self.staff,
                source="api",
                client_key=f"large-{PointsTransaction.objects.count()}-{amount}-{user}",
            )
            assert outcome.transactions == [] or outcome.replayed
            if approve:
                award_request_approve(batch_id=outcome.batch.pk, approved_by_id=self.second_staff)

    @rule(product=st.integers(0, 2), quantity=st.integers(0, 5))
    def restock(self, product, quantity):
        product_stock_set(product_ids=[self.products[product]], quantity=quantity)

    @rule(product=st.integers(0, 2), active=st.booleans())
    def deactivate_or_reactivate(self, product, active):
        product_active_set(product_ids=[self.products[product]], is_active=active)

    @rule(product=st.integers(0, 2), cost=st.integers(1, 500))
    def reprice(self, product, cost):
        product_update(product_id=self.products[product], changes={"points_cost": cost})

    @rule()
    def expire_every_lot_so_far(self):
        # Every lot lies before the job's day: what is left of each expires, and later refunds of
        # orders that spent them open new lots instead of giving back to expired ones.
        with override_settings(POINTS_EXPIRY_MONTHS=1, POINTS_EXPIRY_STARTS=datetime.date(2000, 1, 1)):
            points_expire(today=timezone.localdate() + datetime.timedelta(days=70))
            assert points_expire(today=timezone.localdate() + datetime.timedelta(days=70)).lots == 0

    @rule(user=st.integers(0, 2))
    def lots_rebuilt_from_history_are_the_lots_the_ledger_kept(self, user):
        user_id = self.users[user]

        def lots_and_moves():
            lots = set(PointsLot.objects.filter(user_id=user_id).values_list("pk", "points", "remaining", "is_open"))
            moves = set(
                PointsLotMove.objects.filter(entry__user_id=user_id).values_list("lot_id", "entry_id", "points")
            )
            return lots, moves

        kept = lots_and_moves()
        points_lots_rebuild(user_id=user_id)
        assert lots_and_moves() == kept

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

    @invariant()
    def no_award_is_reversed_by_more_than_it_gave_and_waiting_awards_credit_nothing(self):
        from django.db.models import Sum

        over = (
            PointsTransaction.objects.filter(transaction_type="earned")
            .annotate(back=Sum("reversals__points_amount"))
            .filter(back__gt=F("points_amount"))
        )
        assert not over.exists()
        assert not PointsTransaction.objects.filter(batch__status__in=["pending", "rejected"]).exists()
        assert AwardBatch.objects.filter(kind="reversal").count() == self.reversals

    @invariant()
    def every_cancellation_is_one_refund(self):
        refunds = PointsTransaction.objects.filter(transaction_type="refunded").count()
        assert Order.objects.filter(status="Cancelled").count() == refunds == getattr(self, "cancelled", refunds)


LedgerMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.mark.django_db(transaction=True)
def test_random_sequences_keep_the_ledger_whole():
    LedgerMachine.TestCase().runTest()
