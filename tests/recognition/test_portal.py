"""The portal's recognition pages: giving once from a form however often it is sent, the feed and
its filters, a person's page, reactions, and the birthday that only its owner may share."""

import re

import pytest
from django.urls import reverse

from points.models import PointsTransaction, UserPoints
from recognition.models import CompanyValue, Give, MilestoneDates, Reaction
from recognition.services import recognition_give
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return UserFactory(email="bob@example.com", first_name="Bob", last_name="Baker")


@pytest.fixture
def value(db):
    return CompanyValue.objects.get_or_create(name="Customer first")[0]


def _key(page) -> str:
    return re.search(r'name="key" value="([^"]+)"', page.text).group(1)


def test_the_give_form_gives_once_however_often_it_is_sent(client, employee, colleague, value):
    client.force_login(employee)
    page = client.get(reverse("recognition:give"))
    assert "100 of 100 points" in page.text
    form = {
        "receivers": [colleague.pk],
        "value": value.pk,
        "points": 10,
        "message": "Thanks @bob for the demo",
        "is_public": "on",
        "key": _key(page),
    }

    first = client.post(reverse("recognition:give"), form, follow=True)
    client.post(reverse("recognition:give"), form, follow=True)

    assert "You have 90 points left to give" in first.text
    assert Give.objects.count() == 1
    assert UserPoints.objects.get(pk=colleague.pk).current_points == 10
    assert f'href="/recognition/people/{colleague.pk}/" class="mention">@bob</a>' in first.text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"points": 51}, "Give from 1 to 50 points to each colleague."),
        ({"points": 0}, "greater than or equal to 1"),
        ({"message": ""}, "This field is required"),
        ({"receivers": []}, "This field is required"),
        ({"points": 40, "receivers": "three"}, "You have 100 points left to give this month; this would give 120."),
    ],
)
def test_a_bad_give_shows_why_at_its_field_and_gives_nothing(client, employee, colleague, value, change, words):
    client.force_login(employee)
    form = {"receivers": [colleague.pk], "value": value.pk, "points": 10, "message": "Thanks", "key": "k"}
    form.update(change)
    if form["receivers"] == "three":
        form["receivers"] = [colleague.pk, UserFactory().pk, UserFactory().pk]

    page = client.post(reverse("recognition:give"), form)

    assert page.status_code == 200
    assert words in page.text
    assert not PointsTransaction.objects.exists()


def test_the_feed_shows_who_thanked_whom_filters_by_value_and_pages(client, employee, colleague, value):
    other = CompanyValue.objects.get_or_create(name="Own it")[0]
    for i in range(22):
        recognition_give(
            giver_id=colleague.pk,
            receiver_ids=[employee.pk],
            points_each=1,
            message=f"Thanks #{i}",
            value_id=(value if i % 2 else other).pk,
        )
    client.force_login(employee)

    first = client.get(reverse("recognition:feed"))
    second = client.get(reverse("recognition:feed"), {"page": 2})
    own_it = client.get(reverse("recognition:feed"), {"value": other.pk})

    assert first.text.count('data-testid="recognition"') == 20 and "Page 1 of 2" in first.text
    assert second.text.count('data-testid="recognition"') == 2
    assert own_it.text.count('data-testid="recognition"') == 11
    assert "Bob Baker" in first.text and "Thanks #21" in first.text
    assert client.get(reverse("recognition:feed"), {"value": "x' OR 1=1", "person": "z" * 500}).status_code == 200


def test_reacting_twice_with_the_same_button_reacts_once_and_the_other_button_takes_it_back(
    client, employee, colleague, value
):
    recognition = recognition_give(
        giver_id=colleague.pk, receiver_ids=[UserFactory().pk], points_each=5, message="Thanks", value_id=value.pk
    ).recognition
    client.force_login(employee)
    url = reverse("recognition:react", args=[recognition.pk])

    client.post(url, {"kind": "heart", "on": "1"})
    client.post(url, {"kind": "heart", "on": "1"})
    assert Reaction.objects.filter(recognition=recognition).count() == 1
    page = client.get(reverse("recognition:detail", args=[recognition.pk]))
    assert 'aria-pressed="true"' in page.text
    client.post(url, {"kind": "heart", "on": "0", "next": "https://evil.example/"})
    assert not Reaction.objects.exists()
    assert client.post(reverse("recognition:react", args=["nope"]), {"kind": "heart"}).status_code == 404


def test_adding_points_on_a_recognition_page_once_per_key(client, employee, colleague, value):
    recognition = recognition_give(
        giver_id=colleague.pk, receiver_ids=[UserFactory().pk], points_each=5, message="Thanks", value_id=value.pk
    ).recognition
    client.force_login(employee)
    page = client.get(reverse("recognition:detail", args=[recognition.pk]))
    url = reverse("recognition:add_points", args=[recognition.pk])

    client.post(url, {"points": 3, "key": _key(page)}, follow=True)
    again = client.post(url, {"points": 3, "key": _key(page)}, follow=True)

    assert Give.objects.filter(giver=employee).count() == 1
    assert "You have 97 points left" not in again.text  # a replay says nothing new
    refused = client.post(url, {"points": "lots", "key": "x"}, follow=True)
    assert "whole number" in refused.text


def test_only_the_employee_shares_their_birthday(client, employee, hr_staff):
    client.force_login(employee)
    page = client.get(reverse("recognition:person", args=[employee.pk]))
    assert "Celebrate my birthday" in page.text
    assert "Celebrate my birthday" not in client.get(reverse("recognition:person", args=[hr_staff.pk])).text

    client.post(reverse("recognition:birthday_sharing"), {"share": "1"})
    assert MilestoneDates.objects.get(pk=employee.pk).birthday_shared

    # HR records the date, and cannot change the consent.
    client.force_login(hr_staff)
    change = reverse("admin:recognition_milestonedates_change", args=[employee.pk])
    client.post(change, {"hired_on": "2020-01-06", "birthday": "1990-07-12", "birthday_shared": ""})
    dates = MilestoneDates.objects.get(pk=employee.pk)
    assert (str(dates.hired_on), str(dates.birthday), dates.birthday_shared) == ("2020-01-06", "1990-07-12", True)
