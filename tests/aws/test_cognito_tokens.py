"""API calls with Cognito tokens issued by the emulator, and every kind of bad token refused."""

import gzip
import json
import time
from pathlib import Path

import jwt
import moto
import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db
EMULATOR_KEY = json.loads(
    gzip.decompress((Path(moto.__file__).parent / "cognitoidp/resources/jwks-private.json.gz").read_bytes())
)


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def forged(pool, **changes) -> str:
    """A token signed with the emulator's own key (so only the claims we change are wrong)."""
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.us-east-2.amazonaws.com/{pool.id}",
        "sub": "forged-sub",
        "token_use": "access",
        "client_id": pool.client_id,
        "exp": now + 3600,
        "iat": now,
        **changes.pop("claims", {}),
    }
    headers = {"kid": EMULATOR_KEY["kid"], **changes.pop("headers", {})}
    return jwt.encode(claims, jwt.PyJWK(EMULATOR_KEY).key, algorithm="RS256", headers=headers)


@pytest.mark.parametrize("kind", ["IdToken", "AccessToken"])
def test_id_and_access_tokens_of_our_client_are_accepted_and_map_the_user_by_sub(cognito_pool, kind):
    sub = cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    token = cognito_pool.tokens("emma@example.com", "Password1")[kind]

    response = bearer(token).get("/api/v1/me")

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == sub
    assert response.json()["email"] == "emma@example.com"
    assert User.objects.get(pk=sub).email == "emma@example.com"


def test_membership_of_the_hr_group_gives_the_hr_role(cognito_pool):
    sub = cognito_pool.user_create("hana@example.com", password="Password1", permanent=True, hr=True)
    employee_sub = cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    bearer(cognito_pool.tokens("emma@example.com", "Password1")["AccessToken"]).get("/api/v1/me")
    hr = bearer(cognito_pool.tokens("hana@example.com", "Password1")["IdToken"])

    assert hr.get("/api/v1/me").json()["can_award_points"] is True
    response = hr.post("/api/v1/awards", {"user_id": employee_sub, "amount": 100, "reason": "Welcome"}, format="json")
    assert response.status_code == 201, response.json()
    assert User.objects.get(pk=sub).groups.filter(name="HR").exists()


def refused(token: str, message: str) -> None:
    response = bearer(token).get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"] == message


def test_a_token_from_another_app_client_is_refused(cognito_pool):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    other_id, other_secret = cognito_pool.client_create("someone-elses-app")

    tokens = cognito_pool.tokens("emma@example.com", "Password1", other_id, other_secret)

    refused(tokens["IdToken"], "The token is for another app client.")
    refused(tokens["AccessToken"], "The token is for another app client.")


def test_a_token_with_the_wrong_token_use_is_refused(cognito_pool):
    refused(forged(cognito_pool, claims={"token_use": "refresh"}), "Only Cognito ID and access tokens are accepted.")


def test_an_expired_token_is_refused(cognito_pool):
    expired = forged(cognito_pool, claims={"exp": int(time.time()) - 60, "iat": int(time.time()) - 3700})
    refused(expired, "The token has expired; sign in again.")


def test_a_tampered_token_is_refused(cognito_pool):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    header, payload, signature = cognito_pool.tokens("emma@example.com", "Password1")["AccessToken"].split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["sub"] = "someone-else"
    tampered = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])

    refused(tampered, "The token's signature or claims are not valid.")


def test_a_token_without_kid_is_refused(cognito_pool):
    no_kid = jwt.encode({"sub": "x"}, jwt.PyJWK(EMULATOR_KEY).key, algorithm="RS256")
    refused(no_kid, "The token has no key id (kid).")


def test_a_token_from_another_issuer_is_refused(cognito_pool):
    refused(
        forged(cognito_pool, claims={"iss": "https://evil.example.com/pool"}),
        "The token was not issued by this user pool.",
    )


def test_a_token_signed_with_an_unknown_key_is_refused(cognito_pool):
    refused(forged(cognito_pool, headers={"kid": "not-a-pool-key"}), "The token was not signed by this user pool.")


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "x" * 5000])
def test_garbage_is_refused(cognito_pool, garbage):
    refused(garbage, "The token is not a JWT.")


def test_no_token_is_a_401_with_the_bearer_challenge(cognito_pool):
    response = APIClient().get("/api/v1/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_local_token_endpoint_is_off_with_cognito(cognito_pool):
    response = APIClient().post("/api/v1/auth/token", {"email": "a@b.c", "password": "x"}, format="json")

    assert response.status_code == 404
    assert "Cognito" in response.json()["error"]["message"]


def test_cached_catalog_pages_take_the_same_cognito_tokens_and_refuse_the_same_bad_ones(cognito_pool):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProductFactory

    ProductFactory(name="Hoodie")
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    emma = bearer(cognito_pool.tokens("emma@example.com", "Password1")["AccessToken"])
    emma.get("/api/v1/products")  # the first call makes the user (through the view)
    first = emma.get("/api/v1/products")  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        cached = emma.get("/api/v1/products")

    assert first.status_code == cached.status_code == 200
    assert cached.content == first.content
    assert len(queries) == 2  # the user by `sub`, the catalog version
    for token in (
        forged(cognito_pool, claims={"exp": int(time.time()) - 60}),
        forged(cognito_pool, headers={"kid": "x"}),
    ):
        assert bearer(token).get("/api/v1/products").status_code == 401
    User.objects.filter(email="emma@example.com").update(is_active=False)
    assert emma.get("/api/v1/products").status_code == 401
