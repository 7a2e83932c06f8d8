"""Cognito tokens: verification, and the DRF authentication class for `Authorization: Bearer`.

We verify tokens ourselves on PyJWT's PyJWKClient instead of using django-cognito-jwt: that
package accepts access tokens only when no audience is set (and then checks no client id), never
checks `token_use`, fetches the keys without a timeout (and on every request unless caching is on),
and cannot be pointed at an emulator. Here: signature (RS256, key by `kid`), `iss`, `exp`,
`token_use` in {id, access}, the client (`aud` for ID tokens, `client_id` for access tokens); keys
cached with a lifetime; the JWKS address configurable; a proper `WWW-Authenticate` header.
"""

from functools import cache

import jwt
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

from awsomeshop.db import fetch_value

from .models import User
from .scheme import SchemeAuthentication
from .services import user_from_cognito_claims

ACTIVE_USER_SQL = f"SELECT id FROM {User._meta.db_table} WHERE id = %s AND is_active"  # noqa: S608 - name only

# Which claim names the app client, by token use.
CLIENT_CLAIM = {"id": "aud", "access": "client_id"}


class InvalidToken(Exception):
    """The token is not one of ours, or not valid now. The message says which, for the 401."""


class SigningKeysUnavailable(Exception):
    """The pool's signing keys cannot be fetched: we cannot tell, so it is a 503, not a 401."""


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = gettext_lazy("Sign-in cannot be checked right now; try again in a moment.")
    default_code = "service_unavailable"


@cache
def _jwks_client() -> jwt.PyJWKClient:
    url = f"{settings.COGNITO_JWKS_BASE_URL.rstrip('/')}/{settings.COGNITO_USER_POOL_ID}/.well-known/jwks.json"
    return jwt.PyJWKClient(
        url, cache_keys=True, lifespan=settings.COGNITO_JWKS_CACHE_SECONDS, timeout=settings.COGNITO_HTTP_TIMEOUT
    )


def token_verify(token: str) -> dict:
    """The verified claims of a Cognito ID or access token from our app client."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(_("The token is not a JWT.")) from error
    if not header.get("kid"):
        raise InvalidToken(_("The token has no key id (kid)."))
    try:
        signing_key = _jwks_client().get_signing_key(header["kid"])
    except jwt.PyJWKClientConnectionError as error:
        raise SigningKeysUnavailable() from error
    except jwt.PyJWKClientError as error:
        raise InvalidToken(_("The token was not signed by this user pool.")) from error
    try:
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=settings.COGNITO_ISSUER,
            options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            leeway=5,
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken(_("The token has expired; sign in again.")) from error
    except jwt.InvalidIssuerError as error:
        raise InvalidToken(_("The token was not issued by this user pool.")) from error
    except jwt.PyJWTError as error:
        raise InvalidToken(_("The token's signature or claims are not valid.")) from error
    if claims["token_use"] not in CLIENT_CLAIM:
        raise InvalidToken(_("Only Cognito ID and access tokens are accepted."))
    if claims.get(CLIENT_CLAIM[claims["token_use"]]) != settings.COGNITO_APP_CLIENT_ID:
        raise InvalidToken(_("The token is for another app client."))
    return claims


class CognitoJWTAuthentication(SchemeAuthentication):
    """`Authorization: Bearer <Cognito ID or access token>`."""

    keyword = "Bearer"
    www_authenticate_realm = "api"

    def authenticate(self, request):
        token = self.credential(request)
        if token is None:
            return None
        claims = self._claims(token)
        user = user_from_cognito_claims(claims=claims)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        return user, claims

    def active_user_id(self, credential: str) -> str | None:
        # A user not yet known locally (their first call creates them) is for authenticate().
        return fetch_value(ACTIVE_USER_SQL, [self._claims(credential)["sub"]])

    def _claims(self, token: str) -> dict:
        try:
            return token_verify(token)
        except InvalidToken as invalid:
            raise exceptions.AuthenticationFailed(str(invalid)) from invalid
        except SigningKeysUnavailable as unavailable:
            raise ServiceUnavailable() from unavailable

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="{self.www_authenticate_realm}"'
