"""The wishlist: products an employee saved, and telling them when they can have one.

Two events tell a wisher, each inside the transaction of the change that causes it (the outbox
way, never by polling people): the product becoming available again (back in stock, or offered
again: `catalog_write` finds which, for every catalog write) and a credit that first brings
the balance up to the product's price (the ledger's `balance_credited`). A product withdrawn
since is never announced. At most one message per product, person and event, and none again
within TELL_AGAIN_AFTER, so a product that flickers in and out of stock or a balance that rises
and falls around a price does not make a storm.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.services import user_lock
from awsomeshop.db import atomic_with_retry, in_transaction
from awsomeshop.text import number

from .events import notify_wish_affordable, notify_wish_back_in_stock
from .exceptions import ProductUnavailable, WishlistFull
from .models import Product, WishlistItem

WISHLIST_MAX = 100
TELL_AGAIN_AFTER = timedelta(hours=24)


@atomic_with_retry
def wishlist_add(*, user_id: str, product_id: str) -> tuple[WishlistItem, bool]:
    """Save an offered product to the user's wishlist; (the entry, whether it is new). Saving it
    again changes nothing (a double click, a retried request)."""
    unavailable = ProductUnavailable(_("This product is not available."), product_id=str(product_id)[:255])
    product = Product.objects.filter(pk=str(product_id)[:255], is_active=True).only("pk").first()
    if product is None:
        raise unavailable
    existing = WishlistItem.objects.filter(user_id=user_id, product_id=product.pk).first()
    if existing is not None:
        return existing, False
    # The product first (shared), then the person: the order a restock takes them in (it locks its
    # products, then its messages' foreign keys read the people), so the two never wait in a circle.
    product_share_lock(product_id=product.pk)
    # Counted under the person's lock: saves racing each other take turns, so none passes the limit.
    user_lock(user_id=user_id)
    if WishlistItem.objects.filter(user_id=user_id).count() >= WISHLIST_MAX:
        raise WishlistFull(
            ngettext(
                "Your wishlist holds at most %(most)s product; remove one first.",
                "Your wishlist holds at most %(most)s products; remove one first.",
                WISHLIST_MAX,
            )
            % {"most": number(WISHLIST_MAX)}
        )
    try:
        return WishlistItem.objects.get_or_create(user_id=user_id, product_id=product.pk)
    except IntegrityError:
        # The product was deleted meanwhile (its foreign key refuses the row).
        raise unavailable from None


@atomic_with_retry
def wishlist_remove(*, user_id: str, product_id: str) -> bool:
    """Take a product off the user's wishlist; False if it was not on it."""
    deleted, _ = WishlistItem.objects.filter(user_id=user_id, product_id=str(product_id)[:255]).delete()
    return deleted > 0


@in_transaction(message="A product is share-locked inside the transaction that needs it to stay.")
def product_share_lock(*, product_id: str) -> None:
    """Keep the product from being deleted or locked for a write until the caller's transaction
    ends, while others may read it (MySQL's shared lock; SQLite serialises writers anyway)."""
    if connection.vendor != "mysql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_PRODUCT_SHARE, [product_id])


_PRODUCT_SHARE = f"SELECT product_id FROM {Product._meta.db_table} WHERE product_id = %s LOCK IN SHARE MODE"  # noqa: S608


@in_transaction(message="A wish is fulfilled in the redemption's transaction.")
def wish_fulfilled(*, user_id: str, product_id: str) -> None:
    """The person redeemed the product: it leaves their wishlist (one statement; nothing when it
    was not on it). A cancelled order does not put it back, so its refund never announces the
    very product just given up."""
    with connection.cursor() as cursor:
        cursor.execute(_WISH_DELETE, [user_id, product_id])


_WISH_DELETE = f"DELETE FROM {WishlistItem._meta.db_table} WHERE user_id = %s AND product_id = %s"  # noqa: S608


def _due(wishes, field: str):
    return wishes.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": timezone.now() - TELL_AGAIN_AFTER}))


@in_transaction(message="Wishers are told in the transaction of the change that brings the product back.")
def wishers_tell_back_in_stock(*, product_ids: list[str]) -> int:
    """Tell everyone who wishes for these products (available now) that they are: one message
    per person for the whole change, however many of their wishes it brings back (a restock of a
    hundred products is one message). Returns how many people were told."""
    products = list(Product.objects.filter(pk__in=product_ids, is_active=True, stock_quantity__gt=0).order_by("pk"))
    by_person: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        for user_id in _due(WishlistItem.objects.filter(product=product), "told_in_stock_at").values_list(
            "user_id", flat=True
        ):
            by_person[user_id].append(product)
    # People told the same products share one INSERT: a restock of one product is one statement.
    same_news: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for user_id, wished in by_person.items():
        same_news[tuple(product.pk for product in wished)].append(user_id)
    by_id = {product.pk: product for product in products}
    for product_ids_told, user_ids in same_news.items():
        notify_wish_back_in_stock(user_ids=user_ids, products=[by_id[pk] for pk in product_ids_told])
    # Marked product by product in primary-key order, as the products were locked.
    now = timezone.now()
    for product in products:
        told = [user_id for user_id, wished in by_person.items() if product in wished]
        if told:
            WishlistItem.objects.filter(product=product, user_id__in=told).update(told_in_stock_at=now)
    return len(by_person)


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
