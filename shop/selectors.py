from django.db.models import QuerySet

from awsomeshop.db import fetch_value

from .exceptions import ProductUnavailable
from .models import CATALOG_VERSION_ROW, CatalogVersion, Product, ProductOption


def product_list(*, include_inactive: bool = False) -> QuerySet[Product]:
    """Products in catalog order; only the active ones unless asked otherwise."""
    products = Product.objects.all()
    return products if include_inactive else products.filter(is_active=True)


def product_get_active(*, product_id: str) -> Product:
    """The active product with this id, or ProductUnavailable."""
    product = product_list().filter(pk=product_id).first()
    if product is None:
        raise ProductUnavailable("This product is not available.", product_id=product_id)
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
