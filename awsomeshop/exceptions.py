"""The one family of business errors. Services raise them; the portal, the admin and the API turn
them into a message, each in its own way, from the same `code`, `message` and `details`."""

from typing import Any


class ShopError(Exception):
    """A business rule refused the operation; nothing was written."""

    code = "refused"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message
