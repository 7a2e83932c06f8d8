"""Product images in a private S3 bucket (the emulator), served by presigned URLs."""

import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from shop.models import Product
from tests.images import image_bytes, upload

from .conftest import aws_client

pytestmark = pytest.mark.django_db
BUCKET = "awsomeshop-product-images-test"


@pytest.fixture
def s3_media(aws_endpoint, settings):
    s3 = aws_client("s3", aws_endpoint)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-east-2"})
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        },
    )
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "us-east-2",
                "endpoint_url": aws_endpoint,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": 900,
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the emulator on 127.0.0.1
        return response.read()


def add_product_with_image(client, catalog_manager, content: bytes, name: str = "Lamp") -> Product:
    client.force_login(catalog_manager)
    form = {
        "name": name,
        "points_cost": 100,
        "stock_quantity": 3,
        "is_active": "on",
        "delivery_method": "shipped",
        "image": upload(content),
    }
    response = client.post(reverse("admin:shop_product_add"), form)
    assert response.status_code == 302, response.content.decode()[:1000]
    return Product.objects.get(name=name)


def test_an_admin_upload_lands_in_the_bucket_under_a_generated_name(client, catalog_manager, s3_media):
    product = add_product_with_image(client, catalog_manager, image_bytes("PNG"))

    keys = [item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [product.image.name]
    assert product.image.name.startswith("products/") and product.image.name.endswith(".png")
    assert s3_media.get_object(Bucket=BUCKET, Key=product.image.name)["Body"].read().startswith(b"\x89PNG")


def test_the_portal_and_the_api_give_presigned_urls_that_fetch_the_same_bytes(
    client, catalog_manager, employee, s3_media
):
    product = add_product_with_image(client, catalog_manager, image_bytes("PNG", colour="orange"))
    stored = s3_media.get_object(Bucket=BUCKET, Key=product.image.name)["Body"].read()

    client.force_login(employee)
    page = client.get(product.get_absolute_url()).content.decode()
    api_url = client.get(f"/api/v1/products/{product.pk}").json()["image_url"]

    query = parse_qs(urlparse(api_url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert fetch(api_url) == stored
    assert api_url.split("?")[0] in page


def test_the_bucket_itself_is_not_readable_without_a_signature(client, catalog_manager, s3_media, aws_endpoint):
    product = add_product_with_image(client, catalog_manager, image_bytes("PNG"))
    assert s3_media.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"]
    acl = s3_media.get_object_acl(Bucket=BUCKET, Key=product.image.name)
    assert all(grant["Grantee"].get("URI", "").endswith("AllUsers") is False for grant in acl["Grants"])


def test_two_uploads_called_the_same_never_overwrite(client, catalog_manager, s3_media):
    add_product_with_image(client, catalog_manager, image_bytes(colour="red"), name="A")
    add_product_with_image(client, catalog_manager, image_bytes(colour="blue"), name="B")

    assert len(s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]) == 2
