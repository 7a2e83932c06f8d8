from django.db import IntegrityError
from django.db.models import BooleanField, ExpressionWrapper, Q

from awsomeshop.db import atomic_with_retry
from awsomeshop.idempotency import IdempotencyKeyReused, idempotency_key_clean
from points.models import PointsTransaction
from points.services import points_debit, points_transaction_record, user_points_lock
from shop.selectors import product_get_active
from shop.services import catalog_version_bump, price_changed, product_stock_take

from .models import Order


def _order_for_key(*, user_id: str, product_id: str, idempotency_key: str) -> Order | None:
    """The order this key already made, if any; a key reused for another product is refused.

    The database compares the product ids, so an id it resolves to the same product (MySQL folds
    case) is the same request, exactly as the redemption itself would have found that product."""
    order = (
        Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key)
        .select_related("product")
        .annotate(same_product=ExpressionWrapper(Q(product_id=product_id), output_field=BooleanField()))
        .first()
    )
    if order is not None and not order.same_product:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different redemption; use a new key for a new request.",
            order_id=order.pk,
        )
    return order


@atomic_with_retry
def _order_redeem(
    *, user_id: str, product_id: str, idempotency_key: str | None, expected_points_cost: int | None
) -> Order:
    if idempotency_key is not None:
        # Lock the account first (the usual order), then look: a concurrent retry with the same
        # key waits here for the first request and then finds its order.
        user_points_lock(user_id=user_id)
        if existing := _order_for_key(user_id=user_id, product_id=product_id, idempotency_key=idempotency_key):
            return existing
    product = product_get_active(product_id=product_id)
    cost = product.points_cost
    if expected_points_cost is not None and cost != expected_points_cost:
        raise price_changed(product=product, expected=expected_points_cost, current=cost)
    points_debit(user_id=user_id, amount=cost)
    product_stock_take(product=product)
    order = Order.objects.create(user_id=user_id, product=product, points_used=cost, idempotency_key=idempotency_key)
    points_transaction_record(
        user_id=user_id,
        transaction_type=PointsTransaction.Type.REDEEMED,
        amount=cost,
        description=f"Redeemed {product.name}",
        order=order,
    )
    # Last: the stock changed, and every redemption queues on this one row until it commits.
    catalog_version_bump()
    return order


def order_redeem(
    *, user_id: str, product_id: str, idempotency_key: str | None = None, expected_points_cost: int | None = None
) -> Order:
    """Spend the product's price from the user's points and take one unit of its stock.

    Locks are taken in one order everywhere (the account, then the product, then the new rows,
    then the catalog version), so redemptions wait for each other instead of deadlocking; when
    MySQL still picks a victim, the whole transaction runs again. With an idempotency key, the
    same request made again returns the order it made the first time, and nothing is charged twice.
    With `expected_points_cost` (the price the person confirmed), any other price charges nothing
    and raises PriceChanged; the stock update re-checks the price on the locked product row.
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
