"""The redemption's own refusals live with the catalog (shop.exceptions) and the points
(points.exceptions); the idempotency key's are shared with the award API."""

from awsomeshop.idempotency import IdempotencyKeyReused, InvalidIdempotencyKey

__all__ = ["IdempotencyKeyReused", "InvalidIdempotencyKey"]
