"""What the order services tell the employee: the kinds they raise and their words. Called inside
the change's transaction (notifications.services.notify writes the outbox row there)."""

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify
from shop.models import DeliveryMethod

from .models import Order, OrderStatus

ORDER_PLACED = notification_kind(code="order_placed", topic=Topic.ORDERS, label="Order placed")
ORDER_STATUS = notification_kind(code="order_status", topic=Topic.ORDERS, label="Order status changed")
# Points coming back are money: always told.
ORDER_CANCELLED = notification_kind(code="order_cancelled", topic=Topic.REQUIRED, label="Order cancelled and refunded")
CODE_READY = notification_kind(code="code_ready", topic=Topic.ORDERS, label="Code ready")

# What the employee reads for each step; the code itself is never e-mailed (only the portal shows it).
_STEP_WORDS = {
    OrderStatus.PROCESSING: ("is being prepared", "The team has started on it."),
    OrderStatus.SHIPPED: ("is on its way", "{carrier}, tracking number {tracking}."),
    OrderStatus.READY_FOR_PICKUP: ("is ready for pickup", "Pick it up at {pickup}."),
    OrderStatus.DELIVERED: ("is delivered", "Enjoy it!"),
}


def _what(order: Order) -> str:
    return f"{order.product.name} ({order.option.name})" if order.option else order.product.name


def notify_order_placed(*, order: Order) -> None:
    where = order.delivery_address or order.pickup_location
    delivery = f"\nIt goes to: {where}" if where else "\nYour code or link comes with the order."
    notify(
        recipient_id=order.user_id,
        kind=ORDER_PLACED,
        title=f"Order {order.short_number} is placed: {_what(order)}",
        body=f"{order.points_used:,} points for {_what(order)}.{delivery}",
        link=order.get_absolute_url(),
    )


def notify_order_status(*, order: Order, from_status: str, to_status: str, note: str) -> None:
    """A step of an order's life, in the step's transaction."""
    number, what = order.short_number, _what(order)
    if to_status == OrderStatus.CANCELLED:
        reason = f"\nReason: {note}" if note else ""
        kind = ORDER_CANCELLED
        title = f"Order {number} is cancelled: {order.points_used:,} points are back"
        body = f"{what} is cancelled and its {order.points_used:,} points are back in your balance.{reason}"
    elif to_status == OrderStatus.DELIVERED and order.delivery_method == DeliveryMethod.DIGITAL:
        kind = CODE_READY
        title = f"Your code for {order.product.name} is ready"
        body = "Open the order to see your code or link. Only you can see it."
    else:
        headline, detail = _STEP_WORDS.get(OrderStatus(to_status), (f"is {to_status.lower()}", ""))
        kind = ORDER_STATUS
        title = f"Order {number} {headline}"
        body = f"{what}: " + detail.format(
            carrier=order.carrier or "", tracking=order.tracking_number or "", pickup=order.pickup_location or ""
        )
    notify(recipient_id=order.user_id, kind=kind, title=title, body=body, link=order.get_absolute_url())
