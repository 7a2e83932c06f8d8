"""Redemptions: one unit of a product for its price in points, exactly once per request.

The redemption is the shop's hottest write, so its statements are plain SQL, each one needed:
lock the account (and, with a key, find the order it already made: one statement), lock the
product, debit the account, take the stock, insert the order, insert the ledger row. The ORM's
query building cost more than those statements (docs/performance.md). Each table's SQL lives
with its app's services (points, shop); this function only orders them.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection
from django.db.models import BooleanField, ExpressionWrapper, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from awsomeshop.db import atomic_with_retry, new_id, row_insert
from awsomeshop.exceptions import ShopError
from awsomeshop.idempotency import IdempotencyKeyReused, idempotency_key_clean
from awsomeshop.text import TextKind, text_clean
from points import ledger
from points.models import PointsTransaction
from shop import stock
from shop.models import DeliveryMethod, Product, ProductOption
from shop.services import price_changed
from shop.wishlist import wish_fulfilled

from .events import notify_order_placed, notify_order_status
from .exceptions import (
    InvalidOrderDetails,
    InvalidStatusChange,
    InvalidVoucherCode,
    OrderNotCancellable,
    OrderNotFound,
)
from .models import (
    ADDRESS_MAX_LENGTH,
    CODE_ATTACHED,
    CODE_HANDED_OUT,
    NOTE_MAX_LENGTH,
    PICKUP_LOCATION_MAX_LENGTH,
    STATUS_CODES,
    VOUCHER_CODE_MAX_LENGTH,
    Order,
    OrderStatus,
    OrderStatusChange,
    VoucherCode,
)

_ORDERS, _CODES = Order._meta.db_table, VoucherCode._meta.db_table
_SQL: dict[str, str] = {}


def _sql(name: str) -> str:
    if not _SQL:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # The oldest unused code of a digital product (its product row is locked: hand-outs queue there).
        _SQL["free_code"] = (
            f"SELECT id, code FROM {_CODES} WHERE product_id = %s AND order_id IS NULL "  # noqa: S608
            f"ORDER BY created_at, id LIMIT 1{lock}"
        )
        # The code the product's lock statement pointed at, locked and still free.
        _SQL["code_lock"] = f"SELECT id, code FROM {_CODES} WHERE id = %s AND order_id IS NULL{lock}"  # noqa: S608
    return _SQL[name]


def _account_lock(
    *, user_id: str, product_id: str, idempotency_key: str | None
) -> tuple[ledger.LockedAccount, str | None, bool]:
    """Lock the account (first, the order every redemption and award uses) and read its balance;
    with a key, also the order the key made, in the lock's own statement: (the locked account,
    that order's id or None, whether it was for the same product as the database resolves ids).
    A concurrent retry with the same key waits on the lock for the first request, then finds its
    order."""
    if idempotency_key is None:
        return ledger.account_lock(user_id=user_id), None, False
    key_order = ledger.JoinedRead(
        table=_ORDERS,
        columns=("j.order_id", "j.product_id = %s"),
        condition="j.idempotency_key = %s",
        params=(product_id, idempotency_key),
    )
    account = ledger.account_lock(user_id=user_id, join=key_order)
    order_id, same_product = account.joined
    return account, order_id, bool(same_product)


# --- What the order needs: an option, where it goes, the employee's note -----------------------
@dataclass(frozen=True)
class OrderDetails:
    """What the employee gave at the confirmation step; which parts are needed depends on the
    product (its options, its delivery method, its question)."""

    option_id: str | None = None
    delivery_address: str | None = None
    pickup_location: str | None = None
    note: str | None = None


# What each kind of typed text is called when it is refused (awsomeshop.text.text_clean). `field`
# is the name forms and the API attach the refusal to, as it always was.
ADDRESS = TextKind(
    field="address",
    not_text=gettext_lazy("The address must be text."),
    unprintable=gettext_lazy("The address contains characters that cannot be printed."),
    too_long=gettext_lazy("The address can be at most %(most)s characters."),
)
PICKUP_LOCATION = TextKind(
    field="pickup location",
    not_text=gettext_lazy("The pickup location must be text."),
    unprintable=gettext_lazy("The pickup location contains characters that cannot be printed."),
    too_long=gettext_lazy("The pickup location can be at most %(most)s characters."),
)
NOTE = TextKind(
    field="note",
    not_text=gettext_lazy("The note must be text."),
    unprintable=gettext_lazy("The note contains characters that cannot be printed."),
    too_long=gettext_lazy("The note can be at most %(most)s characters."),
)
CARRIER = TextKind(
    field="carrier",
    not_text=gettext_lazy("The carrier must be text."),
    unprintable=gettext_lazy("The carrier contains characters that cannot be printed."),
    too_long=gettext_lazy("The carrier can be at most %(most)s characters."),
)
TRACKING_NUMBER = TextKind(
    field="tracking number",
    not_text=gettext_lazy("The tracking number of order %(number)s must be text."),
    unprintable=gettext_lazy("The tracking number of order %(number)s contains characters that cannot be printed."),
    too_long=gettext_lazy("The tracking number of order %(number)s can be at most %(most)s characters."),
)
CANCEL_REASON = TextKind(
    field="reason",
    not_text=gettext_lazy("The reason must be text."),
    unprintable=gettext_lazy("The reason contains characters that cannot be printed."),
    too_long=gettext_lazy("The reason can be at most %(most)s characters."),
)
VOUCHER_CODE = TextKind(
    field="code",
    not_text=gettext_lazy("The code must be text."),
    unprintable=gettext_lazy("The code contains characters that cannot be printed."),
    too_long=gettext_lazy("The code can be at most %(most)s characters."),
)


def _text_clean(
    value: object,
    *,
    what: TextKind,
    max_length: int,
    multiline: bool = False,
    invalid: type[ShopError] = InvalidOrderDetails,
    naming: dict[str, str] | None = None,
) -> str:
    return text_clean(value, what=what, max_length=max_length, multiline=multiline, invalid=invalid, naming=naming)


def order_details_clean(*, product: Product, details: OrderDetails) -> dict[str, str | None]:
    """The delivery columns for this product's order, or the first refusal in the employee's
    words: an address for what is shipped, a pickup place for what is collected, nothing for a
    digital reward; an answer to the product's question when it asks one, nothing otherwise."""
    address = _text_clean(details.delivery_address, what=ADDRESS, max_length=ADDRESS_MAX_LENGTH, multiline=True)
    location = _text_clean(details.pickup_location, what=PICKUP_LOCATION, max_length=PICKUP_LOCATION_MAX_LENGTH)
    note = _text_clean(details.note, what=NOTE, max_length=NOTE_MAX_LENGTH, multiline=True)
    method = product.delivery
    named = {"product": product.name}
    if method == DeliveryMethod.SHIPPED and not address:
        raise InvalidOrderDetails(address_missing(product), field="address")
    if method == DeliveryMethod.PICKUP and not location:
        raise InvalidOrderDetails(pickup_location_missing(product), field="pickup_location")
    if method != DeliveryMethod.SHIPPED and address:
        raise InvalidOrderDetails(_("“%(product)s” is not shipped, so it takes no address.") % named, field="address")
    if method != DeliveryMethod.PICKUP and location:
        raise InvalidOrderDetails(
            _("“%(product)s” is not picked up, so it takes no pickup location.") % named, field="pickup_location"
        )
    if product.note_prompt and not note:
        raise InvalidOrderDetails(note_missing(product), field="note")
    if not product.note_prompt and note:
        raise InvalidOrderDetails(_("“%(product)s” asks no question, so it takes no note.") % named, field="note")
    return {
        "delivery_method": method,
        "delivery_address": address or None,
        "pickup_location": location or None,
        "note": note or None,
    }


# The refusals for details left out, shared with the confirmation form's required fields.
def address_missing(product: Product) -> str:
    return _("Say where “%(product)s” should be shipped: give your address.") % {"product": product.name}


def pickup_location_missing(product: Product) -> str:
    return _("Say where you will pick up “%(product)s”: your office and desk.") % {"product": product.name}


def note_missing(product: Product) -> str:
    # The question is the product's own text, as the catalog manager wrote it.
    return _("Answer the question for “%(product)s”: %(question)s") % {
        "product": product.name,
        "question": product.note_prompt,
    }


# Read by the product's lock statement (shop.stock.lock_for_order): which code of a digital
# product's pool is next, so that an empty pool, the usual case, costs no round trip of its own.
_NEXT_CODE = (
    f"CASE WHEN p.delivery_method = '{DeliveryMethod.DIGITAL.value}' THEN (SELECT c.id FROM {_CODES} c "  # noqa: S608
    "WHERE c.product_id = p.product_id AND c.order_id IS NULL ORDER BY c.created_at, c.id LIMIT 1) END"
)


def _free_code_take(*, product: Product) -> tuple[str, str] | None:
    """The oldest unused code of a digital product, locked (the product's lock already orders
    hand-outs), as (id, code); None when the pool is empty. The lock statement's pointer is
    checked under the code's own lock, and looked up again if another order took it meanwhile."""
    pointed = getattr(product, "also", None)
    if pointed is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_sql("code_lock"), [pointed])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(_sql("free_code"), [product.pk])
            row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _order_insert(
    *,
    order_id: str,
    user_id: str,
    product: Product,
    idempotency_key: str | None,
    option: ProductOption | None,
    delivery: dict[str, str | None],
    status: str,
) -> Order:
    order = Order(
        id=order_id,
        user_id=user_id,
        product=product,
        points_used=product.points_cost,
        status=status,
        created_at=timezone.now(),
        idempotency_key=idempotency_key,
        option=option,
        **delivery,
    )
    return row_insert(order)


def _key_reused(order_id: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        _(
            "This idempotency key was already used for a different redemption (another product, option or "
            "delivery details); use a new key for a new request."
        ),
        order_id=order_id,
    )


@atomic_with_retry
def _order_redeem(
    *,
    user_id: str,
    product_id: str,
    idempotency_key: str | None,
    expected_points_cost: int | None,
    details: OrderDetails,
) -> Order:
    account, existing_id, same_product = _account_lock(
        user_id=user_id, product_id=product_id, idempotency_key=idempotency_key
    )
    if existing_id is not None:
        existing = Order.objects.select_related("product", "option").get(pk=existing_id)
        if not same_product or not _same_details(existing, details):
            raise _key_reused(existing_id)
        return existing
    product = stock.lock_for_order(product_id=product_id, also=_NEXT_CODE)
    cost = product.points_cost
    if expected_points_cost is not None and cost != expected_points_cost:
        raise price_changed(product=product, expected=expected_points_cost, current=cost)
    option = stock.option_for_order(product=product, option_id=details.option_id)
    delivery = order_details_clean(product=product, details=details)
    order_id = new_id()
    # The ledger row names the order before its row exists: `points_transactions.order_id` has no
    # foreign key (as documented), and the debit must come first: the account is locked first.
    row = ledger.post(
        user_id=user_id,
        kind=PointsTransaction.Type.REDEEMED,
        amount=cost,
        description=f"Redeemed {product.name}",
        order_id=order_id,
        account=account,
    )
    stock.take(product=product, option=option)
    code = _free_code_take(product=product) if product.delivery == DeliveryMethod.DIGITAL else None
    status = OrderStatus.DELIVERED if code else OrderStatus.PLACED
    order = _order_insert(
        order_id=order_id,
        user_id=user_id,
        product=product,
        idempotency_key=idempotency_key,
        option=option,
        delivery=delivery,
        status=status,
    )
    notify_order_placed(order=order)
    wish_fulfilled(user_id=user_id, product_id=product.pk)
    if code:
        _code_assign(code_id=code[0], order=order)
        _status_record(order=order, from_status=OrderStatus.PLACED, to_status=status, note=CODE_HANDED_OUT)
    order.balance_after = row.balance_after
    return order


def _same_details(order: Order, details: OrderDetails) -> bool:
    """Whether a retry asks for what the key's order has: the same option (ids in any letter
    case, as UUIDs are) and the same delivery details and note, as they were cleaned and stored.
    A client retrying with a corrected size must hear that its key is taken, not get the old size."""
    asked_option = str(details.option_id).lower() if details.option_id else None
    if (order.option_id.lower() if order.option_id else None) != asked_option:
        return False
    asked = {
        "delivery_address": _text_clean(details.delivery_address, what=ADDRESS, max_length=10_000, multiline=True),
        "pickup_location": _text_clean(details.pickup_location, what=PICKUP_LOCATION, max_length=10_000),
        "note": _text_clean(details.note, what=NOTE, max_length=10_000, multiline=True),
    }
    return all((getattr(order, field) or "") == value for field, value in asked.items())


def _order_for_key(*, user_id: str, product_id: str, idempotency_key: str, details: OrderDetails) -> Order | None:
    """The order this key already made, if any; a key reused for another request is refused.
    The database compares the product ids, as it resolved them for the first request."""
    order = (
        Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key)
        .select_related("product", "option")
        .annotate(same_product=ExpressionWrapper(Q(product_id=product_id), output_field=BooleanField()))
        .first()
    )
    if order is not None and not (order.same_product and _same_details(order, details)):
        raise _key_reused(order.pk)
    return order


def order_redeem(
    *,
    user_id: str,
    product_id: str,
    idempotency_key: str | None = None,
    expected_points_cost: int | None = None,
    details: OrderDetails | None = None,
) -> Order:
    """Spend the product's price from the user's points and take one unit of its stock (of the
    option picked in `details`, when the product has options), with the delivery details and note
    the product needs. A digital product's order takes the oldest unused code of its pool and is
    delivered at once; without a free code it waits, Placed, for fulfilment staff.

    Locks are taken in one order everywhere (the account, then the product, then the new rows),
    so redemptions wait for each other instead of deadlocking; when MySQL still picks a victim,
    the whole transaction runs again. With an idempotency key, the same request made again
    returns the order it made the first time, and nothing is charged twice. With
    `expected_points_cost` (the price the person confirmed), any other price charges nothing and
    raises PriceChanged; the price is checked on the locked product row.
    """
    idempotency_key = idempotency_key_clean(idempotency_key)
    try:
        return _order_redeem(
            user_id=user_id,
            product_id=product_id,
            idempotency_key=idempotency_key,
            expected_points_cost=expected_points_cost,
            details=details or OrderDetails(),
        )
    except IntegrityError:
        # The unique (user, key) index caught a race the lock did not (a user with no balance row).
        if idempotency_key is None:
            raise
        existing = _order_for_key(
            user_id=user_id, product_id=product_id, idempotency_key=idempotency_key, details=details or OrderDetails()
        )
        if existing is None:
            raise
        return existing


# --- Status changes: each one a row in the order's history, made in one place -------------------
# Where an order may go next. Cancelled is reached only through order_cancel (it refunds), and
# Delivered from Placed or Processing only for a digital order, when its code is attached.
_NEXT = {
    OrderStatus.PLACED: {OrderStatus.PROCESSING},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.READY_FOR_PICKUP: {OrderStatus.DELIVERED},
}
# The step that only fits one delivery method.
_METHOD_OF_STEP = {OrderStatus.SHIPPED: DeliveryMethod.SHIPPED, OrderStatus.READY_FOR_PICKUP: DeliveryMethod.PICKUP}
STAFF_CANCELLABLE = (OrderStatus.PLACED, OrderStatus.PROCESSING)
CANCEL_REASON_MAX_LENGTH = 500


def order_cancellable(order: Order, *, by_staff: bool) -> bool:
    """Whether the order may still be cancelled: by its employee while Placed, by fulfilment while
    Placed or Processing (what `order_cancel` decides under the lock, and the admin says first)."""
    return order.status in (STAFF_CANCELLABLE if by_staff else (OrderStatus.PLACED,))


def _status_record(
    *, order: Order, from_status: str, to_status: str, changed_by_id: str | None = None, note: str = ""
) -> OrderStatusChange:
    """The one place an order's status change is written down, in the change's transaction, with
    the employee's notification (in the portal and by e-mail after commit): every change passes."""
    change = OrderStatusChange.objects.create(
        order=order, from_status=from_status, to_status=to_status, changed_by_id=changed_by_id, note=note[:500]
    )
    notify_order_status(order=order, from_status=from_status, to_status=to_status, note=note)
    # The audit trail too (a code's text never: only that one was attached).
    after: dict[str, str | None] = {"status": to_status, "note": note[:500]}
    if order.carrier or order.tracking_number:
        after.update(carrier=order.carrier, tracking_number=order.tracking_number)
    audit_record(
        action="orders.status_change",
        target=order,
        before={"status": from_status},
        after=after,
        actor_id=changed_by_id,
        employee_id=order.user_id,
    )
    return change


def _status_set(
    *, order: Order, to_status: str, changed_by_id: str | None, note: str = "", **columns: str | None
) -> None:
    """Move the locked order to `to_status` (with any shipping columns) and record the step."""
    from_status = order.status
    if Order.objects.filter(pk=order.pk, status=from_status).update(status=to_status, **columns) != 1:
        # The caller holds the order's lock, so its status cannot have moved: a bug, not a race.
        raise RuntimeError(f"Order {order.pk} is no longer {from_status}; its row was not locked.")
    order.status = to_status
    for name, value in columns.items():
        setattr(order, name, value)
    _status_record(order=order, from_status=from_status, to_status=to_status, changed_by_id=changed_by_id, note=note)


# Why a step is refused, by where the order is and by how it is delivered: one whole clause each
# (a translation writes the status in its own words, not the label lower-cased).
_IT_IS_STATUS = {
    OrderStatus.PLACED: gettext_lazy("it is placed"),
    OrderStatus.PROCESSING: gettext_lazy("it is processing"),
    OrderStatus.SHIPPED: gettext_lazy("it is shipped"),
    OrderStatus.READY_FOR_PICKUP: gettext_lazy("it is ready for pickup"),
    OrderStatus.DELIVERED: gettext_lazy("it is delivered"),
    OrderStatus.CANCELLED: gettext_lazy("it is cancelled"),
}
_IT_IS_METHOD: dict[str | None, Promise] = {
    DeliveryMethod.SHIPPED: gettext_lazy("it is shipped to an address"),
    DeliveryMethod.PICKUP: gettext_lazy("it is picked up at the office"),
    DeliveryMethod.DIGITAL: gettext_lazy("it is digital: a code or link"),
    None: gettext_lazy("it is an order from before delivery methods"),
}


def order_step_refusal(order: Order, to_status: OrderStatus) -> str | None:
    """Why the order cannot take this step, or None if it can: what a bulk step refuses, and what
    the admin says before it asks for anything (a carrier, tracking numbers). A clause, in the
    active language, for a sentence of the caller's ("… not marked shipped: %(reason)s.")."""
    if to_status == OrderStatus.CANCELLED:
        return _("cancelling refunds the points: use Cancel")
    if order.status in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
        return str(_IT_IS_STATUS[order.status])
    method = order.delivery_method
    if to_status in _METHOD_OF_STEP and method != _METHOD_OF_STEP[to_status]:
        return str(_IT_IS_METHOD[method or None])
    if method == DeliveryMethod.DIGITAL and to_status == OrderStatus.DELIVERED:
        return _("a digital order is delivered by attaching its code")
    if order.status == OrderStatus.PLACED and to_status in _NEXT[OrderStatus.PROCESSING]:
        return _("it is placed: mark it processing first")
    if to_status not in _NEXT.get(order.status, set()):
        return str(_IT_IS_STATUS[order.status])
    return None


@dataclass(frozen=True)
class StatusChangeOutcome:
    """What a bulk status change did: the orders it moved, those already there, those refused."""

    changed: list[Order]
    already: list[Order]
    refused: list[tuple[Order, str]]


def _locked_orders(order_ids: list[str]) -> list[Order]:
    """The orders, locked in primary-key order (the order every fulfilment step takes them in),
    with their products and options read in two more queries for the notifications. Not joined:
    a join under FOR UPDATE would lock the products too, after the orders, against the lock order."""
    orders = list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk"))
    prefetch_related_objects(orders, "product", "option")
    return orders


@atomic_with_retry
def order_status_change(
    *,
    order_ids: list[str],
    to_status: str,
    changed_by_id: str,
    carrier: str = "",
    tracking_numbers: dict[str, str] | None = None,
    note: str = "",
) -> StatusChangeOutcome:
    """Move orders a step along (Processing, Shipped, Ready for pickup, Delivered). Each order's
    row is locked and its status read again, so a step raced by a cancellation or another step
    happens once or not at all; orders already there are left alone (a repeated action is a no-op).
    Shipping needs the carrier and each order's tracking number."""
    to_status = OrderStatus(to_status)
    tracking_numbers = tracking_numbers or {}
    if to_status == OrderStatus.SHIPPED:
        carrier = _text_clean(carrier, what=CARRIER, max_length=100, invalid=InvalidStatusChange)
        if not carrier:
            raise InvalidStatusChange(_("Say which carrier ships the orders."), field="carrier")
    changed, already, refused = [], [], []
    for order in _locked_orders(order_ids):
        if order.status == to_status:
            already.append(order)
            continue
        if reason := order_step_refusal(order, to_status):
            refused.append((order, reason))
            continue
        columns = {}
        if to_status == OrderStatus.SHIPPED:
            # Each refusal names its order and carries its id, so a form can put it beside that box.
            try:
                tracking = _text_clean(
                    tracking_numbers.get(order.pk),
                    what=TRACKING_NUMBER,
                    max_length=100,
                    invalid=InvalidStatusChange,
                    naming={"number": order.short_number},
                )
            except InvalidStatusChange as refusal:
                raise InvalidStatusChange(refusal.message, order_id=order.pk) from refusal
            if not tracking:
                raise InvalidStatusChange(
                    _("Give the tracking number of order %(number)s.") % {"number": order.short_number},
                    order_id=order.pk,
                )
            columns = {"carrier": carrier, "tracking_number": tracking}
        _status_set(order=order, to_status=to_status, changed_by_id=changed_by_id, note=note, **columns)
        changed.append(order)
    return StatusChangeOutcome(changed=changed, already=already, refused=refused)


# --- Cancellation: the points back through the ledger, the unit back in stock, exactly once ----
@dataclass(frozen=True)
class CancelOutcome:
    """The cancelled order, and whether this call cancelled it (False: it already was)."""

    order: Order
    cancelled_now: bool
    refund: PointsTransaction | None


def _order_for_cancel(*, order_id: str, user_id: str | None) -> Order:
    orders = Order.objects.filter(pk=order_id)
    if user_id is not None:
        orders = orders.filter(user_id=user_id)
    order = orders.select_related("product").first()
    if order is None:
        raise OrderNotFound(_("No such order."), order_id=str(order_id)[:255])
    return order


# An order past cancelling, by where it is (Placed only for staff rules that change one day).
_TOO_LATE_TO_CANCEL = {
    OrderStatus.PLACED: gettext_lazy("Order %(number)s is placed, so it can no longer be cancelled."),
    OrderStatus.PROCESSING: gettext_lazy("Order %(number)s is processing, so it can no longer be cancelled."),
    OrderStatus.SHIPPED: gettext_lazy("Order %(number)s is shipped, so it can no longer be cancelled."),
    OrderStatus.READY_FOR_PICKUP: gettext_lazy(
        "Order %(number)s is ready for pickup, so it can no longer be cancelled."
    ),
    OrderStatus.DELIVERED: gettext_lazy("Order %(number)s is delivered, so it can no longer be cancelled."),
    OrderStatus.CANCELLED: gettext_lazy("Order %(number)s is cancelled, so it can no longer be cancelled."),
}


@atomic_with_retry
def _order_cancel(*, order_id: str, cancelled_by_id: str, by_staff: bool, reason: str) -> CancelOutcome:
    order = _order_for_cancel(order_id=order_id, user_id=None if by_staff else cancelled_by_id)
    if order.status == OrderStatus.CANCELLED:
        return CancelOutcome(order=order, cancelled_now=False, refund=None)
    # Locks in the order every write uses: the account, the product, then the order itself,
    # whose status is read again under its lock: a second cancel or a step raced this one.
    account = ledger.account_lock(user_id=order.user_id)
    stock.lock(product_id=order.product_id)
    (locked,) = _locked_orders([order.pk])
    if locked.status == OrderStatus.CANCELLED:
        return CancelOutcome(order=locked, cancelled_now=False, refund=None)
    if not order_cancellable(locked, by_staff=by_staff):
        too_late = _TOO_LATE_TO_CANCEL[locked.status] % {"number": locked.short_number}
        if not by_staff:
            too_late += " " + _("Ask the fulfilment team if something is wrong with it.")
        raise OrderNotCancellable(
            too_late, order_id=locked.pk, status=locked.status, status_code=STATUS_CODES[locked.status]
        )
    _status_set(order=locked, to_status=OrderStatus.CANCELLED, changed_by_id=cancelled_by_id, note=reason)
    stock.give_back(product_id=locked.product_id, option_id=locked.option_id)
    refund = (
        ledger.post(
            user_id=locked.user_id,
            kind=PointsTransaction.Type.REFUNDED,
            amount=locked.points_used,
            description=f"Refund: order {locked.short_number} ({order.product.name}) cancelled",
            order_id=locked.pk,
            account=account,
        )
        if locked.points_used
        else None
    )
    return CancelOutcome(order=locked, cancelled_now=True, refund=refund)


def order_cancel(*, order_id: str, cancelled_by_id: str, reason: str = "", by_staff: bool = False) -> CancelOutcome:
    """Cancel an order: its points come back (a `refunded` ledger row linked to it) and its unit
    goes back in stock, once, however many cancels race. The employee cancels their own order
    while it is Placed; fulfilment staff (`by_staff`) any order while Placed or Processing, with a
    reason. Cancelling a cancelled order again changes nothing and says so (`cancelled_now`)."""
    reason = _text_clean(reason, what=CANCEL_REASON, max_length=CANCEL_REASON_MAX_LENGTH, multiline=True)
    if by_staff and not reason:
        raise InvalidOrderDetails(_("Give a reason for the cancellation; the employee sees it."), field="reason")
    if not isinstance(order_id, str) or not order_id:
        raise OrderNotFound(_("No such order."))
    return _order_cancel(order_id=order_id, cancelled_by_id=cancelled_by_id, by_staff=by_staff, reason=reason)


# --- Digital rewards: codes and links -----------------------------------------------------------
def _code_clean(code: object) -> str:
    text = _text_clean(code, what=VOUCHER_CODE, max_length=VOUCHER_CODE_MAX_LENGTH, invalid=InvalidVoucherCode)
    if not text:
        raise InvalidVoucherCode(_("Give the code or link."))
    return text


def _code_assign(*, code_id: str, order: Order) -> None:
    VoucherCode.objects.filter(pk=code_id, order__isnull=True).update(order=order, assigned_at=timezone.now())


def _waiting_digital_orders(product_id: str) -> list[Order]:
    """The product's digital orders still without a code, oldest first, locked (after the product)."""
    waiting = Order.objects.filter(
        product_id=product_id,
        delivery_method=DeliveryMethod.DIGITAL,
        status__in=STAFF_CANCELLABLE,
        voucher__isnull=True,
    ).order_by("created_at", "pk")
    orders = list(waiting.select_for_update())
    prefetch_related_objects(orders, "product", "option")
    return orders


def _code_deliver(*, order: Order, code_id: str, changed_by_id: str | None, note: str) -> None:
    _code_assign(code_id=code_id, order=order)
    _status_set(order=order, to_status=OrderStatus.DELIVERED, changed_by_id=changed_by_id, note=note)


@dataclass(frozen=True)
class CodeAttachOutcome:
    """The order, and whether this call attached its code (False: it had this code already)."""

    order: Order
    attached_now: bool


def order_code_attachable(order: Order) -> bool:
    """Whether a code may be attached to the order: a digital order still waiting for one, Placed
    or Processing (what `order_code_attach` decides under the lock, and the admin's order page
    asks before it offers the step)."""
    return order.delivery_method == DeliveryMethod.DIGITAL and order.status in STAFF_CANCELLABLE


# Where an order is, as a sentence of its own (an order past taking a code).
_ORDER_IS = {
    OrderStatus.PLACED: gettext_lazy("Order %(number)s is placed."),
    OrderStatus.PROCESSING: gettext_lazy("Order %(number)s is processing."),
    OrderStatus.SHIPPED: gettext_lazy("Order %(number)s is shipped."),
    OrderStatus.READY_FOR_PICKUP: gettext_lazy("Order %(number)s is ready for pickup."),
    OrderStatus.DELIVERED: gettext_lazy("Order %(number)s is delivered."),
    OrderStatus.CANCELLED: gettext_lazy("Order %(number)s is cancelled."),
}


@atomic_with_retry
def order_code_attach(*, order_id: str, code: str, attached_by_id: str) -> CodeAttachOutcome:
    """Attach a code or link to a digital order waiting for one; the order is then delivered and
    the employee sees the code on it. Attaching the same code again is a no-op that says so."""
    code = _code_clean(code)
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound(_("No such order."), order_id=str(order_id)[:255])
    stock.lock(product_id=order.product_id)
    (order,) = _locked_orders([order.pk])
    existing = VoucherCode.objects.filter(order=order).first()
    if existing is not None:
        if existing.code == code:
            return CodeAttachOutcome(order=order, attached_now=False)
        raise InvalidVoucherCode(
            _("Order %(number)s has a code already.") % {"number": order.short_number}, order_id=order.pk
        )
    if not order_code_attachable(order):
        if order.delivery_method != DeliveryMethod.DIGITAL:
            raise InvalidVoucherCode(
                _("Order %(number)s is not a digital reward.") % {"number": order.short_number}, order_id=order.pk
            )
        raise InvalidVoucherCode(_ORDER_IS[order.status] % {"number": order.short_number}, order_id=order.pk)
    if VoucherCode.objects.filter(product_id=order.product_id, code=code).exists():
        raise InvalidVoucherCode(_("This code is already used for this product; codes are handed out once."))
    voucher = VoucherCode.objects.create(product_id=order.product_id, code=code, added_by_id=attached_by_id)
    _code_deliver(order=order, code_id=voucher.pk, changed_by_id=attached_by_id, note=CODE_ATTACHED)
    return CodeAttachOutcome(order=order, attached_now=True)


@dataclass(frozen=True)
class CodeImportOutcome:
    """What loading a file of codes did."""

    added: int
    already_loaded: int
    handed_out: int


@atomic_with_retry
def voucher_codes_import(*, product_id: str, codes: list[str], added_by_id: str | None) -> CodeImportOutcome:
    """Load codes for a digital product, one per future order; orders already waiting for a code
    get one at once, oldest first. Codes already loaded are left out, so loading the same file
    again adds nothing."""
    product = Product.objects.filter(pk=product_id).only("pk", "name", "delivery_method").first()
    if product is None:
        raise InvalidVoucherCode(_("This product no longer exists."), product_id=str(product_id)[:255])
    if product.delivery != DeliveryMethod.DIGITAL:
        raise InvalidVoucherCode(
            _("“%(product)s” is not a digital reward, so it takes no codes.") % {"product": product.name}
        )
    cleaned = list(dict.fromkeys(_code_clean(code) for code in codes))
    if not cleaned:
        raise InvalidVoucherCode(_("The file has no codes."))
    stock.lock(product_id=product.pk)
    known = set(VoucherCode.objects.filter(product=product, code__in=cleaned).values_list("code", flat=True))
    new = [code for code in cleaned if code not in known]
    now = timezone.now()
    VoucherCode.objects.bulk_create(
        [VoucherCode(product=product, code=code, added_by_id=added_by_id, created_at=now) for code in new]
    )
    waiting = _waiting_digital_orders(product.pk)
    free = list(
        VoucherCode.objects.filter(product=product, order__isnull=True).order_by("created_at", "id")[: len(waiting)]
    )
    for order, voucher in zip(waiting, free, strict=False):
        _code_deliver(order=order, code_id=voucher.pk, changed_by_id=added_by_id, note=CODE_HANDED_OUT)
    outcome = CodeImportOutcome(added=len(new), already_loaded=len(known), handed_out=min(len(waiting), len(free)))
    if new:
        audit_record(
            action="orders.codes_load",
            target=product,
            after={"codes_added": outcome.added, "already_loaded": outcome.already_loaded},
            actor_id=added_by_id,
        )
    return outcome
