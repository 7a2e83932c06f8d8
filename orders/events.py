"""What the order services tell the employee: the kinds they raise and their words. Called inside
the change's transaction (notifications.services.notify writes the outbox row there)."""

from django.utils.translation import gettext_noop

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify
from notifications.words import words
from shop.models import DeliveryMethod

from .models import Order, OrderStatus

ORDER_PLACED = notification_kind(code="order_placed", topic=Topic.ORDERS, label=gettext_noop("Order placed"))
ORDER_STATUS = notification_kind(code="order_status", topic=Topic.ORDERS, label=gettext_noop("Order status changed"))
# Points coming back are money: always told.
ORDER_CANCELLED = notification_kind(
    code="order_cancelled", topic=Topic.REQUIRED, label=gettext_noop("Order cancelled and refunded")
)
CODE_READY = notification_kind(code="code_ready", topic=Topic.ORDERS, label=gettext_noop("Code ready"))

# What the employee reads for each step; the code itself is never e-mailed (only the portal shows it).
_STEP_TITLES = {
    OrderStatus.PLACED: gettext_noop("Order %(number)s is placed"),
    OrderStatus.PROCESSING: gettext_noop("Order %(number)s is being prepared"),
    OrderStatus.SHIPPED: gettext_noop("Order %(number)s is on its way"),
    OrderStatus.READY_FOR_PICKUP: gettext_noop("Order %(number)s is ready for pickup"),
    OrderStatus.DELIVERED: gettext_noop("Order %(number)s is delivered"),
}
_STEP_DETAILS = {
    OrderStatus.PLACED: gettext_noop("%(what)s."),
    OrderStatus.PROCESSING: gettext_noop("%(what)s: the team has started on it."),
    OrderStatus.SHIPPED: gettext_noop("%(what)s: %(carrier)s, tracking number %(tracking)s."),
    OrderStatus.READY_FOR_PICKUP: gettext_noop("%(what)s: pick it up at %(pickup)s."),
    OrderStatus.DELIVERED: gettext_noop("%(what)s: enjoy it!"),
}


def _what(order: Order) -> str:
    return f"{order.product.name} ({order.option.name})" if order.option else order.product.name


def notify_order_placed(*, order: Order) -> None:
    where = order.delivery_address or order.pickup_location
    body = [words(gettext_noop("%(points)s points for %(what)s."), points=order.points_used, what=_what(order))]
    if where:
        body.append(words(gettext_noop("It goes to: %(where)s"), where=where))
    else:
        body.append(words(gettext_noop("Your code or link comes with the order.")))
    notify(
        recipient_id=order.user_id,
        kind=ORDER_PLACED,
        title=words(gettext_noop("Order %(number)s is placed: %(what)s"), number=order.short_number, what=_what(order)),
        body=body,
        link=order.get_absolute_url(),
    )


def notify_order_status(*, order: Order, from_status: str, to_status: str, note: str) -> None:
    """A step of an order's life, in the step's transaction."""
    number, what, points = order.short_number, _what(order), order.points_used
    if to_status == OrderStatus.CANCELLED:
        kind = ORDER_CANCELLED
        title = words(
            gettext_noop("Order %(number)s is cancelled: %(points)s points are back"), number=number, points=points
        )
        body = [
            words(
                gettext_noop("%(what)s is cancelled and its %(points)s points are back in your balance."),
                what=what,
                points=points,
            )
        ]
        if note:
            body.append(words(gettext_noop("Reason: %(note)s"), note=note))
    elif to_status == OrderStatus.DELIVERED and order.delivery_method == DeliveryMethod.DIGITAL:
        kind = CODE_READY
        title = words(gettext_noop("Your code for %(product)s is ready"), product=order.product.name)
        body = [words(gettext_noop("Open the order to see your code or link. Only you can see it."))]
    else:
        kind = ORDER_STATUS
        step = OrderStatus(to_status)
        title = words(_STEP_TITLES[step], number=number)
        body = [
            words(
                _STEP_DETAILS[step],
                what=what,
                carrier=order.carrier or "",
                tracking=order.tracking_number or "",
                pickup=order.pickup_location or "",
            )
        ]
    notify(recipient_id=order.user_id, kind=kind, title=title, body=body, link=order.get_absolute_url())
