import pytest
from rest_framework.settings import api_settings

from orders.models import Order
from orders.services import order_redeem
from points.models import UserPoints
from shop.services import product_active_set, product_stock_set
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent


def redeem(client, product_id, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/orders", {"product_id": product_id, **extra}, format="json", **headers)


@pytest.mark.django_db
def test_redeeming_returns_201_with_the_order_and_my_new_balance(employee_api, employee, product, give_points):
    give_points(employee, 1000)

    response = redeem(employee_api, product.pk)

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body["order"]["id"] == order.pk
    assert body["order"]["product"]["name"] == "Hoodie"
    assert body["order"]["points_used"] == 300
    assert body["order"]["status"] == "Placed"
    assert body["balance_after"] == 700


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "status", "code", "message"),
    [
        ("poor", 422, "insufficient_points", "You need 300 points but have 50: 250 more to go."),
        ("sold_out", 409, "out_of_stock", "“Hoodie” is out of stock."),
        ("inactive", 404, "product_unavailable", "This product is not available."),
    ],
)
def test_refused_redemptions_say_why_and_change_nothing(
    employee_api, employee, product, give_points, setup, status, code, message
):
    give_points(employee, 50 if setup == "poor" else 1000)
    if setup == "sold_out":
        product_stock_set(product_ids=[product.pk], quantity=0)
    if setup == "inactive":
        product_active_set(product_ids=[product.pk], is_active=False)

    response = redeem(employee_api, product.pk)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"] == message
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"product_id": "P", "user_id": "someone-else"},
        {"product_id": "P", "points_used": 1},
        {"product_id": "P", "status": "Delivered"},
        {"product_id": "x" * 256},
        {"product_id": 12},
        {},
    ],
)
def test_mass_assignment_and_bad_bodies_are_400s(employee_api, employee, product, give_points, body):
    give_points(employee, 1000)
    body = {k: (product.pk if v == "P" else v) for k, v in body.items()}

    response = employee_api.post("/api/v1/orders", body, format="json")

    assert response.status_code in (400, 404)
    assert response.json()["error"]["code"] in ("invalid", "product_unavailable")
    assert not Order.objects.exists()
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1000


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_original_response(employee_api, employee, product, give_points):
    give_points(employee, 1000)

    first = redeem(employee_api, product.pk, key="7a4c")
    give_points(employee, 5)  # the balance moves on; the replay still answers what the first call did
    again = redeem(employee_api, product.pk, key="7a4c")

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 705


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422(employee_api, employee, product, give_points):
    give_points(employee, 1000)
    redeem(employee_api, product.pk, key="7a4c")

    response = redeem(employee_api, ProductFactory().pk, key="7a4c")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_an_overlong_key_is_a_400(employee_api, employee, product, give_points):
    give_points(employee, 1000)

    response = redeem(employee_api, product.pk, key="k" * 101)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"


@pytest.mark.django_db
def test_orders_are_mine_only(employee_api, employee, product, give_points):
    colleague = UserFactory()
    give_points(employee, 1000)
    give_points(colleague, 1000)
    mine = order_redeem(user_id=employee.pk, product_id=product.pk)
    theirs = order_redeem(user_id=colleague.pk, product_id=product.pk)

    listed = employee_api.get("/api/v1/orders").json()["results"]
    assert [o["id"] for o in listed] == [mine.pk]
    assert employee_api.get(f"/api/v1/orders/{mine.pk}").status_code == 200
    response = employee_api.get(f"/api/v1/orders/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "No such order.", "details": {}}


@pytest.mark.django_db
def test_redemptions_are_throttled_per_user(employee_api, employee, give_points):
    product = ProductFactory(points_cost=1, stock_quantity=100)
    give_points(employee, 100)
    limit = int(api_settings.DEFAULT_THROTTLE_RATES["redemptions"].split("/")[0])

    statuses = [redeem(employee_api, product.pk).status_code for _ in range(limit + 1)]

    assert statuses[:limit] == [201] * limit
    assert statuses[-1] == 429
    assert employee_api.get("/api/v1/orders").status_code == 200
    body = redeem(employee_api, product.pk).json()
    assert body["error"]["code"] == "throttled"
    assert body["error"]["details"]["wait_seconds"] > 0


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_give_one_order_and_twenty_equal_answers(
    api_as, give_points, deadlock_retries
):
    employee = UserFactory()
    product = ProductFactory(points_cost=100, stock_quantity=50)
    give_points(employee, 1000)
    client = api_as(employee)

    def call():
        response = redeem(client, product.pk, key="one-tap")
        return response.status_code, response.json()

    outcomes = run_concurrently(call, [{}] * 20)

    assert {status for status, _ in outcomes} == {201}, outcomes
    assert len({str(body) for _, body in outcomes}) == 1
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 900
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_the_fast_order_representation_equals_drfs_field_by_field_one(rf, employee, give_points, zone):
    from django.utils import timezone
    from rest_framework import serializers

    from orders.apis import OrderOutputSerializer
    from tests.factories import ProductFactory

    give_points(employee, 100)
    product = ProductFactory(image="products/x.png", points_cost=10)
    order = Order.objects.select_related("product").get(pk=order_redeem(user_id=employee.pk, product_id=product.pk).pk)
    serializer = OrderOutputSerializer(order, context={"request": rf.get("/api/v1/orders")})

    with timezone.override(zone):
        assert serializer.data == serializers.ModelSerializer.to_representation(serializer, order)
    assert serializer.data["product"]["image_url"] == "http://testserver/media/products/x.png"
