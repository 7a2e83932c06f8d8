"""The one family of business errors. Services raise them; the portal, the admin and the API turn
them into a message, each in its own way, from the same `code`, `message` and `details`."""

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ShopError(Exception):
    """A business rule refused the operation; nothing was written."""

    code = "refused"
    # How the refusal reads over HTTP: each subclass names its own (tests/test_layers.py checks),
    # so the API's error handler needs no table of every app's errors.
    status = 422

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


def rule_applied(rule: Callable[[Any], T], value: Any, *, invalid: type[Exception]) -> T:
    """A service's rule used as a form's or a serializer's validation: its refusal becomes
    `invalid` (that framework's ValidationError) with the same message, so a rule and its words
    exist once, in the service."""
    try:
        return rule(value)
    except ShopError as refusal:
        raise invalid(refusal.message) from refusal
