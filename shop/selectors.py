from django.db import connection
from django.db.models import Count, F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Collate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awsomeshop.db import fetch_value
from awsomeshop.text import number

from .exceptions import ProductUnavailable
from .models import CATALOG_VERSION_ROW, CatalogVersion, Category, Product, ProductOption, WishlistItem


def product_list(*, include_inactive: bool = False) -> QuerySet[Product]:
    """Products in catalog order; only the active ones unless asked otherwise."""
    products = Product.objects.all()
    return products if include_inactive else products.filter(is_active=True)


def product_get_active(*, product_id: str) -> Product:
    """The active product with this id, or ProductUnavailable."""
    product = product_list().filter(pk=product_id).first()
    if product is None:
        raise ProductUnavailable(_("This product is not available."), product_id=product_id)
    return product


def product_option_list(*, product_id: str) -> list[ProductOption]:
    """A product's options in their order, with their stock: the product page, the confirmation
    step and the API show which are left."""
    return list(ProductOption.objects.filter(product_id=product_id).order_by("position", "name", "pk"))


def product_category_list() -> list[str]:
    """The categories of active products, sorted."""
    categories = product_list().exclude(category__isnull=True).exclude(category="").values_list("category", flat=True)
    return sorted({category for category in categories if category})


def catalog_version_get() -> int | None:
    """The catalog's current version (see CatalogVersion), or None if its row is missing.

    Read on every catalog request, so it is one primary-key lookup in plain SQL: the ORM's
    query building would cost more than the lookup itself."""
    return fetch_value(CATALOG_VERSION_SQL)


CATALOG_VERSION_SQL = f"SELECT version FROM {CatalogVersion._meta.db_table} WHERE id = {CATALOG_VERSION_ROW}"  # noqa: S608


# --- Categories: the products' names compared exactly ------------------------------------------
# The database's own comparison folds more than the category list's key does (MySQL's collation
# takes “Œuvre” for “Oeuvre”, two categories on the list): these compare byte for byte.
_BINARY_COLLATIONS = {"mysql": "utf8mb4_bin", "sqlite": "BINARY"}


def _category_exactly():
    collation = _BINARY_COLLATIONS.get(connection.vendor)
    return Collate("category", collation) if collation else F("category")


def products_in_categories(*, names: list[str]) -> list[str]:
    """The ids of the products whose category is exactly one of `names` (a list, not a subquery:
    MySQL 8 refuses an UPDATE whose WHERE reads the table it updates)."""
    products = Product.objects.annotate(category_exactly=_category_exactly()).filter(category_exactly__in=names)
    return list(products.values_list("pk", flat=True))


def category_list_with_counts() -> QuerySet[Category]:
    """The categories, each with how many products have exactly its name: one query."""
    # Correlated on the id, not the name: MariaDB caches a correlated subquery's result by its
    # outer values compared in their own (folding) collation, so “Oeuvre” got “Œuvre”'s count.
    # COUNT as a plain function: no GROUP BY, which would group by that collation too.
    name_of_the_row = Category.objects.filter(pk=OuterRef(OuterRef("pk"))).values("name")
    per_name = (
        Product.objects.annotate(category_exactly=_category_exactly())
        .filter(category_exactly=Subquery(name_of_the_row))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("count")
    )
    return Category.objects.annotate(product_count=Coalesce(Subquery(per_name, output_field=IntegerField()), 0))


def product_redeem_blocker(*, product: Product, balance: int) -> str | None:
    """Why the user cannot redeem the product right now, in their words; None if they can."""
    if not product.in_stock:
        return _("Out of stock")
    if balance < product.points_cost:
        missing = product.points_cost - balance
        return ngettext("You need %(count)s more point", "You need %(count)s more points", missing) % {
            "count": number(missing)
        }
    return None


def products_available(*, product_ids: list[str]) -> set[str]:
    """Which of these products an employee can redeem now: offered and in stock."""
    if not product_ids:
        return set()
    return set(
        Product.objects.filter(pk__in=product_ids, is_active=True, stock_quantity__gt=0).values_list("pk", flat=True)
    )


# --- Wishlists -----------------------------------------------------------------------------------
def wished_product_ids(*, user_id: str, product_ids: list[str] | None = None) -> set[str]:
    """Which products (of these, or all) the user has on their wishlist: one query for a page."""
    wishes = WishlistItem.objects.filter(user_id=user_id)
    if product_ids is not None:
        wishes = wishes.filter(product_id__in=product_ids)
    return set(wishes.values_list("product_id", flat=True))


def wishlist_list(*, user_id: str) -> QuerySet[WishlistItem]:
    """The user's wishlist, newest first, with each product (withdrawn ones too: the page says so)."""
    return WishlistItem.objects.filter(user_id=user_id).select_related("product").order_by("-created_at", "-id")


def products_with_wish_counts(products: QuerySet[Product]) -> QuerySet[Product]:
    """Each product with `wish_count`, a subquery per row shown (a join would group the whole
    catalog to count one page)."""
    wishes = WishlistItem.objects.filter(product=OuterRef("pk")).order_by().values("product").annotate(n=Count("id"))
    return products.annotate(wish_count=Coalesce(Subquery(wishes.values("n"), output_field=IntegerField()), 0))


def wish_counts(*, product_ids: list[str]) -> dict[str, int]:
    """How many people wish for each of these products."""
    rows = WishlistItem.objects.filter(product_id__in=product_ids).order_by().values("product_id")
    return dict(rows.annotate(n=Count("id")).values_list("product_id", "n"))


def most_wished_products(*, limit: int = 10) -> list[dict]:
    """The products most people wish for, with their stock: what to restock first."""
    return list(
        WishlistItem.objects.order_by()
        .values("product_id", "product__name", "product__stock_quantity", "product__is_active")
        .annotate(wishes=Count("id"))
        .order_by("-wishes", "product__name")[:limit]
    )
