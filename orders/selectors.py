from django.db.models import QuerySet

from points.models import PointsTransaction
from shop.models import Product

from .models import Order


def order_list_for_user(*, user_id: str) -> QuerySet[Order]:
    """The user's orders, newest first, each with its product in the same query."""
    return Order.objects.filter(user_id=user_id).select_related("product").order_by("-created_at", "-id")


def order_get_for_user(*, user_id: str, order_id: str) -> Order | None:
    """The user's order with this id; None for an unknown id or somebody else's order."""
    return order_list_for_user(user_id=user_id).filter(pk=order_id).first()


def order_redeem_blocker(*, product: Product, balance: int) -> str | None:
    """Why the user cannot redeem the product right now, in their words; None if they can."""
    if not product.in_stock:
        return "Out of stock"
    if balance < product.points_cost:
        return f"You need {product.points_cost - balance:,} more points"
    return None


def order_balance_after(*, order: Order) -> int | None:
    """The balance the redemption left, from its ledger row: the same answer however often asked
    (the redemption that made the order knows it already)."""
    if (known := getattr(order, "balance_after", None)) is not None:
        return known
    return PointsTransaction.objects.filter(order=order).values_list("balance_after", flat=True).first()
