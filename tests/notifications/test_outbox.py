"""Each event writes exactly one notification in the change's own transaction, and none when
the change is refused."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notifications_send
from notifications.words import words
from orders.services import order_cancel, order_redeem, order_status_change, voucher_codes_import
from points.exceptions import InsufficientPoints, SelfAward
from points.services import Award, points_award_batch
from tests.awards import points_award
from tests.factories import ProductFactory, UserFactory
from tests.orders.fulfilment import hoodie_with_sizes, shipped_order

pytestmark = pytest.mark.django_db


def rows(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title"))


def test_an_award_tells_the_employee_who_gave_it_and_why(employee, hr_staff):
    points_award(user_id=employee.pk, amount=1500, reason="Shipped the onboarding", awarded_by_id=hr_staff.pk)

    notification = Notification.objects.get(recipient=employee)
    assert notification.kind == "points_awarded"
    assert notification.title == f"{hr_staff.get_full_name()} gave you 1,500 points"
    assert notification.body == "“Shipped the onboarding”\nYour balance is now 1,500 points."
    assert (notification.link, notification.email_status) == ("/points/", "pending")


def test_a_refused_award_batch_writes_no_notification_at_all(employee, hr_staff):
    other = UserFactory()
    awards = [Award(other.pk, 10, "Fine"), Award(hr_staff.pk, 10, "To myself")]

    with pytest.raises(SelfAward):
        points_award_batch(awards=awards, awarded_by_id=hr_staff.pk, source="api", client_key="k-1")

    assert not Notification.objects.exists()


def test_an_order_and_each_of_its_steps_tell_the_employee(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    Notification.objects.all().delete()
    hoodie, sizes = hoodie_with_sizes(M=2)
    order = shipped_order(employee, hoodie, option_id=sizes["M"])
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    order_status_change(
        order_ids=[order.pk],
        to_status="Shipped",
        changed_by_id=fulfilment_staff.pk,
        carrier="DHL",
        tracking_numbers={order.pk: "JD0146"},
    )

    number = order.short_number
    assert rows(employee) == [
        ("order_placed", f"Order {number} is placed: Hoodie (M)"),
        ("order_status", f"Order {number} is being prepared"),
        ("order_status", f"Order {number} is on its way"),
    ]
    assert Notification.objects.filter(recipient=employee).order_by("id").last().body == (
        "Hoodie (M): DHL, tracking number JD0146."
    )


def test_a_refused_redemption_tells_nobody(employee):
    with pytest.raises(InsufficientPoints):
        order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=100).pk)

    assert not Notification.objects.exists()


def test_a_cancellation_says_the_points_are_back_and_why(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(name="Mug", points_cost=300).pk)

    order_cancel(order_id=order.pk, cancelled_by_id=fulfilment_staff.pk, reason="Out of print", by_staff=True)
    order_cancel(order_id=order.pk, cancelled_by_id=fulfilment_staff.pk, reason="Out of print", by_staff=True)

    cancelled = Notification.objects.filter(kind="order_cancelled")
    assert cancelled.count() == 1
    assert cancelled.get().title == f"Order {order.short_number} is cancelled: 300 points are back"
    assert cancelled.get().body.endswith("Reason: Out of print")
    assert cancelled.get().topic == "required"


def test_a_code_handed_out_says_it_is_ready_without_the_code(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    card = ProductFactory(name="Gift card", delivery_method="digital")
    voucher_codes_import(product_id=card.pk, codes=["SECRET-7Q2X"], added_by_id=fulfilment_staff.pk)

    order_redeem(user_id=employee.pk, product_id=card.pk)

    ready = Notification.objects.get(kind="code_ready")
    assert ready.title == "Your code for Gift card is ready"
    assert "SECRET-7Q2X" not in ready.title + ready.body
    assert not Notification.objects.filter(body__contains="SECRET-7Q2X").exists()


@pytest.mark.django_db(transaction=True)
def test_notify_refuses_to_run_outside_the_changes_transaction(employee):
    from notifications.services import notify

    with pytest.raises(RuntimeError, match="written in the transaction of the change"):
        notify(recipient_id=employee.pk, kind="points_awarded", title=words("x"), body=words("y"), link="/")


def test_an_employee_who_turned_awards_off_still_sees_them_in_the_portal_but_gets_no_mail(employee, hr_staff):
    from notifications.services import notification_preferences_set

    notification_preferences_set(user_id=employee.pk, awards_email=False, orders_email=True)
    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    notifications_send()

    stored = Notification.objects.get(recipient=employee)
    assert (stored.email_status, stored.last_error) == ("skipped", "They turned these e-mails off.")
    assert mail.outbox == []


def test_a_cancellation_is_mailed_even_to_someone_who_turned_order_updates_off(employee, give_points):
    from notifications.services import notification_preferences_set

    notification_preferences_set(user_id=employee.pk, awards_email=False, orders_email=False)
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory().pk)
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    notifications_send()

    statuses = dict(Notification.objects.filter(recipient=employee).values_list("kind", "email_status"))
    assert statuses == {"points_awarded": "skipped", "order_placed": "skipped", "order_cancelled": "sent"}
    assert [m.subject for m in mail.outbox] == [Notification.objects.get(kind="order_cancelled").title]
