from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import EnumColumn, ExactCharField, TextColumn, TimestampColumn, new_id
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from shop.models import DeliveryMethod

ADDRESS_MAX_LENGTH = 500
PICKUP_LOCATION_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 300
VOUCHER_CODE_MAX_LENGTH = 300


class OrderStatus(models.TextChoices):
    """Where an order is. The documented schema knew only Delivered; these are a superset."""

    PLACED = "Placed", _("Placed")
    PROCESSING = "Processing", _("Processing")
    SHIPPED = "Shipped", _("Shipped")
    READY_FOR_PICKUP = "Ready for pickup", _("Ready for pickup")
    DELIVERED = "Delivered", _("Delivered")
    CANCELLED = "Cancelled", _("Cancelled")


# Where each carrier's customers follow a parcel, by the carrier's name as fulfilment types it
# (any letter case); {} is the tracking number. Another carrier's number is shown as text.
CARRIER_TRACKING_URLS = {
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{}",
    "evri": "https://www.evri.com/track/parcel/{}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "gls": "https://gls-group.com/track/{}",
    "hermes": "https://www.evri.com/track/parcel/{}",
    "royal mail": "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    "ups": "https://www.ups.com/track?tracknum={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
}

# Each status as the API's code (`placed`, `ready_for_pickup`): the column holds the label.
STATUS_CODES = {status.value: status.name.lower() for status in OrderStatus}

# The orders fulfilment staff still have to act on.
OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP)


class Order(models.Model):
    """One unit of a product redeemed by an employee; maps onto the documented `orders` table.

    Orders are history: they are never deleted, and they keep their product and user (both
    PROTECTed). Only orders.services changes one: its status (each change a row in
    OrderStatusChange), its shipping details, and a cancellation, which refunds through the ledger.
    """

    Status = OrderStatus

    id = models.CharField(
        primary_key=True, max_length=255, default=new_id, editable=False, db_column="order_id", verbose_name=_("id")
    )
    # The documented schema has no foreign key to a users table; Django joins on it all the same.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        db_column="user_id",
        db_constraint=False,
        db_index=False,
        verbose_name=_("user"),
    )
    product = models.ForeignKey(
        "shop.Product",
        on_delete=models.PROTECT,
        related_name="orders",
        db_column="product_id",
        db_index=False,
        verbose_name=_("product"),
    )
    points_used = models.IntegerField(verbose_name=_("points used"))
    status = EnumColumn(
        max_length=16, choices=Status.choices, default=Status.PLACED, db_default=Status.PLACED, verbose_name=_("status")
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    # Not in the documented schema: the client's key for this redemption, so a retried request
    # returns this order instead of buying a second one.
    idempotency_key = ExactCharField(
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH, null=True, blank=True, editable=False, verbose_name=_("idempotency key")
    )  # noqa: DJ001 - NULL: no key
    # Not in the documented schema either (nullable additions): what was ordered and where it goes.
    option = models.ForeignKey(
        "shop.ProductOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_column="option_id",
        verbose_name=_("option"),
    )
    delivery_method = models.CharField(  # noqa: DJ001 - NULL on orders from before delivery methods
        max_length=8, choices=DeliveryMethod.choices, null=True, blank=True, verbose_name=_("delivery method")
    )
    delivery_address = TextColumn(
        max_length=ADDRESS_MAX_LENGTH, null=True, blank=True, verbose_name=_("delivery address")
    )
    pickup_location = models.CharField(  # noqa: DJ001
        max_length=PICKUP_LOCATION_MAX_LENGTH, null=True, blank=True, verbose_name=_("pickup location")
    )
    note = models.CharField(max_length=NOTE_MAX_LENGTH, null=True, blank=True, verbose_name=_("note"))  # noqa: DJ001 - the employee's answer to the product's question
    carrier = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("carrier"))  # noqa: DJ001
    tracking_number = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("tracking number"))  # noqa: DJ001
    # The balance the redemption left, set by order_redeem on the order it returns (not a column).
    balance_after: int | None = None

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        db_table = "orders"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user"], name="idx_user_orders"),
            models.Index(fields=["created_at"], name="idx_order_date"),
            models.Index(fields=["user", "created_at", "id"], name="idx_user_orders_date"),
            # The fulfilment queue: open orders, oldest first.
            models.Index(fields=["status", "created_at"], name="idx_order_status_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points_used__gte=0), name="orders_points_used_not_negative"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="orders_status_valid"),
            # NULLs never collide, so orders without a key are not limited.
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="orders_user_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return gettext("Order %(number)s") % {"number": self.short_number}

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", kwargs={"order_id": self.pk})

    @property
    def short_number(self) -> str:
        """What people read out and type: the first block of the id, upper-case."""
        return self.pk.split("-")[0].upper()

    @property
    def tracking_url(self) -> str | None:
        """The carrier's page for this parcel, for a carrier we know; None otherwise."""
        pattern = CARRIER_TRACKING_URLS.get((self.carrier or "").strip().lower())
        if not pattern or not self.tracking_number:
            return None
        return pattern.format(quote(self.tracking_number.strip(), safe=""))

    @property
    def status_code(self) -> str:
        return STATUS_CODES[self.status]

    @property
    def is_cancellable_by_employee(self) -> bool:
        return self.status == OrderStatus.PLACED


class FulfilmentOrder(Order):
    """The orders as fulfilment staff work them: the same rows, their own admin and permission."""

    class Meta:
        proxy = True
        verbose_name = _("order")
        verbose_name_plural = _("fulfilment queue")
        permissions = [("fulfil_order", _("Can fulfil orders: change their status, cancel them, attach codes"))]


# The notes the shop writes itself on a step (a person's note is kept as they typed it). Stored in
# English, shown in the reader's language.
CODE_HANDED_OUT = gettext_noop("Code handed out")
CODE_ATTACHED = gettext_noop("Code attached")
_NOTES_OF_THE_SHOP = {CODE_HANDED_OUT, CODE_ATTACHED}


class OrderStatusChange(models.Model):
    """One step of an order's life after it was placed: who moved it, when, from what to what, why.
    Append-only; written by orders.services in the transaction that changes the status."""

    id = models.BigAutoField(primary_key=True, verbose_name=_("id"))
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="status_changes", db_column="order_id", verbose_name=_("order")
    )
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices, verbose_name=_("from status"))
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices, verbose_name=_("to status"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("changed by"),
    )
    note = models.CharField(max_length=500, blank=True, default="", verbose_name=_("note"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "order_status_changes"
        ordering = ["created_at", "id"]
        verbose_name = _("order status change")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def note_shown(self) -> str:
        return gettext(self.note) if self.note in _NOTES_OF_THE_SHOP else self.note


class VoucherCode(models.Model):
    """A code or link for a digital product: loaded in a pool (a CSV of codes) and handed out one
    per order, or attached to one order by fulfilment staff. Only the order's employee and
    fulfilment staff ever see it."""

    id = models.CharField(primary_key=True, max_length=36, default=new_id, editable=False, verbose_name=_("id"))
    product = models.ForeignKey(
        "shop.Product",
        on_delete=models.PROTECT,
        related_name="voucher_codes",
        db_column="product_id",
        db_index=False,
        verbose_name=_("product"),
    )
    # Codes are case-sensitive: compared byte for byte.
    code = ExactCharField(max_length=VOUCHER_CODE_MAX_LENGTH, verbose_name=_("code"))
    order = models.OneToOneField(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voucher",
        db_column="order_id",
        verbose_name=_("order"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("added by"),
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    assigned_at = TimestampColumn(null=True, blank=True, verbose_name=_("assigned at"))

    class Meta:
        verbose_name = _("voucher code")
        verbose_name_plural = _("voucher codes")
        db_table = "voucher_codes"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["product", "order", "created_at"], name="idx_voucher_pool")]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="voucher_codes_unique_per_product")]

    def __str__(self) -> str:
        # Never the code itself: this string shows in logs and admin messages.
        names = {"product": self.product.name, "order": self.order.short_number if self.order_id else ""}
        if self.order_id:
            return gettext("Code for %(product)s (order %(order)s)") % names
        return gettext("Code for %(product)s (unused)") % names

    @property
    def is_link(self) -> bool:
        return self.code.startswith(("https://", "http://"))
