"""What an attack on the issue-13 work found, each written as a test before its fix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import Order
from shop.models import Product
from tests.conftest import staff_in
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
@pytest.mark.parametrize("charset", ["ISO-8859-1", "utf-16"])
def test_a_form_post_in_another_charset_is_a_400_not_a_500(url_name, charset):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse(url_name))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(url_name),
        f"csrfmiddlewaretoken={token}&username=a%40b.cd&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400


def test_an_export_with_a_bad_filter_value_goes_back_to_the_list_like_the_list_does(client, hr_staff):
    client.force_login(hr_staff)

    for url in ("admin:points_pointstransaction_export", "admin:orders_order_export"):
        response = client.get(reverse(url), {"created_at__gte": "garbage"})
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


def test_a_forwarded_address_that_is_not_an_address_is_ignored(rf, settings):
    from accounts.security import client_ip

    settings.NUM_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="a" * 40, REMOTE_ADDR="10.0.1.20")

    assert client_ip(request) == "10.0.1.20"


def test_the_date_drill_down_of_a_list_with_a_date_hierarchy_works(client):
    from django.contrib import admin

    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    with_hierarchy = [(model, ma) for model, ma in admin.site._registry.items() if ma.date_hierarchy]
    assert with_hierarchy
    for model, model_admin in with_hierarchy:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for lookup in ("year", "month", "day"):
            params = {f"{model_admin.date_hierarchy}__year": "2026", f"{model_admin.date_hierarchy}__month": "11"}
            params = {k: v for k, v in params.items() if lookup != "year" or k.endswith("__year")}
            assert client.get(url, params).status_code == 200, (url, params)


@pytest.mark.parametrize("price", ["１２０", "120.0", "+120", "1_20"])
def test_the_portal_confirmation_takes_the_price_in_ascii_digits_only(client, employee, give_points, price):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=120, stock_quantity=5)
    client.force_login(employee)

    client.post(
        reverse("orders:redeem", kwargs={"product_id": product.pk}),
        {"idempotency_key": "k1", "expected_points_cost": price},
    )

    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("points_cost", "٣٠"), ("stock_quantity", "１０"), ("points_cost", "+30")]
)
def test_the_product_form_takes_numbers_in_ascii_digits_only(client, catalog_manager, field, value):
    client.force_login(catalog_manager)
    form = {
        "name": "Lamp",
        "category": "Home",
        "description": "",
        "points_cost": 30,
        "stock_quantity": 10,
        "delivery_method": "shipped",
    }

    response = client.post(reverse("admin:shop_product_add"), {**form, field: value})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert not Product.objects.exists()


def test_the_set_stock_action_takes_ascii_digits_only(client, catalog_manager):
    product = ProductFactory(stock_quantity=3)
    client.force_login(catalog_manager)

    client.post(
        reverse("admin:shop_product_changelist"),
        {"action": "set_stock", "_selected_action": [product.pk], "apply": "1", "quantity": "１０"},
    )

    assert Product.objects.get(pk=product.pk).stock_quantity == 3


def test_a_csv_with_old_mac_line_endings_is_read(client, hr_staff, employee):
    client.force_login(hr_staff)
    text = f"employee,amount,reason\r{employee.email},5,Thanks\r"
    upload = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")

    preview = client.post(reverse("admin:points_employee_award_file"), {"file": upload}).context["preview"]

    assert [(line.user_id, line.amount) for line in preview.lines] == [(employee.pk, 5)]


def test_options_describes_the_award_inputs_to_hr(hr_api):
    actions = hr_api.options("/api/v1/awards").json()["actions"]["POST"]

    assert set(actions) == {"user_id", "amount", "reason"}


def test_options_on_the_sign_in_endpoint_needs_no_sign_in():
    assert APIClient().options("/api/v1/auth/token").status_code == 200


def test_an_hr_user_of_another_role_sees_the_same_refusals(client):
    # A catalog manager cannot reach the award screens at all.
    manager = staff_in("Catalog managers", "cm@example.com")
    client.force_login(manager)

    assert client.get(reverse("admin:points_employee_award_file")).status_code == 403


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_sign_ins_from_many_workers_gets_exactly_the_rate_through(settings):
    from tests.concurrency import run_concurrently

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "awsomeshop.cache.LockingDatabaseCache", "LOCATION": "awsomeshop_cache"},
    }

    def sign_in(i: int) -> int:
        body = {"email": f"nobody{i}@example.com", "password": "x"}
        return APIClient().post("/api/v1/auth/token", body, format="json").status_code

    statuses = run_concurrently(sign_in, [{"i": i} for i in range(30)])

    assert sorted(statuses).count(429) == 20, statuses


def test_a_request_for_another_host_is_a_400_not_a_500():
    client = Client(raise_request_exception=False)

    for path in ("/", "/api/v1/orders", "/admin/"):
        assert client.get(path, HTTP_HOST="evil.example.com").status_code == 400


def test_the_balance_in_the_header_needs_a_user_only_when_there_is_one(rf):
    # Django renders its own error pages with the context processors before any middleware ran.
    from points.context_processors import balance

    assert balance(rf.get("/")) == {}


# --- The second attack (issues 14 and 19) ------------------------------------------------------
def test_a_list_edit_that_smuggles_an_added_row_is_refused_not_a_500(client, catalog_manager):
    product, other = ProductFactory(stock_quantity=3), ProductFactory(stock_quantity=4)
    client.force_login(catalog_manager)
    client.raise_request_exception = False

    response = client.post(
        reverse("admin:shop_product_changelist"),
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "1",
            "form-0-id": product.pk,
            "form-0-stock_quantity": "3",
            "initial-form-0-stock_quantity": "3",
            "form-0-is_active": "on",
            "form-1-id": other.pk,
            "form-1-stock_quantity": "9",
            "initial-form-1-stock_quantity": "9",
            "_save": "Save",
        },
    )

    assert response.status_code == 400
    assert Product.objects.get(pk=other.pk).stock_quantity == 4


def test_loading_products_from_a_fixture_goes_through_the_one_write_path_or_not_at_all(tmp_path):
    import json

    from django.core.management import call_command

    product = ProductFactory(points_cost=100)
    fixture = tmp_path / "products.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "shop.product",
                    "pk": product.pk,
                    "fields": {
                        "name": "Cheap now",
                        "points_cost": 1,
                        "stock_quantity": 99,
                        "is_active": True,
                        "created_at": "2026-11-01T00:00:00Z",
                        "updated_at": "2026-11-01T00:00:00Z",
                    },
                }
            ]
        )
    )

    with pytest.raises(RuntimeError, match="Products change only through shop.services"):
        call_command("loaddata", str(fixture), verbosity=0)
    assert Product.objects.get(pk=product.pk).points_cost == 100


def test_after_a_change_made_outside_the_app_one_command_refreshes_every_cached_page():
    from django.core.management import call_command

    from shop.selectors import catalog_version_get

    before = catalog_version_get()
    call_command("catalog_refresh", verbosity=0)

    assert catalog_version_get() > before


@pytest.mark.parametrize("field", ["stock_quantity", "points_cost"])
def test_every_product_path_keeps_numbers_in_their_range(client, catalog_manager, field):
    from shop.services import product_update

    product = ProductFactory(stock_quantity=3, points_cost=10)
    too_many = {"stock_quantity": 1_000_001, "points_cost": 1_000_001}[field]

    with pytest.raises(Exception, match="less than or equal to 1000000"):
        product_update(product_id=product.pk, changes={field: too_many}, stock_seen=3)
    client.force_login(catalog_manager)
    form = {
        "name": "Lamp",
        "category": "",
        "description": "",
        "points_cost": 10,
        "stock_quantity": 3,
        "delivery_method": "shipped",
    }
    response = client.post(reverse("admin:shop_product_add"), {**form, field: too_many})

    assert response.context["adminform"].form.errors[field]
    assert Product.objects.get(pk=product.pk).stock_quantity == 3


def test_a_phone_photo_is_stored_upright():
    import io

    from PIL import Image

    from shop.images import product_image_clean_copy

    photo = Image.new("RGB", (40, 20), "teal")
    exif = photo.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif)
    from tests.images import upload

    stored = Image.open(
        io.BytesIO(product_image_clean_copy(upload(buffer.getvalue(), "photo.jpg", "image/jpeg")).read())
    )

    assert stored.size == (20, 40)
    assert stored.getexif().get(0x0112) in (None, 1)


def test_a_lower_case_log_level_is_a_log_level(tmp_path):
    from tests.test_production import PRODUCTION_ENV, manage

    result = manage("check", env={**PRODUCTION_ENV, "LOG_LEVEL": "info"})

    assert result.returncode == 0, result.stderr
