from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import StrictInputSerializer, StrictIntegerField, error_responses, idempotency_key_header
from shop.apis import iso_datetime, product_image_url

from .models import Order
from .selectors import order_balance_after, order_get_for_user, order_list_for_user
from .services import order_redeem


class OrderProductSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, product) -> str | None:
        return product_image_url(product, self.context["request"])


class OrderOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="short_number", read_only=True)
    product = OrderProductSerializer(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "product", "points_used", "status", "created_at"]
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
            "points_used": order.points_used,
            "status": order.status,
            "created_at": iso_datetime(order.created_at, timezone.get_current_timezone()),
        }


class RedeemInputSerializer(StrictInputSerializer):
    product_id = serializers.CharField(max_length=255)
    expected_points_cost = StrictIntegerField(
        required=False,
        min_value=0,
        help_text="The price the user confirmed. If the price is another now, nothing is charged: 409 "
        "`price_changed` with the current price in `details.points_cost`.",
    )


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
        )
        # The ledger row's balance, not today's: a replay answers exactly what the first call did.
        data = {"order": order, "balance_after": order_balance_after(order=order)}
        return Response(RedeemOutputSerializer(data, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["orders"], responses={200: OrderOutputSerializer, **error_responses(401, 404)})
class OrderDetailApi(APIView):
    """One of my orders; anyone else's is a 404."""

    def get(self, request: Request, order_id: str) -> Response:
        order = order_get_for_user(user_id=request.user.pk, order_id=order_id)
        if order is None:
            raise NotFound("No such order.")
        return Response(OrderOutputSerializer(order, context={"request": request}).data)
