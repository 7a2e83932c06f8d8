from awsomeshop.exceptions import ShopError


class InsufficientPoints(ShopError):
    code = "insufficient_points"


class InvalidAmount(ShopError):
    code = "invalid_amount"


class InvalidReason(ShopError):
    code = "invalid_reason"


class UnknownUser(ShopError):
    code = "unknown_user"


class BalanceLimitReached(ShopError):
    """The award would overflow the documented INT columns."""

    code = "balance_limit"


class SelfAward(ShopError):
    """Nobody awards points to themselves, whatever their role."""

    code = "self_award"
