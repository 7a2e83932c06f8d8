"""What the attack on recognition found, each fixed and kept fixed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.services import order_cancel, order_redeem
from recognition.exceptions import InvalidRecognition, RecognitionHidden, SelfRecognition
from recognition.milestones import recognition_daily
from recognition.models import CompanyValue, MilestoneDates
from recognition.selectors import feed_entries, person_summary, recognition_feed
from recognition.services import (
    allowance_policy_save,
    milestone_dates_save,
    recognition_add_points,
    recognition_hide,
    recognition_react,
)
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent
from tests.recognition.giving import balance as _balance
from tests.recognition.giving import give as _give

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(db):
    return CompanyValue.objects.get_or_create(name="Customer first")[0]


def test_a_give_retried_after_hr_hid_it_is_a_409_not_a_500(api_as, employee, hr_staff, value):
    colleague = UserFactory()
    api = api_as(employee)
    body = {"receivers": [colleague.pk], "value_id": value.pk, "points_each": 10, "message": "Thanks"}
    first = api.post("/api/v1/recognitions", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    recognition_hide(recognition_id=first.json()["recognition"]["id"], reason="Off topic", hidden_by_id=hr_staff.pk)

    again = api.post("/api/v1/recognitions", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 409 and again.json()["error"]["code"] == "recognition_hidden"


def test_points_a_hidden_recognition_gave_come_back_to_hr_when_a_spent_order_is_cancelled(employee, hr_staff, value):
    giver = UserFactory()
    product = ProductFactory(points_cost=50, stock_quantity=5)
    recognition = _give(giver, [employee], value, points=50).recognition
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    hidden = recognition_hide(recognition_id=recognition.pk, reason="Collusion", hidden_by_id=hr_staff.pk)
    assert (hidden.taken_back, hidden.already_spent) == (0, 50)

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    assert _balance(employee) == 50
    recognition_daily()  # the daily job takes back what a hidden recognition left behind

    assert _balance(employee) == 0
    again = recognition_hide(recognition_id=recognition.pk, reason="Collusion", hidden_by_id=hr_staff.pk)
    assert again.replayed and again.taken_back == 0
    assert_ledger_consistent()


def test_hr_takes_back_now_what_a_hidden_recognition_left_behind(client, employee, hr_staff, value):
    giver = UserFactory()
    product = ProductFactory(points_cost=50, stock_quantity=5)
    recognition = _give(giver, [employee], value, points=50).recognition
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    recognition_hide(recognition_id=recognition.pk, reason="Collusion", hidden_by_id=hr_staff.pk)
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    client.force_login(hr_staff)
    url = reverse("admin:recognition_recognition_hide", args=[recognition.pk])

    assert "50 points can be taken back now" in client.get(url).text
    done = client.post(url, {"reason": "Refund after hiding", "confirm": "on"}, follow=True)

    assert "50 points were taken back" in done.text
    assert _balance(employee) == 0


def test_a_person_s_totals_count_only_what_the_viewer_may_see(employee, value):
    bob, carol = UserFactory(), UserFactory()
    _give(bob, [carol], value, points=40, is_public=False)
    _give(bob, [carol], value, points=5)

    seen = person_summary(user_id=carol.pk, viewer_id=employee.pk)
    theirs = person_summary(user_id=carol.pk, viewer_id=carol.pk)

    assert (seen.received_count, seen.received_points) == (1, 5)
    assert (theirs.received_count, theirs.received_points) == (2, 45)
    assert person_summary(user_id=bob.pk, viewer_id=employee.pk).given_points == 5


def test_a_page_of_messages_full_of_mentions_still_loads(client, employee, value):
    giver = UserFactory()
    for j in range(20):
        crowd = " ".join(f"@m{j}x{i}" for i in range(100))  # 2,000 names on one page
        _give(giver, [employee], value, points=1, message=crowd)
    client.force_login(employee)

    assert client.get(reverse("recognition:feed")).status_code == 200
    entries = feed_entries(recognition_feed(viewer_id=employee.pk), viewer_id=employee.pk)
    assert len(entries) == 20


def test_the_dates_import_keeps_a_recorded_birthday_refuses_repeats_extra_columns_and_odd_dates(client, hr_staff):
    ann = UserFactory(email="ann@example.com")
    milestone_dates_save(user_id=ann.pk, hired_on="2020-01-06", birthday="1990-07-12")
    client.force_login(hr_staff)
    url = reverse("admin:recognition_milestonedates_import")

    def upload(text):
        return client.post(url, {"file": SimpleUploadedFile("d.csv", text.encode())}, follow=True)

    repeated = upload("ann@example.com,2021-04-01\nANN@example.com,2021-05-01\n")
    extra = upload("ann@example.com,2021-04-01,,surprise\n")
    week = upload("ann@example.com,2020-W01-1\n")
    compact = upload("ann@example.com,20200101\n")
    kept = upload("ann@example.com,2021-04-01\n")

    assert "line 2: ANN@example.com is on line 1 too" in repeated.text
    assert "line 1 has more than three columns" in extra.text
    assert "not a date like 2021-04-01" in week.text and "not a date like 2021-04-01" in compact.text
    assert "Saved the dates of 1 employee" in kept.text
    dates = MilestoneDates.objects.get(user=ann)
    assert (str(dates.hired_on), str(dates.birthday)) == ("2021-04-01", "1990-07-12")


def test_the_most_per_receiver_is_at_least_one():
    with pytest.raises(InvalidRecognition, match="at least 1"):
        allowance_policy_save(monthly_points=100, most_per_receiver=0)


def test_a_giver_does_not_add_to_their_own_recognition_and_inactive_receivers_get_nothing(employee, value):
    giver, gone = UserFactory(), UserFactory()
    recognition = _give(giver, [employee, gone], value).recognition
    with pytest.raises(SelfRecognition, match="you gave"):
        recognition_add_points(giver_id=giver.pk, recognition_id=recognition.pk, points_each=5)

    gone.is_active = False
    gone.save(update_fields=["is_active"])
    added = recognition_add_points(giver_id=UserFactory().pk, recognition_id=recognition.pk, points_each=5)

    assert added.give.total == 5
    assert _balance(gone) == 10 and _balance(employee) == 15


def test_no_reaction_lands_on_a_hidden_recognition(employee, hr_staff, value):
    recognition = _give(UserFactory(), [UserFactory()], value).recognition
    recognition_hide(recognition_id=recognition.pk, reason="Off topic", hidden_by_id=hr_staff.pk)

    with pytest.raises(RecognitionHidden):
        recognition_react(user_id=employee.pk, recognition_id=recognition.pk, kind="heart")


def test_a_milestone_date_today_is_fine_and_tomorrow_is_refused():
    person = UserFactory()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)  # noqa: DTZ011 - a day, not a time

    with pytest.raises(InvalidRecognition, match="in the past"):
        milestone_dates_save(user_id=person.pk, hired_on=tomorrow.isoformat(), birthday=None)


def test_the_daily_sweep_never_takes_points_that_came_in_since_from_elsewhere(employee, hr_staff, value, give_points):
    # Round 2: the sweep took a hidden recognition's spent points from a later, unrelated award.
    product = ProductFactory(points_cost=50, stock_quantity=5)
    recognition = _give(UserFactory(), [employee], value, points=50).recognition
    order_redeem(user_id=employee.pk, product_id=product.pk)
    recognition_hide(recognition_id=recognition.pk, reason="Collusion", hidden_by_id=hr_staff.pk)
    give_points(employee, 100, "Another award")

    assert recognition_daily().taken_back == 0
    assert _balance(employee) == 100
    assert_ledger_consistent()


def test_hiding_takes_back_what_is_left_of_the_recognition_s_own_points(employee, hr_staff, value, give_points):
    give_points(employee, 100, "Older award")
    product = ProductFactory(points_cost=120, stock_quantity=5)
    recognition = _give(UserFactory(), [employee], value, points=50).recognition
    order_redeem(user_id=employee.pk, product_id=product.pk)  # 100 from the award, 20 from the recognition

    hidden = recognition_hide(recognition_id=recognition.pk, reason="Collusion", hidden_by_id=hr_staff.pk)

    assert (hidden.taken_back, hidden.already_spent) == (30, 20)
    assert _balance(employee) == 0


def test_a_birthday_without_its_year_is_kept_as_its_day(employee):
    from recognition.services import milestone_dates_from_directory

    milestone_dates_from_directory(user_id=employee.pk, hire_date="", birthdate="0000-02-29")
    assert MilestoneDates.objects.get(user=employee).birthday == datetime.date(1904, 2, 29)
    milestone_dates_from_directory(user_id=employee.pk, hire_date="", birthdate="--07-12")
    assert MilestoneDates.objects.get(user=employee).birthday == datetime.date(1904, 7, 12)
    with pytest.raises(InvalidRecognition, match="not a day of the year"):
        milestone_dates_save(user_id=employee.pk, hired_on=None, birthday="--02-30")


def test_no_allowance_of_their_own_for_someone_who_left():
    from recognition.services import allowance_override_save

    gone = UserFactory(is_active=False)
    with pytest.raises(InvalidRecognition, match="not an active employee"):
        allowance_override_save(user_id=gone.pk, monthly_points=10)


def test_the_dates_import_refuses_a_file_past_its_row_limit(client, hr_staff, monkeypatch):
    monkeypatch.setattr("recognition.services.DATES_IMPORT_MAX_ROWS", 3)
    for i in range(4):
        UserFactory(email=f"p{i}@example.com")
    client.force_login(hr_staff)
    text = "".join(f"p{i}@example.com,2021-04-01\n" for i in range(4))

    page = client.post(
        reverse("admin:recognition_milestonedates_import"),
        {"file": SimpleUploadedFile("d.csv", text.encode())},
        follow=True,
    )

    assert "The file has 4 rows; import at most 3 at a time" in page.text
    assert not MilestoneDates.objects.exists()


def test_is_public_is_a_json_boolean(employee_api, value):
    body = {"receivers": [UserFactory().pk], "value_id": value.pk, "points_each": 5, "message": "Hi", "is_public": "no"}

    response = employee_api.post("/api/v1/recognitions", body, format="json")

    assert response.status_code == 400 and "is_public" in response.json()["error"]["details"]
