"""Every change to the catalog: products, their images, prices, stock and availability."""

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from awsomeshop.db import atomic_with_retry

from .exceptions import ImageStorageUnavailable, OutOfStock, PriceChanged, ProductUnavailable, StockChanged
from .images import product_image_clean_copy
from .models import CATALOG_VERSION_ROW, CatalogVersion, Product

# What a catalog manager may change on a product; stock and availability have their own rules.
EDITABLE_FIELDS = {"name", "description", "category", "points_cost", "image", "is_active", "stock_quantity"}


def product_create(
    *,
    name: str,
    points_cost: int,
    stock_quantity: int = 0,
    description: str = "",
    category: str = "",
    is_active: bool = True,
    image: File | None = None,
) -> Product:
    """Add a product to the catalog, validated against the model's rules."""
    product = Product(
        name=name,
        points_cost=points_cost,
        stock_quantity=stock_quantity,
        description=description,
        category=category,
        is_active=is_active,
        image=image,
    )
    product.full_clean()
    if image:
        product.image = product_image_clean_copy(image)
    _product_save(product)
    return product


def _product_save(product: Product) -> None:
    """Save, storing a new image first: if the image store fails, no row is written."""
    try:
        with transaction.atomic():
            product.save()
            catalog_version_bump()
    except (BotoCoreError, ClientError, OSError) as error:
        raise ImageStorageUnavailable(
            "The image could not be stored just now, so nothing was saved. Try again in a few minutes.",
            product=product.name,
        ) from error


@atomic_with_retry
def product_update(*, product_id: str, changes: dict[str, Any], stock_seen: int | None = None) -> Product:
    """Change a product's fields. A new stock level needs the level the editor saw (`stock_seen`)
    and is applied only if the stock is still that: redemptions may have taken units since the
    form was opened, and overwriting them would sell units that are gone."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    product = Product.objects.select_for_update().get(pk=product_id)
    if "stock_quantity" in changes and stock_seen is None:
        # Without the level the editor saw we cannot tell their number from a redemption's.
        raise StockChanged(
            f"The stock of “{product.name}” was not saved: the form did not say which stock level it "
            "showed. Please reload the page and save again.",
            product_id=product.pk,
            stock_quantity=product.stock_quantity,
        )
    if "stock_quantity" in changes and product.stock_quantity != stock_seen:
        raise StockChanged(
            f"The stock of “{product.name}” changed to {product.stock_quantity} while you were editing "
            f"(redemptions take units). Nothing was saved; check the stock and save again.",
            product_id=product.pk,
            stock_quantity=product.stock_quantity,
        )
    for field, value in changes.items():
        setattr(product, field, value)
    product.full_clean()
    if "image" in changes and changes["image"]:
        product.image = product_image_clean_copy(changes["image"])
    _product_save(product)
    return product


@atomic_with_retry
def product_active_set(*, product_ids: list[str], is_active: bool) -> int:
    """Offer or withdraw products; an inactive product is hidden from the portal and the API and
    cannot be redeemed, and its orders stay as they are. Returns how many changed."""
    products = Product.objects.filter(pk__in=sorted(product_ids)).exclude(is_active=is_active)
    return _catalog_changed(products.update(is_active=is_active, updated_at=timezone.now()))


@atomic_with_retry
def product_stock_set(*, product_ids: list[str], quantity: int) -> int:
    """Set the stock of products to a number a person counted. Returns how many changed."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 1_000_000:
        raise ValueError("Stock is a whole number from 0 to 1,000,000.")
    products = Product.objects.filter(pk__in=sorted(product_ids))
    return _catalog_changed(products.update(stock_quantity=quantity, updated_at=timezone.now()))


@atomic_with_retry
def product_delete(*, product_ids: list[str]) -> int:
    """Delete products that were never redeemed (orders keep their product: those are
    deactivated instead, and are left alone here). Returns how many were deleted."""
    products = list(Product.objects.filter(pk__in=sorted(product_ids), orders__isnull=True))
    for product in products:
        product.delete()
    return _catalog_changed(len(products))


def product_stock_take(*, product: Product, quantity: int = 1) -> None:
    """Take units of stock for an order, inside the caller's transaction.

    The update re-checks what the caller read (active, same price), so a product deactivated or
    repriced in the meantime is refused instead of sold at the old price. The caller bumps the
    catalog version last in its transaction (catalog_version_bump), so every redemption holds the
    version row's lock only while it commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("product_stock_take must run inside the order's transaction.")
    taken = Product.objects.filter(
        pk=product.pk, is_active=True, points_cost=product.points_cost, stock_quantity__gte=quantity
    ).update(stock_quantity=F("stock_quantity") - quantity, updated_at=timezone.now())
    if taken:
        return
    current = Product.objects.filter(pk=product.pk).values("is_active", "points_cost").first()
    if current is None or not current["is_active"]:
        raise ProductUnavailable(f"“{product.name}” is no longer available.", product_id=product.pk)
    if current["points_cost"] != product.points_cost:
        raise price_changed(product=product, expected=product.points_cost, current=current["points_cost"])
    raise OutOfStock(f"“{product.name}” is out of stock.", product_id=product.pk)


def price_changed(*, product: Product, expected: int, current: int) -> PriceChanged:
    """The refusal when the price is not the one the person confirmed: nothing is charged."""
    return PriceChanged(
        f"The price of “{product.name}” changed from {expected:,} to {current:,} points; nothing was charged. "
        "Check the new price and confirm again.",
        product_id=product.pk,
        points_cost=current,
        expected_points_cost=expected,
    )


def catalog_version_bump() -> None:
    """Mark the catalog changed, inside the transaction that changed it, so the new version is
    visible exactly when the change is. Every write to `products` goes through a service here
    that calls this; cached catalog pages (shop.catalog_cache) rely on it.

    The row's lock is held until commit, which also orders the commits of catalog changes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("catalog_version_bump must run inside the transaction that changed the catalog.")
    if not CatalogVersion.objects.filter(pk=CATALOG_VERSION_ROW).update(version=F("version") + 1):
        # The row is made by a migration; a flushed test database has lost it.
        CatalogVersion.objects.get_or_create(pk=CATALOG_VERSION_ROW)


def _catalog_changed(count: int) -> int:
    """Bump the catalog version if `count` products changed; returns `count`."""
    if count:
        catalog_version_bump()
    return count
