from awsomeshop.exceptions import ShopError


class IdempotencyKeyReused(ShopError):
    """The key already belongs to a redemption of something else."""

    code = "idempotency_key_reused"


class InvalidIdempotencyKey(ShopError):
    code = "invalid_idempotency_key"
