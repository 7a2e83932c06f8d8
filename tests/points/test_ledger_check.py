from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from orders.models import Order
from orders.services import order_redeem
from shop.models import Product


@pytest.mark.django_db
def test_ledger_check_passes_on_a_consistent_ledger(employee, product, give_points, capsys):
    give_points(employee, 1000)
    order_redeem(user_id=employee.pk, product_id=product.pk)

    call_command("check_points_ledger")

    assert "The points ledger is consistent" in capsys.readouterr().out


@pytest.mark.django_db
def test_ledger_check_catches_a_balance_corrupted_by_raw_sql(employee, give_points, capsys):
    give_points(employee, 100)
    with connection.cursor() as cursor:
        # Consistent with itself (the CHECK constraint holds) but not with the ledger.
        cursor.execute(
            "UPDATE user_points SET current_points = current_points + 50, total_earned = total_earned + 50 "
            "WHERE user_id = %s",
            [employee.pk],
        )

    with pytest.raises(CommandError, match=r"found 2 problems\."):
        call_command("check_points_ledger")

    report = capsys.readouterr().err
    assert f"user {employee.pk}: balance 150/150/0 (current/earned/redeemed) but the ledger says 100/100/0" in report
    assert f"user {employee.pk}: balance 150 but its lots hold 100" in report


@pytest.mark.django_db
def test_ledger_check_catches_an_order_without_its_ledger_row(employee, product, capsys):
    stray = Order.objects.create(user=employee, product=product, points_used=300)

    with pytest.raises(CommandError):
        call_command("check_points_ledger")

    assert f"order {stray.pk}: has 0 redemption rows in the ledger, expected 1" in capsys.readouterr().err


@contextmanager
def stock_check_constraint_dropped():
    """Reach the state of a database adopted from the documented DDL, which has no CHECK yet."""
    if connection.vendor == "sqlite":
        # SQLite rebuilds a table from the model to drop a constraint; it can switch checks off instead.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        yield
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
        return
    constraint = next(c for c in Product._meta.constraints if c.name == "products_stock_not_negative")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Product, constraint)
    yield
    with connection.schema_editor() as editor:
        editor.add_constraint(Product, constraint)


def stock_write_behind_the_apps_back(product, stock: int) -> None:
    """What a database damaged from outside looks like: written by SQL, not by the app."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE products SET stock_quantity = %s WHERE product_id = %s", [stock, product.pk])


@pytest.mark.django_db(transaction=True)
def test_ledger_check_catches_negative_stock_in_a_database_without_the_constraint(product, capsys):
    with stock_check_constraint_dropped():
        stock_write_behind_the_apps_back(product, -2)
        with pytest.raises(CommandError):
            call_command("check_points_ledger")
        stock_write_behind_the_apps_back(product, 0)

    assert f"product {product.pk}: negative stock -2" in capsys.readouterr().err


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_ledger_check_passes_with_refunds_and_options(employee, give_points, capsys):
    from orders.services import order_cancel
    from tests.orders.fulfilment import hoodie_with_sizes, shipped_order

    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=1, M=2)
    order = shipped_order(employee, hoodie, option_id=sizes["S"])
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    call_command("check_points_ledger")

    assert "The points ledger is consistent" in capsys.readouterr().out


@pytest.mark.django_db
def test_ledger_check_catches_a_cancelled_order_without_its_refund(employee, product, give_points, capsys):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    raw("UPDATE orders SET status = 'Cancelled' WHERE order_id = %s", [order.pk])

    with pytest.raises(CommandError):
        call_command("check_points_ledger")

    assert f"order {order.pk}: Cancelled with 0 refund rows of 0 points; it cost 300" in capsys.readouterr().err


@pytest.mark.django_db
def test_ledger_check_catches_a_refund_of_an_order_that_stands(employee, product, give_points, capsys):
    from django.db import transaction

    from points import ledger

    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    with transaction.atomic():
        ledger.post(
            user_id=employee.pk, kind="refunded", amount=300, order_id=order.pk, description="Refund without a cancel"
        )

    with pytest.raises(CommandError):
        call_command("check_points_ledger")

    assert f"order {order.pk}: Placed with 1 refund row of 300 points; it cost 300" in capsys.readouterr().err


@pytest.mark.django_db
def test_ledger_check_catches_a_product_whose_stock_is_not_its_options_sum(capsys):
    from tests.orders.fulfilment import hoodie_with_sizes

    hoodie, _sizes = hoodie_with_sizes(S=1, M=2)
    raw("UPDATE products SET stock_quantity = 9 WHERE product_id = %s", [hoodie.pk])

    with pytest.raises(CommandError):
        call_command("check_points_ledger")

    assert f"product {hoodie.pk}: stock 9 but its options hold 3" in capsys.readouterr().err


@pytest.mark.django_db
def test_ledger_check_counts_reversals_against_what_was_earned(employee, hr_staff, second_hr, capsys):
    from points.services import points_reverse
    from tests.awards import points_award

    award = points_award(user_id=employee.pk, amount=500, reason="Launch", awarded_by_id=hr_staff.pk)
    points_reverse(
        award_id=award.pk, amount=200, reason="Typo", reversed_by_id=second_hr.pk, source="api", client_key="k"
    )
    call_command("check_points_ledger")
    assert "consistent" in capsys.readouterr().out

    with connection.cursor() as cursor:
        # As if the reversal had forgotten total_earned: consistent with itself, not with the ledger.
        cursor.execute(
            "UPDATE user_points SET current_points = current_points + 200, total_earned = total_earned + 200 "
            "WHERE user_id = %s",
            [employee.pk],
        )
    with pytest.raises(CommandError):
        call_command("check_points_ledger")
    assert "balance 500/500/0 (current/earned/redeemed) but the ledger says 300/300/0" in capsys.readouterr().err


@pytest.mark.django_db
def test_ledger_check_catches_a_reversal_larger_than_its_award_or_of_someone_else(employee, hr_staff, capsys):
    from points.models import PointsTransaction
    from tests.awards import points_award
    from tests.factories import UserFactory

    award = points_award(user_id=employee.pk, amount=100, reason="Launch", awarded_by_id=hr_staff.pk)
    other = UserFactory(email="other@example.com")
    points_award(user_id=other.pk, amount=500, reason="Other", awarded_by_id=hr_staff.pk)
    # Rows written behind the services' back, each balance kept in step so only the links are wrong.
    PointsTransaction.objects.create(
        user=employee, transaction_type="reversed", points_amount=150, reverses=award, description="Too much"
    )
    stray = PointsTransaction.objects.create(
        user=other, transaction_type="reversed", points_amount=10, reverses=award, description="Wrong person"
    )

    with pytest.raises(CommandError):
        call_command("check_points_ledger")
    report = capsys.readouterr().err
    assert f"transaction {award.pk}: award of 100 reversed by 160" in report
    assert f"transaction {stray.pk}: reversal without an award of the same employee" in report


@pytest.mark.django_db
def test_ledger_check_catches_a_redemption_that_names_no_order(employee, capsys):
    from django.db import transaction

    from points import ledger
    from tests.awards import points_award

    points_award(user_id=employee.pk, amount=500, reason="Start")
    with transaction.atomic():
        ledger.post(user_id=employee.pk, kind="redeemed", amount=200, description="Ghost", order_id="no-such-order")

    with pytest.raises(CommandError):
        call_command("check_points_ledger")

    assert "redeemed row of 200 points names order no-such-order, which does not exist" in capsys.readouterr().err
