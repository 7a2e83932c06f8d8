import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from awsomeshop.exceptions import ShopError
from awsomeshop.portal import paginate, portal_page
from points.selectors import user_points_for_request
from shop.exceptions import PriceChanged
from shop.views import product_active_or_404

from .forms import RedeemForm
from .selectors import order_get_for_user, order_list_for_user, order_redeem_blocker
from .services import order_redeem

ORDERS_PER_PAGE = 20


@portal_page
@require_http_methods(["GET", "POST"])
def redeem_page(request: HttpRequest, product_id: str) -> HttpResponse:
    product = product_active_or_404(product_id)
    if request.method == "POST":
        return _redeem(request, product_id=product.pk)
    balance = user_points_for_request(request).current_points
    blocker = order_redeem_blocker(product=product, balance=balance)
    context = {
        "product": product,
        "blocker": blocker,
        "balance_after": balance - product.points_cost,
        "form": RedeemForm(initial={"idempotency_key": uuid.uuid4(), "expected_points_cost": product.points_cost}),
    }
    return render(request, "orders/redeem_confirm.html", context)


def _redeem(request: HttpRequest, *, product_id: str) -> HttpResponse:
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That confirmation has expired. Please confirm the redemption again.")
        return redirect("orders:redeem", product_id=product_id)
    try:
        order = order_redeem(
            user_id=request.user.pk,
            product_id=product_id,
            idempotency_key=form.cleaned_data["idempotency_key"],
            expected_points_cost=form.cleaned_data["expected_points_cost"],
        )
    except PriceChanged as refusal:
        # Ask again, on the confirmation page with the new price and a new key.
        messages.error(request, refusal.message)
        return redirect("orders:redeem", product_id=product_id)
    except ShopError as refusal:
        messages.error(request, refusal.message)
        return redirect("shop:product_detail", product_id=product_id)
    messages.success(request, f"Done! Order {order.short_number} is yours.")
    return redirect(order)


@portal_page
def order_list_page(request: HttpRequest) -> HttpResponse:
    page = paginate(order_list_for_user(user_id=request.user.pk), request, per_page=ORDERS_PER_PAGE)
    return render(request, "orders/order_list.html", {"page": page})


@portal_page
def order_detail_page(request: HttpRequest, order_id: str) -> HttpResponse:
    order = order_get_for_user(user_id=request.user.pk, order_id=order_id)
    if order is None:
        raise Http404("No such order.")
    return render(request, "orders/order_detail.html", {"order": order})
