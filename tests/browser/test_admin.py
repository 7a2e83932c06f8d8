import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from points.models import UserPoints
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.orders.fulfilment import hoodie_with_sizes, shipped_order

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page, user) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_hr_uploads_a_csv_sees_the_preview_and_confirms(page, hr_staff, tmp_path):
    team = [UserFactory(email=f"member{i}@example.com") for i in range(3)]
    csv_file = tmp_path / "q4.csv"
    csv_file.write_text(
        "employee,amount,reason\n"
        + "".join(f"{user.email},{100 * (i + 1)},Q4 bonus\n" for i, user in enumerate(team))
        + "nobody@example.com,50,Typo\n"
    )
    page.goto("/admin/")
    page.locator("#id_username").fill(hr_staff.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Employees").click()
    page.get_by_role("link", name="Award points from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#award-totals")).to_contain_text("3 valid lines for 600 points in total; 1 line with errors")
    expect(page.locator("#award-preview")).to_contain_text("No employee has the e-mail or id “nobody@example.com”.")
    assert not UserPoints.objects.exists()

    page.get_by_role("button", name="Award 600 points to 3 employees").click()

    expect(page.locator("#award-result tbody tr")).to_have_count(3)
    expect(page.get_by_text("Awarded 600 points in 3 awards.")).to_be_visible()
    assert [UserPoints.objects.get(pk=u.pk).current_points for u in team] == [100, 200, 300]
    page.locator("#award-result a").first.click()
    expect(page).to_have_url(re.compile(r"/admin/points/pointstransaction/.+/change/"))


def test_fulfilment_moves_an_order_along_from_its_own_page(page, fulfilment_staff, employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(M=3)
    order: Order = shipped_order(employee, hoodie, option_id=sizes["M"])
    number = order.short_number
    admin_sign_in(page, fulfilment_staff)
    page.get_by_role("link", name="Fulfilment queue").click()
    page.get_by_role("link", name=number).click()
    order_page = page.url
    steps = page.locator(".order-steps").get_by_role("button")

    # The order as staff know it, one mark for what is empty, and only the steps its status allows.
    expect(page.locator("#content")).to_contain_text(f"Order {number}")
    expect(page.locator(".field-id")).to_have_count(0)
    expect(page.locator(".field-tracking_number .readonly")).to_have_text("—")
    expect(steps).to_have_text(["Mark processing", "Cancel and refund…"])

    steps.get_by_text("Mark processing").click()
    expect(page.get_by_text(f"1 marked processing: {number}.")).to_be_visible()
    assert page.url == order_page
    expect(steps).to_have_text(["Mark shipped…", "Cancel and refund…"])

    steps.get_by_text("Mark shipped…").click()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_role("button", name="Mark shipped", exact=True).click()
    # The missing number's error once, beside its empty box; the carrier typed is kept.
    expect(page.get_by_text(f"Give the tracking number of order {number}.")).to_have_count(1)
    expect(page.get_by_role("row", name=number).locator(".errorlist")).to_be_visible()
    expect(page.get_by_label("Carrier")).to_have_value("DHL")
    page.get_by_label(f"Tracking number of order {number}").fill("JD1")
    page.get_by_role("button", name="Mark shipped", exact=True).click()

    expect(page.get_by_text(f"1 marked shipped: {number}.")).to_be_visible()
    assert page.url == order_page
    expect(page.locator(".field-tracking_number .readonly")).to_have_text("JD1")
    expect(steps).to_have_text(["Mark delivered"])
