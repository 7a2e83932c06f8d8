from awsomeshop.db import atomic_with_retry
from points.models import PointsTransaction
from points.services import points_debit, points_transaction_record
from shop.selectors import product_get_active
from shop.services import product_stock_take

from .models import Order


@atomic_with_retry
def order_redeem(*, user_id: str, product_id: str) -> Order:
    """Spend the product's price from the user's points and take one unit of its stock.

    Locks are taken in one order everywhere (the account, then the product, then the new rows),
    so two redemptions can wait for each other but not deadlock in the common case; when MySQL
    still picks a victim, the whole transaction runs again.
    """
    product = product_get_active(product_id=product_id)
    cost = product.points_cost
    points_debit(user_id=user_id, amount=cost)
    product_stock_take(product=product)
    order = Order.objects.create(user_id=user_id, product=product, points_used=cost)
    points_transaction_record(
        user_id=user_id,
        transaction_type=PointsTransaction.Type.REDEEMED,
        amount=cost,
        description=f"Redeemed {product.name}",
        order=order,
    )
    return order
