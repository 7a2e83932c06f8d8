"""How API clients authenticate: the one class the API is configured with, which uses the sign-in
of the deployment (AUTH_BACKEND) at request time: DRF tokens locally, Cognito JWTs in production."""

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from awsomeshop.db import fetch_value

from .cognito_auth import CognitoJWTAuthentication, InvalidToken, SigningKeysUnavailable, token_verify
from .models import User

_USERS, _TOKENS = User._meta.db_table, Token._meta.db_table
# The token's user, in one primary-key lookup.
_TOKEN_USER = f"FROM {_USERS} u JOIN {_TOKENS} t ON t.user_id = u.id WHERE t.`key` = %s"
TOKEN_USER_SQL = f"SELECT u.* {_TOKEN_USER}"  # noqa: S608 - table names only


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


# For api_caller_id: the same acceptance, answered by one primary-key lookup, with no model built.
ACTIVE_TOKEN_USER_SQL = f"SELECT u.id {_TOKEN_USER} AND u.is_active"  # noqa: S608 - table names only
ACTIVE_USER_SQL = f"SELECT id FROM {_USERS} WHERE id = %s AND is_active"  # noqa: S608


def api_caller_id(request: HttpRequest) -> str | None:
    """The id of the active user the API's authentication would accept for this request, or None
    when it would not, or when only the full check can tell (a Cognito user's very first call
    creates the user). For answers that need only "a signed-in employee asks" (cached catalog
    pages): no model instance, no group sync, one query. Everything else authenticates with
    ApiTokenAuthentication."""
    header = get_authorization_header(request).split()
    if len(header) != 2:
        return None
    keyword, credential = header[0].lower(), header[1].decode("ascii", errors="replace")
    if settings.AUTH_BACKEND == "cognito":
        if keyword != _keyword(CognitoJWTAuthentication):
            return None
        try:
            return fetch_value(ACTIVE_USER_SQL, [token_verify(credential)["sub"]])
        except (InvalidToken, SigningKeysUnavailable):
            return None
    if keyword != _keyword(LocalTokenAuthentication):
        return None
    return fetch_value(ACTIVE_TOKEN_USER_SQL, [credential])


def _keyword(authentication: type[BaseAuthentication]) -> bytes:
    """The Authorization header's scheme the class answers to, as get_authorization_header gives it."""
    return authentication.keyword.lower().encode()


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` (local) or `Authorization: Bearer <Cognito token>` (cognito)."""

    def _backend(self) -> BaseAuthentication:
        return CognitoJWTAuthentication() if settings.AUTH_BACKEND == "cognito" else LocalTokenAuthentication()

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
