"""How API clients authenticate: the one class the API is configured with, which uses the sign-in
of the deployment (AUTH_BACKEND) at request time: DRF tokens locally, Cognito JWTs in production."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from .cognito_auth import CognitoJWTAuthentication
from .models import User

_USERS, _TOKENS = User._meta.db_table, Token._meta.db_table
# The token's user in one primary-key lookup.
TOKEN_USER_SQL = f"SELECT u.* FROM {_USERS} u JOIN {_TOKENS} t ON t.user_id = u.id WHERE t.`key` = %s"  # noqa: S608


class LocalTokenAuthentication(TokenAuthentication):
    """DRF's token check, as one plain-SQL query: it runs on every API request, and building the
    ORM's query (a select_related `get`) took longer than the lookup itself (README "Performance")."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user = next(iter(User.objects.raw(TOKEN_USER_SQL, [key])), None)
        if user is None:
            raise AuthenticationFailed("Invalid token.")
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return user, Token(key=key, user=user)


# Where a request keeps its (user, token) once the API's authentication accepted it.
AUTHENTICATED_ATTRIBUTE = "_api_authenticated"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` (local) or `Authorization: Bearer <Cognito token>` (cognito)."""

    def _backend(self) -> BaseAuthentication:
        return CognitoJWTAuthentication() if settings.AUTH_BACKEND == "cognito" else LocalTokenAuthentication()

    def authenticate(self, request):
        # The catalog cache's middleware may have checked this very request already.
        if (known := getattr(request, AUTHENTICATED_ATTRIBUTE, None)) is not None:
            return known
        authenticated = self._backend().authenticate(request)
        if authenticated is not None:
            setattr(request, AUTHENTICATED_ATTRIBUTE, authenticated)
        return authenticated

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
