"""The wishlist: products an employee saved, and telling them when they can have one.

Two events tell a wisher, each inside the transaction of the change that causes it (the outbox
way, never by polling people): the product becoming available again (back in stock, or offered
again: `catalog_write` finds which, for every catalog write) and a credit that first brings
the balance up to the product's price (the ledger's `balance_credited`). A product withdrawn
since is never announced. At most one message per product, person and event, and none again
within TELL_AGAIN_AFTER, so a product that flickers in and out of stock or a balance that rises
and falls around a price does not make a storm.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from awsomeshop.db import atomic_with_retry, in_transaction

from .events import notify_wish_affordable, notify_wish_back_in_stock
from .exceptions import ProductUnavailable, WishlistFull
from .models import Product, WishlistItem

WISHLIST_MAX = 100
TELL_AGAIN_AFTER = timedelta(hours=24)


@atomic_with_retry
def wishlist_add(*, user_id: str, product_id: str) -> tuple[WishlistItem, bool]:
    """Save an offered product to the user's wishlist; (the entry, whether it is new). Saving it
    again changes nothing (a double click, a retried request)."""
    product = Product.objects.filter(pk=str(product_id)[:255], is_active=True).only("pk").first()
    if product is None:
        raise ProductUnavailable("This product is not available.", product_id=str(product_id)[:255])
    existing = WishlistItem.objects.filter(user_id=user_id, product_id=product.pk).first()
    if existing is not None:
        return existing, False
    if WishlistItem.objects.filter(user_id=user_id).count() >= WISHLIST_MAX:
        raise WishlistFull(f"Your wishlist holds at most {WISHLIST_MAX} products; remove one first.")
    item, created = WishlistItem.objects.get_or_create(user_id=user_id, product_id=product.pk)
    return item, created


@atomic_with_retry
def wishlist_remove(*, user_id: str, product_id: str) -> bool:
    """Take a product off the user's wishlist; False if it was not on it."""
    deleted, _ = WishlistItem.objects.filter(user_id=user_id, product_id=str(product_id)[:255]).delete()
    return deleted > 0


def _due(wishes, field: str):
    return wishes.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": timezone.now() - TELL_AGAIN_AFTER}))


@in_transaction(message="Wishers are told in the transaction of the change that brings the product back.")
def wishers_tell_back_in_stock(*, product_ids: list[str]) -> int:
    """Tell everyone who wishes for these products (available now) that they are; returns how
    many were told."""
    told = 0
    for product in Product.objects.filter(pk__in=product_ids, is_active=True, stock_quantity__gt=0).order_by("pk"):
        due = _due(WishlistItem.objects.filter(product=product), "told_in_stock_at")
        user_ids = list(due.values_list("user_id", flat=True))
        if user_ids:
            told += notify_wish_back_in_stock(user_ids=user_ids, product=product)
            WishlistItem.objects.filter(product=product, user_id__in=user_ids).update(told_in_stock_at=timezone.now())
    return told


@in_transaction(message="Wishers are told in the transaction of the credit.")
def wishers_tell_affordable(*, user_id: str, entry_id: str, balance_before: int, balance_after: int) -> bool:
    """Tell the user which of their wished (and offered) products a credit has just brought
    within their balance: priced above what they had, and no more than what they have now."""
    wishes = WishlistItem.objects.filter(
        user_id=user_id,
        product__is_active=True,
        product__points_cost__gt=balance_before,
        product__points_cost__lte=balance_after,
    )
    due = list(_due(wishes, "told_affordable_at").select_related("product").order_by("product__points_cost"))
    if not due:
        return False
    told = notify_wish_affordable(
        user_id=user_id, products=[wish.product for wish in due], balance=balance_after, entry_id=entry_id
    )
    # Row by row in product order, the order a restock of several products takes them in (it
    # locks its products, and their wishes, in primary-key order): no two transactions wait for
    # each other's wishes.
    now = timezone.now()
    for wish in sorted(due, key=lambda wish: wish.product_id):
        WishlistItem.objects.filter(pk=wish.pk).update(told_affordable_at=now)
    return told


def on_balance_credited(sender, *, entry, balance_before: int, **kwargs) -> None:
    """The ledger's `balance_credited`, connected in ShopConfig.ready."""
    wishers_tell_affordable(
        user_id=entry.user_id, entry_id=entry.pk, balance_before=balance_before, balance_after=entry.balance_after
    )
