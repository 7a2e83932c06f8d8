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


class UnknownAward(ShopError):
    """No award (an `earned` ledger row) has this id."""

    code = "unknown_award"


class ReversalTooLarge(ShopError):
    """More than the award gave, or than the employee still has; `details` says the most that can."""

    code = "reversal_too_large"


class SelfReversal(ShopError):
    code = "self_reversal"


class OverBudget(ShopError):
    """The programme's budget for the period, or the HR user's part of it, has less left."""

    code = "over_budget"


class UnknownAwardRequest(ShopError):
    code = "unknown_award_request"


class AwardRequestDecided(ShopError):
    """The request was approved or rejected already, by someone else or in another way."""

    code = "award_request_decided"


class SelfApproval(ShopError):
    """Four eyes: whoever asked for a large award cannot approve it."""

    code = "self_approval"


class InvalidBudget(ShopError):
    code = "invalid_budget"


class RequesterCannotAward(ShopError):
    """The HR user who asked for the award may no longer award points (left HR, deactivated)."""

    code = "requester_cannot_award"
