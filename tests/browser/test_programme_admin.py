"""The admin as HR and a superuser see it in Chromium: the branded look, change lists whose
every column fits a 1280 px screen, and the programme dashboard, whose chart draws (under the
CSP, from our own scripts only) and whose table matches the ledger."""

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from orders.services import order_cancel, order_redeem
from points.models import PointsTransaction
from points.services import Award, points_award_batch, points_reverse
from tests.awards import points_award
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page, user) -> list[str]:
    """Sign in to the admin; returns the list the page's console errors are collected in."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return errors


@pytest.fixture
def busy_programme(hr_staff, second_hr):
    people = [UserFactory(email=f"person{i}@example.com", first_name=f"Person{i}") for i in range(4)]
    product = ProductFactory(name="Travel mug with a long name that wraps", points_cost=120, stock_quantity=50)
    awards = [
        points_award(user_id=p.pk, amount=2150, reason=f"Quarterly bonus for {p.first_name}", awarded_by_id=hr_staff.pk)
        for p in people
    ]
    orders = [order_redeem(user_id=p.pk, product_id=product.pk) for p in people]
    order_cancel(order_id=orders[0].pk, cancelled_by_id=people[0].pk)
    points_reverse(
        award_id=awards[1].pk, amount=150, reason="Typo", reversed_by_id=second_hr.pk, source="form", batch_id="r1"
    )
    # A large request waiting for a second HR user, for several people with more than one reason.
    waiting = [Award(p.pk, 1500, "Launch of the new catalogue, with thanks for the late nights") for p in people]
    points_award_batch(
        awards=[*waiting, Award(people[0].pk, 1200, "Mentoring the new starters all year")],
        awarded_by_id=hr_staff.pk,
        source="form",
        batch_id="waiting",
    )
    return people


def test_the_dashboard_chart_draws_and_its_table_matches_the_ledger(page, hr_staff, busy_programme):
    errors = admin_sign_in(page, hr_staff)
    page.get_by_role("link", name="Programme dashboard").click()

    chart = page.locator("#programme-chart")
    expect(chart).to_have_attribute("data-drawn", "12")
    canvas = chart.locator("canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    # Something was drawn: the canvas is not blank.
    inked = canvas.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
    )
    assert inked > 1000

    def ledger(kind: str) -> int:
        return PointsTransaction.objects.filter(transaction_type=kind).aggregate(t=Sum("points_amount"))["t"] or 0

    totals = page.locator("#months-table tfoot td").all_inner_texts()
    assert totals == [f"{ledger(kind):,}" for kind in ("earned", "reversed", "redeemed", "refunded")]
    assert totals[0] == "8,600"
    expect(page.locator("#figure-awarded")).to_have_text(f"{8600 - 150:,}")
    expect(page.locator("#figure-outstanding")).to_have_text(f"{8600 - 150 - 3 * 120:,}")
    expect(page.locator("#products-table tbody tr").first).to_contain_text("Travel mug")
    assert errors == []


def test_a_bad_date_range_says_so_and_shows_nothing_broken(page, hr_staff):
    admin_sign_in(page, hr_staff)
    page.goto("/admin/programme/?start=2026-12-01&end=2026-01-01")
    expect(page.locator(".errornote")).to_contain_text("The range must end on or after the day it starts.")
    page.goto("/admin/programme/?start=nonsense&end=2026-01-01")
    expect(page.locator(".errorlist")).to_contain_text("Enter a valid date.")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/points/employee/",
        "/admin/points/pointstransaction/",
        "/admin/orders/order/",
        "/admin/points/awardbatch/",
        "/admin/points/awardbatch/?status__exact=all",
        "/admin/audit/auditentry/",
        "/admin/notifications/notification/",
    ],
)
def test_no_hr_list_hides_a_column_at_1280_px(page, hr_staff, busy_programme, path):
    admin_sign_in(page, hr_staff)
    page.goto(path)
    last_header = page.locator("#result_list thead th").last
    expect(last_header).to_be_visible()
    right = last_header.evaluate("th => th.getBoundingClientRect().right")
    overflow = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return [r.scrollWidth - r.clientWidth, document.documentElement.scrollWidth - window.innerWidth]; }"
    )
    assert right <= 1280 and overflow == [0, 0], (path, right, overflow)


def test_a_waiting_request_shows_balances_and_budget_and_the_reason_sits_with_reject(
    page, hr_staff, second_hr, busy_programme
):
    admin_sign_in(page, second_hr)
    page.goto("/admin/points/awardbatch/")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("4 employees")
    expect(row).to_contain_text("Mentoring the new starters")
    row.locator("a").first.click()

    expect(page.locator("#award-lines thead")).to_contain_text("Balance now")
    expect(page.locator("#award-budget")).to_contain_text("No budget is set for this period.")
    reject = page.locator("form.decision-reject")
    expect(reject.get_by_label("Why not")).to_be_visible()
    expect(reject.get_by_role("button", name="Reject")).to_be_visible()
    expect(page.locator("form.decision-approve").get_by_label("Why not")).to_have_count(0)
    # Approve follows the awards and the budget straight away, above the reason for rejecting.
    approve = page.get_by_role("button", name="Approve and credit 7,200 points").bounding_box()
    reason = reject.get_by_label("Why not").bounding_box()
    assert approve and reason and approve["y"] < reason["y"]


def test_the_audit_log_is_a_page_of_sensible_length(page, hr_staff, employee):
    for n in range(60):
        points_award(user_id=employee.pk, amount=10 + n, reason=f"Thanks, week {n}", awarded_by_id=hr_staff.pk)
    admin_sign_in(page, hr_staff)
    page.goto("/admin/audit/auditentry/")
    expect(page.locator("#result_list tbody tr")).to_have_count(50)
    expect(page.locator("#result_list tbody tr").first).to_contain_text("Awarded points")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height


def test_the_admin_carries_the_portals_look(page, hr_staff):
    admin_sign_in(page, hr_staff)
    header = page.locator("#header")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(55, 48, 163)"  # portal's brand-dark
    expect(page.locator("#site-name img")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("Times in UTC")


@pytest.mark.parametrize(
    ("role", "path"),
    [("catalog_manager", "/admin/shop/product/"), ("fulfilment_staff", "/admin/orders/fulfilmentorder/")],
)
def test_the_other_roles_lists_fit_1280_px_too(page, request, busy_programme, role, path):
    admin_sign_in(page, request.getfixturevalue(role))
    page.goto(path)
    overflow = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return [r.scrollWidth - r.clientWidth, document.documentElement.scrollWidth - window.innerWidth]; }"
    )
    assert overflow == [0, 0], (path, overflow)


def test_dates_are_shown_in_the_browsers_time_zone_once_it_has_said_which(
    browser, live_server, hr_staff, busy_programme
):
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    admin_sign_in(page, hr_staff)
    page.goto("/admin/points/pointstransaction/")
    expect(page.locator("#user-tools")).to_contain_text("Times in Asia/Tokyo")
    expect(page.locator("#result_list .field-created_at").first).to_contain_text("JST")
    context.close()
