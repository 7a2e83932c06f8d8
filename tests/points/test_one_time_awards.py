"""Every write that moves points is one-time: a replayed CSV confirmation, a double-submitted award
form and a retried API call each pay once (issue 13, findings 1 and 4)."""

import pytest
from django.urls import reverse

from points.models import PointsTransaction
from tests.concurrency import run_concurrently
from tests.conftest import staff_in
from tests.factories import UserFactory
from tests.points.test_admin import balance, csv_upload, messages_of

EMPLOYEES = reverse("admin:points_employee_changelist")
AWARD_FILE = reverse("admin:points_employee_award_file")
AWARDS_API = "/api/v1/awards"


def preview_of(client, text: str):
    return client.post(AWARD_FILE, {"file": csv_upload(text)})


@pytest.mark.django_db
def test_a_confirmed_file_answers_with_a_redirect_to_its_result_page(hr, employee):
    preview = preview_of(hr, f"employee,amount,reason\n{employee.email},500,Q3\n")

    response = hr.post(AWARD_FILE, {"payload": preview.context["payload"], "confirm": "1"})

    assert response.status_code == 302
    result = hr.get(response["Location"])
    assert result.status_code == 200
    assert [row.points_amount for row in result.context["transactions"]] == [500]
    # Reloading the result page (F5) is a GET: it shows the result again and pays nothing.
    assert hr.get(response["Location"]).status_code == 200
    assert balance(employee) == 500


@pytest.mark.django_db
def test_a_replayed_file_confirmation_pays_once_and_says_when_and_by_whom(hr, hr_staff, employee):
    preview = preview_of(hr, f"employee,amount,reason\n{employee.email},500,Q3\n")
    payload = preview.context["payload"]

    first = hr.post(AWARD_FILE, {"payload": payload, "confirm": "1"})
    replays = [hr.post(AWARD_FILE, {"payload": payload, "confirm": "1"}) for _ in range(2)]

    assert balance(employee) == 500
    assert PointsTransaction.objects.count() == 1
    for replay in replays:
        assert replay["Location"] == first["Location"]
        message = messages_of(replay)[-1]
        assert message.startswith("This file was already awarded on ")
        assert f"by {hr_staff.email}" in message


@pytest.mark.django_db
def test_another_admin_replaying_the_confirmation_pays_nothing(client, hr, employee):
    preview = preview_of(hr, f"employee,amount,reason\n{employee.email},500,Q3\n")
    payload = preview.context["payload"]
    hr.post(AWARD_FILE, {"payload": payload, "confirm": "1"})

    other = staff_in("HR", "other.hr@example.com")
    client.force_login(other)
    client.post(AWARD_FILE, {"payload": payload, "confirm": "1"})

    assert balance(employee) == 500


@pytest.mark.django_db
def test_a_double_submitted_award_form_awards_once(hr, employee):
    page = hr.get(reverse("admin:points_employee_award", args=[employee.pk]))
    key = page.context["form"]["key"].value()
    data = {"amount": 300, "reason": "Launch", "key": key}

    first = hr.post(reverse("admin:points_employee_award", args=[employee.pk]), data)
    second = hr.post(reverse("admin:points_employee_award", args=[employee.pk]), data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert balance(employee) == 300
    assert messages_of(second)[-1].startswith("These points were already awarded on ")


@pytest.mark.django_db
def test_an_award_form_without_its_one_time_key_is_refused(hr, employee):
    response = hr.post(reverse("admin:points_employee_award", args=[employee.pk]), {"amount": 300, "reason": "x"})

    assert response.status_code == 200
    assert balance(employee) == 0


@pytest.mark.django_db
def test_a_double_submitted_award_to_selected_employees_awards_once(hr, employee):
    colleague = UserFactory()
    selected = {"action": "award_selected", "_selected_action": [employee.pk, colleague.pk]}
    page = hr.post(EMPLOYEES, selected)
    key = page.context["form"]["key"].value()
    data = {**selected, "apply": "1", "amount": 40, "reason": "Team day", "key": key}

    hr.post(EMPLOYEES, data)
    hr.post(EMPLOYEES, data)

    assert (balance(employee), balance(colleague)) == (40, 40)
    assert PointsTransaction.objects.count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_other_awards_pays_nothing_more(hr, employee):
    page = hr.get(reverse("admin:points_employee_award", args=[employee.pk]))
    key = page.context["form"]["key"].value()
    url = reverse("admin:points_employee_award", args=[employee.pk])
    hr.post(url, {"amount": 300, "reason": "Launch", "key": key})

    response = hr.post(url, {"amount": 900, "reason": "Launch", "key": key})

    assert balance(employee) == 300
    assert "already" in messages_of(response)[-1]


@pytest.mark.django_db
def test_the_award_api_replays_the_first_201_for_the_same_key(hr_api, employee):
    body = {"user_id": employee.pk, "amount": 75, "reason": "Demo"}

    first = hr_api.post(AWARDS_API, body, format="json", HTTP_IDEMPOTENCY_KEY="award-1")
    hr_api.post(AWARDS_API, {"user_id": employee.pk, "amount": 5, "reason": "Other"}, format="json")
    replay = hr_api.post(AWARDS_API, body, format="json", HTTP_IDEMPOTENCY_KEY="award-1")

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert balance(employee) == 80
    assert PointsTransaction.objects.count() == 2


@pytest.mark.django_db
def test_the_award_api_refuses_the_same_key_with_another_body(hr_api, employee):
    hr_api.post(
        AWARDS_API, {"user_id": employee.pk, "amount": 75, "reason": "Demo"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    response = hr_api.post(
        AWARDS_API, {"user_id": employee.pk, "amount": 750, "reason": "Demo"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert balance(employee) == 75


@pytest.mark.django_db
def test_the_award_api_refuses_a_malformed_key(hr_api, employee):
    body = {"user_id": employee.pk, "amount": 75, "reason": "Demo"}

    response = hr_api.post(AWARDS_API, body, format="json", HTTP_IDEMPOTENCY_KEY="has spaces")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert balance(employee) == 0


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_award_calls_with_one_key_pay_once(hr_user, employee, deadlock_retries):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    hr_user.user_permissions.add(Permission.objects.get(codename="award_points"))
    token = Token.objects.create(user=hr_user).key
    body = {"user_id": employee.pk, "amount": 75, "reason": "Demo"}

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(AWARDS_API, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()["transaction"]["id"]

    statuses = run_concurrently(call, [{}] * 10)

    assert {status for status, _ in statuses} == {201}
    assert len({transaction_id for _, transaction_id in statuses}) == 1
    assert balance(employee) == 75
    assert deadlock_retries.count == 0


@pytest.mark.django_db
def test_hr_cannot_award_points_to_themselves_through_the_api(hr_api, hr_user):
    response = hr_api.post(AWARDS_API, {"user_id": hr_user.pk, "amount": 100_000, "reason": "Me"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "self_award"
    assert balance(hr_user) == 0


@pytest.mark.django_db
def test_hr_cannot_award_points_to_themselves_in_the_admin(hr, hr_staff):
    url = reverse("admin:points_employee_award", args=[hr_staff.pk])
    key = hr.get(url).context["form"]["key"].value()

    response = hr.post(url, {"amount": 500, "reason": "Me", "key": key})

    assert "You cannot award points to yourself" in " ".join(messages_of(response))
    assert balance(hr_staff) == 0


@pytest.mark.django_db
def test_hr_cannot_include_themselves_in_a_bulk_award_or_a_file(hr, hr_staff, employee):
    selected = {"action": "award_selected", "_selected_action": [employee.pk, hr_staff.pk]}
    key = hr.post(EMPLOYEES, selected).context["form"]["key"].value()
    hr.post(EMPLOYEES, {**selected, "apply": "1", "amount": 40, "reason": "Team", "key": key})

    preview = preview_of(hr, f"employee,amount,reason\n{hr_staff.email},500,Me\n{employee.email},5,x\n")

    assert (balance(employee), balance(hr_staff)) == (0, 0)
    assert [line.error for line in preview.context["preview"].lines] == ["You cannot award points to yourself.", None]


@pytest.mark.django_db
def test_the_same_file_uploaded_again_warns_that_it_was_applied_and_by_whom(hr, hr_staff, employee):
    text = f"employee,amount,reason\n{employee.email},500,Q3\n"
    first = preview_of(hr, text)
    hr.post(AWARD_FILE, {"payload": first.context["payload"], "confirm": "1"})

    again = preview_of(hr, text)
    other = preview_of(hr, f"employee,amount,reason\n{employee.email},501,Q3\n")

    html = again.content.decode()
    assert "The same awards were applied on " in html and f"by {hr_staff.email}" in html
    assert "The same awards were applied" not in other.content.decode()
    assert balance(employee) == 500
