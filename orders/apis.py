from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import (
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    error_responses,
    idempotency_key_header,
)
from shop.apis import iso_datetime, product_image_url

from .exceptions import OrderNotFound
from .models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, PICKUP_LOCATION_MAX_LENGTH, STATUS_CODES, Order
from .selectors import order_balance_after, order_code_get, order_get_for_user, order_list_for_user, order_timeline
from .services import CANCEL_REASON_MAX_LENGTH, OrderDetails, order_cancel, order_redeem


class OrderProductSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, product) -> str | None:
        return product_image_url(product, self.context["request"])


class OrderOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(
    {
        "type": "string",
        "deprecated": True,
        "description": "The status's English label (“Ready for pickup”), as v1 always sent it. Read "
        "`status_code` instead: v2 will send the code here.",
    }
)
class StatusLabelField(serializers.CharField):
    """v1's `status`: the label, kept as it was so no client breaks; deprecated for `status_code`."""


class OrderOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="short_number", read_only=True)
    status = StatusLabelField(read_only=True)
    # A code, as every other enum of the API is (`delivery_method: "shipped"`).
    status_code = serializers.ChoiceField(
        choices=sorted(STATUS_CODES.values()), read_only=True, help_text="Where the order is: placed, …, cancelled."
    )
    product = OrderProductSerializer(read_only=True)
    option = OrderOptionSerializer(read_only=True, allow_null=True, help_text="The option picked, if any.")

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "product",
            "option",
            "points_used",
            "status",
            "status_code",
            "delivery_method",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, order: Order) -> dict:
        # The redemption's hot path: the declared fields and formats, built directly (DRF's
        # field-by-field machinery cost more than the redemption's SQL; a test compares both).
        product = order.product
        return {
            "id": order.pk,
            "number": order.short_number,
            "product": {
                "id": product.pk,
                "name": product.name,
                "image_url": product_image_url(product, self.context["request"]),
            },
            "option": {"id": order.option.pk, "name": order.option.name} if order.option_id else None,
            "points_used": order.points_used,
            "status": order.status,
            "status_code": STATUS_CODES[order.status],
            "delivery_method": order.delivery_method,
            "created_at": iso_datetime(order.created_at, timezone.get_current_timezone()),
        }


class OrderHistorySerializer(serializers.Serializer):
    status = StatusLabelField()
    status_code = serializers.ChoiceField(choices=sorted(STATUS_CODES.values()))
    at = serializers.DateTimeField()
    note = serializers.CharField(help_text="A cancellation's reason, a code handed out, …; may be empty.")


def order_detail_data(order: Order, *, request: Request) -> dict:
    """One order as OrderDetailSerializer declares it: the list's fields, its history, its
    delivery details and (digital rewards) its code."""
    zone = timezone.get_current_timezone()
    history = [
        {
            "status": step.status,
            "status_code": STATUS_CODES[step.status],
            "at": iso_datetime(step.at, zone),
            "note": step.note,
        }
        for step in order_timeline(order=order)
    ]
    return {
        **OrderOutputSerializer(order, context={"request": request}).data,
        "history": history,
        "delivery_address": order.delivery_address,
        "pickup_location": order.pickup_location,
        "note": order.note,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "code": order_code_get(order=order),
        "cancellable": order.is_cancellable_by_employee,
    }


def _optional_text(max_length: int, help_text: str) -> serializers.CharField:
    return StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        max_length=max_length,
        help_text=help_text,
    )


class RedeemInputSerializer(StrictInputSerializer):
    product_id = StrictCharField(max_length=255)
    expected_points_cost = StrictIntegerField(
        required=False,
        min_value=0,
        help_text="The price the user confirmed. If the price is another now, nothing is charged: 409 "
        "`price_changed` with the current price in `details.points_cost`.",
    )
    option_id = StrictCharField(
        required=False, allow_null=True, max_length=255, help_text="Required when the product has options."
    )
    delivery_address = _optional_text(ADDRESS_MAX_LENGTH, "Required when the product is shipped; refused otherwise.")
    pickup_location = _optional_text(
        PICKUP_LOCATION_MAX_LENGTH, "Office and desk; required when the product is picked up, refused otherwise."
    )
    note = _optional_text(NOTE_MAX_LENGTH, "The answer to the product's `note_prompt`; required when it has one.")

    def details(self) -> OrderDetails:
        data = self.validated_data
        return OrderDetails(
            option_id=data.get("option_id"),
            delivery_address=data.get("delivery_address"),
            pickup_location=data.get("pickup_location"),
            note=data.get("note"),
        )


class CancelInputSerializer(StrictInputSerializer):
    reason = _optional_text(CANCEL_REASON_MAX_LENGTH, "Why, in a few words (optional).")


class RedeemOutputSerializer(serializers.Serializer):
    order = OrderOutputSerializer()
    balance_after = serializers.IntegerField(help_text="My balance right after this redemption.")


IDEMPOTENCY_KEY_HEADER = idempotency_key_header(
    "Required for mobile clients. A new random value (a UUID) per redemption; send the same value when "
    "retrying. The same key and body return the original 201 response without charging again; the "
    "same key with another product is a 422."
)


class OrderListCreateApi(generics.ListAPIView):
    serializer_class = OrderOutputSerializer
    input_serializer_class = RedeemInputSerializer
    throttle_scope = "redemptions"

    def get_queryset(self):
        return order_list_for_user(user_id=self.request.user.pk)

    @extend_schema(tags=["orders"], responses={200: OrderOutputSerializer, **error_responses(400, 401, 404)})
    def get(self, request: Request, *args, **kwargs) -> Response:
        """My orders, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["orders"],
        request=RedeemInputSerializer,
        parameters=[IDEMPOTENCY_KEY_HEADER],
        responses={201: RedeemOutputSerializer, **error_responses(400, 401, 404, 409, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        """Redeem one unit of a product with my points."""
        payload = RedeemInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = order_redeem(
            user_id=request.user.pk,
            product_id=payload.validated_data["product_id"],
            idempotency_key=request.headers.get("Idempotency-Key"),
            expected_points_cost=payload.validated_data.get("expected_points_cost"),
            details=payload.details(),
        )
        # The ledger row's balance, not today's: a replay answers exactly what the first call did.
        data = {"order": order, "balance_after": order_balance_after(order=order)}
        return Response(RedeemOutputSerializer(data, context={"request": request}).data, status=status.HTTP_201_CREATED)


class OrderDetailSerializer(OrderOutputSerializer):
    """The schema of one order: the list's fields and the details (`order_detail_data` builds it)."""

    history = OrderHistorySerializer(many=True, read_only=True)
    code = serializers.CharField(allow_null=True, read_only=True, help_text="A digital reward's code or link.")
    cancellable = serializers.BooleanField(read_only=True, help_text="Whether POST …/cancel would cancel it now.")

    class Meta(OrderOutputSerializer.Meta):
        fields = [
            *OrderOutputSerializer.Meta.fields,
            "history",
            "delivery_address",
            "pickup_location",
            "note",
            "carrier",
            "tracking_number",
            "code",
            "cancellable",
        ]
        read_only_fields = fields


@extend_schema(tags=["orders"], responses={200: OrderDetailSerializer, **error_responses(401, 404)})
class OrderDetailApi(APIView):
    """One of my orders with its history, delivery details and (digital rewards) its code;
    anyone else's is a 404."""

    def get(self, request: Request, order_id: str) -> Response:
        order = order_get_for_user(user_id=request.user.pk, order_id=order_id)
        if order is None:
            raise NotFound(_("No such order."))
        return Response(order_detail_data(order, request=request))


class OrderCancellationSerializer(OrderDetailSerializer):
    cancelled_now = serializers.BooleanField(
        read_only=True, help_text="False when the order was already cancelled: nothing was refunded again."
    )
    refunded_points = serializers.IntegerField(read_only=True, help_text="Points this call gave back (0 on a replay).")

    class Meta(OrderDetailSerializer.Meta):
        fields = [*OrderDetailSerializer.Meta.fields, "cancelled_now", "refunded_points"]
        read_only_fields = fields


@extend_schema(
    tags=["orders"],
    request=CancelInputSerializer,
    responses={200: OrderCancellationSerializer, **error_responses(400, 401, 404, 409, 429)},
)
class OrderCancelApi(APIView):
    """Cancel one of my orders while it is Placed: its points come back and its unit goes back in
    stock. Idempotent: cancelling a cancelled order again answers 200 with `cancelled_now` false
    and refunds nothing. Too late (processing, shipped, delivered) is a 409 `order_not_cancellable`."""

    throttle_scope = "redemptions"

    def post(self, request: Request, order_id: str) -> Response:
        # No body is no reason; any body must be an object (`[]` or `false` is a 400, not a cancel).
        payload = CancelInputSerializer(data=request.data if request.body else {})
        payload.is_valid(raise_exception=True)
        try:
            outcome = order_cancel(
                order_id=order_id, cancelled_by_id=request.user.pk, reason=payload.validated_data.get("reason") or ""
            )
        except OrderNotFound as missing:
            raise NotFound(_("No such order.")) from missing
        order = order_get_for_user(user_id=request.user.pk, order_id=outcome.order.pk)
        data = order_detail_data(order, request=request)
        refunded = outcome.refund.points_amount if outcome.refund else 0
        return Response({**data, "cancelled_now": outcome.cancelled_now, "refunded_points": refunded})
