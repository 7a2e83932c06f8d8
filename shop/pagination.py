"""Catalog pagination whose total is counted once per catalog version, not on every page view."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max
from django.utils.functional import cached_property

from awsomeshop.api_defaults import PageNumberPaginationWithSize

from .models import Product

COUNT_CACHE_SECONDS = 60


def catalog_version() -> str:
    """Changes whenever a product is added, edited, repriced, restocked, sold or (de)activated:
    all of them set `updated_at`. One read off the `idx_products_updated` index."""
    latest = Product.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "empty"


class CatalogPaginator(Paginator):
    """Counting 100,000 active products costs more than the page itself; the count is cached under
    the catalog's version (and the query), so it is recomputed only after the catalog changed.
    Rows, stock and prices are always read fresh."""

    @cached_property
    def count(self) -> int:
        sql, params = self.object_list.query.sql_with_params()
        key = f"catalog-count:{hash((sql, tuple(map(str, params))))}:{catalog_version()}"
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            cache.set(key, total, COUNT_CACHE_SECONDS)
        return total


class CatalogPagination(PageNumberPaginationWithSize):
    django_paginator_class = CatalogPaginator
