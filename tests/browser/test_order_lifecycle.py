"""An order's life in a real browser: an apparel order with a size and an address that the
fulfilment team ships, a digital reward with its code, and a cancellation with its refund."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.services import voucher_codes_import
from points.models import UserPoints
from tests.factories import DEFAULT_PASSWORD, ProductFactory
from tests.orders.fulfilment import hoodie_with_sizes

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page, user) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def run_action(page, order: Order, label: str) -> None:
    page.locator(f'input[name="_selected_action"][value="{order.pk}"]').check()
    page.locator('select[name="action"]').select_option(label=label)
    page.get_by_role("button", name="Go").click()


def test_an_apparel_order_with_a_size_and_an_address_is_shipped_and_tracked(
    page, browser, live_server, sign_in, employee, give_points, fulfilment_staff
):
    give_points(employee, 1000)
    hoodie, _sizes = hoodie_with_sizes(S=0, M=3)
    sign_in(employee)

    page.goto(hoodie.get_absolute_url())
    expect(page.get_by_test_id("product-options")).to_contain_text("M · 3 left")
    page.get_by_role("link", name="Redeem for 300 points").click()
    page.get_by_role("button", name="Confirm redemption").click()
    expect(page.get_by_text("Choose an option of “Hoodie”.")).to_be_visible()  # asked, nothing charged
    page.get_by_label("Size").select_option(label="M (only 3 left)")
    page.get_by_label("Deliver to").fill("Emma Foster\n12 Harbour Street\nBristol BS1 4RN")
    page.get_by_role("button", name="Confirm redemption").click()

    expect(page.get_by_role("status")).to_contain_text("Done! Order")
    expect(page.get_by_test_id("order-option")).to_have_text("M")
    expect(page.get_by_test_id("order-address")).to_contain_text("12 Harbour Street")
    expect(page.get_by_test_id("order-status")).to_have_text("Placed")
    order = Order.objects.get()

    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    admin_sign_in(staff, fulfilment_staff)
    staff.get_by_role("link", name="Fulfilment queue").click()
    expect(staff.locator("#result_list")).to_contain_text("Emma Foster, 12 Harbour Street, Bristol BS1 4RN")
    run_action(staff, order, "Mark selected orders processing")
    expect(staff.get_by_text(f"1 marked processing: {order.short_number}.")).to_be_visible()
    run_action(staff, order, "Mark selected orders shipped…")
    staff.get_by_label("Carrier").fill("Royal Mail")
    staff.get_by_label(f"Tracking number of order {order.short_number}").fill("RM123456785GB")
    staff.get_by_role("button", name="Mark shipped").click()
    expect(staff.get_by_text(f"1 marked shipped: {order.short_number}.")).to_be_visible()
    staff.context.close()

    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    tracking = page.get_by_test_id("order-tracking")
    expect(tracking).to_contain_text("Royal Mail · RM123456785GB")
    # The number leads to the carrier's page for the parcel (issue 30), in a new tab.
    expect(tracking.get_by_role("link", name=re.compile("RM123456785GB"))).to_have_attribute(
        "href", "https://www.royalmail.com/track-your-item#/tracking-results/RM123456785GB"
    )
    expect(page.get_by_test_id("order-timeline").locator("li")).to_have_count(3)
    expect(page.get_by_role("button", name="Cancel this order")).to_have_count(0)


def test_a_digital_reward_shows_its_code_on_the_order(page, sign_in, employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    card = ProductFactory(name="Bookshop gift card", points_cost=500, delivery_method="digital")
    voucher_codes_import(product_id=card.pk, codes=["BOOK-7Q2X-0001"], added_by_id=fulfilment_staff.pk)
    sign_in(employee)

    page.goto(card.get_absolute_url())
    page.get_by_role("link", name="Redeem for 500 points").click()
    expect(page.get_by_label("Deliver to")).to_have_count(0)  # a digital reward asks no address
    page.get_by_role("button", name="Confirm redemption").click()

    expect(page.get_by_test_id("order-code")).to_contain_text("BOOK-7Q2X-0001")
    expect(page.get_by_test_id("order-status")).to_have_text("Delivered")
    expect(page.get_by_test_id("order-timeline")).to_contain_text("Code handed out")


def test_an_employee_cancels_an_order_and_gets_the_points_back(page, sign_in, employee, give_points):
    give_points(employee, 1000)
    bottle = ProductFactory(name="Insulated bottle", points_cost=200, stock_quantity=1, delivery_method="pickup")
    sign_in(employee)

    page.goto(bottle.get_absolute_url())
    page.get_by_role("link", name="Redeem for 200 points").click()
    page.get_by_label("Pick up at").fill("Bristol office, desk 3.14")
    page.get_by_role("button", name="Confirm redemption").click()
    expect(page.get_by_test_id("header-balance")).to_contain_text("800")

    page.get_by_label("Why are you cancelling? (optional)").fill("Ordered by mistake")
    page.get_by_role("button", name="Cancel this order").click()

    expect(page.get_by_role("status")).to_contain_text("is cancelled: 200 points are back in your balance.")
    expect(page.get_by_test_id("header-balance")).to_contain_text("1,000")
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("order-timeline")).to_contain_text("Ordered by mistake")
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1000
    page.get_by_role("link", name="My points", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Refund for Insulated bottle, order cancelled")
