from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from awsomeshop.portal import paginate, portal_page
from points.selectors import user_points_for_request

from .exceptions import ProductUnavailable
from .filters import ProductFilter
from .pagination import catalog_paginator_for
from .selectors import (
    product_category_list,
    product_get_active,
    product_list,
    product_option_list,
    product_redeem_blocker,
)

PRODUCTS_PER_PAGE = 12


def product_active_or_404(product_id: str):
    """The active product for a portal page; anything else is the portal's 404."""
    try:
        return product_get_active(product_id=product_id)
    except ProductUnavailable as unavailable:
        raise Http404(unavailable.message) from unavailable


@portal_page
def product_list_page(request: HttpRequest) -> HttpResponse:
    product_filter = ProductFilter(request.GET or None, queryset=product_list(), request=request)
    page = paginate(
        product_filter.qs, request, per_page=PRODUCTS_PER_PAGE, paginator_class=catalog_paginator_for(request=request)
    )
    data = product_filter.form.data
    active = sum(bool(data.get(name)) for name in ("category", "affordable", "in_stock"))
    context = {"filter": product_filter, "page": page, "categories": product_category_list(), "active_filters": active}
    return render(request, "shop/product_list.html", context)


@portal_page
def product_detail_page(request: HttpRequest, product_id: str) -> HttpResponse:
    product = product_active_or_404(product_id)
    balance = user_points_for_request(request)
    blocker = product_redeem_blocker(product=product, balance=balance.current_points)
    options = product_option_list(product_id=product.pk)
    return render(request, "shop/product_detail.html", {"product": product, "blocker": blocker, "options": options})
