"""Talking to the Cognito user pool: sign-in flows for the portal and admin calls for HR.

Every call goes through boto3 to `COGNITO_ENDPOINT_URL` (AWS by default, the emulator in tests).
Failures become `CognitoError` with a sentence a person can act on.
"""

import base64
import hashlib
import hmac
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from awsomeshop.exceptions import ShopError

logger = logging.getLogger(__name__)

# What each Cognito error means to the person at the keyboard.
FRIENDLY_ERRORS = {
    "NotAuthorizedException": _("That e-mail address and password do not match. Check both and try again."),
    "UserNotFoundException": _("That e-mail address and password do not match. Check both and try again."),
    "PasswordResetRequiredException": _("Your password must be reset: use “Forgot your password?”."),
    "UserNotConfirmedException": _("Your account is not confirmed yet; ask HR to resend your invitation."),
    "InvalidPasswordException": _(
        "Choose a password of at least 8 characters with upper- and lower-case letters and a number."
    ),
    "CodeMismatchException": _("That code is not right. Check the e-mail we sent and try again."),
    "ExpiredCodeException": _("That code has expired. Ask for a new one."),
    "LimitExceededException": _("Too many attempts. Wait a few minutes and try again."),
    "TooManyRequestsException": _("Too many attempts. Wait a few minutes and try again."),
    "UsernameExistsException": _("There is already an account with that e-mail address."),
    "InvalidParameterException": _("Something in the form is not valid; check it and try again."),
}
UNAVAILABLE = _("Sign-in is unavailable right now. Please try again in a few minutes.")


class CognitoError(ShopError):
    code = "cognito_error"
    status = 503


@dataclass(frozen=True)
class SignInResult:
    """Either tokens, or a challenge to answer (with its session)."""

    id_token: str | None = None
    access_token: str | None = None
    challenge: str | None = None
    session: str | None = None
    username: str | None = None


@cache
def _client():
    return boto3.client(
        "cognito-idp",
        region_name=settings.AWS_REGION,
        endpoint_url=settings.COGNITO_ENDPOINT_URL,
        config=Config(
            connect_timeout=settings.COGNITO_HTTP_TIMEOUT,
            read_timeout=settings.COGNITO_HTTP_TIMEOUT,
            retries={"max_attempts": 2},
        ),
    )


@contextmanager
def _cognito_errors():
    """Cognito's and boto3's failures as CognitoError, with a message people can read."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        # str(): the message in the language of the request being served, as a ShopError's is.
        raise CognitoError(str(FRIENDLY_ERRORS.get(code, UNAVAILABLE)), cognito_code=code) from error
    except BotoCoreError as error:  # cannot connect, timed out
        raise CognitoError(str(UNAVAILABLE), cognito_code="unreachable") from error


def _call(operation: str, **kwargs) -> dict:
    with _cognito_errors():
        return getattr(_client(), operation)(**kwargs)


def secret_hash(username: str) -> str:
    """What Cognito wants with every call of a client that has a secret (the spec's does)."""
    message = (username + settings.COGNITO_APP_CLIENT_ID).encode()
    digest = hmac.new(settings.COGNITO_APP_CLIENT_SECRET.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _result(response: dict, username: str) -> SignInResult:
    if "AuthenticationResult" in response:
        tokens = response["AuthenticationResult"]
        return SignInResult(id_token=tokens["IdToken"], access_token=tokens["AccessToken"])
    return SignInResult(
        challenge=response.get("ChallengeName"),
        session=response.get("Session"),
        username=response.get("ChallengeParameters", {}).get("USERNAME", username),
    )


def sign_in(*, email: str, password: str) -> SignInResult:
    """USER_PASSWORD_AUTH with the client's secret hash."""
    response = _call(
        "initiate_auth",
        ClientId=settings.COGNITO_APP_CLIENT_ID,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password, "SECRET_HASH": secret_hash(email)},
    )
    return _result(response, email)


def _challenge_answer(*, challenge: str, username: str, session: str, answer: dict) -> SignInResult:
    response = _call(
        "respond_to_auth_challenge",
        ClientId=settings.COGNITO_APP_CLIENT_ID,
        ChallengeName=challenge,
        Session=session,
        ChallengeResponses={"USERNAME": username, "SECRET_HASH": secret_hash(username), **answer},
    )
    return _result(response, username)


def new_password_set(*, username: str, session: str, new_password: str) -> SignInResult:
    """Answer the first sign-in's NEW_PASSWORD_REQUIRED challenge."""
    return _challenge_answer(
        challenge="NEW_PASSWORD_REQUIRED", username=username, session=session, answer={"NEW_PASSWORD": new_password}
    )


def mfa_code_answer(*, username: str, session: str, code: str) -> SignInResult:
    """Answer the SOFTWARE_TOKEN_MFA challenge of a user who turned on (optional) MFA."""
    return _challenge_answer(
        challenge="SOFTWARE_TOKEN_MFA", username=username, session=session, answer={"SOFTWARE_TOKEN_MFA_CODE": code}
    )


# The local AWS emulator (moto) sends no mail; it returns the code it would have sent in this header.
EMULATOR_CODE_HEADER = "x-moto-forgot-password-confirmation-code"


def password_reset_start(*, email: str) -> None:
    """Cognito e-mails a code (the pool recovers accounts by e-mail only)."""
    response = _call(
        "forgot_password", ClientId=settings.COGNITO_APP_CLIENT_ID, Username=email, SecretHash=secret_hash(email)
    )
    # Only against an emulator (`make run-aws`): say the code, since no mail goes out. AWS never
    # sends this header, and COGNITO_ENDPOINT_URL is not set in production.
    code = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(EMULATOR_CODE_HEADER)
    if code and settings.COGNITO_ENDPOINT_URL:
        logger.warning("Local AWS emulator: the password reset code for %s is %s", email, code)


def password_reset_finish(*, email: str, code: str, new_password: str) -> None:
    _call(
        "confirm_forgot_password",
        ClientId=settings.COGNITO_APP_CLIENT_ID,
        Username=email,
        ConfirmationCode=code,
        Password=new_password,
        SecretHash=secret_hash(email),
    )


@dataclass(frozen=True)
class PoolUser:
    sub: str
    email: str
    first_name: str
    last_name: str
    enabled: bool
    # The configured attributes' values (COGNITO_HIRE_DATE_ATTRIBUTE, COGNITO_BIRTHDATE_ATTRIBUTE),
    # as the pool holds them: "" when not configured or not set.
    hire_date: str = ""
    birthdate: str = ""


def _pool_user(record: dict) -> PoolUser:
    attributes = {a["Name"]: a["Value"] for a in record.get("Attributes", record.get("UserAttributes", []))}
    return PoolUser(
        sub=attributes["sub"],
        email=attributes.get("email", "").lower(),
        first_name=attributes.get("given_name", ""),
        last_name=attributes.get("family_name", ""),
        enabled=record.get("Enabled", True),
        hire_date=_attribute(attributes, settings.COGNITO_HIRE_DATE_ATTRIBUTE),
        birthdate=_attribute(attributes, settings.COGNITO_BIRTHDATE_ATTRIBUTE),
    )


def _attribute(attributes: dict[str, str], name: str) -> str:
    return attributes.get(name, "").strip() if name else ""


def user_create(*, email: str, first_name: str, last_name: str) -> PoolUser:
    """AdminCreateUser: Cognito e-mails the employee a temporary password."""
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "given_name", "Value": first_name},
        {"Name": "family_name", "Value": last_name},
    ]
    response = _call(
        "admin_create_user",
        UserPoolId=settings.COGNITO_USER_POOL_ID,
        Username=email,
        UserAttributes=[a for a in attributes if a["Value"]],
        DesiredDeliveryMediums=["EMAIL"],
    )
    return _pool_user(response["User"])


def user_get(*, username: str) -> PoolUser:
    return _pool_user(_call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=username))


def _pages(operation: str, key: str, **kwargs):
    """Every record of a listing, through boto3's paginator: each listing names its page token
    differently (ListUsers: PaginationToken, ListUsersInGroup: NextToken), and the paginator knows."""
    with _cognito_errors():
        for page in _client().get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])


def users_list() -> list[PoolUser]:
    return [_pool_user(u) for u in _pages("list_users", "Users", UserPoolId=settings.COGNITO_USER_POOL_ID)]


def group_member_subs(*, group: str) -> set[str]:
    records = _pages("list_users_in_group", "Users", UserPoolId=settings.COGNITO_USER_POOL_ID, GroupName=group)
    return {_pool_user(u).sub for u in records}
