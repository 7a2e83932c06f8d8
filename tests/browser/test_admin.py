import re

import pytest
from playwright.sync_api import expect

from points.models import UserPoints
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    page.get_by_role("button", name="Log in").click()

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
