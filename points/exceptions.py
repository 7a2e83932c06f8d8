from awsomeshop.exceptions import ShopError


class InsufficientPoints(ShopError):
    code = "insufficient_points"
    status = 422


class InvalidAmount(ShopError):
    code = "invalid_amount"
    status = 400


class InvalidReason(ShopError):
    code = "invalid_reason"
    status = 400


class UnknownUser(ShopError):
    code = "unknown_user"
    status = 404


class BalanceLimitReached(ShopError):
    """The award would overflow the documented INT columns."""

    code = "balance_limit"
    status = 422


class SelfAward(ShopError):
    """Nobody awards points to themselves, whatever their role."""

    code = "self_award"
    status = 403


class UnknownAward(ShopError):
    """No award (an `earned` ledger row) has this id."""

    code = "unknown_award"
    status = 404


class ReversalTooLarge(ShopError):
    """More than the award gave, or than the employee still has; `details` says the most that can."""

    code = "reversal_too_large"
    status = 409


class SelfReversal(ShopError):
    code = "self_reversal"
    status = 403


class OverBudget(ShopError):
    """The programme's budget for the period, or the HR user's part of it, has less left."""

    code = "over_budget"
    status = 422


class UnknownAwardRequest(ShopError):
    code = "unknown_award_request"
    status = 404


class AwardRequestDecided(ShopError):
    """The request was approved or rejected already, by someone else or in another way."""

    code = "award_request_decided"
    status = 409


class SelfApproval(ShopError):
    """Four eyes: whoever asked for a large award cannot approve it."""

    code = "self_approval"
    status = 403


class InvalidBudget(ShopError):
    code = "invalid_budget"
    status = 400


class RequesterCannotAward(ShopError):
    """The HR user who asked for the award may no longer award points (left HR, deactivated)."""

    code = "requester_cannot_award"
    status = 409
