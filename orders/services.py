"""Redemptions: one unit of a product for its price in points, exactly once per request.

The redemption is the shop's hottest write, so its statements are plain SQL, each one needed:
lock the account (and, with a key, find the order it already made: one statement), lock the
product, debit the account, take the stock, insert the order, insert the ledger row. The ORM's
query building cost more than those statements (docs/performance.md). Each table's SQL lives
with its app's services (points, shop); this function only orders them.
"""

from django.db import IntegrityError, connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from awsomeshop.db import atomic_with_retry, new_id
from awsomeshop.idempotency import IdempotencyKeyReused, idempotency_key_clean
from points.models import PointsTransaction, UserPoints
from points.services import points_debit, points_transaction_record
from shop.models import Product
from shop.services import price_changed, product_lock_for_order, product_stock_take

from .models import Order

_ORDERS, _BALANCES = Order._meta.db_table, UserPoints._meta.db_table
_SQL: dict[str, str] = {}


def _sql(name: str) -> str:
    if not _SQL:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # The account's balance, locked, and the order this key already made (if any) with
        # whether it was for the same product as the database resolves ids: one statement.
        _SQL["account_and_key"] = (
            f"SELECT b.current_points, o.order_id, o.product_id = %s FROM {_BALANCES} b "  # noqa: S608
            f"LEFT JOIN {_ORDERS} o ON o.user_id = b.user_id AND o.idempotency_key = %s WHERE b.user_id = %s{lock}"
        )
        _SQL["account"] = f"SELECT current_points FROM {_BALANCES} WHERE user_id = %s{lock}"  # noqa: S608
        _SQL["insert"] = (
            f"INSERT INTO {_ORDERS} (order_id, user_id, product_id, points_used, status, created_at, "  # noqa: S608
            "idempotency_key) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        )
    return _SQL[name]


def _account_lock(*, user_id: str, product_id: str, idempotency_key: str | None) -> tuple[int, str | None, bool]:
    """Lock the account (first, the order every redemption and award uses) and read its balance;
    with a key, also the order the key made: (balance, that order's id or None, same product).
    A concurrent retry with the same key waits here for the first request, then finds its order."""
    with connection.cursor() as cursor:
        if idempotency_key is None:
            cursor.execute(_sql("account"), [user_id])
        else:
            cursor.execute(_sql("account_and_key"), [product_id, idempotency_key, user_id])
        row = cursor.fetchone()
    if row is None:  # no balance row yet: nothing earned, nothing redeemed
        return 0, None, False
    if idempotency_key is None:
        return row[0], None, False
    return row[0], row[1], bool(row[2])


def _order_insert(*, user_id: str, product: Product, idempotency_key: str | None) -> Order:
    order = Order(
        id=new_id(),
        user_id=user_id,
        product=product,
        points_used=product.points_cost,
        status=Order.Status.DELIVERED,
        created_at=timezone.now(),
        idempotency_key=idempotency_key,
    )
    created_at = connection.ops.adapt_datetimefield_value(order.created_at)
    values = [order.pk, user_id, product.pk, order.points_used, order.status.value, created_at, idempotency_key]
    with connection.cursor() as cursor:
        cursor.execute(_sql("insert"), values)
    order._state.adding = False
    return order


def _key_reused(order_id: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "This idempotency key was already used for a different redemption; use a new key for a new request.",
        order_id=order_id,
    )


@atomic_with_retry
def _order_redeem(
    *, user_id: str, product_id: str, idempotency_key: str | None, expected_points_cost: int | None
) -> Order:
    balance, existing_id, same_product = _account_lock(
        user_id=user_id, product_id=product_id, idempotency_key=idempotency_key
    )
    if existing_id is not None:
        if not same_product:
            raise _key_reused(existing_id)
        return Order.objects.select_related("product").get(pk=existing_id)
    product = product_lock_for_order(product_id=product_id)
    cost = product.points_cost
    if expected_points_cost is not None and cost != expected_points_cost:
        raise price_changed(product=product, expected=expected_points_cost, current=cost)
    points_debit(user_id=user_id, amount=cost, balance=balance)
    product_stock_take(product=product)
    order = _order_insert(user_id=user_id, product=product, idempotency_key=idempotency_key)
    row = points_transaction_record(
        user_id=user_id,
        transaction_type=PointsTransaction.Type.REDEEMED,
        amount=cost,
        description=f"Redeemed {product.name}",
        order=order,
        balance_after=balance - cost,
    )
    order.balance_after = row.balance_after
    return order


def _order_for_key(*, user_id: str, product_id: str, idempotency_key: str) -> Order | None:
    """The order this key already made, if any; a key reused for another product is refused.
    The database compares the product ids, as it resolved them for the first request."""
    order = (
        Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key)
        .select_related("product")
        .annotate(same_product=ExpressionWrapper(Q(product_id=product_id), output_field=BooleanField()))
        .first()
    )
    if order is not None and not order.same_product:
        raise _key_reused(order.pk)
    return order


def order_redeem(
    *, user_id: str, product_id: str, idempotency_key: str | None = None, expected_points_cost: int | None = None
) -> Order:
    """Spend the product's price from the user's points and take one unit of its stock.

    Locks are taken in one order everywhere (the account, then the product, then the new rows),
    so redemptions wait for each other instead of deadlocking; when MySQL still picks a victim,
    the whole transaction runs again. With an idempotency key, the same request made again
    returns the order it made the first time, and nothing is charged twice. With
    `expected_points_cost` (the price the person confirmed), any other price charges nothing and
    raises PriceChanged; the price is checked on the locked product row.
    """
    idempotency_key = idempotency_key_clean(idempotency_key)
    try:
        return _order_redeem(
            user_id=user_id,
            product_id=product_id,
            idempotency_key=idempotency_key,
            expected_points_cost=expected_points_cost,
        )
    except IntegrityError:
        # The unique (user, key) index caught a race the lock did not (a user with no balance row).
        if idempotency_key is None:
            raise
        existing = _order_for_key(user_id=user_id, product_id=product_id, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return existing
