"""Django authentication backend for the Cognito user pool.

Going through Django's `authenticate()` means every sign-in, local or Cognito, passes django-axes:
a wrong password is recorded as a failure and repeated failures lock the form.
"""

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext as _

from . import cognito
from .cognito_auth import InvalidToken, SigningKeysUnavailable, token_verify
from .services import user_from_cognito_claims


class CognitoChallenge(Exception):
    """Cognito wants one more step (a new password, an MFA code) before it gives tokens."""

    def __init__(self, result: cognito.SignInResult) -> None:
        super().__init__(result.challenge)
        self.result = result


class CognitoBackend(ModelBackend):
    """E-mail and password checked by Cognito; the user is the local record of the token's `sub`.
    Permissions still come from the local user and groups (ModelBackend)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        try:
            result = cognito.sign_in(email=str(username).lower(), password=password)
        except cognito.CognitoError as refusal:
            if refusal.details.get("cognito_code") in ("NotAuthorizedException", "UserNotFoundException"):
                return None  # a failed sign-in: django-axes counts it
            raise  # Cognito unreachable or another problem: say so, count nothing
        if result.challenge:
            raise CognitoChallenge(result)
        return user_for_tokens(result)


def user_for_tokens(result: cognito.SignInResult):
    try:
        claims = token_verify(result.id_token)
    except InvalidToken as invalid:
        raise cognito.CognitoError(_("Sign-in failed: %(reason)s") % {"reason": invalid}) from invalid
    except SigningKeysUnavailable as unavailable:
        raise cognito.CognitoError(str(cognito.UNAVAILABLE)) from unavailable
    return user_from_cognito_claims(claims=claims)
