from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import StrictInputSerializer, StrictIntegerField, error_responses, idempotency_key_header
from awsomeshop.db import new_id
from awsomeshop.exceptions import rule_applied

from .models import AwardBatch, PointsTransaction, UserPoints
from .selectors import points_transaction_list, user_points_get
from .services import Award, points_amount_clean, points_award_batch, points_reason_clean


class BalanceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserPoints
        fields = ["current_points", "total_earned", "total_redeemed"]
        read_only_fields = fields


class TransactionOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = PointsTransaction
        fields = ["id", "transaction_type", "points_amount", "balance_after", "description", "order_id", "created_at"]
        read_only_fields = fields


class MeOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    can_award_points = serializers.BooleanField()
    balance = BalanceOutputSerializer()


@extend_schema(tags=["me"], responses={200: MeOutputSerializer, **error_responses(401)})
class MeApi(APIView):
    """Who I am and my balance."""

    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "can_award_points": user.has_perm("points.award_points"),
            "balance": user_points_get(user_id=user.pk),
        }
        return Response(MeOutputSerializer(data).data)


@extend_schema(tags=["me"], responses={200: TransactionOutputSerializer, **error_responses(400, 401, 404)})
class MyTransactionListApi(generics.ListAPIView):
    """My points ledger, newest first."""

    serializer_class = TransactionOutputSerializer

    def get_queryset(self):
        return points_transaction_list(user_id=self.request.user.pk).select_related(None)


class CanAwardPoints(BasePermission):
    message = "Only HR can award points."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("points.award_points")


class AwardInputSerializer(StrictInputSerializer):
    """The JSON types here; the award rules (range, reason) are the service's, in its words."""

    user_id = serializers.CharField(max_length=255, help_text="The employee's user id (see /me).")
    amount = StrictIntegerField(help_text=f"Whole points, 1 to {settings.POINTS_MAX_AWARD:,}.")
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="Shown to the employee.")

    def validate_amount(self, value: int) -> int:
        return rule_applied(points_amount_clean, value, invalid=serializers.ValidationError)

    def validate_reason(self, value: str) -> str:
        return rule_applied(points_reason_clean, value, invalid=serializers.ValidationError)


class AwardOutputSerializer(serializers.Serializer):
    transaction = TransactionOutputSerializer()
    balance = BalanceOutputSerializer()


@extend_schema(
    tags=["hr"],
    request=AwardInputSerializer,
    parameters=[
        idempotency_key_header(
            "A new random value (a UUID) per award; send the same value when retrying. The same key and "
            "body return the original 201 response without awarding again; the same key with another body "
            "is a 422. Keys are yours alone: another HR user's key never matches."
        )
    ],
    responses={201: AwardOutputSerializer, **error_responses(400, 401, 403, 404, 413, 422, 429)},
)
class AwardCreateApi(APIView):
    """Award points to one employee (HR only, never to yourself). The same limits as in the admin apply."""

    permission_classes = [CanAwardPoints]
    throttle_scope = "awards"
    input_serializer_class = AwardInputSerializer

    def post(self, request: Request) -> Response:
        payload = AwardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        outcome = points_award_batch(
            awards=[Award(**payload.validated_data)],
            awarded_by_id=request.user.pk,
            source=AwardBatch.Source.API,
            client_key=key,
            batch_id=None if key is not None else new_id(),
        )
        (row,) = outcome.transactions
        # The balance this award left, stored with it: a replay answers exactly what the first call did.
        data = {"transaction": row, "balance": outcome.batch.balances[row.user_id]}
        return Response(AwardOutputSerializer(data).data, status=status.HTTP_201_CREATED)
