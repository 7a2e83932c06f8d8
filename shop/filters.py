"""Catalog filters, shared by the portal's catalog page and the API's product list."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from awsomeshop.db import INT_COLUMN_MAX
from awsomeshop.text import search_folded
from points.selectors import user_points_for_request

from .models import Product

SORTS = {
    "name": (_("Name"), ["name", "id"]),
    "points": (_("Points: low to high"), ["points_cost", "name", "id"]),
    "-points": (_("Points: high to low"), ["-points_cost", "name", "id"]),
    "newest": (_("Newest"), ["-created_at", "-id"]),
}


DEFAULT_ORDER = SORTS["name"][1]


class PointsFilter(django_filters.NumberFilter):
    """A whole number of points; anything else is a validation error, not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT_COLUMN_MAX)
        super().__init__(*args, **kwargs)


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", max_length=100, label=_("Search"))
    category = django_filters.CharFilter(field_name="category", max_length=100, label=_("Category"))
    min_points = PointsFilter(field_name="points_cost", lookup_expr="gte", label=_("At least (points)"))
    max_points = PointsFilter(field_name="points_cost", lookup_expr="lte", label=_("At most (points)"))
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("Only in stock"))
    affordable = django_filters.BooleanFilter(method="filter_affordable", label=_("Only what I can afford"))
    sort = django_filters.ChoiceFilter(
        method="filter_sort", choices=[(key, label) for key, (label, _) in SORTS.items()], empty_label=None
    )

    class Meta:
        model = Product
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet[Product]:
        products = super().qs
        # A catalog always has an order, also when the client asked for none.
        return products if products.query.order_by else products.order_by(*DEFAULT_ORDER)

    def filter_search(self, queryset: QuerySet[Product], _name: str, value: str) -> QuerySet[Product]:
        """Every word of the query, folded (no case, accents, hyphens), in the product's folded
        name or description: “tshirt”, “t shirt” and “T-Shirt” all find “T-shirt”."""
        for word in value.split():
            if folded := search_folded(word):
                # Rows written outside the app (straight from the documented schema) have no
                # folded text yet: for them, the word as typed.
                unfolded = Q(search_text__isnull=True) & (Q(name__icontains=word) | Q(description__icontains=word))
                queryset = queryset.filter(Q(search_text__contains=folded) | unfolded)
        return queryset

    def filter_in_stock(self, queryset: QuerySet[Product], _name: str, value: bool | None) -> QuerySet[Product]:
        return queryset.filter(stock_quantity__gt=0) if value else queryset

    def filter_affordable(self, queryset: QuerySet[Product], _name: str, value: bool | None) -> QuerySet[Product]:
        if not value or self.request is None or not self.request.user.is_authenticated:
            return queryset
        return queryset.filter(points_cost__lte=user_points_for_request(self.request).current_points)

    def filter_sort(self, queryset: QuerySet[Product], _name: str, value: str) -> QuerySet[Product]:
        return queryset.order_by(*SORTS.get(value, SORTS["name"])[1])


class CatalogFilterBackend(DjangoFilterBackend):
    """The API's catalog filters. A request that asks for no filter (most of them: the first
    pages of the catalog) skips building and validating the filter form, which cost more than
    the page's query; it gets the catalog's default order, as the form would give it."""

    def filter_queryset(self, request, queryset, view):
        if request.query_params.keys() & ProductFilter.base_filters.keys():
            return super().filter_queryset(request, queryset, view)
        return queryset.order_by(*DEFAULT_ORDER)


# Filters whose result depends on who asks (`affordable`: what my balance covers). Lists with them
# are never shared between users: not as cached pages, not as cached counts.
PER_USER_FILTERS = frozenset({"affordable"})
# The filters that decide which products a list holds, so its count (the order does not).
COUNTED_FILTERS = tuple(sorted(set(ProductFilter.base_filters) - {"sort"} - PER_USER_FILTERS))
