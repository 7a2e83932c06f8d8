"""Recognition for mobile clients: the feed, giving, adding points, reacting, my allowance and the
company values. Thin: the rules and their words are `recognition.services`'."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import (
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    error_responses,
    idempotency_key_header,
)

from .models import MESSAGE_MAX_LENGTH
from .selectors import (
    allowance_state,
    company_value_list,
    feed_entries,
    recognition_feed,
    recognition_get,
    value_id_parse,
)
from .services import RECEIVERS_MAX, GiveOutcome, recognition_add_points, recognition_give, recognition_react


class PersonSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.email


class CompanyValueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()


class AddedPointsSerializer(serializers.Serializer):
    giver = PersonSerializer()
    points_each = serializers.IntegerField()


class RecognitionOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="recognition.pk")
    giver = PersonSerializer(source="recognition.giver", allow_null=True, help_text="None for a milestone.")
    receivers = PersonSerializer(many=True)
    value = CompanyValueSerializer(source="recognition.value", allow_null=True, help_text="None for a milestone.")
    milestone = serializers.CharField(
        source="recognition.milestone", help_text="For a milestone AWSomeShop gave: service-5, birthday-2027; else ''."
    )
    message = serializers.CharField(source="recognition.message", help_text="Plain text, as written.")
    message_html = serializers.CharField(help_text="The message as HTML, each @mention a link to the colleague.")
    is_public = serializers.BooleanField(source="recognition.is_public")
    points_each = serializers.IntegerField(help_text="What the recognition itself gave each receiver.")
    added = serializers.SerializerMethodField(help_text="Points colleagues added since, per receiver.")
    total_points = serializers.IntegerField(source="total", help_text="All points given on it, to all receivers.")
    reactions = serializers.DictField(child=serializers.IntegerField(), help_text="Count per reaction kind.")
    my_reactions = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="recognition.created_at")

    def get_added(self, entry) -> list[dict]:
        return [{"giver": PersonSerializer(giver).data, "points_each": points} for giver, points in entry.added]

    def get_my_reactions(self, entry) -> list[str]:
        return sorted(entry.mine)


class AllowanceOutputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="What is left lapses after this day.")
    monthly_points = serializers.IntegerField()
    given = serializers.IntegerField()
    left = serializers.IntegerField()


class GiveInputSerializer(StrictInputSerializer):
    receivers = serializers.ListField(
        child=StrictCharField(max_length=255), min_length=1, max_length=RECEIVERS_MAX, help_text="User ids."
    )
    value_id = StrictIntegerField(min_value=1)
    points_each = StrictIntegerField(min_value=1)
    message = StrictCharField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)
    is_public = StrictBooleanField(default=True)


class AddPointsInputSerializer(StrictInputSerializer):
    points_each = StrictIntegerField(min_value=1)


class GiveOutputSerializer(serializers.Serializer):
    recognition = RecognitionOutputSerializer()
    allowance_left = serializers.IntegerField(help_text="What I can still give this month.")


GIVE_KEY_HEADER = idempotency_key_header(
    "A new random value (a UUID) per recognition; send the same value when retrying. The same key and "
    "body return the first answer without giving again; the same key with another body is a 422."
)


def _entry(recognition, viewer_id: str):
    [entry] = feed_entries([recognition], viewer_id=viewer_id)
    return entry


def _given(outcome: GiveOutcome, request: Request) -> Response:
    recognition = recognition_get(viewer_id=request.user.pk, recognition_id=outcome.recognition.pk)
    data = {"recognition": _entry(recognition, request.user.pk), "allowance_left": outcome.allowance_left}
    return Response(
        GiveOutputSerializer(data).data, status=status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED
    )


class RecognitionListCreateApi(generics.ListAPIView):
    """The feed, newest first (`value`: one company value's; `person`: what one colleague gave or
    received), and giving."""

    serializer_class = RecognitionOutputSerializer

    def get_queryset(self):
        value = self.request.query_params.get("value", "")
        person = self.request.query_params.get("person", "") or None
        value_id = value_id_parse(value)
        if value and value_id is None:
            raise serializers.ValidationError({"value": ["A company value's id (a whole number)."]})
        return recognition_feed(viewer_id=self.request.user.pk, value_id=value_id, person_id=person and person[:255])

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return feed_entries(page, viewer_id=self.request.user.pk) if page is not None else None

    @extend_schema(
        tags=["recognition"],
        parameters=[
            OpenApiParameter("value", int, description="Only this company value's recognitions."),
            OpenApiParameter("person", str, description="Only what this colleague (a user id) gave or received."),
        ],
        responses={200: RecognitionOutputSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["recognition"],
        request=GiveInputSerializer,
        parameters=[GIVE_KEY_HEADER],
        responses={
            201: GiveOutputSerializer,
            200: GiveOutputSerializer,
            **error_responses(400, 401, 403, 404, 422),
        },
    )
    def post(self, request: Request) -> Response:
        """Recognise colleagues for a company value, giving each `points_each` from my allowance
        (201; a retry with the same `Idempotency-Key` answers 200 with the first give)."""
        payload = GiveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        outcome = recognition_give(
            giver_id=request.user.pk,
            receiver_ids=data["receivers"],
            points_each=data["points_each"],
            message=data["message"],
            value_id=data["value_id"],
            is_public=data["is_public"],
            client_key=request.headers.get("Idempotency-Key"),
        )
        return _given(outcome, request)


class RecognitionDetailApi(APIView):
    @extend_schema(tags=["recognition"], responses={200: RecognitionOutputSerializer, **error_responses(401, 404)})
    def get(self, request: Request, recognition_id: str) -> Response:
        """One recognition I may see."""
        recognition = recognition_get(viewer_id=request.user.pk, recognition_id=recognition_id)
        if recognition is None:
            raise NotFound(_("There is no recognition with this id."))
        return Response(RecognitionOutputSerializer(_entry(recognition, request.user.pk)).data)


class RecognitionAddPointsApi(APIView):
    @extend_schema(
        tags=["recognition"],
        request=AddPointsInputSerializer,
        parameters=[GIVE_KEY_HEADER],
        responses={
            201: GiveOutputSerializer,
            200: GiveOutputSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, recognition_id: str) -> Response:
        """Add my points to a colleague's recognition: each receiver gets `points_each` from my allowance."""
        payload = AddPointsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outcome = recognition_add_points(
            giver_id=request.user.pk,
            recognition_id=recognition_id,
            points_each=payload.validated_data["points_each"],
            client_key=request.headers.get("Idempotency-Key"),
        )
        return _given(outcome, request)


class RecognitionReactionApi(APIView):
    """My reaction of one kind on a recognition: PUT adds it, DELETE takes it back; both repeatable."""

    @extend_schema(tags=["recognition"], request=None, responses={204: None, **error_responses(400, 401, 404, 409)})
    def put(self, request: Request, recognition_id: str, kind: str) -> Response:
        recognition_react(user_id=request.user.pk, recognition_id=recognition_id, kind=kind, on=True)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=["recognition"], request=None, responses={204: None, **error_responses(400, 401, 404, 409)})
    def delete(self, request: Request, recognition_id: str, kind: str) -> Response:
        recognition_react(user_id=request.user.pk, recognition_id=recognition_id, kind=kind, on=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAllowanceApi(APIView):
    @extend_schema(tags=["me"], responses={200: AllowanceOutputSerializer, **error_responses(401)})
    def get(self, request: Request) -> Response:
        """My giving allowance this month: what I may give, have given and have left."""
        state = allowance_state(user_id=request.user.pk)
        return Response(
            AllowanceOutputSerializer(
                {
                    "period_start": state.period_start,
                    "period_end": state.period_end,
                    "monthly_points": state.monthly_points,
                    "given": state.given,
                    "left": state.left,
                }
            ).data
        )


class CompanyValueListApi(APIView):
    @extend_schema(tags=["recognition"], responses={200: CompanyValueSerializer(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        """The company values a recognition can name."""
        return Response(CompanyValueSerializer(company_value_list(), many=True).data)
