"""The redemption's own refusals live with the catalog (shop.exceptions) and the points
(points.exceptions); the idempotency key's are shared with the award API."""

from awsomeshop.exceptions import ShopError
from awsomeshop.idempotency import IdempotencyKeyReused, InvalidIdempotencyKey

__all__ = [
    "IdempotencyKeyReused",
    "InvalidIdempotencyKey",
    "InvalidOrderDetails",
    "InvalidStatusChange",
    "InvalidVoucherCode",
    "OrderNotCancellable",
    "OrderNotFound",
]


class InvalidOrderDetails(ShopError):
    """The delivery details, the note or another part of the order request is missing or wrong."""

    code = "invalid_order_details"
    status = 400


class OrderNotFound(ShopError):
    """No such order, or one the caller may not see."""

    code = "order_not_found"
    status = 404


class OrderNotCancellable(ShopError):
    """It is too late to cancel: the order is on its way, delivered, or beyond the caller's reach."""

    code = "order_not_cancellable"
    status = 409


class InvalidStatusChange(ShopError):
    """The order cannot go to that status from where it is."""

    code = "invalid_status_change"
    status = 409


class InvalidVoucherCode(ShopError):
    """A code or link is empty, too long, already used for the product, or for the wrong order."""

    code = "invalid_voucher_code"
    status = 400
