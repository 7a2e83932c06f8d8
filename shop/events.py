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


# At most this many products named in one message; the rest are counted.
NAMES_IN_A_MESSAGE = 10


def _product_lines(products: list[Product]) -> str:
    lines = [f"• {product.name}: {product.points_cost:,} points" for product in products[:NAMES_IN_A_MESSAGE]]
    if len(products) > NAMES_IN_A_MESSAGE:
        lines.append(f"…and {len(products) - NAMES_IN_A_MESSAGE:,} more on your wishlist.")
    return "\n".join(lines)


def notify_wish_back_in_stock(*, user_ids: list[str], products: list[Product]) -> int:
    """One message to each of these wishers: these products (of their wishlist) can be had again."""
    if len(products) == 1:
        (product,) = products
        title = f"“{product.name}” is available again"
        body = (
            f"“{product.name}” from your wishlist can be redeemed again, for {product.points_cost:,} points. "
            "Units can go quickly."
        )
        link = product.get_absolute_url()
    else:
        title = f"{len(products):,} things on your wishlist are available again"
        body = f"These can be redeemed again:\n{_product_lines(products)}"
        link = reverse("shop:wishlist")
    # Ids may be long (the schema allows 255 characters); the key holds 100.
    key = hashlib.sha256("|".join(product.pk for product in products).encode()).hexdigest()[:16]
    return notify_many(
        recipient_ids=user_ids,
        kind=WISH_IN_STOCK,
        title=title,
        body=body,
        link=link,
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
        title = f"You have enough points for {len(products):,} things on your wishlist"
        body = f"Your balance is now {balance:,} points, enough for:\n{_product_lines(products)}"
        link = reverse("shop:wishlist")
    if any(not product.in_stock for product in products):
        body += "\nSome are out of stock for now: we will tell you when they are back."
    told = notify_once(
        recipient_id=user_id,
        kind=WISH_AFFORDABLE,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"wish-afford:{entry_id}",
    )
    return told is not None
