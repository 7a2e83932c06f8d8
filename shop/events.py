"""What the shop tells people: the wishlist's news. Called inside the change's transaction."""

import hashlib

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify_many, notify_once
from notifications.words import Words, words

from .models import Product

WISH_IN_STOCK = notification_kind(
    code="wish_in_stock", topic=Topic.WISHLIST, label=gettext_noop("Wishlist: available again")
)
WISH_AFFORDABLE = notification_kind(
    code="wish_affordable", topic=Topic.WISHLIST, label=gettext_noop("Wishlist: within your points")
)


# At most this many products named in one message; the rest are counted.
NAMES_IN_A_MESSAGE = 10


def _product_lines(products: list[Product]) -> list[Words]:
    lines = [
        words(gettext_noop("• %(product)s: %(points)s points"), product=product.name, points=product.points_cost)
        for product in products[:NAMES_IN_A_MESSAGE]
    ]
    if len(products) > NAMES_IN_A_MESSAGE:
        lines.append(
            words(gettext_noop("…and %(count)s more on your wishlist."), count=len(products) - NAMES_IN_A_MESSAGE)
        )
    return lines


def notify_wish_back_in_stock(*, user_ids: list[str], products: list[Product]) -> int:
    """One message to each of these wishers: these products (of their wishlist) can be had again."""
    if len(products) == 1:
        (product,) = products
        title = words(gettext_noop("“%(product)s” is available again"), product=product.name)
        body = [
            words(
                gettext_noop(
                    "“%(product)s” from your wishlist can be redeemed again, for %(points)s points. "
                    "Units can go quickly."
                ),
                product=product.name,
                points=product.points_cost,
            )
        ]
        link = product.get_absolute_url()
    else:
        title = words(gettext_noop("%(count)s things on your wishlist are available again"), count=len(products))
        body = [words(gettext_noop("These can be redeemed again:")), *_product_lines(products)]
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
        title = words(gettext_noop("You have enough points for “%(product)s”"), product=product.name)
        body = [
            words(
                gettext_noop("Your balance is now %(balance)s points and “%(product)s” costs %(points)s."),
                balance=balance,
                product=product.name,
                points=product.points_cost,
            )
        ]
        link = product.get_absolute_url()
    else:
        title = words(gettext_noop("You have enough points for %(count)s things on your wishlist"), count=len(products))
        body = [words(gettext_noop("Your balance is now %(balance)s points, enough for:"), balance=balance)]
        body += _product_lines(products)
        link = reverse("shop:wishlist")
    if any(not product.in_stock for product in products):
        body.append(words(gettext_noop("Some are out of stock for now: we will tell you when they are back.")))
    told = notify_once(
        recipient_id=user_id,
        kind=WISH_AFFORDABLE,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"wish-afford:{entry_id}",
    )
    return told is not None
