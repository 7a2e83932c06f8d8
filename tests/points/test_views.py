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


@pytest.mark.django_db
def test_my_points_says_who_gave_each_award_and_why_and_shows_corrections_as_taken(
    client, employee, hr_staff, second_hr
):
    from points.services import points_reverse
    from tests.awards import points_award

    award = points_award(user_id=employee.pk, amount=1500, reason="Launch of the new app", awarded_by_id=hr_staff.pk)
    points_reverse(
        award_id=award.pk, amount=1350, reason="Meant 150", reversed_by_id=second_hr.pk, source="form", batch_id="r"
    )
    client.force_login(employee)
    html = client.get("/points/").content.decode()
    assert '<span class="award-reason">Launch of the new app</span>' in html
    assert f"from {hr_staff.get_full_name()}" in html
    assert "Correction of an award of 1,500 points (“Launch of the new app”): Meant 150" in html
    assert "−1,350" in html and "+1,500" in html
