from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from awsomeshop.db import EnumColumn, ExactCharField, TimestampColumn, new_id
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH


class Order(models.Model):
    """One unit of a product redeemed by an employee; maps onto the documented `orders` table.

    Orders are history: they are never edited or deleted, and they keep their product and user
    (both PROTECTed).
    """

    class Status(models.TextChoices):
        DELIVERED = "Delivered", "Delivered"

    id = models.CharField(primary_key=True, max_length=255, default=new_id, editable=False, db_column="order_id")
    # The documented schema has no foreign key to a users table; Django joins on it all the same.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        db_column="user_id",
        db_constraint=False,
        db_index=False,
    )
    product = models.ForeignKey(
        "shop.Product", on_delete=models.PROTECT, related_name="orders", db_column="product_id", db_index=False
    )
    points_used = models.IntegerField()
    status = EnumColumn(max_length=9, choices=Status.choices, default=Status.DELIVERED, db_default=Status.DELIVERED)
    created_at = TimestampColumn(auto_now_add=True)
    # Not in the documented schema: the client's key for this redemption, so a retried request
    # returns this order instead of buying a second one.
    # The balance the redemption left, set by order_redeem on the order it returns (not a column).
    balance_after: int | None = None
    idempotency_key = ExactCharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: no key

    class Meta:
        db_table = "orders"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user"], name="idx_user_orders"),
            models.Index(fields=["created_at"], name="idx_order_date"),
            models.Index(fields=["user", "created_at", "id"], name="idx_user_orders_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points_used__gte=0), name="orders_points_used_not_negative"),
            models.CheckConstraint(condition=Q(status__in=["Delivered"]), name="orders_status_valid"),
            # NULLs never collide, so orders without a key are not limited.
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="orders_user_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"Order {self.short_number}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", kwargs={"order_id": self.pk})

    @property
    def short_number(self) -> str:
        """What people read out and type: the first block of the id, upper-case."""
        return self.pk.split("-")[0].upper()
