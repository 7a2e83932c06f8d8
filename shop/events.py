"""What the shop tells people: the wishlist's news. Called inside the change's transaction."""

import hashlib

from django.urls import reverse
from django.utils import timezone

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify_many, notify_once

from .models import Product

WISH_IN_STOCK = notification_kind(code="wish_in_stock", topic=Topic.WISHLIST, label="Wishlist: available again")
WISH_AFFORDABLE = notification_kind(code="wish_affordable", topic=Topic.WISHLIST, label="Wishlist: within your points")


def notify_wish_back_in_stock(*, user_ids: list[str], product: Product) -> int:
    """One message to each of these wishers: the product can be had again."""
    # Ids may be long (the schema allows 255 characters); the key holds 100.
    key = hashlib.sha256(product.pk.encode()).hexdigest()[:16]
    return notify_many(
        recipient_ids=user_ids,
        kind=WISH_IN_STOCK,
        title=f"“{product.name}” is available again",
        body=f"“{product.name}” from your wishlist can be redeemed again, for {product.points_cost:,} points. "
        "Units can go quickly.",
        link=product.get_absolute_url(),
        dedupe_key=f"wish-stock:{key}:{timezone.now():%Y%m%d%H%M%S%f}",
    )


def notify_wish_affordable(*, user_id: str, products: list[Product], balance: int, entry_id: str) -> bool:
    """One message for everything on the wishlist a credit just brought within the balance."""
    if len(products) == 1:
        (product,) = products
        title = f"You have enough points for “{product.name}”"
        body = f"Your balance is now {balance:,} points and “{product.name}” costs {product.points_cost:,}."
        link = product.get_absolute_url()
    else:
        title = f"You have enough points for {len(products)} things on your wishlist"
        names = "\n".join(f"• {product.name}: {product.points_cost:,} points" for product in products)
        body = f"Your balance is now {balance:,} points, enough for:\n{names}"
        link = reverse("shop:wishlist")
    stock = [product.name for product in products if not product.in_stock]
    if stock:
        body += "\nOut of stock for now: " + ", ".join(stock) + ". We will tell you when it is back."
    told = notify_once(
        recipient_id=user_id,
        kind=WISH_AFFORDABLE,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"wish-afford:{entry_id}",
    )
    return told is not None
