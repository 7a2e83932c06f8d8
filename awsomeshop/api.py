"""API plumbing: the one JSON error shape and strict input serializers.

Pagination and throttling live in `awsomeshop/api_defaults.py`: DRF reads those settings when its
view classes are defined, so their module must not import DRF's views (this one does).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from awsomeshop.exceptions import ShopError
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_PATTERN
from awsomeshop.text import number


def error_body(*, code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _drf_error(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_body(code="invalid", message=_("The request is not valid; see details."), details=dict(fields))
    details = {"wait_seconds": getattr(exc, "wait", None)} if isinstance(exc, exceptions.Throttled) else None
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else str(exc.default_code)
    return error_body(code=code, message=str(exc.detail), details=details)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error as {"error": {"code", "message", "details"}} with the right status."""
    if isinstance(exc, ShopError):
        return Response(error_body(code=exc.code, message=exc.message, details=exc.details), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("The request body is larger than the API takes (%(limit)s bytes).") % {"limit": number(limit)}
        return Response(
            error_body(code="request_too_large", message=message, details={"max_bytes": limit}),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = _drf_error(exc)
    return response


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, so a client that sends
    `user_id`, `points_used` or `status` learns they are not its to set."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("This field is not accepted here.")] for name in unknown})
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else. DRF's IntegerField also takes "10", 10.0 and digits of
    other scripts; for points and prices that is a client bug to report, not to guess at."""

    default_error_messages = {
        "not_integer": gettext_lazy("A JSON integer is required (not a string, a decimal or a boolean).")
    }

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("not_integer")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false and nothing else. DRF's BooleanField also takes "no", "0" and 1."""

    default_error_messages = {"not_boolean": gettext_lazy("A JSON boolean is required (true or false).")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_boolean")
        return data


class StrictStringMixin:
    """A JSON string and nothing else. DRF's CharField turns 12 into "12"; a number where an
    address, a reason or an id belongs is a client bug to report. Every text field a client writes
    is strict (tests/api/test_strict_strings.py)."""

    default_error_messages: ClassVar[dict[str, Any]] = {"not_string": gettext_lazy("A JSON string is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_string")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(StrictStringMixin, serializers.CharField):
    """Text, from a JSON string only."""


class StrictEmailField(StrictStringMixin, serializers.EmailField):
    """An e-mail address, from a JSON string only."""


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="Stable machine-readable code, e.g. insufficient_points."),
                "message": serializers.CharField(help_text="A sentence to show the user."),
                "details": serializers.DictField(help_text="Field errors or figures behind the refusal."),
            },
        )
    },
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input (malformed JSON, wrong types, unknown fields, values out of range).",
    401: "Not signed in, or the token is not valid.",
    403: "Signed in, but not allowed (`self_award`: nobody awards points to themselves).",
    404: "Not found (or not yours), or a page number past the last page.",
    409: "Conflict: out of stock, the price changed (`price_changed`, the current price in details), a "
    "reversal larger than can be taken back (`reversal_too_large`, `reversible` in details), or a request "
    "decided already (`award_request_decided`).",
    413: "The request body is larger than the API takes.",
    422: "Refused: not enough points, over the budget (`over_budget`, the figures in details), or an "
    "idempotency key reused for another request.",
    429: "Too many requests; retry after details.wait_seconds.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """OpenAPI documentation of the error responses an endpoint can give."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in statuses}


def idempotency_key_header(description: str) -> OpenApiParameter:
    """OpenAPI documentation of the `Idempotency-Key` header of a write that must happen once."""
    return OpenApiParameter(
        name="Idempotency-Key",
        type={
            "type": "string",
            "minLength": 1,
            "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
            "pattern": IDEMPOTENCY_KEY_PATTERN,
        },
        location=OpenApiParameter.HEADER,
        required=False,
        description=f"{description} 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, compared "
        "exactly (case included); kept forever.",
    )
