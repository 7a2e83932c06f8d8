"""Every change to the catalog: products, their images, prices, stock and availability.

This module is the one write path for products: the model refuses writes made anywhere else
(shop.models.catalog_write_var), and `catalog_write` below is where every change moves the
catalog version, so no caller can forget it. Each public function owns its transaction
(atomic_with_retry: durable, retried after a deadlock). Locks: products in primary-key order,
the catalog version row last.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.services import Change, audit_changes, audit_record, audit_record_many
from awsomeshop.db import atomic_with_retry, in_transaction
from awsomeshop.text import TextKind, number, text_clean

from .exceptions import (
    ImageStorageUnavailable,
    InvalidCategory,
    InvalidOption,
    PriceChanged,
    ProductUnavailable,
    StockChanged,
    StockFromOptions,
)
from .images import product_image_clean_copy, validate_product_image
from .models import (
    CATALOG_VERSION_ROW,
    STOCK_MAX,
    CatalogVersion,
    Category,
    DeliveryMethod,
    Product,
    ProductOption,
    catalog_write_var,
    category_key,
    product_image_path,
)
from .selectors import products_available, products_in_categories
from .wishlist import wishers_tell_back_in_stock

# What a catalog manager may change on a product; stock and availability have their own rules.
EDITABLE_FIELDS = {
    "name",
    "description",
    "category",
    "points_cost",
    "image",
    "is_active",
    "stock_quantity",
    "delivery_method",
    "option_label",
    "note_prompt",
}
OPTION_EDITABLE_FIELDS = {"name", "stock_quantity", "position"}


@contextmanager
@in_transaction(message="Catalog writes run inside the service's transaction.")
def catalog_write(*, products: Iterable[str], changed: bool = True) -> Iterator[None]:
    """Inside a service's transaction: lets the ORM write products, then tells the wishers of
    any of `products` (the ones the write may change, locked by the caller; none for a write that
    cannot make a product available) that it is back, and moves the catalog version, last, so
    its row is held only while the transaction commits. `changed=False` for a write that cached
    lists may show late (a redemption that leaves units in stock). Naming the products is not
    optional: every path that can bring a product back is the one place that tells its wishers."""
    watched = list(products)
    available_before = products_available(product_ids=watched)
    token = catalog_write_var.set(True)
    try:
        yield
    finally:
        catalog_write_var.reset(token)
    if back := products_available(product_ids=watched) - available_before:
        wishers_tell_back_in_stock(product_ids=sorted(back))
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
            _("The image could not be stored just now, so nothing was saved. Try again in a few minutes."),
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
    delivery_method: str = DeliveryMethod.SHIPPED,
    option_label: str = "",
    note_prompt: str = "",
) -> Product:
    """Add a product to the catalog, validated against the model's rules; its category is one of
    the list's (`category_for_product`)."""
    product = Product(
        name=name,
        points_cost=points_cost,
        stock_quantity=stock_quantity,
        description=description,
        category=category_for_product(category),
        is_active=is_active,
        delivery_method=delivery_method,
        option_label=option_label,
        note_prompt=note_prompt,
    )
    product.full_clean(exclude=["image"])
    with _image_stored_first(image) as stored:
        product.image = stored
        return _product_insert(product=product)


@atomic_with_retry
def _product_insert(*, product: Product) -> Product:
    product.category = category_for_product(product.category, lock=True)  # as in _products_edit
    with catalog_write(products=[]):  # new: nobody wishes for it yet
        product.save(force_insert=True)
    audit_record(action="shop.product_add", target=product, after=_audited_fields(product))
    return product


_AUDITED_PRODUCT_FIELDS = (
    "name",
    "description",
    "category",
    "points_cost",
    "stock_quantity",
    "is_active",
    "image",
    "delivery_method",
    "option_label",
    "note_prompt",
)


def _audited_fields(obj: Product | ProductOption, fields: Iterable[str] = _AUDITED_PRODUCT_FIELDS) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields if hasattr(obj, field)}


@atomic_with_retry
def product_import(*, products: list[Product]) -> list[Product]:
    """Add many products in one transaction (an import, the demo data, benchmark data): each
    validated as one product is; images are names already in the media storage."""
    known = _categories_ensure({product.category for product in products if product.category})
    for product in products:
        if product.category:
            product.category = known[category_key(product.category)]
        product.full_clean(exclude=["image"])
    with catalog_write(products=[], changed=bool(products)):  # new: nobody wishes for them yet
        Product.objects.bulk_create(products, batch_size=1000)
    audit_record_many(
        action="shop.product_add", changes=[Change(product, after=_audited_fields(product)) for product in products]
    )
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
    # Categories first, locked, as a rename takes them (category, then its products): an edit
    # racing a rename of its category waits for it, or the rename moves it along.
    edits = [
        ProductEdit(
            edit.product_id,
            {**edit.changes, "category": category_for_product(edit.changes["category"], lock=True)},
            edit.stock_seen,
        )
        if "category" in edit.changes
        else edit
        for edit in edits
    ]
    locked = {product.pk: product for product in _locked_products([edit.product_id for edit in edits])}
    missing = [edit.product_id for edit in edits if edit.product_id not in locked]
    if missing:
        raise ProductUnavailable(_("This product no longer exists."), product_id=missing[0])
    with catalog_write(products=list(locked)):
        return [_product_edit(locked[edit.product_id], edit) for edit in edits]


def _product_edit(product: Product, edit: ProductEdit) -> Product:
    if "stock_quantity" in edit.changes:
        _stock_not_from_options(product_ids=[product.pk])
        _stock_seen_check(product, edit.stock_seen)
    exclude = []
    before = _audited_fields(product, edit.changes)
    for field, value in edit.changes.items():
        setattr(product, field, value)
        if field == "image":
            exclude.append("image")  # checked and stored before the lock (_image_store)
    product.full_clean(exclude=exclude)
    product.save()
    before, after = audit_changes(before, _audited_fields(product, edit.changes))
    if after:
        audit_record(action="shop.product_change", target=product, before=before, after=after)
    return product


def _stock_not_from_options(*, product_ids: list[str]) -> None:
    """A product with options has the sum of its options' stock: it is set on each option."""
    names = list(Product.objects.filter(pk__in=product_ids, options__isnull=False).values_list("name", flat=True))
    if names:
        raise StockFromOptions(
            _(
                "The stock of “%(product)s” is the sum of its options' stock; set it on each option "
                "(Product options) instead. Nothing was saved."
            )
            % {"product": sorted(set(names))[0]},
            products=sorted(set(names)),
        )


def _stock_seen_check(product: Product | ProductOption, stock_seen: int | None) -> None:
    if stock_seen is None:
        # Without the level the editor saw we cannot tell their number from a redemption's.
        raise StockChanged(
            _(
                "The stock of “%(product)s” was not saved: the form did not say which stock level it "
                "showed. Please reload the page and save again."
            )
            % {"product": product.name},
            product_id=product.pk,
            stock_quantity=product.stock_quantity,
        )
    if product.stock_quantity != stock_seen:
        raise StockChanged(
            _(
                "The stock of “%(product)s” changed to %(stock)s while you were editing "
                "(redemptions take units). Nothing was saved; check the stock and save again."
            )
            % {"product": product.name, "stock": number(product.stock_quantity)},
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
    changing = [p for p in _locked_products(product_ids).only("pk", "name", "is_active") if p.is_active != is_active]
    audit_record_many(
        action="shop.product_change",
        changes=[Change(p, before={"is_active": p.is_active}, after={"is_active": is_active}) for p in changing],
    )
    with catalog_write(products=[p.pk for p in changing], changed=bool(changing)):
        return Product.objects.filter(pk__in=[p.pk for p in changing]).update(
            is_active=is_active, updated_at=timezone.now()
        )


@atomic_with_retry
def product_stock_set(*, product_ids: list[str], quantity: int) -> int:
    """Set the stock of products to a number a person counted. Returns how many changed."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= STOCK_MAX:
        raise ValueError(f"Stock is a whole number from 0 to {STOCK_MAX:,}.")
    locked = list(_locked_products(product_ids).only("pk", "name", "stock_quantity"))
    _stock_not_from_options(product_ids=[p.pk for p in locked])
    audit_record_many(
        action="shop.product_change",
        changes=[
            Change(p, before={"stock_quantity": p.stock_quantity}, after={"stock_quantity": quantity})
            for p in locked
            if p.stock_quantity != quantity
        ],
    )
    with catalog_write(products=[p.pk for p in locked], changed=bool(locked)):
        return Product.objects.filter(pk__in=[p.pk for p in locked]).update(
            stock_quantity=quantity, updated_at=timezone.now()
        )


@atomic_with_retry
def product_delete(*, product_ids: list[str]) -> int:
    """Delete products that were never redeemed (orders keep their product: those are
    deactivated instead, and are left alone here). Returns how many were deleted."""
    products = list(_locked_products(product_ids).filter(orders__isnull=True))
    audit_record_many(action="shop.product_delete", changes=[Change(p, before=_audited_fields(p)) for p in products])
    with catalog_write(products=[], changed=bool(products)):  # deleted: their wishes go with them
        for product in products:
            product.delete()
    return len(products)


# --- Options: each with its own stock; the product's stock is their sum ----------------------
OPTION_NAME = TextKind(
    field="option's name",
    not_text=gettext_lazy("The option's name must be text."),
    unprintable=gettext_lazy("The option's name contains characters that cannot be printed."),
    too_long=gettext_lazy("The option's name can be at most %(most)s characters."),
)


def _option_name_clean(*, product: Product, name: object, option_id: str | None = None) -> str:
    max_length = ProductOption._meta.get_field("name").max_length or 100
    text = text_clean(name, what=OPTION_NAME, max_length=max_length, invalid=InvalidOption)
    if not text:
        raise InvalidOption(_("Give the option a name, e.g. “M” or “Navy, M”."))
    # Case-insensitively unique: “m” beside “M” is a typo, not a second size.
    others = ProductOption.objects.filter(product=product).exclude(pk=option_id).values_list("name", flat=True)
    if text.casefold() in {other.casefold() for other in others}:
        raise InvalidOption(
            _("“%(product)s” already has an option called “%(option)s”.") % {"product": product.name, "option": text}
        )
    return text


@atomic_with_retry
def product_option_create(
    *, product_id: str, name: str, stock_quantity: int = 0, position: int | None = None
) -> ProductOption:
    """Add an option to a product (last, unless a position is given); its stock is added to the
    product's. The first option of a product that had stock of its own replaces that stock (it
    now lives on the options)."""
    product = _locked_products([product_id]).first()
    if product is None:
        raise ProductUnavailable(_("This product no longer exists."), product_id=product_id)
    if position is None:
        positions = ProductOption.objects.filter(product=product).values_list("position", flat=True)
        position = max(positions, default=-1) + 1
    option = ProductOption(
        product=product,
        name=_option_name_clean(product=product, name=name),
        stock_quantity=stock_quantity,
        position=position,
    )
    option.full_clean(exclude=["product"])
    with catalog_write(products=[product.pk]):
        option.save(force_insert=True)
        _product_stock_from_options(product)
    audit_record(action="shop.option_add", target=option, after=_audited_fields(option, OPTION_EDITABLE_FIELDS))
    return option


@atomic_with_retry
def product_option_update(*, option_id: str, changes: dict[str, Any], stock_seen: int | None = None) -> ProductOption:
    """Rename, reorder or restock an option. A new stock level needs the level the editor saw,
    as for products: redemptions take units from options too."""
    unknown = set(changes) - OPTION_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    product_id = ProductOption.objects.filter(pk=option_id).values_list("product_id", flat=True).first()
    product = _locked_products([product_id]).first() if product_id else None
    option = ProductOption.objects.select_for_update().filter(pk=option_id).first() if product else None
    if product is None or option is None:
        raise InvalidOption(_("This option no longer exists."), option_id=option_id)
    if "stock_quantity" in changes:
        _stock_seen_check(option, stock_seen)
    if "name" in changes:
        changes = {**changes, "name": _option_name_clean(product=product, name=changes["name"], option_id=option.pk)}
    before = _audited_fields(option, changes)
    for field, value in changes.items():
        setattr(option, field, value)
    option.full_clean(exclude=["product"])
    with catalog_write(products=[product.pk], changed="stock_quantity" in changes):
        option.save()
        _product_stock_from_options(product)
    before, after = audit_changes(before, _audited_fields(option, changes))
    if after:
        audit_record(action="shop.option_change", target=option, before=before, after=after)
    return option


def _product_stock_from_options(product: Product) -> None:
    """Set the locked product's stock to the sum of its options' (inside catalog_write); a sum
    past what a product may hold is refused, and the transaction rolls back."""
    total = sum(ProductOption.objects.filter(product=product).values_list("stock_quantity", flat=True))
    if total > STOCK_MAX:
        raise InvalidOption(
            _("“%(product)s” can hold at most %(most)s units in all; its options would hold %(total)s.")
            % {"product": product.name, "most": number(STOCK_MAX), "total": number(total)},
            product_id=product.pk,
        )
    Product.objects.filter(pk=product.pk).update(stock_quantity=total, updated_at=timezone.now())


def price_changed(*, product: Product, expected: int, current: int) -> PriceChanged:
    """The refusal when the price is not the one the person confirmed: nothing is charged."""
    return PriceChanged(
        ngettext(
            "The price of “%(product)s” changed from %(expected)s to %(current)s point; nothing was charged. "
            "Check the new price and confirm again.",
            "The price of “%(product)s” changed from %(expected)s to %(current)s points; nothing was charged. "
            "Check the new price and confirm again.",
            current,
        )
        % {"product": product.name, "expected": number(expected), "current": number(current)},
        product_id=product.pk,
        points_cost=current,
        expected_points_cost=expected,
    )


# --- Categories: a managed list; products.category keeps the name --------------------------------
CATEGORY_NAME_MAX_LENGTH = 100
CATEGORY_NAME = TextKind(
    field="category's name",
    not_text=gettext_lazy("The category's name must be text."),
    unprintable=gettext_lazy("The category's name contains characters that cannot be printed."),
    too_long=gettext_lazy("The category's name can be at most %(most)s characters."),
)


def _category_name_clean(name: object) -> str:
    text = text_clean(name, what=CATEGORY_NAME, max_length=CATEGORY_NAME_MAX_LENGTH, invalid=InvalidCategory)
    text = " ".join(text.split())
    if not text:
        raise InvalidCategory(_("Give the category a name."))
    return text


def category_for_product(name: object, *, lock: bool = False) -> str:
    """The list's spelling of a category a product is put in ('' for none), or InvalidCategory:
    a product never starts a category of its own."""
    if name in (None, ""):
        return ""
    if not isinstance(name, str):
        raise InvalidCategory(_("The category must be text."))
    categories = Category.objects.select_for_update() if lock else Category.objects
    found = categories.filter(key=category_key(name)).values_list("name", flat=True).first()
    if found is None:
        raise InvalidCategory(
            _("“%(category)s” is not one of the categories; choose one from the list (Categories has them).")
            % {"category": name[:100]}
        )
    return found


def _categories_ensure(names: set[str]) -> dict[str, str]:
    """Each name's category (made if new, case-insensitively one per name): key -> the list's name.
    For imports, whose categories join the list."""
    wanted = {category_key(name): _category_name_clean(name) for name in names}
    known = dict(Category.objects.filter(key__in=wanted).values_list("key", "name"))
    new = [Category(key=key, name=name) for key, name in wanted.items() if key not in known]
    Category.objects.bulk_create(new)
    return {**known, **{category.key: category.name for category in new}}


def category_create(*, name: str) -> Category:
    """Add a category to the list; a name that differs from one there only in case, accents or
    spacing is that one, and refused (also when two saves of it race: the key is unique)."""
    try:
        return _category_insert(name=name)
    except IntegrityError as duplicate:
        raise _category_taken(name) from duplicate


def _category_taken(name: object) -> InvalidCategory:
    existing = Category.objects.filter(key=category_key(str(name))).values_list("name", flat=True).first()
    return InvalidCategory(_("There is a category “%(category)s” already.") % {"category": existing or name})


@atomic_with_retry
def _category_insert(*, name: str) -> Category:
    name = _category_name_clean(name)
    existing = Category.objects.filter(key=category_key(name)).first()
    if existing is not None:
        raise InvalidCategory(
            _("There is a category “%(category)s” already.") % {"category": existing.name}, category_id=existing.pk
        )
    category = Category.objects.create(name=name, key=category_key(name))
    audit_record(action="shop.category_add", target=category, after={"name": name})
    return category


def category_rename(*, category_id: int, name: str) -> Category:
    """Rename a category and every product in it, in one transaction."""
    try:
        return _category_rename(category_id=category_id, name=name)
    except IntegrityError as duplicate:
        raise _category_taken(name) from duplicate


@atomic_with_retry
def _category_rename(*, category_id: int, name: str) -> Category:
    name = _category_name_clean(name)
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise InvalidCategory(_("This category no longer exists."))
    clash = Category.objects.filter(key=category_key(name)).exclude(pk=category.pk).first()
    if clash is not None:
        raise InvalidCategory(
            _("There is a category “%(category)s” already; merge into it instead.") % {"category": clash.name}
        )
    old = category.name
    if old == name:
        return category
    with catalog_write(products=[]):  # a new category name makes nothing available
        moved = Product.objects.filter(pk__in=products_in_categories(names=[old])).update(
            category=name, updated_at=timezone.now()
        )
    category.name, category.key = name, category_key(name)
    category.save(update_fields=["name", "key"])
    audit_record(
        action="shop.category_change", target=category, before={"name": old}, after={"name": name, "products": moved}
    )
    return category


@atomic_with_retry
def category_merge(*, category_ids: list[int], into_id: int) -> int:
    """Fold categories into one: their products move to it and they leave the list. Returns how
    many products moved."""
    into = Category.objects.select_for_update().filter(pk=into_id).first()
    if into is None:
        raise InvalidCategory(_("The category to merge into no longer exists."))
    merged = list(Category.objects.select_for_update().filter(pk__in=category_ids).exclude(pk=into.pk).order_by("pk"))
    if not merged:
        raise InvalidCategory(_("Choose at least one other category to merge into it."))
    names = [category.name for category in merged]
    with catalog_write(products=[]):  # a new category name makes nothing available
        moved = Product.objects.filter(pk__in=products_in_categories(names=names)).update(
            category=into.name, updated_at=timezone.now()
        )
    audit_record(
        action="shop.category_merge",
        target=into,
        before={"merged": names},
        after={"name": into.name, "products": moved},
    )
    Category.objects.filter(pk__in=[category.pk for category in merged]).delete()
    return moved
