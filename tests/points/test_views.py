import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.services import order_redeem

pytestmark = pytest.mark.django_db
HISTORY = reverse("points:history")


def test_my_points_shows_totals_and_history_newest_first_with_order_links(client, employee, product, give_points):
    client.force_login(employee)
    give_points(employee, 1000, reason="Welcome")
    order = order_redeem(user_id=employee.pk, product_id=product.pk)

    response = client.get(HISTORY)

    rows = list(response.context["page"])
    assert [r.transaction_type for r in rows] == ["redeemed", "earned"]
    html = response.content.decode()
    assert 'data-testid="balance">700<' in html
    assert ">1,000<" in html
    assert "Welcome" in html
    assert f'href="{order.get_absolute_url()}"' in html
    assert {"private", "no-cache"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_my_points_costs_the_same_queries_whatever_the_history_length(client, employee, give_points):
    client.force_login(employee)
    give_points(employee, 10)
    with CaptureQueriesContext(connection) as few:
        client.get(HISTORY)
    for _ in range(25):
        give_points(employee, 10)
    with CaptureQueriesContext(connection) as many:
        client.get(HISTORY)

    assert len(many) == len(few) <= 6


def test_a_user_without_points_sees_an_empty_history(client, employee):
    client.force_login(employee)

    html = client.get(HISTORY).content.decode()

    assert "No points yet" in html
    assert 'data-testid="header-balance">' in html
