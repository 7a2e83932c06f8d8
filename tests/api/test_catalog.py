import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_products_list_active_products_paginated_by_twenty(employee_api):
    ProductFactory.create_batch(25)
    ProductFactory(is_active=False)

    body = employee_api.get("/api/v1/products").json()

    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["next"].endswith("/api/v1/products?page=2")
    first = body["results"][0]
    assert set(first) == {
        "id",
        "name",
        "description",
        "category",
        "points_cost",
        "stock_quantity",
        "in_stock",
        "image_url",
        "created_at",
        "updated_at",
    }


def test_page_size_is_bounded(employee_api):
    ProductFactory.create_batch(3)

    assert len(employee_api.get("/api/v1/products", {"page_size": 2}).json()["results"]) == 2
    response = employee_api.get("/api/v1/products", {"page_size": 100_000})
    assert response.status_code == 200


def test_products_filter_and_sort(employee_api, employee, give_points):
    give_points(employee, 500)
    ProductFactory(name="Mat", category="Wellbeing", points_cost=350, stock_quantity=0)
    ProductFactory(name="Bottle", category="Home", points_cost=200)
    ProductFactory(name="Phones", category="Tech", points_cost=2400, description="wireless")

    def names(**params):
        return [p["name"] for p in employee_api.get("/api/v1/products", params).json()["results"]]

    assert names(q="WIRELESS") == ["Phones"]
    assert names(category="Home") == ["Bottle"]
    assert names(min_points=300, max_points=3000) == ["Mat", "Phones"]
    assert names(in_stock="true") == ["Bottle", "Phones"]
    assert names(affordable="true") == ["Bottle", "Mat"]
    assert names(sort="-points") == ["Phones", "Mat", "Bottle"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_points": "abc"}, "min_points"),
        ({"max_points": "1e400"}, "max_points"),
        ({"max_points": "-3"}, "max_points"),
        ({"sort": "password"}, "sort"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_the_field(employee_api, params, field):
    response = employee_api.get("/api/v1/products", params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["details"]


def test_product_detail_and_404_for_inactive_or_unknown(employee_api):
    product = ProductFactory(name="Mug")
    retired = ProductFactory(is_active=False)

    assert employee_api.get(f"/api/v1/products/{product.pk}").json()["name"] == "Mug"
    for product_id in (retired.pk, "nope", "%00"):
        response = employee_api.get(f"/api/v1/products/{product_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "product_unavailable"


def test_categories_of_active_products(employee_api):
    ProductFactory(category="Tech")
    ProductFactory(category="Apparel")
    ProductFactory(category="Hidden", is_active=False)

    assert employee_api.get("/api/v1/categories").json() == {"categories": ["Apparel", "Tech"]}


def test_the_product_list_costs_the_same_queries_for_any_page_size(employee_api, django_assert_max_num_queries):
    ProductFactory.create_batch(60)

    with django_assert_max_num_queries(4):
        employee_api.get("/api/v1/products", {"page_size": 5, "affordable": "true"})
    with django_assert_max_num_queries(4):
        employee_api.get("/api/v1/products", {"page_size": 60, "affordable": "true"})


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_the_fast_product_representation_equals_drfs_field_by_field_one(rf, zone):
    from django.utils import timezone
    from rest_framework import serializers

    from shop.apis import ProductOutputSerializer

    product = ProductFactory(image="products/x.png", stock_quantity=0)
    request = rf.get("/api/v1/products")
    serializer = ProductOutputSerializer(product, context={"request": request})

    with timezone.override(zone):
        assert serializer.data == serializers.ModelSerializer.to_representation(serializer, product)
    assert serializer.data["image_url"] == "http://testserver/media/products/x.png"
    assert serializer.data["in_stock"] is False
