import hashlib
import time
import unicodedata
from contextvars import ContextVar
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, signals
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import TextColumn, TimestampColumn, new_id
from awsomeshop.text import search_folded

from .images import validate_product_image


def product_image_path(_product: "Product | None", filename: str) -> str:
    """A generated name, so two uploads called photo.jpg never overwrite each other."""
    return f"products/{new_id()}{PurePath(filename).suffix.lower()}"


# The largest price and stock a product may have, whichever screen sets them.
POINTS_COST_MAX = STOCK_MAX = 1_000_000
# Set by shop.services while one of its functions writes products (see `catalog_write`).
catalog_write_var: ContextVar[bool] = ContextVar("catalog_write", default=False)


def _require_catalog_write() -> None:
    if not catalog_write_var.get():
        raise RuntimeError(
            "Products change only through shop.services: the catalog cache's freshness and the lock "
            "order depend on that one write path."
        )


def _refuse_saves_elsewhere(sender, instance, **kwargs) -> None:
    """Every save of a product, raw ones (`loaddata`) included, sends this signal before anything
    is written: one place for the rule on saves."""
    _require_catalog_write()


class ProductQuerySet(models.QuerySet):
    """Reads as usual. The writes that send no pre_save signal check here; deletes check before
    Django's deletion opens its transaction (a refusal inside it would break the caller's)."""

    def update(self, **kwargs) -> int:
        _require_catalog_write()
        return super().update(**kwargs)

    def delete(self):
        _require_catalog_write()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        _require_catalog_write()
        objs = list(objs)
        for obj in objs:
            if isinstance(obj, Product):
                obj.search_text = obj.search_text_made()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        _require_catalog_write()
        return super().bulk_update(*args, **kwargs)


class DeliveryMethod(models.TextChoices):
    """How a product reaches the employee, and so what the confirmation step asks."""

    SHIPPED = "shipped", _("Shipped to an address")
    PICKUP = "pickup", _("Picked up at the office")
    DIGITAL = "digital", _("Digital: a code or link")


class Product(models.Model):
    """Something employees can redeem points for; maps onto the documented `products` table.

    Written only by shop.services (the model and its queryset refuse anything else), so every
    change takes the same locks and moves the catalog version the same way. A product with
    options keeps in `stock_quantity` the sum of its options' stock (the services keep both in
    one transaction; `check_points_ledger` checks it)."""

    id = models.CharField(
        primary_key=True, max_length=255, default=new_id, editable=False, db_column="product_id", verbose_name=_("id")
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    description = TextColumn(max_length=5000, blank=True, null=True, verbose_name=_("description"))
    points_cost = models.IntegerField(
        help_text=_("Points one unit costs."),
        validators=[MinValueValidator(1), MaxValueValidator(POINTS_COST_MAX)],
        verbose_name=_("points cost"),
    )
    category = models.CharField(max_length=100, blank=True, null=True, verbose_name=_("category"))  # noqa: DJ001 - nullable in the schema
    # The documented column is `image_url`; it holds the image's name in the media storage.
    image = models.ImageField(
        upload_to=product_image_path,
        max_length=500,
        blank=True,
        null=True,
        db_column="image_url",
        validators=[validate_product_image],
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
        verbose_name=_("image"),
    )
    is_active = models.BooleanField(
        _("active"), default=True, db_default=True, help_text=_("Inactive products are hidden.")
    )
    stock_quantity = models.IntegerField(
        default=0,
        db_default=0,
        validators=[MinValueValidator(0), MaxValueValidator(STOCK_MAX)],
        verbose_name=_("stock quantity"),
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    updated_at = TimestampColumn(auto_now=True, verbose_name=_("updated at"))
    # Not in the documented schema: how it is delivered and what the employee is asked.
    delivery_method = models.CharField(  # noqa: DJ001 - an addition to the documented table: nullable
        max_length=8,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.SHIPPED,
        null=True,
        help_text=_("What the confirmation step asks: an address, a pickup place, or nothing (a code follows)."),
        verbose_name=_("delivery method"),
    )
    option_label = models.CharField(  # noqa: DJ001 - an addition to the documented table: nullable
        max_length=40,
        blank=True,
        null=True,
        help_text=_("What the options are, e.g. “Size” or “Size and colour”."),
        verbose_name=_("option label"),
    )
    note_prompt = models.CharField(  # noqa: DJ001 - an addition to the documented table: nullable
        max_length=200,
        blank=True,
        null=True,
        help_text=_("A question the employee must answer when redeeming, e.g. “Which charity should receive it?”."),
        verbose_name=_("note prompt"),
    )
    # Not in the documented schema: the name and description folded for search (no case, accents,
    # spaces or hyphens), kept by save() and bulk_create, so every write path keeps it.
    search_text = models.TextField(blank=True, null=True, editable=False, verbose_name=_("search text"))  # noqa: DJ001 - an addition: nullable

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        db_table = "products"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["category"], name="idx_category"),
            models.Index(fields=["points_cost"], name="idx_points_cost"),
            models.Index(fields=["is_active"], name="idx_active"),
            # Not in the documented schema: each catalog sort reads its first page off an index
            # instead of sorting every active product (measured: 364 ms → see docs/performance.md).
            models.Index(fields=["is_active", "name", "id"], name="idx_active_name"),
            models.Index(fields=["is_active", "points_cost", "name", "id"], name="idx_active_points"),
            models.Index(fields=["is_active", "created_at", "id"], name="idx_active_created"),
            models.Index(fields=["category", "is_active", "name", "id"], name="idx_category_active_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stock_quantity__gte=0), name="products_stock_not_negative"),
            models.CheckConstraint(condition=Q(points_cost__gt=0), name="products_points_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.search_text_made()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "description"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("shop:product_detail", kwargs={"product_id": self.pk})

    def delete(self, *args, **kwargs):
        _require_catalog_write()
        return super().delete(*args, **kwargs)

    def search_text_made(self) -> str:
        # A separator no folded query contains, so a match never spans the name and description.
        return f"{search_folded(self.name)}|{search_folded(self.description)}"

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0

    @property
    def delivery(self) -> str:
        """The delivery method; rows adopted from the documented schema have none and are shipped."""
        return self.delivery_method or DeliveryMethod.SHIPPED

    @property
    def options_name(self) -> str:
        return self.option_label or gettext("Option")


class ProductOption(models.Model):
    """A variant of a product (a size, a colour) with its own stock. Written only by shop.services,
    which keeps the product's stock equal to the sum of its options' stock."""

    id = models.CharField(
        primary_key=True, max_length=255, default=new_id, editable=False, db_column="option_id", verbose_name=_("id")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="options", db_column="product_id", verbose_name=_("product")
    )
    name = models.CharField(
        max_length=100, help_text=_("What the employee picks, e.g. “M” or “Navy, M”."), verbose_name=_("name")
    )
    stock_quantity = models.IntegerField(
        default=0,
        db_default=0,
        validators=[MinValueValidator(0), MaxValueValidator(STOCK_MAX)],
        verbose_name=_("stock quantity"),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Options are listed in this order."), verbose_name=_("position")
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    updated_at = TimestampColumn(auto_now=True, verbose_name=_("updated at"))

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product option")
        verbose_name_plural = _("product options")
        db_table = "product_options"
        ordering = ["product", "position", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock_quantity__gte=0), name="product_options_stock_not_negative"),
            models.UniqueConstraint(fields=["product", "name"], name="product_options_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} – {self.name}" if self.product_id else self.name

    def delete(self, *args, **kwargs):
        _require_catalog_write()
        return super().delete(*args, **kwargs)

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0


# The one row of `catalog_version`.
CATALOG_VERSION_ROW = 1


def catalog_version_start() -> int:
    return time.time_ns() // 1000


class CatalogVersion(models.Model):
    """A number that goes up in the same transaction as every catalog change (a product added,
    edited, repriced, restocked, (de)activated, deleted, or sold out; not each redemption, which
    would make this one row every redemption in the shop queues on). Cached catalog pages are
    keyed by it, so a page cached under the version a reader sees holds no older catalog than that.

    A counter, not MAX(updated_at): timestamps are taken before commit, so two transactions can
    commit out of their timestamps' order and a later reader would see the same maximum before
    and after the second commit. The counter's row lock orders the commits themselves.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=CATALOG_VERSION_ROW, verbose_name=_("id"))
    # Starts at the clock, so a row made again (a flushed test database) never repeats a number
    # an old cached page was stored under.
    version = models.BigIntegerField(default=catalog_version_start, verbose_name=_("version"))

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        db_table = "catalog_version"

    def __str__(self) -> str:
        return f"catalog version {self.version}"


signals.pre_save.connect(_refuse_saves_elsewhere, sender=Product, dispatch_uid="shop.product.one_write_path")
signals.pre_save.connect(_refuse_saves_elsewhere, sender=ProductOption, dispatch_uid="shop.option.one_write_path")


def category_key(name: str) -> str:
    """What makes two category names the same one: case, accents and runs of spaces aside
    (“home & office” is “Home & Office”), as a digest: folding can make a name several times
    longer (“ß” is “ss”, “ﷺ” eighteen letters), and the key's column has a fixed length."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


class Category(models.Model):
    """The managed list of catalog categories: products choose one by name, and `products.category`
    keeps the name itself, as the documented schema has it. Names are unique whatever their case
    (`key`); a superuser renames or merges them (shop.services, which updates the products)."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    key = models.CharField(max_length=100, unique=True, editable=False, verbose_name=_("key"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        db_table = "product_categories"
        ordering = ["name"]
        verbose_name_plural = _("categories")
        permissions = [("merge_category", _("Can rename and merge categories"))]

    def __str__(self) -> str:
        return self.name


class WishlistItem(models.Model):
    """A product an employee saved to their wishlist. The shop tells them, once per event, when
    it comes back in stock and when their balance first covers its price (`shop.wishlist`); the
    times they were last told keep a product that flickers in and out of stock, or a balance
    that rises and falls around a price, from sending a message every time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wishlist_items",
        db_index=False,
        verbose_name=_("user"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="wishes", db_column="product_id", verbose_name=_("product")
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    told_in_stock_at = TimestampColumn(null=True, blank=True, verbose_name=_("told in stock at"))
    told_affordable_at = TimestampColumn(null=True, blank=True, verbose_name=_("told affordable at"))

    class Meta:
        db_table = "wishlist_items"
        ordering = ["-created_at", "-id"]
        verbose_name = _("wishlist entry")
        verbose_name_plural = _("wishlist entries")
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="wishlist_items_one_per_product")]

    def __str__(self) -> str:
        return gettext("%(user)s wishes for %(product)s") % {"user": self.user_id, "product": self.product_id}
