from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from points.models import PointsTransaction

from .models import Order, OrderStatus, VoucherCode


def order_list_for_user(*, user_id: str) -> QuerySet[Order]:
    """The user's orders, newest first, each with its product and option in the same query."""
    return Order.objects.filter(user_id=user_id).select_related("product", "option").order_by("-created_at", "-id")


def order_get_for_user(*, user_id: str, order_id: str) -> Order | None:
    """The user's order with this id; None for an unknown id or somebody else's order."""
    return order_list_for_user(user_id=user_id).filter(pk=order_id).first()


@dataclass(frozen=True)
class TimelineStep:
    """One step of an order's life as the employee sees it."""

    status: str
    label: str
    at: datetime
    note: str


def order_timeline(*, order: Order) -> list[TimelineStep]:
    """The order's life, oldest first: placed, then each recorded change with its note (a
    cancellation's reason, a code handed out). Who made a change is staff's to know, not shown."""
    steps = [TimelineStep(OrderStatus.PLACED, str(OrderStatus.PLACED.label), order.created_at, "")]
    for change in order.status_changes.order_by("created_at", "id"):
        label = change.get_to_status_display()
        steps.append(TimelineStep(change.to_status, label, change.created_at, change.note_shown))
    return steps


def order_code_get(*, order: Order) -> str | None:
    """The code or link of a digital order, for its own employee's page or fulfilment staff."""
    return VoucherCode.objects.filter(order=order).values_list("code", flat=True).first()


def order_delivery_last(*, user_id: str) -> dict[str, str]:
    """The address and the pickup place the user gave last, to fill in the next confirmation."""
    orders = Order.objects.filter(user_id=user_id).order_by("-created_at", "-id")
    found = {}
    for field in ("delivery_address", "pickup_location"):
        value = orders.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True).first()
        if value:
            found[field] = value
    return found


def order_balance_after(*, order: Order) -> int | None:
    """The balance the redemption left, from its ledger row: the same answer however often asked
    (the redemption that made the order knows it already)."""
    if (known := getattr(order, "balance_after", None)) is not None:
        return known
    redemption = PointsTransaction.objects.filter(order=order, transaction_type=PointsTransaction.Type.REDEEMED)
    return redemption.values_list("balance_after", flat=True).first()


# How recent an order of the same product is asked about before another (the Back button).
ORDER_REPEAT_MINUTES = 15


def order_same_product_recent(*, user_id: str, product_id: str, idempotency_key: str) -> Order | None:
    """The employee's latest order of this product in the last ORDER_REPEAT_MINUTES, not
    cancelled and made by another confirmation than this one (the same key is a replay, which
    the redemption answers with its order)."""
    since = timezone.now() - timedelta(minutes=ORDER_REPEAT_MINUTES)
    orders = Order.objects.filter(user_id=user_id, product_id=product_id, created_at__gte=since).exclude(
        status=OrderStatus.CANCELLED
    )
    orders = orders.exclude(idempotency_key=idempotency_key)
    return orders.select_related("product").order_by("-created_at").first()


@dataclass(frozen=True)
class PickTotal:
    """How many units of one product (and option) a pick list's orders need."""

    product: str
    option: str
    quantity: int


def order_pick_totals(*, orders: QuerySet[Order]) -> list[PickTotal]:
    """The orders counted per product and option, in the pick list's order (product name, then
    the option's position), so a picker fetches each item once; one query however many orders."""
    counted = (
        orders.order_by()
        .values("product_id", "product__name", "option_id", "option__name", "option__position")
        .annotate(quantity=Count("pk"))
        .order_by("product__name", "product_id", "option__position", "option__name")
    )
    return [PickTotal(row["product__name"], row["option__name"] or "", row["quantity"]) for row in counted]
