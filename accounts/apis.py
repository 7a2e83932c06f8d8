from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import StrictCharField, StrictEmailField, StrictInputSerializer, error_responses


class TokenInputSerializer(StrictInputSerializer):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


TokenOutputSerializer = inline_serializer(
    name="Token", fields={"token": serializers.CharField(help_text="Send as `Authorization: Token <token>`.")}
)


class TokenApi(APIView):
    """Local sign-in for API clients: trade e-mail and password for a token (DELETE signs out).

    In production with Cognito, clients send Cognito tokens as `Authorization: Bearer <JWT>` instead.
    """

    throttle_scope = "sign_in"
    input_serializer_class = TokenInputSerializer

    def get_permissions(self):
        # Signing in (and asking how to) needs no sign-in; signing out does.
        return [AllowAny()] if self.request.method in ("POST", "OPTIONS") else [IsAuthenticated()]

    @extend_schema(
        tags=["auth"],
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, **error_responses(400, 401, 404, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        if settings.AUTH_BACKEND == "cognito":
            raise NotFound(_("Local sign-in is off: send a Cognito token as `Authorization: Bearer <token>`."))
        payload = TokenInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a locked-out client on it.
        user = authenticate(
            request._request,
            username=payload.validated_data["email"].lower(),
            password=payload.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed(_("That e-mail address and password do not match."))
        # A sign-in like the portal's: django-axes resets the failure count, Django sets last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(tags=["auth"], request=None, responses={204: None, **error_responses(401)})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
