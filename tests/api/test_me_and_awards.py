import pytest

from points.models import PointsTransaction, UserPoints
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_shows_who_i_am_and_my_balance(employee_api, employee, give_points):
    give_points(employee, 120)

    body = employee_api.get("/api/v1/me").json()

    assert body["id"] == employee.pk
    assert body["email"] == "employee@example.com"
    assert body["can_award_points"] is False
    assert body["balance"] == {"current_points": 120, "total_earned": 120, "total_redeemed": 0}


def test_my_transactions_newest_first_and_only_mine(employee_api, employee, give_points):
    give_points(employee, 10, reason="First")
    give_points(employee, 20, reason="Second")
    give_points(UserFactory(), 99)

    results = employee_api.get("/api/v1/me/transactions").json()["results"]

    assert [(r["description"], r["points_amount"], r["balance_after"]) for r in results] == [
        ("Second", 20, 30),
        ("First", 10, 10),
    ]


def test_my_transactions_cost_the_same_queries_for_any_page(
    employee_api, employee, give_points, django_assert_max_num_queries
):
    for _ in range(30):
        give_points(employee, 1)

    with django_assert_max_num_queries(4):
        employee_api.get("/api/v1/me/transactions", {"page_size": 30})


def test_hr_awards_points_to_one_employee(hr_api, hr_user, employee):
    response = hr_api.post("/api/v1/awards", {"user_id": employee.pk, "amount": 250, "reason": "Launch"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["balance"] == {"current_points": 250, "total_earned": 250, "total_redeemed": 0}
    assert body["transaction"]["points_amount"] == 250
    assert PointsTransaction.objects.get().awarded_by == hr_user


def test_an_employee_cannot_award_points(employee_api, employee):
    response = employee_api.post("/api/v1/awards", {"user_id": employee.pk, "amount": 1, "reason": "Me"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "Only HR can award points.",
        "details": {},
    }
    assert not UserPoints.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"user_id": "EMP", "amount": 0, "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": -5, "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": 10**30, "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": 2.5, "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": "ten", "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": 100_001, "reason": "x"}, 400, "invalid"),
        ({"user_id": "EMP", "amount": 10, "reason": "   "}, 400, "invalid"),
        ({"user_id": "EMP", "amount": 10, "reason": "x" * 256}, 400, "invalid"),
        ({"user_id": "nobody", "amount": 10, "reason": "x"}, 404, "unknown_user"),
        ({"user_id": "EMP", "amount": 10, "reason": "x", "awarded_by": "me"}, 400, "invalid"),
        ({"amount": 10}, 400, "invalid"),
        ([1, 2, 3], 400, "invalid"),
    ],
)
def test_bad_awards_are_refused_with_a_json_error_and_change_nothing(hr_api, employee, body, status, code):
    if isinstance(body, dict) and body.get("user_id") == "EMP":
        body["user_id"] = employee.pk

    response = hr_api.post("/api/v1/awards", body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not PointsTransaction.objects.exists()


def test_malformed_json_is_a_400(hr_api):
    response = hr_api.post("/api/v1/awards", data='{"amount": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
