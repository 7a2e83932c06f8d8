import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from points.models import PointsTransaction, UserPoints
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EMPLOYEES = reverse("admin:points_employee_changelist")
AWARD_FILE = reverse("admin:points_employee_award_file")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def balance(user) -> int:
    return UserPoints.objects.filter(pk=user.pk).values_list("current_points", flat=True).first() or 0


def test_employee_list_shows_balances_and_is_searchable(hr, employee, give_points):
    give_points(employee, 1234)
    UserFactory(email="someone.else@example.com")

    response = hr.get(EMPLOYEES, {"q": "Emma"})

    html = response.content.decode()
    assert "employee@example.com" in html
    assert "someone.else@example.com" not in html
    assert ">1,234<" in html  # as the portal writes it
    assert hr.get(EMPLOYEES, {"q": employee.pk}).context["cl"].result_count == 1


def test_award_points_to_one_employee(hr, hr_staff, employee):
    response = hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {"amount": 300, "reason": "Launch", "key": uuid.uuid4()},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Awarded 300 points to Emma " + employee.last_name + " for “Launch”."]
    row = PointsTransaction.objects.get()
    assert (row.user, row.points_amount, row.description, row.awarded_by) == (employee, 300, "Launch", hr_staff)
    assert balance(employee) == 300


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": 0, "reason": "x"}, "The amount must be at least 1 point."),
        ({"amount": 100_001, "reason": "x"}, "One award can give at most 100,000 points."),
        ({"amount": "ten", "reason": "x"}, "“ten” is not a whole number of points."),
        ({"amount": 10, "reason": ""}, "Give a reason for the award; the employee sees it in their history."),
    ],
)
def test_a_bad_award_is_refused_on_the_form_and_writes_nothing(hr, employee, data, error):
    response = hr.post(reverse("admin:points_employee_award", args=[employee.pk]), {**data, "key": uuid.uuid4()})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not PointsTransaction.objects.exists()


def test_award_the_same_amount_to_many_selected_employees(hr, hr_staff):
    chosen = UserFactory.create_batch(3)
    UserFactory()

    response = hr.post(
        EMPLOYEES,
        {
            "action": "award_selected",
            "_selected_action": [u.pk for u in chosen],
            "amount": 50,
            "reason": "Team win",
            "apply": "1",
            "key": uuid.uuid4(),
        },
    )

    assert response.status_code == 302
    assert [balance(u) for u in chosen] == [50, 50, 50]
    assert PointsTransaction.objects.count() == 3
    assert set(PointsTransaction.objects.values_list("awarded_by", flat=True)) == {hr_staff.pk}


def test_the_award_action_first_asks_for_amount_and_reason(hr):
    chosen = UserFactory.create_batch(2)

    response = hr.post(EMPLOYEES, {"action": "award_selected", "_selected_action": [u.pk for u in chosen]})

    assert response.status_code == 200
    assert "Award points to 2 employees" in response.content.decode()
    assert not PointsTransaction.objects.exists()


def csv_upload(text: str | bytes, name: str = "awards.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_csv_preview_shows_each_line_and_writes_nothing(hr, employee):
    colleague = UserFactory(email="carlos@example.com")
    text = (
        "employee,amount,reason\n"
        f"{employee.email},500,Q3 recognition\n"
        f"{colleague.pk},250,Helped with the launch\n"
        "ghost@example.com,10,Who?\n"
        "carlos@example.com,12.5,Fraction\n"
        f"{employee.email},5,Again\n"
        ",10,No one\n"
    )

    response = hr.post(AWARD_FILE, {"file": csv_upload(text)})

    preview = response.context["preview"]
    assert [(line.line, line.error) for line in preview.lines] == [
        (2, None),
        (3, None),
        (4, "No employee has the e-mail or id “ghost@example.com”."),
        (5, "“12.5” is not a whole number of points."),
        (6, "Duplicate: this employee is already on line 2."),
        (7, "The employee is missing."),
    ]
    assert preview.total_points == 750
    assert not PointsTransaction.objects.exists()


def test_confirming_the_preview_applies_the_valid_lines_in_one_go_and_links_the_rows(hr, hr_staff, employee):
    colleague = UserFactory()
    text = f"employee,amount,reason\n{employee.email},500,Q3\n{colleague.email},250,Launch\nghost@x.io,1,no\n"
    preview = hr.post(AWARD_FILE, {"file": csv_upload(text)})

    response = hr.post(AWARD_FILE, {"payload": preview.context["payload"], "confirm": "1"}, follow=True)

    assert (balance(employee), balance(colleague)) == (500, 250)
    rows = list(response.context["transactions"])
    assert len(rows) == 2
    html = response.content.decode()
    for row in rows:
        assert reverse("admin:points_pointstransaction_change", args=[row.pk]) in html
        assert row.awarded_by == hr_staff


def test_a_tampered_preview_is_refused(hr, employee):
    preview = hr.post(AWARD_FILE, {"file": csv_upload(f"employee,amount,reason\n{employee.email},5,x\n")})
    payload = preview.context["payload"]

    response = hr.post(AWARD_FILE, {"payload": payload[:-3] + "abc", "confirm": "1"})

    assert messages_of(response) == ["That preview has expired; upload the file again."]
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "This is not a CSV file (it contains binary data)."),
        ("employee,amount,reason\nzoë@example.com,5,x\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"name,points\nx,1\n", "The first line must be the header: employee,amount,reason"),
        (("employee,amount,reason\n" + "a@b.c,1,x\n" * 10_001).encode(), "upload at most 10,000 at a time"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(hr, content, message):
    response = hr.post(AWARD_FILE, {"file": csv_upload(content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "preview" not in response.context or response.context.get("preview") is None
    assert not PointsTransaction.objects.exists()


def test_ledger_export_is_the_filtered_list_with_formulas_neutralised(hr, employee, give_points):
    give_points(employee, 10, reason='=HYPERLINK("http://evil")')
    give_points(UserFactory(), 20, reason="Other")

    response = hr.get(reverse("admin:points_pointstransaction_changelist") + "export/", {"user": employee.pk})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("transaction_id,created_at,user_id,email,type,points")
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_ledger_list_filters_by_type(hr, employee, product, give_points):
    from orders.services import order_redeem

    give_points(employee, 1000)
    order_redeem(user_id=employee.pk, product_id=product.pk)

    response = hr.get(reverse("admin:points_pointstransaction_changelist"), {"transaction_type__exact": "redeemed"})

    assert response.context["cl"].result_count == 1


def test_orders_export(hr, employee, product, give_points):
    from orders.services import order_redeem

    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)

    response = hr.get(reverse("admin:orders_order_changelist") + "export/")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert order.pk in text
    assert "Hoodie" in text


def test_two_hundred_quarterly_awards_from_one_file(hr):
    team = UserFactory.create_batch(200)
    text = "employee,amount,reason\n" + "".join(f"{user.email},150,Q4 points\n" for user in team)

    preview = hr.post(AWARD_FILE, {"file": csv_upload(text)})
    assert len(preview.context["preview"].valid) == 200
    hr.post(AWARD_FILE, {"payload": preview.context["payload"], "confirm": "1"})

    assert PointsTransaction.objects.count() == 200
    assert sum(balance(user) for user in team) == 30_000


@pytest.mark.parametrize(
    "content",
    [
        "employee;amount;reason\n{email};25;Semicolons, as Excel writes them in much of Europe\n",
        "employee\tamount\treason\n{email}\t25\tA tab-separated export\n",
        "\ufeffemployee,amount,reason\r\n{email},25,Excel's UTF-8 with its byte order mark\r\n",
    ],
)
def test_award_files_with_semicolons_tabs_or_a_bom_are_read(hr, employee, content):
    response = hr.post(AWARD_FILE, {"file": csv_upload(content.format(email=employee.email).encode())})
    preview = response.context["preview"]
    assert [(line.user_id, line.amount) for line in preview.valid] == [(employee.pk, 25)]
    assert preview.invalid == []


def test_the_csv_preview_writes_each_valid_amount_as_its_total_is_written(hr, employee):
    """The preview showed "1200" in a column above a total of "1.300" (German)."""
    text = f"employee,amount,reason\n{employee.email},1200,Launch\nnobody@example.com,1x00,Typo\n{employee.email},1300,Dup\n"

    html = hr.post(AWARD_FILE, {"file": csv_upload(text)}, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "<td>1.200</td>" in html and "<td>1200</td>" not in html
    assert "<td>1x00</td>" in html and "<td>1300</td>" in html  # a line in error shows what the file says
