"""The programme dashboard's figures: from the ledger in SQL aggregates, per TIME_ZONE month, the
same in the page, its table and its CSV files."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.services import order_cancel, order_redeem
from points.models import PointsBudget, PointsTransaction
from points.services import points_reverse
from programme.selectors import programme_figures
from tests.awards import points_award
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:programme_dashboard")


def _backdate(row_id: str, when: datetime.datetime) -> None:
    # Only to arrange months for the test: the app never edits a ledger row.
    PointsTransaction.objects.filter(pk=row_id).update(created_at=when)


@pytest.fixture
def programme(hr_staff, second_hr):
    people = [UserFactory(email=f"p{i}@example.com") for i in range(3)]
    product = ProductFactory(name="Mug", points_cost=100, stock_quantity=10)
    old = points_award(user_id=people[0].pk, amount=500, reason="Old", awarded_by_id=hr_staff.pk)
    _backdate(old.pk, timezone.now() - datetime.timedelta(days=62))
    awards = [points_award(user_id=p.pk, amount=1000, reason="Now", awarded_by_id=second_hr.pk) for p in people]
    orders = [order_redeem(user_id=p.pk, product_id=product.pk) for p in people]
    order_cancel(order_id=orders[2].pk, cancelled_by_id=people[2].pk)
    points_reverse(
        award_id=awards[0].pk, amount=200, reason="Typo", reversed_by_id=hr_staff.pk, source="api", client_key="r"
    )
    return people


def test_the_figures_add_up_from_the_ledger(programme, hr_staff, second_hr):
    today = timezone.localdate()
    figures = programme_figures(start=today - datetime.timedelta(days=100), end=today)

    assert figures.total("awarded") == 3500 and figures.total("reversed") == 200
    assert figures.total("redeemed") == 300 and figures.total("refunded") == 100
    assert figures.outstanding == 3500 - 200 - 200
    assert figures.redemption_rate == pytest.approx(200 / 3300)
    this_month = figures.months[-1]
    assert (this_month.awarded, this_month.redeemed) == (3000, 300)
    assert sum(m.awarded for m in figures.months[:-1]) == 500
    assert [(p["product__name"], p["orders"], p["points"]) for p in figures.top_products] == [("Mug", 2, 200)]
    givers = {g["awarded_by__email"]: (g["awards"], g["points"], g["reversed"]) for g in figures.givers}
    assert givers == {second_hr.email: (3, 3000, 200), hr_staff.email: (1, 500, 0)}


def test_the_figures_cost_the_same_queries_at_any_ledger_size(programme, hr_staff):
    today = timezone.localdate()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            programme_figures(start=today - datetime.timedelta(days=365), end=today)
        return len(captured)

    before = queries()
    for person in programme:
        for _ in range(20):
            points_award(user_id=person.pk, amount=5, reason="More", awarded_by_id=hr_staff.pk)
    # One per month for the ledger and one for recognition (13 months here: both ends are partial),
    # seven more, and five for recognition's values, givers, receivers and who received nothing
    # (how many, and the first ten).
    assert queries() == before <= 13 + 13 + 7 + 5


def test_months_are_counted_in_time_zone_days(settings, hr_staff, employee):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in December
    with timezone.override("Pacific/Auckland"):
        row = points_award(user_id=employee.pk, amount=50, reason="New year", awarded_by_id=hr_staff.pk)
        # 31 Dec 2026 11:30 UTC is already 1 Jan 2027 in Auckland.
        _backdate(row.pk, datetime.datetime(2026, 12, 31, 11, 30, tzinfo=datetime.UTC))
        figures = programme_figures(start=datetime.date(2026, 12, 1), end=datetime.date(2027, 1, 31))
    assert [(m.month.isoformat(), m.awarded) for m in figures.months] == [("2026-12-01", 0), ("2027-01-01", 50)]


def test_the_page_shows_the_budget_and_every_table_downloads_as_csv(hr, programme):
    today = timezone.localdate()
    PointsBudget.objects.create(
        starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=1), points=10_000
    )
    page = hr.get(DASHBOARD)
    html = page.content.decode()
    assert page.status_code == 200
    assert "2,800 of 10,000 used" in html
    assert 'id="programme-chart-data"' in html and "uPlot.iife.min.js" in html

    months = hr.get(DASHBOARD, {"export": "months"})
    lines = b"".join(months.streaming_content).decode().splitlines()
    assert lines[0] == "\ufeffmonth,awarded,reversed,net_awarded,redeemed,refunded,net_redeemed,expired"
    assert lines[-1] == f'"{today:%Y-%m}",3000,200,2800,300,100,200,0'
    for which in ("products", "givers", "summary"):
        response = hr.get(DASHBOARD, {"export": which})
        assert response["Content-Type"].startswith("text/csv")
        assert f"programme-{which}-" in response["Content-Disposition"]
    # Figures are numbers in the file: bare, not quoted as text (the rate was "0.0606").
    summary = b"".join(hr.get(DASHBOARD, {"export": "summary"}).streaming_content).decode()
    rate = next(line for line in summary.splitlines() if line.startswith('"redemption_rate"'))
    assert rate == '"redemption_rate",0.0606', rate


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-12-01", "end": "2026-11-01"}, "The range must end on or after the day it starts."),
        ({"start": "2000-01-01", "end": "2026-12-01"}, "Choose at most 60 months at a time."),
        ({"start": "31/31/2026", "end": "2026-12-01"}, "Enter a valid date."),
        ({"start": "2026-01-01", "end": "2026-12-01", "export": "months"}, None),
    ],
)
def test_a_bad_range_is_a_message_on_the_page_never_a_500(hr, query, message):
    response = hr.get(DASHBOARD, query)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()


def test_only_hr_and_superusers_see_the_programme_s_figures(client, catalog_manager, fulfilment_staff):
    client.force_login(fulfilment_staff)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD, {"export": "wished"}).status_code == 403
    client.force_login(catalog_manager)  # the catalog's part only (tests/shop/test_wishlist.py)
    for export in ("summary", "months", "givers"):
        assert client.get(DASHBOARD, {"export": export}).status_code == 403


@pytest.mark.parametrize("cookie", ["Asia%2FTokyo", "Asia/Tokyo"])
def test_a_browsers_zone_shows_the_times_in_it(hr, cookie):
    hr.cookies["tz"] = cookie
    assert "Times in Asia/Tokyo" in hr.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("cookie", ["Mars/Olympus", "../../etc/passwd", "x" * 500, ""])
def test_a_zone_we_do_not_know_is_ignored(hr, cookie):
    hr.cookies["tz"] = cookie
    response = hr.get(reverse("admin:index"))
    assert response.status_code == 200 and "Times in UTC" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_dashboard_s_date_boxes_hold_days_a_date_input_takes_in_every_language(superuser_client, language):
    """A date input takes only YYYY-MM-DD: a German "01.01.2026" would leave it empty and the form
    unsendable until both days were picked again."""
    import re

    page = superuser_client.get(reverse("admin:programme_dashboard"), HTTP_ACCEPT_LANGUAGE=language).text
    boxes = re.findall(r'<input[^>]*type="date"[^>]*>', page)
    values = [re.search(r'value="([^"]*)"', box).group(1) for box in boxes]
    assert len(values) == 2 and all(re.fullmatch(r"\d{4}-\d\d-\d\d", value) for value in values), values
