"""How API clients authenticate: the one class the API is configured with, which uses the sign-in
of the deployment (AUTH_BACKEND) at request time: DRF tokens locally, Cognito JWTs in production."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, TokenAuthentication

from .cognito_auth import CognitoJWTAuthentication


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` (local) or `Authorization: Bearer <Cognito token>` (cognito)."""

    def _backend(self) -> BaseAuthentication:
        return CognitoJWTAuthentication() if settings.AUTH_BACKEND == "cognito" else TokenAuthentication()

    def authenticate(self, request):
        return self._backend().authenticate(request)

    def authenticate_header(self, request) -> str:
        return self._backend().authenticate_header(request)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Locally: `Token <token>` from POST /api/v1/auth/token. In production: `Bearer <token>` with a "
                "Cognito ID or access token of the awsomeshop-web-client app client."
            ),
        }
