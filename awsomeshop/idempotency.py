"""Client idempotency keys, as the redemption and award APIs take them in `Idempotency-Key`."""

import re

from django.utils.translation import gettext as _

from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

IDEMPOTENCY_KEY_MAX_LENGTH = 100
# Visible ASCII, no spaces: what fits an HTTP header unchanged, such as a UUID.
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$"


class InvalidIdempotencyKey(ShopError):
    code = "invalid_idempotency_key"
    status = 400


class IdempotencyKeyReused(ShopError):
    """The key already belongs to another request (another product, other awards)."""

    code = "idempotency_key_reused"
    status = 422


def idempotency_key_clean(key: object) -> str | None:
    """The key as given, or None for no key; anything else than 1 to 100 visible ASCII characters
    is refused. Keys are compared exactly, case included (their columns are binary)."""
    if key is None:
        return None
    if not isinstance(key, str) or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise InvalidIdempotencyKey(
            _("An idempotency key is 1 to %(max_length)s visible ASCII characters, such as a UUID.")
            % {"max_length": number(IDEMPOTENCY_KEY_MAX_LENGTH)},
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        )
    return key
