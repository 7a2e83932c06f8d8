import functools

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
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
from awsomeshop.db import new_id
from awsomeshop.exceptions import rule_applied

from .expiry import expiry_rule, points_expiring_list
from .models import AwardBatch, PointsTransaction, UserPoints
from .selectors import award_request_list, points_lot_list, points_transaction_list, reversal_state, user_points_get
from .services import (
    Award,
    award_request_approve,
    award_request_reject,
    points_amount_clean,
    points_award_batch,
    points_reason_clean,
    points_reverse,
)


class BalanceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserPoints
        fields = ["current_points", "total_earned", "total_redeemed"]
        read_only_fields = fields


class TransactionOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.CharField(read_only=True, allow_null=True)
    reverses_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="For a reversal: the award it corrects."
    )
    awarded_by_name = serializers.SerializerMethodField(
        help_text="Who gave an award (or made a correction); null for the shop's own rows."
    )

    class Meta:
        model = PointsTransaction
        fields = [
            "id",
            "transaction_type",
            "points_amount",
            "balance_after",
            "description",
            "order_id",
            "reverses_id",
            "awarded_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_awarded_by_name(self, row: PointsTransaction) -> str | None:
        giver = row.awarded_by if row.awarded_by_id else None
        return (giver.get_full_name() or giver.email) if giver else None


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
        return points_transaction_list(user_id=self.request.user.pk).select_related(None).select_related("awarded_by")


class ExpiringOutputSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    expires_on = serializers.DateField(source="on", help_text="The last day these points can be spent.")


class LotOutputSerializer(serializers.Serializer):
    credit_id = serializers.CharField(help_text="The ledger row that credited these points.")
    description = serializers.CharField(source="credit.description", allow_null=True)
    credited_at = serializers.DateTimeField()
    points = serializers.IntegerField(help_text="What the lot held when it was credited.")
    remaining = serializers.IntegerField(help_text="What is left of it; spent oldest first.")
    expires_on = serializers.DateField(allow_null=True, help_text="Null while points do not expire.")


class PointsExpiryOutputSerializer(serializers.Serializer):
    expiry_months = serializers.IntegerField(
        allow_null=True, help_text="Points lapse this many months after the month they were earned in; null: never."
    )
    expiring = ExpiringOutputSerializer(many=True, help_text="What will expire, by day, soonest first.")
    lots = LotOutputSerializer(many=True, help_text="The points behind the balance, in the order they are spent.")


@extend_schema(tags=["me"], responses={200: PointsExpiryOutputSerializer, **error_responses(401)})
class MyPointsExpiryApi(APIView):
    """When my points expire: the amounts by day and the lots behind my balance."""

    def get(self, request: Request) -> Response:
        rule = expiry_rule()
        lots = list(points_lot_list(user_id=request.user.pk))
        for lot in lots:
            lot.expires_on = rule.expires_on(lot.credited_at) if rule else None
        data = {
            "expiry_months": rule.months if rule else None,
            "expiring": points_expiring_list(user_id=request.user.pk),
            "lots": lots,
        }
        return Response(PointsExpiryOutputSerializer(data).data)


class CanAwardPoints(BasePermission):
    message = gettext_lazy("Only HR can award points.")

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("points.award_points")


class AwardInputSerializer(StrictInputSerializer):
    """The JSON types here; the award rules (range, reason) are the service's, in its words."""

    user_id = StrictCharField(max_length=255, help_text="The employee's user id (see /me).")
    amount = StrictIntegerField(help_text=f"Whole points, 1 to {settings.POINTS_MAX_AWARD:,}.")
    reason = StrictCharField(allow_blank=True, trim_whitespace=False, help_text="Shown to the employee.")

    def validate_amount(self, value: int) -> int:
        return rule_applied(points_amount_clean, value, invalid=serializers.ValidationError)

    def validate_reason(self, value: str) -> str:
        return rule_applied(points_reason_clean, value, invalid=serializers.ValidationError)


class AwardRequestAwardSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    amount = serializers.IntegerField()
    reason = serializers.CharField()


class AwardRequestOutputSerializer(serializers.ModelSerializer):
    """An award request: applied at once, or waiting for a second HR user, or rejected."""

    requested_by = serializers.EmailField(source="awarded_by.email", read_only=True)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True, default=None)
    awards = serializers.SerializerMethodField()

    class Meta:
        model = AwardBatch
        fields = [
            "id",
            "status",
            "points_total",
            "award_count",
            "awards",
            "requested_by",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_awards(self, batch: AwardBatch) -> list[dict]:
        rows = [{"user_id": row[0], "amount": row[1], "reason": row[2]} for row in batch.requested]
        return AwardRequestAwardSerializer(rows, many=True).data


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
    responses={
        201: AwardOutputSerializer,
        202: OpenApiResponse(
            AwardRequestOutputSerializer, description="Above POINTS_APPROVAL_ABOVE: waits for another HR user."
        ),
        **error_responses(400, 401, 403, 404, 413, 422, 429),
    },
)
class AwardCreateApi(APIView):
    """Award points to one employee (HR only, never to yourself). The same limits as in the admin
    apply: the budget (422 `over_budget`), and four eyes: an award above the approval threshold
    answers 202 with the waiting request and credits nothing until another HR user approves it."""

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
        if outcome.batch.status != AwardBatch.Status.APPLIED:
            # Four eyes: nothing is credited until another HR user approves (or it was rejected).
            return Response(AwardRequestOutputSerializer(outcome.batch).data, status=status.HTTP_202_ACCEPTED)
        (row,) = outcome.transactions
        # The balance this award left, stored with it: a replay answers exactly what the first call did.
        data = {"transaction": row, "balance": outcome.batch.balances[row.user_id]}
        return Response(AwardOutputSerializer(data).data, status=status.HTTP_201_CREATED)


class CanApproveAwards(BasePermission):
    message = gettext_lazy("Only HR can approve or reject award requests.")

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("points.approve_award")


def _award_request_id_clean(request_id: str) -> str:
    # Ids are UUIDs; anything longer is not one of ours (and not worth a query).
    return request_id if len(request_id) <= 36 else ""


@extend_schema(
    tags=["hr"],
    parameters=[OpenApiParameter("status", str, enum=[s.value for s in AwardBatch.Status], required=False)],
    responses={200: AwardRequestOutputSerializer(many=True), **error_responses(400, 401, 403)},
)
class AwardRequestListApi(generics.ListAPIView):
    """Award requests, newest first; `?status=pending` for those waiting for a second HR user."""

    permission_classes = [CanApproveAwards]
    serializer_class = AwardRequestOutputSerializer

    def get_queryset(self):
        wanted = self.request.query_params.get("status")
        if wanted is not None and wanted not in AwardBatch.Status.values:
            values = ", ".join(AwardBatch.Status.values)
            raise serializers.ValidationError({"status": [_("One of %(values)s.") % {"values": values}]})
        return award_request_list(status=wanted)


class DecisionOutputSerializer(serializers.Serializer):
    request = AwardRequestOutputSerializer()
    transactions = TransactionOutputSerializer(many=True)
    decided_now = serializers.BooleanField(help_text="False when this call repeated your own earlier decision.")


@extend_schema(
    tags=["hr"], request=None, responses={200: DecisionOutputSerializer, **error_responses(401, 403, 404, 409, 422)}
)
class AwardRequestApproveApi(APIView):
    """Approve another HR user's waiting award request: it credits now. Once: approving it again
    answers 200 with `decided_now` false; a request decided by someone else is a 409, your own a 403."""

    permission_classes = [CanApproveAwards]
    throttle_scope = "awards"

    def post(self, request: Request, request_id: str) -> Response:
        outcome = award_request_approve(batch_id=_award_request_id_clean(request_id), approved_by_id=request.user.pk)
        data = {"request": outcome.batch, "transactions": outcome.transactions, "decided_now": not outcome.replayed}
        return Response(DecisionOutputSerializer(data).data)


class RejectionInputSerializer(StrictInputSerializer):
    note = StrictCharField(allow_blank=True, trim_whitespace=False, help_text="Why not; the requester sees it.")

    def validate_note(self, value: str) -> str:
        return rule_applied(
            functools.partial(points_reason_clean, what="rejection"), value, invalid=serializers.ValidationError
        )


@extend_schema(
    tags=["hr"],
    request=RejectionInputSerializer,
    responses={200: AwardRequestOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class AwardRequestRejectApi(APIView):
    """Reject a waiting award request, with a note; it credits nothing. Rejecting again is a 200."""

    permission_classes = [CanApproveAwards]
    throttle_scope = "awards"
    input_serializer_class = RejectionInputSerializer

    def post(self, request: Request, request_id: str) -> Response:
        payload = RejectionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = award_request_reject(
            batch_id=_award_request_id_clean(request_id),
            rejected_by_id=request.user.pk,
            note=payload.validated_data["note"],
        )
        return Response(AwardRequestOutputSerializer(batch).data)


class ReversalInputSerializer(StrictInputSerializer):
    amount = StrictIntegerField(help_text="Points to take back, at most what GET on this path says is reversible.")
    reason = StrictCharField(allow_blank=True, trim_whitespace=False, help_text="Shown to the employee.")

    def validate_amount(self, value: int) -> int:
        return rule_applied(points_amount_clean, value, invalid=serializers.ValidationError)

    def validate_reason(self, value: str) -> str:
        return rule_applied(
            functools.partial(points_reason_clean, what="correction"), value, invalid=serializers.ValidationError
        )


class ReversalStateOutputSerializer(serializers.Serializer):
    award_points = serializers.IntegerField()
    reversed = serializers.IntegerField(help_text="Taken back already.")
    balance = serializers.IntegerField(help_text="The employee's balance now.")
    expired = serializers.IntegerField(help_text="What of the award lapsed unspent: it cannot be taken back again.")
    reversible = serializers.IntegerField(help_text="The most that can be taken back now.")


@extend_schema(
    tags=["hr"],
    request=ReversalInputSerializer,
    parameters=[
        idempotency_key_header(
            "A new random value (a UUID) per correction; the same key and body answer the first 201 again "
            "without taking anything more back; the same key with another body is a 422."
        )
    ],
    responses={201: TransactionOutputSerializer, **error_responses(400, 401, 403, 404, 409, 413, 422, 429)},
)
class AwardReversalApi(APIView):
    """Correct an award (HR): GET says how much can be taken back; POST takes back all or part of
    it, with a reason, as a new `reversed` ledger row. Never below zero: more than is reversible is
    a 409 `reversal_too_large` with `reversible` in details."""

    permission_classes = [CanAwardPoints]
    throttle_scope = "awards"
    input_serializer_class = ReversalInputSerializer

    @extend_schema(
        request=None, parameters=[], responses={200: ReversalStateOutputSerializer, **error_responses(401, 403, 404)}
    )
    def get(self, request: Request, award_id: str) -> Response:
        award = PointsTransaction.objects.filter(
            pk=award_id[:255], transaction_type=PointsTransaction.Type.EARNED
        ).first()
        if award is None:
            raise NotFound(_("There is no award with this id."))
        state = reversal_state(award=award)
        data = {
            "award_points": state.award_points,
            "reversed": state.reversed,
            "balance": state.balance,
            "expired": state.expired,
            "reversible": state.reversible,
        }
        return Response(ReversalStateOutputSerializer(data).data)

    def post(self, request: Request, award_id: str) -> Response:
        payload = ReversalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        outcome = points_reverse(
            award_id=award_id[:255],
            amount=payload.validated_data["amount"],
            reason=payload.validated_data["reason"],
            reversed_by_id=request.user.pk,
            source=AwardBatch.Source.API,
            client_key=key,
            batch_id=None if key is not None else new_id(),
        )
        return Response(TransactionOutputSerializer(outcome.transaction).data, status=status.HTTP_201_CREATED)
