import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from PIL import Image

from orders.services import order_redeem
from shop.models import Product
from tests.factories import ProductFactory, UserFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home_category(db):
    """The product forms choose “Home” from the managed list of categories."""
    from shop.services import category_create

    category_create(name="Home")


PRODUCTS = reverse("admin:shop_product_changelist")
ADD = reverse("admin:shop_product_add")


@pytest.fixture
def manager(client, catalog_manager):
    client.force_login(catalog_manager)
    return client


def product_form(**overrides) -> dict:
    return {
        "name": "Desk lamp",
        "category": "Home",
        "description": "Warm light",
        "points_cost": 400,
        "stock_quantity": 7,
        "is_active": "on",
        "delivery_method": "shipped",
        **overrides,
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_catalog_manager_adds_a_product_with_a_png(manager, settings):
    response = manager.post(ADD, product_form(image=upload(image_bytes("PNG"))))

    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(name="Desk lamp")
    assert product.image.name.startswith("products/") and product.image.name.endswith(".png")
    stored = Path(settings.MEDIA_ROOT) / product.image.name
    assert Image.open(stored).size == (40, 30)


def test_two_uploads_with_the_same_name_never_overwrite_each_other(manager):
    manager.post(ADD, product_form(name="A", image=upload(image_bytes(colour="red"), name="photo.png")))
    manager.post(ADD, product_form(name="B", image=upload(image_bytes(colour="blue"), name="photo.png")))

    names = set(Product.objects.values_list("image", flat=True))
    assert len(names) == 2


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload(b"just some text, honestly", name="notes.png"), "Upload a valid image."),
        (
            upload(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", name="doc.pdf", content_type="application/pdf"),
            "Upload a valid image.",
        ),
        (
            upload(image_bytes("GIF"), name="anim.gif", content_type="image/gif"),
            "GIF images are not accepted; upload a JPEG, PNG or WebP.",
        ),
        (
            upload(image_bytes("PNG", size=(2000, 2000)) + b"\0" * (5 * 1024 * 1024), name="huge.png"),
            "the limit is 5 MB",
        ),
        (upload(image_bytes("PNG")[:60], name="cut.png"), "Upload a valid image."),
    ],
)
def test_uploads_that_are_not_an_accepted_image_are_refused(manager, file, message):
    response = manager.post(ADD, product_form(image=file))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Product.objects.exists()


def test_a_polyglot_is_stored_as_pixels_only(manager, settings):
    polyglot = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"

    manager.post(ADD, product_form(image=upload(polyglot, name="cute.png")))

    stored = (Path(settings.MEDIA_ROOT) / Product.objects.get().image.name).read_bytes()
    assert b"<script>" not in stored
    assert stored.startswith(b"\x89PNG")


def test_editing_stock_that_redemptions_changed_meanwhile_is_refused(manager, give_points):
    product = ProductFactory(name="Mug", stock_quantity=5, points_cost=10)
    change = reverse("admin:shop_product_change", args=[product.pk])
    form_page = manager.get(change)
    initial_stock = form_page.context["adminform"].form.initial["stock_quantity"]
    buyer = UserFactory()
    give_points(buyer, 100)
    order_redeem(user_id=buyer.pk, product_id=product.pk)  # stock is now 4

    response = manager.post(
        change, {**product_form(name="Mug", points_cost=10, stock_quantity=50), "initial-stock_quantity": initial_stock}
    )

    # The form comes back with the number typed and the refusal beside the stock field.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["stock_quantity"] == [
        "The stock of “Mug” changed to 4 while you were editing (redemptions take units). "
        "Nothing was saved; check the stock and save again."
    ]
    assert form["stock_quantity"].value() == "50"
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert Product.objects.get(pk=product.pk).name == "Mug"
    # It now carries the new level as the one seen: saving again sets the typed number knowingly.
    assert 'name="initial-stock_quantity" value="4"' in response.content.decode()
    again = manager.post(
        change, {**product_form(name="Mug", points_cost=10, stock_quantity=50), "initial-stock_quantity": 4}
    )
    assert again.status_code == 302 and Product.objects.get(pk=product.pk).stock_quantity == 50


def test_editing_a_product_goes_through_the_service(manager):
    product = ProductFactory(name="Mug", stock_quantity=5)

    response = manager.post(
        reverse("admin:shop_product_change", args=[product.pk]),
        {**product_form(name="Big mug", stock_quantity=9), "initial-stock_quantity": 5},
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.stock_quantity, product.points_cost) == ("Big mug", 9, 400)


def test_list_editable_stock_and_active(manager):
    product = ProductFactory(stock_quantity=5, is_active=True)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": product.pk,
        "form-0-stock_quantity": "12",
        "initial-form-0-stock_quantity": "5",
        "_save": "Save",
    }

    response = manager.post(PRODUCTS, data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.stock_quantity, product.is_active) == (12, False)


def test_deactivate_hides_the_product_from_the_portal(manager, client, employee):
    product = ProductFactory(name="Retiring")

    manager.post(PRODUCTS, {"action": "deactivate", "_selected_action": [product.pk]})

    assert Product.objects.get(pk=product.pk).is_active is False
    client.force_login(employee)
    assert "Retiring" not in client.get("/").content.decode()


def test_set_stock_action_asks_then_sets(manager):
    products = ProductFactory.create_batch(2, stock_quantity=1)
    ids = [p.pk for p in products]

    ask = manager.post(PRODUCTS, {"action": "set_stock", "_selected_action": ids})
    assert "Set the stock of these 2 products" in ask.content.decode()
    manager.post(PRODUCTS, {"action": "set_stock", "_selected_action": ids, "quantity": 25, "apply": "1"})

    assert list(Product.objects.values_list("stock_quantity", flat=True)) == [25, 25]


def test_filters_by_low_stock(manager):
    ProductFactory(name="Plenty", stock_quantity=50)
    ProductFactory(name="Few", stock_quantity=2)
    ProductFactory(name="None", stock_quantity=0)

    names = [p.name for p in manager.get(PRODUCTS, {"stock": "low"}).context["cl"].result_list]

    assert names == ["Few"]


def test_a_product_with_orders_cannot_be_deleted_even_by_a_superuser(client, give_points):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    product = ProductFactory(points_cost=10)
    buyer = UserFactory()
    give_points(buyer, 10)
    order_redeem(user_id=buyer.pk, product_id=product.pk)
    client.force_login(admin_user)

    response = client.post(reverse("admin:shop_product_delete", args=[product.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_deleting_never_redeemed_products_in_the_admin_goes_through_the_service(client):
    from shop.selectors import catalog_version_get

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    one, two, three = ProductFactory.create_batch(3)
    before = catalog_version_get()

    client.post(reverse("admin:shop_product_delete", args=[one.pk]), {"post": "yes"})
    client.post(PRODUCTS, {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"})

    assert not Product.objects.exists()
    assert catalog_version_get() > before


def test_a_new_products_page_shows_no_id_or_dates_it_does_not_have_yet(manager):
    """The add page showed "ID: 172ed088-…" (a default the product may never get) and "Created: -"."""
    html = manager.get(ADD).content.decode()

    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)
    assert "field-created_at" not in html and "field-id" not in html
