"""Every change to the catalog: products, their images, prices, stock and availability.

This module is the one write path for products: the model refuses writes made anywhere else
(shop.models.catalog_write_var), and `catalog_write` below is where every change moves the
catalog version, so no caller can forget it. Each public function owns its transaction
(atomic_with_retry: durable, retried after a deadlock). Locks: products in primary-key order,
the catalog version row last.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from awsomeshop.db import atomic_with_retry

from .exceptions import ImageStorageUnavailable, OutOfStock, PriceChanged, ProductUnavailable, StockChanged
from .images import product_image_clean_copy, validate_product_image
from .models import (
    CATALOG_VERSION_ROW,
    STOCK_MAX,
    CatalogVersion,
    Product,
    catalog_write_var,
    product_image_path,
)

# What a catalog manager may change on a product; stock and availability have their own rules.
EDITABLE_FIELDS = {"name", "description", "category", "points_cost", "image", "is_active", "stock_quantity"}


@contextmanager
def catalog_write(*, changed: bool = True) -> Iterator[None]:
    """Inside a service's transaction: lets the ORM write products, and then moves the catalog
    version, last, so its row is held only while the transaction commits. `changed=False` for a
    write that cached lists may show late (a redemption that leaves units in stock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Catalog writes run inside the service's transaction.")
    token = catalog_write_var.set(True)
    try:
        yield
    finally:
        catalog_write_var.reset(token)
    if changed:
        _catalog_version_bump()


@atomic_with_retry
def catalog_refresh() -> None:
    """Move the catalog version on by hand, after a change made outside the app (an operator's
    SQL): every cached page and count is made again on its next read."""
    _catalog_version_bump()


def _catalog_version_bump() -> None:
    if not CatalogVersion.objects.filter(pk=CATALOG_VERSION_ROW).update(version=F("version") + 1):
        # The row is made by a migration; a flushed test database has lost it.
        CatalogVersion.objects.get_or_create(pk=CATALOG_VERSION_ROW)


# --- Images: checked, re-encoded and stored before any row is locked ------------------------
def _image_store(upload: File) -> str:
    """Decode and check the upload, store a re-encoded copy under a new name, and return the
    name. Slow work (Pillow, the S3 upload), so it runs before the product's transaction."""
    validate_product_image(upload)
    clean = product_image_clean_copy(upload)
    storage = Product._meta.get_field("image").storage
    try:
        return storage.save(product_image_path(None, clean.name or "product.png"), clean)
    except (BotoCoreError, ClientError, OSError) as error:
        raise ImageStorageUnavailable(
            "The image could not be stored just now, so nothing was saved. Try again in a few minutes.",
        ) from error


def _image_discard(name: str | None) -> None:
    """Remove an image stored for a change that was then refused (best effort)."""
    # An orphaned file costs a few kilobytes; the refusal is what the user needs to see.
    if name:
        with suppress(BotoCoreError, ClientError, OSError):
            Product._meta.get_field("image").storage.delete(name)


@contextmanager
def _image_stored_first(image: File | str | None) -> Iterator[str | None]:
    """Store a new upload before the product's transaction and give its name; if the change is then
    refused, delete the file again. A name already stored (or no image) passes through."""
    if isinstance(image, str) or not image:
        yield image if isinstance(image, str) and image else None
        return
    stored = _image_store(image)
    try:
        yield stored
    except BaseException:
        _image_discard(stored)
        raise


# --- Products ------------------------------------------------------------------------------
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
    )
    product.full_clean(exclude=["image"])
    with _image_stored_first(image) as stored:
        product.image = stored
        return _product_insert(product=product)


@atomic_with_retry
def _product_insert(*, product: Product) -> Product:
    with catalog_write():
        product.save(force_insert=True)
    return product


@atomic_with_retry
def product_import(*, products: list[Product]) -> list[Product]:
    """Add many products in one transaction (an import, the demo data, benchmark data): each
    validated as one product is; images are names already in the media storage."""
    for product in products:
        product.full_clean(exclude=["image"])
    with catalog_write(changed=bool(products)):
        Product.objects.bulk_create(products, batch_size=1000)
    return products


def product_update(*, product_id: str, changes: dict[str, Any], stock_seen: int | None = None) -> Product:
    """Change a product's fields. A new stock level needs the level the editor saw (`stock_seen`)
    and is applied only if the stock is still that: redemptions may have taken units since the
    form was opened, and overwriting them would sell units that are gone."""
    with _image_stored_first(changes.get("image")) as stored:
        if "image" in changes:
            changes = {**changes, "image": stored or ""}
        (product,) = _products_edit(edits=[ProductEdit(product_id, changes, stock_seen)])
    return product


@dataclass(frozen=True)
class ProductEdit:
    """One product's changes, as a form gave them, with the stock level the form showed."""

    product_id: str
    changes: dict[str, Any]
    stock_seen: int | None = None


@atomic_with_retry
def _products_edit(*, edits: list[ProductEdit]) -> list[Product]:
    unknown = {field for edit in edits for field in edit.changes} - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    locked = {product.pk: product for product in _locked_products([edit.product_id for edit in edits])}
    missing = [edit.product_id for edit in edits if edit.product_id not in locked]
    if missing:
        raise ProductUnavailable("This product no longer exists.", product_id=missing[0])
    with catalog_write():
        return [_product_edit(locked[edit.product_id], edit) for edit in edits]


def _product_edit(product: Product, edit: ProductEdit) -> Product:
    if "stock_quantity" in edit.changes:
        _stock_seen_check(product, edit.stock_seen)
    exclude = []
    for field, value in edit.changes.items():
        setattr(product, field, value)
        if field == "image":
            exclude.append("image")  # checked and stored before the lock (_image_store)
    product.full_clean(exclude=exclude)
    product.save()
    return product


def _stock_seen_check(product: Product, stock_seen: int | None) -> None:
    if stock_seen is None:
        # Without the level the editor saw we cannot tell their number from a redemption's.
        raise StockChanged(
            f"The stock of “{product.name}” was not saved: the form did not say which stock level it "
            "showed. Please reload the page and save again.",
            product_id=product.pk,
            stock_quantity=product.stock_quantity,
        )
    if product.stock_quantity != stock_seen:
        raise StockChanged(
            f"The stock of “{product.name}” changed to {product.stock_quantity} while you were editing "
            f"(redemptions take units). Nothing was saved; check the stock and save again.",
            product_id=product.pk,
            stock_quantity=product.stock_quantity,
        )


def product_list_edit(*, edits: list[ProductEdit]) -> list[Product]:
    """Several products' changes from the admin's list, in one transaction: all or none."""
    return _products_edit(edits=edits) if edits else []


def _locked_products(product_ids: list[str]):
    """The products, locked in primary-key order (an IN list does not make MySQL lock in order)."""
    return Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk")


@atomic_with_retry
def product_active_set(*, product_ids: list[str], is_active: bool) -> int:
    """Offer or withdraw products; an inactive product is hidden from the portal and the API and
    cannot be redeemed, and its orders stay as they are. Returns how many changed."""
    changing = [p.pk for p in _locked_products(product_ids).only("pk", "is_active") if p.is_active != is_active]
    with catalog_write(changed=bool(changing)):
        return Product.objects.filter(pk__in=changing).update(is_active=is_active, updated_at=timezone.now())


@atomic_with_retry
def product_stock_set(*, product_ids: list[str], quantity: int) -> int:
    """Set the stock of products to a number a person counted. Returns how many changed."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= STOCK_MAX:
        raise ValueError(f"Stock is a whole number from 0 to {STOCK_MAX:,}.")
    locked = [p.pk for p in _locked_products(product_ids).only("pk")]
    with catalog_write(changed=bool(locked)):
        return Product.objects.filter(pk__in=locked).update(stock_quantity=quantity, updated_at=timezone.now())


@atomic_with_retry
def product_delete(*, product_ids: list[str]) -> int:
    """Delete products that were never redeemed (orders keep their product: those are
    deactivated instead, and are left alone here). Returns how many were deleted."""
    products = list(_locked_products(product_ids).filter(orders__isnull=True))
    with catalog_write(changed=bool(products)):
        for product in products:
            product.delete()
    return len(products)


# --- Redemptions (inside orders.services.order_redeem's transaction) -------------------------
# Plain SQL: these run on every redemption, where the ORM's query building cost more than the
# statements themselves (docs/performance.md). Built once, for the database in use.
_PRODUCTS = Product._meta.db_table
_ORDER_SQL: dict[str, str] = {}


def _order_sql(name: str) -> str:
    if not _ORDER_SQL:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        _ORDER_SQL["lock"] = (
            "SELECT product_id, name, points_cost, stock_quantity, image_url, category "  # noqa: S608
            f"FROM {_PRODUCTS} WHERE product_id = %s AND is_active{lock}"
        )
        _ORDER_SQL["take"] = (
            f"UPDATE {_PRODUCTS} SET stock_quantity = stock_quantity - %s, updated_at = %s "  # noqa: S608
            "WHERE product_id = %s AND is_active AND points_cost = %s AND stock_quantity >= %s"
        )
    return _ORDER_SQL[name]


def _in_order_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must run inside the order's transaction.")


def product_lock_for_order(*, product_id: str) -> Product:
    """The active product, its row locked until the order's transaction ends (taken after the
    account's lock, the order every redemption uses), or ProductUnavailable."""
    _in_order_transaction("product_lock_for_order")
    with connection.cursor() as cursor:
        cursor.execute(_order_sql("lock"), [product_id])
        row = cursor.fetchone()
    if row is None:
        raise ProductUnavailable("This product is not available.", product_id=product_id)
    pk, name, points_cost, stock, image, category = row
    product = Product(
        id=pk, name=name, points_cost=points_cost, stock_quantity=stock, image=image, category=category, is_active=True
    )
    product._state.adding = False
    return product


def product_stock_take(*, product: Product, quantity: int = 1) -> None:
    """Take units of stock for an order, inside the caller's transaction.

    The update re-checks what the caller read (active, same price), so a product deactivated or
    repriced in the meantime is refused instead of sold at the old price. Taking the last unit is
    a catalog change (lists must stop offering it at once); other redemptions are not, so they
    never queue on the catalog version row (see shop.catalog_cache).
    """
    _in_order_transaction("product_stock_take")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_order_sql("take"), [quantity, now, product.pk, product.points_cost, quantity])
        taken = cursor.rowcount
    if taken:
        product.stock_quantity -= quantity
        if product.stock_quantity <= 0:
            _catalog_version_bump()
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
