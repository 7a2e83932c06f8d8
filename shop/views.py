from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from awsomeshop.exceptions import ShopError
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
    wished_product_ids,
    wishlist_list,
)
from .wishlist import wishlist_add, wishlist_remove

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
    wished = wished_product_ids(user_id=request.user.pk, product_ids=[product.pk for product in page])
    context = {
        "filter": product_filter,
        "page": page,
        "categories": product_category_list(),
        "active_filters": active,
        "wished": wished,
    }
    return render(request, "shop/product_list.html", context)


@portal_page
def product_detail_page(request: HttpRequest, product_id: str) -> HttpResponse:
    product = product_active_or_404(product_id)
    balance = user_points_for_request(request)
    blocker = product_redeem_blocker(product=product, balance=balance.current_points)
    options = product_option_list(product_id=product.pk)
    wished = wished_product_ids(user_id=request.user.pk, product_ids=[product.pk])
    context = {"product": product, "blocker": blocker, "options": options, "wished": wished}
    return render(request, "shop/product_detail.html", context)


@portal_page
def wishlist_page(request: HttpRequest) -> HttpResponse:
    balance = user_points_for_request(request).current_points
    items = [
        {"wish": wish, "product": wish.product, "missing": max(wish.product.points_cost - balance, 0)}
        for wish in wishlist_list(user_id=request.user.pk)
    ]
    return render(request, "shop/wishlist.html", {"items": items})


@portal_page
@require_http_methods(["POST"])
def wishlist_change(request: HttpRequest, product_id: str) -> HttpResponse:
    """Save (`wish=add`) or remove (`wish=remove`) a product: the button says which, so a double
    click or a resubmitted form asks for the same again instead of undoing it."""
    action = request.POST.get("wish")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    if action == "remove":
        removed = wishlist_remove(user_id=request.user.pk, product_id=product_id)
        messages.success(request, _("Removed from your wishlist.") if removed else _("It was not on your wishlist."))
        return redirect(back or "shop:wishlist")
    if action != "add":
        messages.error(request, _("Choose whether to save the product to your wishlist or remove it."))
        return redirect(back or "shop:wishlist")
    try:
        _item, created = wishlist_add(user_id=request.user.pk, product_id=product_id)
    except ShopError as refusal:
        messages.error(request, refusal.message)
        return redirect(back or "shop:wishlist")
    messages.success(
        request,
        _("Saved to your wishlist: we will tell you when it is back in stock or within your points.")
        if created
        else _("It is on your wishlist already."),
    )
    return redirect(back or "shop:wishlist")
