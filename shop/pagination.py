"""Catalog pagination whose total is counted once per catalog version, not on every page view."""

import hashlib
from functools import partial

from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

from awsomeshop.api_defaults import PageNumberPaginationWithSize

from .filters import COUNTED_FILTERS, PER_USER_FILTERS
from .selectors import catalog_version_get

COUNT_CACHE_SECONDS = 300


def catalog_count_key(*, request: HttpRequest) -> str | None:
    """What the catalog's total depends on, for this request; None if it depends on the user."""
    if PER_USER_FILTERS & request.GET.keys():
        return None
    filters = repr([(name, request.GET.getlist(name)) for name in COUNTED_FILTERS if name in request.GET])
    return hashlib.sha256(filters.encode()).hexdigest()


class CatalogPaginator(Paginator):
    """Counting 100,000 active products costs more than the page itself; the count is cached under
    the catalog's version and the request's filters (`count_key`), so it is recomputed only
    after the catalog changed. Rows, stock and prices are always read fresh."""

    def __init__(self, *args, count_key: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        version = catalog_version_get() if self.count_key is not None else None
        if version is None:
            return self.object_list.count()
        key = f"catalog-count:{version}:{self.count_key}"
        total = caches["catalog"].get(key)
        if total is None:
            total = self.object_list.count()
            caches["catalog"].set(key, total, COUNT_CACHE_SECONDS)
        return total


def catalog_paginator_for(*, request: HttpRequest) -> partial[CatalogPaginator]:
    """A paginator class for this request's catalog list."""
    return partial(CatalogPaginator, count_key=catalog_count_key(request=request))


class CatalogPagination(PageNumberPaginationWithSize):
    def paginate_queryset(self, queryset, request, view=None):
        # DRF makes its paginator with django_paginator_class(queryset, page_size).
        self.django_paginator_class = catalog_paginator_for(request=request)
        return super().paginate_queryset(queryset, request, view)
