import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
CATALOG = reverse("shop:product_list")


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee)
    return client


def names(response) -> list[str]:
    return [product.name for product in response.context["page"]]


@pytest.mark.parametrize(
    "url",
    [CATALOG, "/products/x/", "/products/x/redeem/", "/orders/", "/orders/x/", "/points/"],
)
def test_every_portal_page_sends_a_signed_out_visitor_to_sign_in_and_back(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_catalog_shows_active_products_with_cost_and_stock(signed_in):
    ProductFactory(name="Yoga mat", points_cost=350, stock_quantity=15)
    ProductFactory(name="Cap", points_cost=150, stock_quantity=0)
    ProductFactory(name="Retired", is_active=False)

    response = signed_in.get(CATALOG)

    assert names(response) == ["Cap", "Yoga mat"]
    html = response.content.decode()
    assert "350 pts" in html
    assert "Out of stock" in html
    assert "Retired" not in html
    assert {"private", "no-cache"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_catalog_filters_search_category_and_affordability(signed_in, employee, give_points):
    give_points(employee, 400)
    ProductFactory(name="Yoga mat", category="Wellbeing", points_cost=350, description="Non-slip")
    ProductFactory(name="Massage", category="Wellbeing", points_cost=900)
    ProductFactory(name="Headphones", category="Tech", points_cost=2400, description="Wireless, non-slip band")

    assert names(signed_in.get(CATALOG, {"q": "non-slip"})) == ["Headphones", "Yoga mat"]
    assert names(signed_in.get(CATALOG, {"category": "Wellbeing"})) == ["Massage", "Yoga mat"]
    assert names(signed_in.get(CATALOG, {"affordable": "true"})) == ["Yoga mat"]
    assert names(signed_in.get(CATALOG, {"category": "Tech", "affordable": "true"})) == []


def test_catalog_sorts_by_points_both_ways_newest_and_name(signed_in):
    for name, cost in [("B", 300), ("A", 200), ("C", 100)]:
        ProductFactory(name=name, points_cost=cost)

    assert names(signed_in.get(CATALOG, {"sort": "points"})) == ["C", "A", "B"]
    assert names(signed_in.get(CATALOG, {"sort": "-points"})) == ["B", "A", "C"]
    assert names(signed_in.get(CATALOG, {"sort": "newest"})) == ["C", "A", "B"]
    assert names(signed_in.get(CATALOG, {"sort": "name"})) == ["A", "B", "C"]


def test_catalog_only_in_stock(signed_in):
    ProductFactory(name="Sold out", stock_quantity=0)
    ProductFactory(name="Available", stock_quantity=1)

    assert names(signed_in.get(CATALOG, {"in_stock": "true"})) == ["Available"]


def test_catalog_paginates_and_keeps_the_filters_in_the_links(signed_in):
    ProductFactory.create_batch(15, category="Tech")

    response = signed_in.get(CATALOG, {"category": "Tech", "page": "2"})

    assert len(response.context["page"]) == 3
    assert 'href="?category=Tech&amp;page=1"' in response.content.decode()
    assert len(signed_in.get(CATALOG, {"page": "999"}).context["page"]) == 3
    assert len(signed_in.get(CATALOG, {"page": "abc"}).context["page"]) == 12


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_points": "abc"}, "Enter a whole number."),
        ({"max_points": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"max_points": "99999999999999999999"}, "Ensure this value is less than or equal to 2147483647."),
        ({"q": "x" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
        ({"sort": "price; DROP TABLE products"}, "Select a valid choice."),
    ],
)
def test_catalog_explains_a_bad_filter_instead_of_failing(signed_in, params, message):
    ProductFactory()

    response = signed_in.get(CATALOG, params)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_catalog_costs_the_same_queries_for_three_products_or_thirty(signed_in):
    ProductFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(CATALOG, {"affordable": "true"})
    ProductFactory.create_batch(27)
    with CaptureQueriesContext(connection) as many:
        signed_in.get(CATALOG, {"affordable": "true"})

    assert len(many) == len(few) <= 7


def test_product_page_offers_redemption_when_the_user_can(signed_in, employee, product, give_points):
    give_points(employee, 1000)

    response = signed_in.get(product.get_absolute_url())

    html = response.content.decode()
    assert "Redeem for 300 points" in html
    assert reverse("orders:redeem", kwargs={"product_id": product.pk}) in html


def test_product_page_says_how_many_more_points_are_needed(signed_in, employee, product, give_points):
    give_points(employee, 120)

    html = signed_in.get(product.get_absolute_url()).content.decode()

    assert "You need 180 more points" in html
    assert "disabled" in html


def test_product_page_says_out_of_stock(signed_in, employee, give_points):
    give_points(employee, 1000)
    sold_out = ProductFactory(stock_quantity=0)

    html = signed_in.get(sold_out.get_absolute_url()).content.decode()

    assert 'id="redeem-blocker" data-testid="redeem-blocker">Out of stock<' in html


def test_inactive_or_unknown_product_is_a_friendly_404(signed_in):
    retired = ProductFactory(is_active=False)

    for url in (retired.get_absolute_url(), "/products/nope/"):
        response = signed_in.get(url)
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()


def test_the_catalog_count_follows_every_change_of_the_catalog(signed_in):
    from shop.services import product_active_set

    products = ProductFactory.create_batch(3)
    assert signed_in.get(CATALOG).context["page"].paginator.count == 3

    ProductFactory()
    assert signed_in.get(CATALOG).context["page"].paginator.count == 4
    product_active_set(product_ids=[products[0].pk], is_active=False)
    assert signed_in.get(CATALOG).context["page"].paginator.count == 3
