import re

from django.db import IntegrityError

from awsomeshop.db import atomic_with_retry
from points.models import PointsTransaction
from points.services import points_debit, points_transaction_record, user_points_lock
from shop.selectors import product_get_active
from shop.services import catalog_version_bump, product_stock_take

from .exceptions import IdempotencyKeyReused, InvalidIdempotencyKey
from .models import Order

IDEMPOTENCY_KEY_MAX_LENGTH = Order._meta.get_field("idempotency_key").max_length
# Visible ASCII, no spaces: what fits an HTTP header unchanged, such as a UUID.
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$"


def _clean_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise InvalidIdempotencyKey(
            f"An idempotency key is 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, such as a UUID.",
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        )
    return key


def _order_for_key(*, user_id: str, product_id: str, idempotency_key: str) -> Order | None:
    """The order this key already made, if any; a key reused for another product is refused."""
    order = Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).select_related("product").first()
    if order is not None and order.product_id != product_id:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different redemption; use a new key for a new request.",
            order_id=order.pk,
        )
    return order


@atomic_with_retry
def _order_redeem(*, user_id: str, product_id: str, idempotency_key: str | None) -> Order:
    if idempotency_key is not None:
        # Lock the account first (the usual order), then look: a concurrent retry with the same
        # key waits here for the first request and then finds its order.
        user_points_lock(user_id=user_id)
        if existing := _order_for_key(user_id=user_id, product_id=product_id, idempotency_key=idempotency_key):
            return existing
    product = product_get_active(product_id=product_id)
    cost = product.points_cost
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


def order_redeem(*, user_id: str, product_id: str, idempotency_key: str | None = None) -> Order:
    """Spend the product's price from the user's points and take one unit of its stock.

    Locks are taken in one order everywhere (the account, then the product, then the new rows,
    then the catalog version), so redemptions wait for each other instead of deadlocking; when
    MySQL still picks a victim, the whole transaction runs again. With an idempotency key, the
    same request made again returns the order it made the first time, and nothing is charged twice.
    """
    idempotency_key = _clean_idempotency_key(idempotency_key)
    try:
        return _order_redeem(user_id=user_id, product_id=product_id, idempotency_key=idempotency_key)
    except IntegrityError:
        # The unique (user, key) index caught a race the lock did not (a user with no balance row).
        if idempotency_key is None:
            raise
        existing = _order_for_key(user_id=user_id, product_id=product_id, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return existing
