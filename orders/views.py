import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from awsomeshop.exceptions import ShopError
from awsomeshop.portal import paginate, portal_page
from awsomeshop.text import number
from points.selectors import user_points_for_request
from shop.exceptions import InvalidOption, OutOfStock, PriceChanged
from shop.models import Product
from shop.selectors import product_option_list, product_redeem_blocker
from shop.views import product_active_or_404

from .exceptions import IdempotencyKeyReused, InvalidOrderDetails, OrderNotCancellable, OrderNotFound
from .forms import CancelOrderForm, RedeemForm
from .selectors import (
    order_code_get,
    order_delivery_last,
    order_get_for_user,
    order_list_for_user,
    order_same_product_recent,
    order_timeline,
)
from .services import order_cancel, order_redeem

ORDERS_PER_PAGE = 20


@portal_page
@require_http_methods(["GET", "POST"])
def redeem_page(request: HttpRequest, product_id: str) -> HttpResponse:
    product = product_active_or_404(product_id)
    options = product_option_list(product_id=product.pk)
    if request.method == "POST":
        return _redeem(request, product=product, options=options)
    initial = {
        "idempotency_key": uuid.uuid4(),
        "expected_points_cost": product.points_cost,
        **order_delivery_last(user_id=request.user.pk),
    }
    # The product page's option chips link here with the option chosen (?option=<id>).
    chosen = request.GET.get("option", "")
    if any(option.pk == chosen and option.in_stock for option in options):
        initial["option_id"] = chosen
    return _confirm_page(request, RedeemForm(initial=initial, product=product, options=options))


def _confirm_page(request: HttpRequest, form: RedeemForm, *, recent=None) -> HttpResponse:
    product = form.product
    balance = user_points_for_request(request).current_points
    context = {
        "product": product,
        "blocker": product_redeem_blocker(product=product, balance=balance),
        "balance_after": balance - product.points_cost,
        "form": form,
        "recent": recent,
    }
    return render(request, "orders/redeem_confirm.html", context)


def _redeem(request: HttpRequest, *, product: Product, options: list) -> HttpResponse:
    form = RedeemForm(request.POST, product=product, options=options)
    if not form.is_valid():
        if form.errors.keys() & {"idempotency_key", "expected_points_cost"}:
            messages.error(request, _("That confirmation has expired. Please confirm the redemption again."))
            return redirect("orders:redeem", product_id=product.pk)
        return _confirm_page(request, form)
    if not form.cleaned_data["repeat"] and (
        recent := order_same_product_recent(
            user_id=request.user.pk, product_id=product.pk, idempotency_key=form.cleaned_data["idempotency_key"]
        )
    ):
        # Repeating is sometimes meant: say what was ordered and when, and order on a second "yes".
        again = RedeemForm({**request.POST.dict(), "repeat": "True"}, product=product, options=options)
        again.is_valid()
        return _confirm_page(request, again, recent=recent)
    try:
        order = order_redeem(
            user_id=request.user.pk,
            product_id=product.pk,
            idempotency_key=form.cleaned_data["idempotency_key"],
            expected_points_cost=form.cleaned_data["expected_points_cost"],
            details=form.details(),
        )
    except (InvalidOrderDetails, InvalidOption) as refusal:
        # What the employee typed stays on the page, with the service's words beside the field.
        form.add_error(form.refusal_field(refusal.details.get("field", "option")), refusal.message)
        return _confirm_page(request, form)
    except OutOfStock as refusal:
        if "option_id" not in refusal.details:
            messages.error(request, refusal.message)
            return redirect("shop:product_detail", product_id=product.pk)
        # That option sold out meanwhile: choose another on a page that shows what is left.
        form = RedeemForm(request.POST, product=product, options=product_option_list(product_id=product.pk))
        form.is_valid()
        form.add_error("option_id", refusal.message)
        return _confirm_page(request, form)
    except IdempotencyKeyReused as reused:
        # The page was sent back (the browser's Back button) with other choices: its one-time
        # key already placed an order. Show that order's number and a fresh confirmation.
        placed = order_get_for_user(user_id=request.user.pk, order_id=reused.details.get("order_id", ""))
        messages.error(
            request,
            _("That confirmation already placed order %(number)s. Confirm again to order another one.")
            % {"number": placed.short_number}
            if placed
            else _("That confirmation already placed an order. Confirm again to order another one."),
        )
        return redirect("orders:redeem", product_id=product.pk)
    except PriceChanged as refusal:
        # Ask again, on the confirmation page with the new price and a new key.
        messages.error(request, refusal.message)
        return redirect("orders:redeem", product_id=product.pk)
    except ShopError as refusal:
        messages.error(request, refusal.message)
        return redirect("shop:product_detail", product_id=product.pk)
    messages.success(request, _("Done! Order %(number)s is yours.") % {"number": order.short_number})
    return redirect(order)


@portal_page
def order_list_page(request: HttpRequest) -> HttpResponse:
    page = paginate(order_list_for_user(user_id=request.user.pk), request, per_page=ORDERS_PER_PAGE)
    return render(request, "orders/order_list.html", {"page": page})


@portal_page
def order_detail_page(request: HttpRequest, order_id: str) -> HttpResponse:
    order = order_get_for_user(user_id=request.user.pk, order_id=order_id)
    if order is None:
        raise Http404(_("No such order."))
    context = {
        "order": order,
        "timeline": order_timeline(order=order),
        "code": order_code_get(order=order),
        "cancel_form": CancelOrderForm() if order.is_cancellable_by_employee else None,
    }
    return render(request, "orders/order_detail.html", context)


@portal_page
@require_http_methods(["POST"])
def order_cancel_page(request: HttpRequest, order_id: str) -> HttpResponse:
    """The employee cancels their own order while it is Placed; a second click finds it cancelled."""
    form = CancelOrderForm(request.POST)
    if not form.is_valid():
        # Nothing is cancelled on a reason we cannot keep: say why, on the order's page.
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("orders:order_detail", order_id=order_id)
    try:
        outcome = order_cancel(order_id=order_id, cancelled_by_id=request.user.pk, reason=form.cleaned_data["reason"])
    except OrderNotFound as missing:
        raise Http404(missing.message) from missing
    except (OrderNotCancellable, InvalidOrderDetails) as refusal:
        messages.error(request, refusal.message)
        return redirect("orders:order_detail", order_id=order_id)
    order = outcome.order
    if outcome.cancelled_now:
        back = order.points_used
        messages.success(
            request,
            ngettext(
                "Order %(number)s is cancelled: %(count)s point is back in your balance.",
                "Order %(number)s is cancelled: %(count)s points are back in your balance.",
                back,
            )
            % {"number": order.short_number, "count": number(back)},
        )
    else:
        messages.info(
            request,
            _("Order %(number)s was already cancelled; its points came back then.") % {"number": order.short_number},
        )
    return redirect(order)
