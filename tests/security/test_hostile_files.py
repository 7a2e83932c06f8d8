"""Hostile files: award CSVs and product images."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from points.models import PointsTransaction
from shop.models import Product
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db
AWARD_FILE = reverse("admin:points_employee_award_file")


def csv_file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("awards.csv", content, content_type="text/csv")


@pytest.fixture
def hr(client, hr_staff):
    client.force_login(hr_staff)
    return client


def test_formula_injection_is_stored_as_text_and_neutralised_on_export(hr, employee):
    payload = '=cmd|" /C calc"!A0'
    preview = hr.post(
        AWARD_FILE, {"file": csv_file(f"employee,amount,reason\n{employee.email},10,{payload}\n".encode())}
    )
    hr.post(AWARD_FILE, {"payload": preview.context["payload"], "confirm": "1"})

    assert PointsTransaction.objects.get().description == payload
    export = hr.get(reverse("admin:points_pointstransaction_changelist") + "export/")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "employee,amount,reason\nzoë@example.com,5,café\n".encode("utf-16"),
            "This is not a CSV file (it contains binary data).",
        ),
        ("employee,amount,reason\nzoë@example.com,5,café\n".encode("latin-1"), "The file is not UTF-8 text."),
        (
            ("employee,amount,reason\n" + "someone@example.com,1,Bulk\n" * 100_000).encode(),
            "The file is larger than 2 MB",
        ),
        (bytes(range(256)) * 50, "This is not a CSV file (it contains binary data)."),
        (zlib.compress(b"x" * 100_000), "This is not a CSV file"),
        (b'employee,amount,reason\n"unterminated,5,x\n', "No employee has"),
    ],
)
def test_malicious_award_files_are_refused_with_a_clear_message(hr, content, message):
    response = hr.post(AWARD_FILE, {"file": csv_file(content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PointsTransaction.objects.exists()


@pytest.fixture
def manager(client, catalog_manager):
    client.force_login(catalog_manager)
    return client


def add_product(client, image) -> object:
    return client.post(
        reverse("admin:shop_product_add"),
        {
            "name": "P",
            "points_cost": 5,
            "stock_quantity": 1,
            "is_active": "on",
            "delivery_method": "shipped",
            "image": image,
        },
    )


def decompression_bomb() -> bytes:
    """A tiny PNG that decodes to 20,000 × 20,000 pixels (400 megapixels, 1.2 GB of RGB)."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (image_bytes("PNG")[:8] + b"<html><script>alert(1)</script></html>", "cute.png", "Upload a valid image."),
        (decompression_bomb(), "bomb.png", "Upload a valid image."),
        (image_bytes("PNG", size=(3000, 3000)) + b"\0" * (6 * 1024 * 1024), "big.png", "the limit is 5 MB"),
        (b"GIF89a" + b"\0" * 100, "x.gif", "Upload a valid image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg", "Upload a valid image."),
    ],
)
def test_hostile_images_are_refused(manager, content, name, message):
    response = add_product(manager, upload(content, name=name))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Product.objects.exists()
