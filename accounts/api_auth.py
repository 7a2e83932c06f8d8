"""How API clients authenticate: the one class the API is configured with, which uses the sign-in
of the deployment (AUTH_BACKEND) at request time: DRF tokens locally, Cognito JWTs in production."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from awsomeshop.db import fetch_value

from .cognito_auth import CognitoJWTAuthentication
from .models import User
from .scheme import SchemeAuthentication

_USERS, _TOKENS = User._meta.db_table, Token._meta.db_table
# The token's user, in one primary-key lookup.
_TOKEN_USER = f"FROM {_USERS} u JOIN {_TOKENS} t ON t.user_id = u.id WHERE t.`key` = %s"
TOKEN_USER_SQL = f"SELECT u.* {_TOKEN_USER}"  # noqa: S608 - table names only


class LocalTokenAuthentication(SchemeAuthentication, TokenAuthentication):
    """DRF's token check (`Authorization: Token <key>`), as one plain-SQL query: it runs on every
    API request, and building the ORM's query took longer than the lookup (docs/performance.md)."""

    def authenticate(self, request):
        key = self.credential(request)
        return None if key is None else self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user = next(iter(User.objects.raw(TOKEN_USER_SQL, [key])), None)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)

    def active_user_id(self, credential: str) -> str | None:
        return fetch_value(ACTIVE_TOKEN_USER_SQL, [credential])


# The same acceptance for caller_id, answered by one primary-key lookup, with no model built.
ACTIVE_TOKEN_USER_SQL = f"SELECT u.id {_TOKEN_USER} AND u.is_active"  # noqa: S608 - table names only


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` (local) or `Authorization: Bearer <Cognito token>` (cognito)."""

    def _backend(self) -> SchemeAuthentication:
        return CognitoJWTAuthentication() if settings.AUTH_BACKEND == "cognito" else LocalTokenAuthentication()

    def caller_id(self, request: HttpRequest) -> str | None:
        """Whom `authenticate` would accept, cheaply (see SchemeAuthentication.caller_id)."""
        return self._backend().caller_id(request)

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


class CsrfFailed(PermissionDenied):
    default_code = "csrf_failed"


class BrowserSessionAuthentication(SessionAuthentication):
    """DRF's session sign-in for API calls from the portal's pages, refusing a call without its
    CSRF token in the person's language with its own code (DRF says "CSRF Failed: …" in English,
    as a plain permission_denied)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied as refusal:
            raise CsrfFailed(_("The request lacks its security token; reload and try again.")) from refusal


class BrowserSessionScheme(SessionScheme):
    """In the schema, the session sign-in it is: DRF's cookie scheme."""

    target_class = BrowserSessionAuthentication
