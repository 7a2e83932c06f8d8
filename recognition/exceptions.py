from awsomeshop.exceptions import ShopError


class InvalidRecognition(ShopError):
    """The message, the value, the receivers or the points are not what a recognition can take."""

    code = "invalid_recognition"
    status = 400


class SelfRecognition(ShopError):
    """Nobody gives points to themselves."""

    code = "self_recognition"
    status = 403


class UnknownColleague(ShopError):
    code = "unknown_colleague"
    status = 404


class UnknownRecognition(ShopError):
    code = "unknown_recognition"
    status = 404


class AllowanceExceeded(ShopError):
    """The give is more than what is left of the giver's allowance this period."""

    code = "allowance_exceeded"
    status = 422


class RecognitionHidden(ShopError):
    """HR hid this recognition: nobody adds to it or reacts to it any more."""

    code = "recognition_hidden"
    status = 409


class InvalidModeration(ShopError):
    code = "invalid_moderation"
    status = 400
