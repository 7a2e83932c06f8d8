from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import error_responses

from .kinds import notification_kind_list
from .models import Notification
from .selectors import notification_list_for_user, notification_unread_count
from .services import notification_mark_read, notifications_mark_all_read


class NotificationOutputSerializer(serializers.ModelSerializer):
    # The kinds the apps declared (notifications/kinds.py), all loaded when Django started: the
    # schema lists them, as it did when they were the model's choices.
    kind = serializers.ChoiceField(
        choices=[(kind.code, kind.label) for kind in notification_kind_list()], read_only=True
    )
    url = serializers.SerializerMethodField(help_text="The portal page it is about.")
    read = serializers.BooleanField(source="is_read", read_only=True)
    # In the language the request asks for (Accept-Language): notifications.words.
    title = serializers.CharField(source="title_shown", read_only=True)
    body = serializers.CharField(source="body_shown", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read"]
        read_only_fields = fields

    def get_url(self, notification: Notification) -> str:
        return settings.SITE_URL.rstrip("/") + notification.link


UNREAD_FILTER = {"true": True, "false": False}


@extend_schema(
    tags=["notifications"],
    parameters=[
        OpenApiParameter(
            "unread", str, enum=["true", "false"], description="Only the unread (true) or read (false) ones."
        )
    ],
    responses={200: NotificationOutputSerializer, **error_responses(400, 401, 404)},
)
class MyNotificationListApi(generics.ListAPIView):
    """My notifications, newest first: awards, orders and their steps, refunds, codes ready."""

    serializer_class = NotificationOutputSerializer

    def get_queryset(self):
        unread = self.request.query_params.get("unread") or None  # an empty value is no filter
        if unread is not None and unread not in UNREAD_FILTER:
            raise serializers.ValidationError({"unread": [_("Either true or false.")]})
        return notification_list_for_user(
            user_id=self.request.user.pk, unread=UNREAD_FILTER[unread] if unread is not None else None
        )


UNREAD = inline_serializer(name="UnreadCount", fields={"unread": serializers.IntegerField()})


@extend_schema(tags=["notifications"], responses={200: UNREAD, **error_responses(401)})
class NotificationUnreadCountApi(APIView):
    """How many of my notifications are unread; reading the count marks nothing read (a badge)."""

    def get(self, request: Request) -> Response:
        return Response({"unread": notification_unread_count(user_id=request.user.pk)})


@extend_schema(tags=["notifications"], request=None, responses={200: UNREAD, **error_responses(401, 404)})
class NotificationReadApi(APIView):
    """Mark one of my notifications read (again is fine); anyone else's is a 404."""

    def post(self, request: Request, notification_id: str) -> Response:
        if not notification_mark_read(user_id=request.user.pk, notification_id=notification_id):
            raise NotFound(_("No such notification."))
        return Response({"unread": notification_unread_count(user_id=request.user.pk)})


@extend_schema(tags=["notifications"], request=None, responses={200: UNREAD, **error_responses(401)})
class NotificationReadAllApi(APIView):
    """Mark all my notifications read."""

    def post(self, request: Request) -> Response:
        notifications_mark_all_read(user_id=request.user.pk)
        return Response({"unread": 0})
