"""The recognition API: giving once per key, the feed, adding points, reactions, my allowance, the
values; and every refusal a 4xx with a JSON body that says what is wrong."""

import pytest

from points.models import PointsTransaction
from recognition.models import CompanyValue, Give
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GIVE = "/api/v1/recognitions"


@pytest.fixture
def colleague(db):
    return UserFactory(email="bob@example.com", first_name="Bob")


@pytest.fixture
def value(db):
    return CompanyValue.objects.get_or_create(name="Customer first")[0]


def _body(colleague, value, **changes):
    return {"receivers": [colleague.pk], "value_id": value.pk, "points_each": 10, "message": "Thanks!", **changes}


def test_a_give_answers_201_once_and_its_retry_200_with_the_same_recognition(employee_api, colleague, value):
    first = employee_api.post(GIVE, _body(colleague, value), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = employee_api.post(GIVE, _body(colleague, value), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["recognition"]["id"] == again.json()["recognition"]["id"]
    assert first.json()["allowance_left"] == 90
    assert first.json()["recognition"]["receivers"] == [{"id": colleague.pk, "name": "Bob " + colleague.last_name}]
    assert PointsTransaction.objects.filter(user=colleague).count() == 1
    other = employee_api.post(GIVE, _body(colleague, value, points_each=5), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"points_each": "10"}, 400, "invalid"),
        ({"points_each": 51}, 400, "invalid_recognition"),
        ({"receivers": []}, 400, "invalid"),
        ({"receivers": "bob"}, 400, "invalid"),
        ({"receivers": [{"id": 1}]}, 400, "invalid"),
        ({"receivers": ["x"] * 21}, 400, "invalid"),
        ({"receivers": ["no-such-user"]}, 404, "unknown_colleague"),
        ({"receivers": "me"}, 403, "self_recognition"),
        ({"value_id": 424242}, 400, "invalid_recognition"),
        ({"message": ""}, 400, "invalid"),
        ({"message": "   "}, 400, "invalid_recognition"),
        ({"message": "x" * 1001}, 400, "invalid"),
        ({"extra": 1}, 400, "invalid"),
        ({"points_each": 30, "receivers": "four"}, 422, "allowance_exceeded"),
    ],
)
def test_a_bad_give_is_a_4xx_that_says_what_is_wrong_and_gives_nothing(
    employee_api, employee, colleague, value, changes, status, code
):
    if changes.get("receivers") == "me":
        changes["receivers"] = [employee.pk]
    elif changes.get("receivers") == "four":
        changes["receivers"] = [colleague.pk] + [UserFactory().pk for _ in range(3)]

    response = employee_api.post(GIVE, _body(colleague, value, **changes), format="json")

    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"].startswith(code)
    assert response.json()["error"]["message"]
    assert Give.objects.count() == 0


def test_the_feed_filters_by_value_and_person_and_pages(employee_api, employee, colleague, value):
    other_value = CompanyValue.objects.get_or_create(name="Own it")[0]
    employee_api.post(GIVE, _body(colleague, value), format="json")
    employee_api.post(GIVE, _body(colleague, other_value, message="Owned it @bob"), format="json")

    feed = employee_api.get(GIVE).json()
    by_value = employee_api.get(GIVE, {"value": other_value.pk}).json()
    by_person = employee_api.get(GIVE, {"person": UserFactory().pk}).json()

    assert feed["count"] == 2
    assert [r["message"] for r in by_value["results"]] == ["Owned it @bob"]
    assert f'href="/recognition/people/{colleague.pk}/"' in by_value["results"][0]["message_html"]
    assert by_person["count"] == 0
    assert employee_api.get(GIVE, {"value": "abc"}).status_code == 400
    assert employee_api.get(GIVE, {"page": 99}).status_code == 404


def test_colleagues_add_points_and_react_and_i_see_my_allowance(api_as, employee_api, colleague, value):
    given = employee_api.post(GIVE, _body(colleague, value), format="json").json()["recognition"]
    third = api_as(UserFactory())

    added = third.post(f"{GIVE}/{given['id']}/points", {"points_each": 5}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert added.status_code == 201 and added.json()["allowance_left"] == 95
    assert third.put(f"{GIVE}/{given['id']}/reactions/heart").status_code == 204
    assert third.put(f"{GIVE}/{given['id']}/reactions/heart").status_code == 204
    assert third.put(f"{GIVE}/{given['id']}/reactions/bogus").status_code == 400
    detail = third.get(f"{GIVE}/{given['id']}").json()
    assert detail["reactions"] == {"heart": 1} and detail["my_reactions"] == ["heart"]
    assert detail["added"][0]["points_each"] == 5 and detail["total_points"] == 15
    assert third.delete(f"{GIVE}/{given['id']}/reactions/heart").status_code == 204
    assert third.get(f"{GIVE}/{given['id']}").json()["reactions"] == {}
    own = api_as(colleague).post(f"{GIVE}/{given['id']}/points", {"points_each": 5}, format="json")
    assert own.status_code == 403 and own.json()["error"]["code"] == "self_recognition"

    allowance = employee_api.get("/api/v1/me/allowance").json()
    assert (allowance["monthly_points"], allowance["given"], allowance["left"]) == (100, 10, 90)
    assert [v["name"] for v in employee_api.get("/api/v1/company-values").json()] == list(
        CompanyValue.objects.filter(is_active=True).values_list("name", flat=True)
    )


def test_a_private_recognition_is_not_found_by_anyone_else(api_as, employee_api, colleague, value):
    given = employee_api.post(GIVE, _body(colleague, value, is_public=False), format="json").json()["recognition"]
    outsider = api_as(UserFactory())

    assert outsider.get(f"{GIVE}/{given['id']}").status_code == 404
    assert outsider.put(f"{GIVE}/{given['id']}/reactions/heart").status_code == 404
    assert outsider.get(GIVE).json()["count"] == 0
    assert api_as(colleague).get(f"{GIVE}/{given['id']}").status_code == 200


def test_hr_cannot_give_from_someone_else_s_allowance(api_as, hr_staff, employee, colleague, value):
    hr = api_as(hr_staff)

    named = hr.post(GIVE, _body(colleague, value, giver=employee.pk), format="json")
    given = hr.post(GIVE, _body(colleague, value), format="json")

    assert named.status_code == 400 and "giver" in named.json()["error"]["details"]
    assert given.status_code == 201
    # The give drew on HR's own allowance; the employee's is untouched.
    assert hr.get("/api/v1/me/allowance").json()["given"] == 10
    assert api_as(employee).get("/api/v1/me/allowance").json()["given"] == 0
