"""One write path for products (issue 14): every change, from any screen, goes through
shop.services, which moves the catalog version itself; nothing else can write a product; and the
admin's saves take the same locks as everything else, so they race redemptions without a 503."""

import random

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from orders.services import order_redeem
from shop.models import Product
from shop.selectors import catalog_version_get
from shop.services import product_import, product_stock_set
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.images import image_bytes, upload
from tests.ledger import assert_ledger_consistent

PRODUCTS_API = "/api/v1/products"
CHANGELIST = reverse("admin:shop_product_changelist")


@pytest.fixture(autouse=True)
def _home_category(db):
    """The product forms choose “Home” from the managed list of categories."""
    from shop.services import category_create

    category_create(name="Home")


def product_form(product: Product, **changes) -> dict:
    return {
        "name": product.name,
        "category": product.category or "",
        "description": product.description or "",
        "points_cost": product.points_cost,
        "stock_quantity": product.stock_quantity,
        "initial-stock_quantity": product.stock_quantity,
        "delivery_method": product.delivery,
        **({"is_active": "on"} if product.is_active else {}),
        **changes,
    }


def list_edit(*products: Product, **changes) -> dict:
    """The change list's form, saving `changes` on each of the products."""
    data = {"form-TOTAL_FORMS": str(len(products)), "form-INITIAL_FORMS": str(len(products)), "_save": "Save"}
    for i, product in enumerate(products):
        row = {"stock_quantity": product.stock_quantity, "is_active": "on" if product.is_active else "", **changes}
        data |= {
            f"form-{i}-id": product.pk,
            f"form-{i}-stock_quantity": row["stock_quantity"],
            f"initial-form-{i}-stock_quantity": product.stock_quantity,
            **({f"form-{i}-is_active": "on"} if row["is_active"] else {}),
        }
    return data


ADMIN_CHANGES = {
    "change form: price": (
        lambda c, p: c.post(reverse("admin:shop_product_change", args=[p.pk]), product_form(p, points_cost=777)),
        lambda row: row is not None and row["points_cost"] == 777,
    ),
    "change form: new image": (
        lambda c, p: c.post(
            reverse("admin:shop_product_change", args=[p.pk]),
            product_form(p, image=upload(image_bytes("PNG"), "new.png")),
        ),
        lambda row: row is not None and row["image_url"],
    ),
    "list edit: stock": (
        lambda c, p: c.post(CHANGELIST, list_edit(p, stock_quantity=42)),
        lambda row: row["stock_quantity"] == 42,
    ),
    "list edit: deactivate": (lambda c, p: c.post(CHANGELIST, list_edit(p, is_active="")), lambda row: row is None),
    "action: deactivate": (
        lambda c, p: c.post(CHANGELIST, {"action": "deactivate", "_selected_action": [p.pk]}),
        lambda row: row is None,
    ),
    "action: set stock": (
        lambda c, p: c.post(
            CHANGELIST, {"action": "set_stock", "_selected_action": [p.pk], "apply": "1", "quantity": "9"}
        ),
        lambda row: row["stock_quantity"] == 9,
    ),
    "delete": (
        lambda c, p: c.post(reverse("admin:shop_product_delete", args=[p.pk]), {"post": "yes"}),
        lambda row: row is None,
    ),
}


def row_of(body: dict, product: Product) -> dict | None:
    return next((row for row in body["results"] if row["id"] == product.pk), None)


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(ADMIN_CHANGES))
def test_a_product_change_from_any_admin_screen_shows_in_the_next_cached_catalog_read(
    path, client, superuser_client, employee_api
):
    product = ProductFactory(name="Lamp", category="Home", points_cost=100, stock_quantity=5)
    assert row_of(employee_api.get(PRODUCTS_API).json(), product) is not None  # the page is cached now
    before = catalog_version_get()
    change, shows = ADMIN_CHANGES[path]

    response = change(superuser_client, product)

    assert response.status_code == 302, response.content[:500]
    assert catalog_version_get() > before
    assert shows(row_of(employee_api.get(PRODUCTS_API).json(), product))


@pytest.mark.django_db
def test_a_product_added_in_the_admin_or_by_import_shows_in_the_next_cached_catalog_read(
    superuser_client, employee_api
):
    employee_api.get(PRODUCTS_API)

    superuser_client.post(
        reverse("admin:shop_product_add"),
        {
            "name": "Kettle",
            "category": "Home",
            "description": "",
            "points_cost": 50,
            "stock_quantity": 3,
            "is_active": "on",
            "delivery_method": "pickup",
        },
    )
    product_import(products=[Product(name="Teapot", points_cost=60, stock_quantity=2)])

    names = {row["name"] for row in employee_api.get(PRODUCTS_API).json()["results"]}
    assert {"Kettle", "Teapot"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda p: Product.objects.filter(pk=p.pk).update(points_cost=1),
        lambda p: Product.objects.filter(pk=p.pk).delete(),
        lambda p: Product.objects.bulk_create([Product(name="Sneaky", points_cost=1)]),
        lambda p: Product.objects.create(name="Sneaky", points_cost=1),
        lambda p: p.save(),
        lambda p: p.delete(),
    ],
    ids=["update", "queryset delete", "bulk_create", "create", "save", "delete"],
)
def test_nothing_outside_shop_services_can_write_a_product(write):
    product = ProductFactory(points_cost=100)

    with pytest.raises(RuntimeError, match="Products change only through shop.services"):
        write(product)

    assert Product.objects.get(pk=product.pk).points_cost == 100


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_admin_list_edits_and_bulk_actions_racing_redemptions_finish_without_a_503(give_points, deadlock_retries):
    products = [ProductFactory(points_cost=10, stock_quantity=10_000) for _ in range(4)]
    buyers = UserFactory.create_batch(6)
    for buyer in buyers:
        give_points(buyer, 10_000)
    admin_user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)

    def redeem(*, seed: int) -> list[object]:
        mine = random.Random(seed)  # noqa: S311 - a reproducible mix, not security
        return [order_redeem(user_id=buyers[seed].pk, product_id=mine.choice(products).pk).pk for _ in range(15)]

    def edit_in_the_admin(*, seed: int) -> list[int]:
        client = Client(raise_request_exception=False)
        client.force_login(admin_user)
        statuses = []
        for round_ in range(8):
            if seed % 2:
                # Every product in one save, in the list's order: the case that deadlocked inside
                # the admin's own transaction (it locked a product, the version row, the next product).
                current = list(Product.objects.filter(pk__in=[p.pk for p in products]).order_by("-name"))
                statuses.append(
                    client.post(CHANGELIST, list_edit(*current, stock_quantity=10_000 + round_)).status_code
                )
            else:
                ids = [p.pk for p in products]
                data = {"action": "set_stock", "_selected_action": ids, "apply": "1", "quantity": "10000"}
                statuses.append(client.post(CHANGELIST, data).status_code)
        connection.close()
        return statuses

    outcomes = run_concurrently(
        lambda seed: redeem(seed=seed) if seed < 6 else edit_in_the_admin(seed=seed),
        [{"seed": seed} for seed in range(8)],
    )

    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert failures == []
    admin_statuses = [status for outcome in outcomes[6:] for status in outcome]
    assert set(admin_statuses) == {302}  # saved, or refused with a message; never a 503
    assert sum(len(outcome) for outcome in outcomes[:6]) == 90
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


@pytest.mark.django_db
def test_product_stock_set_locks_products_in_primary_key_order():
    products = [ProductFactory() for _ in range(5)]
    ids = [p.pk for p in reversed(sorted(products, key=lambda p: p.pk))]

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        product_stock_set(product_ids=ids, quantity=3)

    locking = next(q["sql"] for q in queries if "FROM" in q["sql"] and "products" in q["sql"])
    assert "ORDER BY" in locking and "product_id" in locking.split("ORDER BY")[1]
