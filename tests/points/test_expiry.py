"""Points that expire by lot: spent oldest first, a refund back to the lots it took from, a
correction from its award's own lot, the daily job once per lot, the reminders, history replayed
into lots, and what the employee and HR see."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from notifications.models import Notification
from orders.services import order_cancel, order_redeem
from points.expiry import ExpiryRule, expiry_rule, points_expire, points_expiry_remind
from points.models import PointsExpiryRuleSeen, PointsLot, PointsLotMove, PointsTransaction
from points.services import points_reverse
from tests.awards import points_award
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent

D = datetime.date
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def expiry_on(settings, db):
    """Expiry on, under a rule the job has run under for years (its notice long over)."""
    settings.POINTS_EXPIRY_MONTHS = 12
    settings.POINTS_EXPIRY_STARTS = D(2000, 1, 1)
    PointsExpiryRuleSeen.objects.create(months=12, starts=D(2000, 1, 1), seen_on=D(2000, 1, 1))
    return settings


def _at(day: D, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _lots(user_id: str) -> list[tuple[int, int]]:
    return list(PointsLot.objects.filter(user_id=user_id).order_by("credited_at").values_list("points", "remaining"))


def _award(user, amount, reason="Test award"):
    return points_award(user_id=user.pk, amount=amount, reason=reason)


# --- The rule's dates --------------------------------------------------------------------------
def test_points_expire_at_the_end_of_the_month_that_many_months_after_they_were_earned():
    rule = ExpiryRule(months=12, starts=D(2000, 1, 1))

    assert rule.expires_on(_at(D(2026, 3, 3))) == D(2027, 3, 31)
    assert rule.expires_on(_at(D(2026, 1, 31))) == D(2027, 1, 31)
    assert ExpiryRule(months=1, starts=D(2000, 1, 1)).expires_on(_at(D(2027, 1, 15))) == D(2027, 2, 28)
    # Lots credited before 1 April 2026 have expired by 1 April 2027, not a day earlier.
    assert rule.credited_before(D(2027, 4, 1)) == _at(D(2026, 4, 1), 0)
    assert rule.credited_before(D(2027, 3, 31)) == _at(D(2026, 3, 1), 0)
    assert rule.expiring_by(D(2027, 3, 31)) == _at(D(2026, 4, 1), 0)


def test_lots_earned_before_expiry_was_switched_on_count_from_that_day():
    rule = ExpiryRule(months=12, starts=D(2027, 1, 15))

    assert rule.expires_on(_at(D(2023, 5, 1))) == D(2028, 1, 31)
    assert rule.expires_on(_at(D(2027, 6, 1))) == D(2028, 6, 30)
    # Nothing can have expired before the start's month has run its months.
    assert rule.credited_before(D(2028, 1, 31)) is None
    assert rule.credited_before(D(2028, 2, 1)) == _at(D(2027, 2, 1), 0)


def test_the_month_is_the_company_s(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    rule = ExpiryRule(months=12, starts=D(2000, 1, 1))

    # 23:30 UTC on 31 March is 1 April in Berlin: an April lot.
    assert rule.expires_on(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)) == D(2027, 4, 30)


def test_expiry_is_off_by_default(settings):
    assert settings.POINTS_EXPIRY_MONTHS == 0
    assert expiry_rule() is None


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"POINTS_EXPIRY_MONTHS": "12"}, "needs POINTS_EXPIRY_STARTS"),
        ({"POINTS_EXPIRY_MONTHS": "121", "POINTS_EXPIRY_STARTS": "2027-01-01"}, "0 (off) to 120"),
        ({"POINTS_EXPIRY_MONTHS": "12", "POINTS_EXPIRY_STARTS": "1 Jan 2027"}, "YYYY-MM-DD"),
        ({"POINTS_EXPIRY_MONTHS": "60", "POINTS_EXPIRY_STARTS": "9995-06-01"}, "a day from 2000 to 2099"),
    ],
)
def test_settings_refuse_an_expiry_that_could_take_points_unannounced(environment, message):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.POINTS_EXPIRY_MONTHS"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "awsomeshop.settings", **environment},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert message in result.stderr


# --- Spending order ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_points_are_spent_oldest_lot_first(employee):
    _award(employee, 100, "First")
    _award(employee, 200, "Second")
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=150).pk)

    assert _lots(employee.pk) == [(100, 0), (200, 150)]
    moves = list(PointsLotMove.objects.filter(entry__order_id=order.pk).values_list("lot__points", "points"))
    assert sorted(moves) == [(100, 100), (200, 50)]
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_refund_gives_back_to_the_lots_its_order_took_from(employee):
    _award(employee, 100, "First")
    _award(employee, 200, "Second")
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=150).pk)
    _award(employee, 50, "Third")

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert _lots(employee.pk) == [(100, 100), (200, 200), (50, 50)]
    assert PointsLot.objects.filter(credit__transaction_type="refunded").count() == 0
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_correction_takes_from_its_award_s_own_lot_first(employee, hr_staff):
    _award(employee, 100, "First")
    second = _award(employee, 200, "Second")

    points_reverse(
        award_id=second.pk, amount=150, reason="Typo", reversed_by_id=hr_staff.pk, source="form", batch_id="r1"
    )

    assert _lots(employee.pk) == [(100, 100), (200, 50)]
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_correction_of_a_spent_award_takes_the_rest_from_the_oldest(employee, hr_staff):
    first = _award(employee, 100, "First")
    _award(employee, 200, "Second")
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=80).pk)

    points_reverse(award_id=first.pk, amount=50, reason="Typo", reversed_by_id=hr_staff.pk, source="form", batch_id="r")

    # 20 were left of the first award's lot; the other 30 come from the next oldest.
    assert _lots(employee.pk) == [(100, 0), (200, 170)]
    assert_ledger_consistent()


# --- The daily job -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_job_expires_what_is_left_of_each_lot_past_its_date_exactly_once(employee, expiry_on):
    _award(employee, 300, "Launch")
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=120).pk)
    rule = expiry_rule()
    last_day = rule.expires_on(timezone.now())

    assert points_expire(today=last_day).lots == 0  # the last day is still a day to spend them
    first = points_expire(today=last_day + datetime.timedelta(days=1))
    again = points_expire(today=last_day + datetime.timedelta(days=40))

    assert (first.accounts, first.lots, first.points) == (1, 1, 180)
    assert again.lots == 0
    expired = PointsTransaction.objects.get(transaction_type="expired")
    assert expired.points_amount == 180 and expired.balance_after == 0
    assert expired.description.startswith(f"Expired on {last_day.day} {last_day:%b %Y}: points earned on")
    assert employee.points.current_points == 0
    assert_ledger_consistent()


@pytest.mark.django_db
def test_the_job_does_nothing_while_expiry_is_off(employee):
    _award(employee, 300)

    assert points_expire(today=D(2099, 1, 1)).lots == 0
    call_command("expire_points")
    assert not PointsTransaction.objects.filter(transaction_type="expired").exists()


@pytest.mark.django_db
def test_the_schema_lets_only_one_row_expire_a_lot(employee, expiry_on):
    _award(employee, 300)
    points_expire(today=D(2099, 1, 1))
    expired = PointsTransaction.objects.get(transaction_type="expired")

    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransaction.objects.create(
            user=employee, transaction_type="expired", points_amount=1, expires_id=expired.expires_id
        )


@pytest.mark.django_db
def test_a_refund_of_points_whose_lot_expired_opens_a_new_lot_and_nothing_expires_twice(employee, expiry_on):
    _award(employee, 300, "Launch")
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=120).pk)
    later = rule_day_after_expiry()
    points_expire(today=later)

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    award_lot = PointsLot.objects.get(credit__transaction_type="earned")
    refund_lot = PointsLot.objects.get(credit__transaction_type="refunded")
    assert refund_lot.credited_at == award_lot.credited_at  # dated as the points it holds
    assert (award_lot.points, award_lot.remaining) == (300, 0)  # expired once, given nothing back
    assert (refund_lot.credit.transaction_type, refund_lot.points, refund_lot.remaining) == ("refunded", 120, 120)
    assert PointsTransaction.objects.get(transaction_type="expired").expires_id == award_lot.pk
    assert employee.points.current_points == 120
    assert_ledger_consistent()


def _backdate(row: PointsTransaction, when: datetime.datetime) -> None:
    """History written long ago: the ledger row and its lot, both."""
    with connection.cursor() as cursor:
        for table, column in (("points_transactions", "created_at"), ("points_lots", "credited_at")):
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE transaction_id = %s",  # noqa: S608 - names only
                [connection.ops.adapt_datetimefield_value(when), row.pk],
            )


LONG_AGO = datetime.datetime(2024, 1, 10, 12, tzinfo=datetime.UTC)  # last day 31 Jan 2025 at 12 months


@pytest.mark.django_db
def test_a_correction_cannot_take_back_what_of_its_award_expired(employee, hr_staff, expiry_on):
    from points.exceptions import ReversalTooLarge

    old = _award(employee, 100, "A mistake")
    _backdate(old, LONG_AGO)
    points_expire()  # the award's 100 lapse
    _award(employee, 100, "Deserved")

    with pytest.raises(ReversalTooLarge, match="100 points of this award expired: there is nothing left"):
        points_reverse(
            award_id=old.pk, amount=1, reason="Typo", reversed_by_id=hr_staff.pk, source="form", batch_id="r"
        )

    assert employee.points.current_points == 100
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_correction_of_a_partly_expired_award_is_capped_at_what_did_not(employee, hr_staff, expiry_on):
    old = _award(employee, 300, "Launch")
    _backdate(old, LONG_AGO)
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=200).pk)
    points_expire()  # 100 left of the award lapse
    _award(employee, 500, "Deserved")

    from points.selectors import reversal_state

    state = reversal_state(award=old)
    assert (state.expired, state.reversible) == (100, 200)


@pytest.mark.parametrize("job_first", [True, False], ids=["job-then-cancel", "cancel-then-job"])
@pytest.mark.django_db
def test_refunded_points_keep_their_date_whether_the_job_ran_before_or_after(employee, expiry_on, job_first):
    award = _award(employee, 500, "Launch")
    _backdate(award, LONG_AGO)  # the points' last day is long past
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=499).pk)

    if job_first:
        points_expire()  # lapses the 1 point left
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    points_expire()

    # Either way the 499 come back with the date they had, and lapse: no renewal by cancelling.
    assert employee.points.current_points == 0
    assert PointsTransaction.objects.filter(transaction_type="expired").aggregate(t=Sum("points_amount"))["t"] == 500
    assert_ledger_consistent()


# --- A new or changed rule gives notice -----------------------------------------------------------
@pytest.mark.django_db
def test_switching_expiry_on_with_a_start_long_past_lapses_nothing_for_a_month(employee, settings):
    settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS = 12, D(2000, 1, 1)
    _backdate(_award(employee, 300, "Old"), LONG_AGO)
    today = timezone.localdate()
    notice_ends = today + datetime.timedelta(days=30)

    assert points_expire(today=today).lots == 0  # the first run notes the rule: notice from today
    assert points_expiry_remind(today=today) == 1
    assert points_expire(today=notice_ends).lots == 0  # the last day of the notice
    assert points_expire(today=notice_ends + datetime.timedelta(days=1)).points == 300

    day = f"{notice_ends.day} {notice_ends:%b %Y}"
    assert _reminders(employee) == [f"300 points expire on {day}"]


@pytest.mark.django_db
def test_shortening_the_months_gives_notice_too(employee, expiry_on):
    expiry_on.POINTS_EXPIRY_MONTHS = 24
    PointsExpiryRuleSeen.objects.update(months=24)
    _backdate(_award(employee, 300, "Old"), LONG_AGO)  # under 24 months: 31 Jan 2026, past
    assert points_expire().points == 300
    _backdate(_award(employee, 200, "Later"), datetime.datetime(2025, 1, 10, tzinfo=datetime.UTC))

    expiry_on.POINTS_EXPIRY_MONTHS = 12  # its last day would now be 31 Jan 2026: past
    assert points_expire().lots == 0
    assert PointsExpiryRuleSeen.objects.get().seen_on == timezone.localdate()
    assert employee.points.current_points == 200


@pytest.mark.django_db
def test_switching_expiry_off_forgets_the_rule_so_switching_it_on_again_gives_notice(employee, expiry_on):
    expiry_on.POINTS_EXPIRY_MONTHS = 0
    call_command("expire_points")
    assert not PointsExpiryRuleSeen.objects.exists()

    expiry_on.POINTS_EXPIRY_MONTHS = 12
    _backdate(_award(employee, 300, "Old"), LONG_AGO)
    assert points_expire().lots == 0


def rule_day_after_expiry() -> D:
    return expiry_rule().expires_on(timezone.now()) + datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_command_reports_what_it_did(employee, expiry_on, capsys, monkeypatch):
    _award(employee, 300)
    day = rule_day_after_expiry()
    monkeypatch.setattr("points.expiry.company_today", lambda: day)

    call_command("expire_points")

    assert "Expired 300 points of 1 lots in 1 accounts" in capsys.readouterr().out


# --- Reminders ---------------------------------------------------------------------------------
def _reminders(user):
    return list(
        Notification.objects.filter(recipient=user, kind="points_expiring")
        .order_by("id")
        .values_list("title", flat=True)
    )


@pytest.mark.django_db
def test_people_are_reminded_30_and_7_days_before_once_each(employee, expiry_on):
    _award(employee, 1200)
    last_day = expiry_rule().expires_on(timezone.now())
    title = f"1,200 points expire on {last_day.day} {last_day:%b %Y}"

    assert points_expiry_remind(today=last_day - datetime.timedelta(days=31)) == 0
    assert points_expiry_remind(today=last_day - datetime.timedelta(days=30)) == 1
    assert points_expiry_remind(today=last_day - datetime.timedelta(days=29)) == 0
    assert points_expiry_remind(today=last_day - datetime.timedelta(days=7)) == 1
    assert points_expiry_remind(today=last_day - datetime.timedelta(days=7)) == 0
    assert points_expiry_remind(today=last_day) == 0

    assert _reminders(employee) == [title, title]
    reminder = Notification.objects.filter(kind="points_expiring").first()
    assert reminder.topic == "required" and reminder.link == "/points/"


@pytest.mark.django_db
def test_a_job_that_first_sees_points_a_week_before_sends_one_reminder(employee, expiry_on):
    _award(employee, 500)
    last_day = expiry_rule().expires_on(timezone.now())

    points_expiry_remind(today=last_day - datetime.timedelta(days=5))
    points_expiry_remind(today=last_day - datetime.timedelta(days=4))

    assert len(_reminders(employee)) == 1


@pytest.mark.django_db
def test_nobody_is_reminded_when_nothing_expires(employee, expiry_on):
    _award(employee, 500)
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=500).pk)
    last_day = expiry_rule().expires_on(timezone.now())

    assert points_expiry_remind(today=last_day - datetime.timedelta(days=7)) == 0
    assert _reminders(employee) == []


@pytest.mark.django_db
def test_the_reminder_counts_what_is_left_when_it_is_sent(employee, expiry_on):
    _award(employee, 500)
    _award(employee, 700)
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)
    last_day = expiry_rule().expires_on(timezone.now())

    points_expiry_remind(today=last_day - datetime.timedelta(days=7))

    assert _reminders(employee) == [f"900 points expire on {last_day.day} {last_day:%b %Y}"]


# --- History replayed --------------------------------------------------------------------------
@pytest.mark.django_db
def test_lots_are_rebuilt_from_history_the_same_however_often(employee, hr_staff, capsys):
    award = _award(employee, 300, "First")
    _award(employee, 200, "Second")
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=350).pk)
    points_reverse(
        award_id=award.pk, amount=100, reason="Typo", reversed_by_id=hr_staff.pk, source="form", batch_id="r"
    )
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    kept = (_lots(employee.pk), sorted(PointsLotMove.objects.values_list("lot_id", "entry_id", "points")))
    with connection.cursor() as cursor:  # a programme from before lots existed
        cursor.execute("DELETE FROM points_lot_moves")
        cursor.execute("DELETE FROM points_lots")

    call_command("points_lots_rebuild")
    call_command("points_lots_rebuild")

    assert (_lots(employee.pk), sorted(PointsLotMove.objects.values_list("lot_id", "entry_id", "points"))) == kept
    assert "Rebuilt 2 lots of 1 accounts" in capsys.readouterr().out
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_debit_the_lots_cannot_cover_rebuilds_them_from_the_ledger(employee, caplog):
    _award(employee, 300)
    with connection.cursor() as cursor:  # an award written by a release that knew no lots
        cursor.execute("DELETE FROM points_lots")

    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=100).pk)

    assert _lots(employee.pk) == [(300, 200)]
    assert "did not cover its balance; rebuilt" in caplog.text
    assert_ledger_consistent()


@pytest.mark.django_db
def test_the_ledger_check_finds_lots_that_disagree(employee):
    from programme.selectors import ledger_problem_list

    _award(employee, 300)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_lots SET remaining = 250")

    problems = [str(problem) for problem in ledger_problem_list()]

    lot_id = PointsLot.objects.get().pk
    assert problems[:2] == [
        f"user {employee.pk}: balance 300 but its lots hold 250",
        f"lot {lot_id}: 250 left of 300 but its moves leave 300",
    ]
    assert problems[2].startswith(f"user {employee.pk}: lots differ from those its ledger gives when replayed")
    assert len(problems) == 3


# --- What people see ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_my_points_shows_what_expires_when_and_the_lots_behind_it(client, employee, expiry_on):
    _award(employee, 1200, "Launch bonus")
    last_day = expiry_rule().expires_on(timezone.now())
    client.force_login(employee)

    html = client.get("/points/").content.decode()

    assert f"1,200 points expire on {last_day.day} {last_day:%b %Y}." in html
    assert 'data-testid="lots-table"' in html and "Launch bonus" in html
    assert "12 months after the month they were earned in" in html


@pytest.mark.django_db
def test_my_points_says_nothing_of_expiry_while_it_is_off(client, employee):
    _award(employee, 1200)
    client.force_login(employee)

    assert 'data-testid="expiry"' not in client.get("/points/").content.decode()


@pytest.mark.django_db
def test_the_api_gives_the_same(employee_api, employee, expiry_on):
    _award(employee, 1200, "Launch bonus")
    last_day = expiry_rule().expires_on(timezone.now())

    body = employee_api.get("/api/v1/me/points-expiry").json()

    assert body["expiry_months"] == 12
    assert body["expiring"] == [{"points": 1200, "expires_on": last_day.isoformat()}]
    (lot,) = body["lots"]
    assert (lot["points"], lot["remaining"], lot["description"], lot["expires_on"]) == (
        1200,
        1200,
        "Launch bonus",
        last_day.isoformat(),
    )


@pytest.mark.django_db
def test_the_api_says_when_points_do_not_expire(employee_api, employee):
    _award(employee, 100)

    body = employee_api.get("/api/v1/me/points-expiry").json()

    assert body["expiry_months"] is None and body["expiring"] == []
    assert body["lots"][0]["expires_on"] is None


@pytest.mark.django_db
def test_the_dashboard_shows_breakage_and_what_expires_in_90_days(hr, employee, expiry_on):
    expiry_on.POINTS_EXPIRY_MONTHS = 1  # a lot of today's lapses within 62 days
    _award(employee, 1200)
    points_expire(today=rule_day_after_expiry())
    _award(employee, 500)

    html = hr.get("/admin/programme/").content.decode()
    months = b"".join(hr.get("/admin/programme/", {"export": "months"}).streaming_content).decode()

    assert '<dd id="figure-expired">1,200</dd>' in html
    assert '<dd id="figure-expiring">500</dd>' in html
    assert months.splitlines()[-1].endswith(",1200")


@pytest.mark.django_db
def test_hr_sees_the_points_behind_an_employee_s_balance_and_when_they_expire(hr, employee, expiry_on):
    _award(employee, 1200, "Launch bonus")
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=200).pk)
    last_day = expiry_rule().expires_on(timezone.now())

    html = hr.get(f"/admin/points/employee/{employee.pk}/change/").content.decode()

    assert "points behind the balance" in html.lower()
    assert "Launch bonus" in html and "1,000 of 1,200" in html
    assert f"{last_day.day} {last_day:%b %Y}" in html


@pytest.mark.django_db
def test_a_row_written_by_a_host_whose_clock_is_behind_still_comes_after_the_account_s_last(employee, monkeypatch):
    first = _award(employee, 100, "First")
    behind = first.created_at - datetime.timedelta(seconds=2)  # another web task, its clock 2 s slow
    monkeypatch.setattr("points.ledger.timezone.now", lambda: behind)

    second = _award(employee, 50, "Second")

    assert second.created_at > first.created_at
    history = PointsTransaction.objects.filter(user=employee).order_by("created_at").values_list("description")
    assert [description for (description,) in history] == ["First", "Second"]
    assert_ledger_consistent()


# --- Found by the second attack round ------------------------------------------------------------
@pytest.mark.django_db
def test_a_correction_cannot_take_back_award_points_that_lapsed_after_a_refund(employee, hr_staff, expiry_on):
    from points.exceptions import ReversalTooLarge

    mistake = _award(employee, 100, "A mistake")
    _backdate(mistake, LONG_AGO)
    _award(employee, 500, "Deserved")
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=60).pk)  # 60 of the mistake
    points_expire()  # its other 40 lapse
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)  # the 60 come back dated as the mistake
    points_expire()  # and lapse: all 100 of it are gone

    with pytest.raises(ReversalTooLarge, match="100 points of this award expired"):
        points_reverse(
            award_id=mistake.pk, amount=60, reason="Typo", reversed_by_id=hr_staff.pk, source="form", batch_id="r"
        )
    assert employee.points.current_points == 500


@pytest.mark.django_db
def test_one_account_the_job_cannot_expire_does_not_keep_the_others_points(employee, expiry_on, caplog):
    other = UserFactory()
    for person in (employee, other):
        _backdate(_award(person, 100, "Old"), LONG_AGO)
    with connection.cursor() as cursor:  # the employee's balance below their lots: a broken account
        cursor.execute(
            "UPDATE user_points SET current_points = 40, total_earned = 40 WHERE user_id = %s", [employee.pk]
        )

    with pytest.raises(CommandError, match="1 accounts could not be expired"):
        call_command("expire_points")

    other.refresh_from_db()
    assert other.points.current_points == 0
    assert "Could not expire the points of" in caplog.text


@pytest.mark.django_db
def test_a_history_that_spends_points_before_they_came_in_is_refused_not_rebuilt(employee, capsys):
    _award(employee, 100, "Award")
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=60).pk)
    kept = list(PointsLot.objects.values_list("pk", "remaining"))
    with connection.cursor() as cursor:  # the redemption stamped before the award it spent
        cursor.execute(
            "UPDATE points_transactions SET created_at = %s WHERE transaction_type = 'redeemed'",
            [connection.ops.adapt_datetimefield_value(LONG_AGO)],
        )

    with pytest.raises(CommandError, match="1 accounts were left as they were"):
        call_command("points_lots_rebuild")

    assert list(PointsLot.objects.values_list("pk", "remaining")) == kept
    assert "spends points its account did not have by then" in capsys.readouterr().err
    from programme.selectors import ledger_problem_list

    assert any("out of order" in str(problem) for problem in ledger_problem_list())
