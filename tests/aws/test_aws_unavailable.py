"""When S3 or Cognito is down (the emulator stopped): clear messages, nothing half-saved, the
catalog still renders, and /health/ keeps answering about the database only."""

import time
import uuid

import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from accounts import cognito, cognito_auth
from shop.models import Product
from tests.factories import ProductFactory
from tests.images import image_bytes, upload

from .conftest import Pool, aws_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped_emulator(aws_endpoint):
    """An emulator with a pool and a bucket, then stopped: its address refuses connections."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    pool = Pool(endpoint)
    bucket = f"images-{uuid.uuid4().hex[:8]}"  # emulators in one process share their state
    aws_client("s3", endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    server.stop()
    return endpoint, pool, bucket


@pytest.fixture
def s3_down(stopped_emulator, settings):
    endpoint, _pool, bucket = stopped_emulator
    options = {"bucket_name": bucket, "region_name": "us-east-2", "endpoint_url": endpoint, "addressing_style": "path"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }


@pytest.fixture
def cognito_down(stopped_emulator, settings):
    endpoint, pool, _bucket = stopped_emulator
    settings.AUTH_BACKEND = "cognito"
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.CognitoBackend"]
    settings.COGNITO_USER_POOL_ID, settings.COGNITO_APP_CLIENT_ID = pool.id, pool.client_id
    settings.COGNITO_APP_CLIENT_SECRET = pool.client_secret
    settings.COGNITO_ENDPOINT_URL = settings.COGNITO_JWKS_BASE_URL = endpoint
    settings.COGNITO_ISSUER = f"https://cognito-idp.us-east-2.amazonaws.com/{pool.id}"
    cognito._client.cache_clear()
    cognito_auth._jwks_client.cache_clear()
    yield
    cognito._client.cache_clear()
    cognito_auth._jwks_client.cache_clear()


def test_an_upload_with_s3_down_gets_a_clear_admin_message_and_saves_nothing(client, catalog_manager, s3_down):
    client.force_login(catalog_manager)
    form = {
        "name": "Lamp",
        "points_cost": 10,
        "stock_quantity": 1,
        "is_active": "on",
        "delivery_method": "shipped",
        "image": upload(image_bytes()),
    }

    started = time.monotonic()
    response = client.post(reverse("admin:shop_product_add"), form, follow=True)

    assert time.monotonic() - started < 30  # botocore's retries are bounded
    # The form comes back with what was typed and the refusal on it.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "The image could not be stored just now, so nothing was saved. Try again in a few minutes."
    ]
    assert form["name"].value() == "Lamp"
    assert not Product.objects.exists()


def test_the_catalog_still_renders_with_s3_down(client, employee, s3_down):
    ProductFactory(name="Lamp", image="products/lamp.png")
    client.force_login(employee)

    response = client.get("/")

    assert response.status_code == 200
    assert "Lamp" in response.content.decode()
    assert client.get("/health/").status_code == 200


def test_sign_in_with_cognito_down_says_so(client, cognito_down):
    response = client.post(reverse("login"), {"username": "emma@example.com", "password": "Password1"})

    assert response.status_code == 200
    assert "Sign-in is unavailable right now. Please try again in a few minutes." in response.content.decode()
    assert client.get("/health/").status_code == 200


def test_api_tokens_cannot_be_checked_with_cognito_down_so_it_is_a_503(cognito_down):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer eyJraWQiOiJkdW1teSIsImFsZyI6IlJTMjU2In0.e30.c2ln")

    response = client.get("/api/v1/me")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
