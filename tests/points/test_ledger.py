"""The ledger module is the one writer of `user_points`, `points_transactions` and the lots
(`points_lots`, `points_lot_moves`), and one table of kinds (KIND_EFFECTS) says what each kind
does: these tests fail when either stops being true."""

import ast
import datetime
import re
import traceback
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orders.services import order_cancel, order_redeem
from points import ledger
from points.exceptions import BalanceLimitReached, InsufficientPoints
from points.expiry import points_expire
from points.models import KIND_EFFECTS, Effect, LotRule, PointsTransaction, UserPoints, figures_from_sums
from points.services import Award, award_request_approve, points_award_batch, points_reverse
from programme.selectors import MonthFigures
from recognition.models import CompanyValue
from recognition.services import recognition_give
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "audit", "awsomeshop", "notifications", "orders", "points", "shop", "programme", "demo")
LEDGER_FILE = ROOT / "points" / "ledger.py"
TABLES = {
    "UserPoints": "user_points",
    "PointsTransaction": "points_transactions",
    "PointsLot": "points_lots",
    "PointsLotMove": "points_lot_moves",
}
WRITE_METHODS = {
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "get_or_create",
    "update_or_create",
    "save",
}
SQL_WRITE = re.compile(
    r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+`?(user_points|points_transactions|points_lots|points_lot_moves)\b",
    re.I,
)


def _app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path != LEDGER_FILE:
                yield path


def _chain_root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _table_names(tree: ast.AST) -> dict[str, str]:
    """Expressions that stand for one of the tables: `UserPoints._meta.db_table` and the names
    a module gives it (`_BALANCES = UserPoints._meta.db_table`, tuples too)."""
    names = {f"{model}._meta.db_table": table for model, table in TABLES.items()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            pairs = (
                zip(target.elts, value.elts, strict=False)
                if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                else [(target, value)]
            )
            for name, expression in pairs:
                if isinstance(name, ast.Name) and ast.unparse(expression) in names:
                    names[name.id] = names[ast.unparse(expression)]
    return names


def _is_manager_write(node: ast.AST) -> bool:
    """`UserPoints.objects….update(…)` and the like."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    receiver = node.func.value
    return node.func.attr in WRITE_METHODS and _chain_root(receiver) in TABLES and ".objects" in ast.unparse(receiver)


def _is_row_insert(node: ast.AST) -> bool:
    """`row_insert(PointsTransaction(…))`: the plain INSERT of awsomeshop.db."""
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "row_insert"
        and any(_chain_root(arg) in TABLES for arg in node.args)
    )


def _writes_in(path: Path) -> list[str]:
    """ORM writes through UserPoints/PointsTransaction managers, and SQL that writes their tables
    (string constants and f-strings that name the table or its model's db_table)."""
    found = []
    tree = ast.parse(path.read_text())
    names = _table_names(tree)
    for node in ast.walk(tree):
        if _is_manager_write(node):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:80]}")
        if _is_row_insert(node):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} INSERT {ast.unparse(node)[:80]}")
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else f" {names.get(ast.unparse(part.value), '?')} "
                for part in node.values
            )
            if SQL_WRITE.search(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text[:80]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_WRITE.search(node.value):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:80]}")
    return found


def test_no_module_but_the_ledger_writes_balances_or_ledger_rows_in_its_code():
    writes = [write for path in _app_sources() for write in _writes_in(path)]

    assert writes == []


def test_the_scan_finds_the_writes_it_looks_for(tmp_path):
    # The scan above must see what it forbids: the ledger's own code has both kinds of write.
    assert {"UPDATE", "INSERT"} <= {write.split()[1] for write in _writes_in(LEDGER_FILE)}
    bad = tmp_path / "bad.py"
    bad.write_text(
        "UserPoints.objects.filter(pk=1).update(current_points=0)\n"
        "PointsTransaction.objects.create(points_amount=1)\n"
        "sql = f'UPDATE {UserPoints._meta.db_table} SET current_points = 0'\n"
        "row_insert(PointsTransaction(points_amount=1))\n"
        "db.row_insert(UserPoints(user_id=1))\n"
    )
    assert len(_writes_in_outside_root(bad)) == 5


def _writes_in_outside_root(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return _writes_in(path)
    finally:
        ROOT = saved


class _WriteTracer:
    """Records, for every statement that writes one of the two tables, whether points/ledger.py
    is on the Python stack that issued it."""

    def __init__(self):
        self.writes: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        if SQL_WRITE.search(sql.replace('"', "")):
            stack = traceback.extract_stack()
            self.writes.append((sql[:60], any(Path(frame.filename) == LEDGER_FILE for frame in stack)))
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_every_write_of_balances_and_ledger_rows_goes_through_the_ledger_at_run_time(
    employee, hr_staff, second_hr, settings
):
    settings.POINTS_APPROVAL_ABOVE = 1000
    product = ProductFactory(points_cost=300, stock_quantity=5)
    tracer = _WriteTracer()
    with connection.execute_wrapper(tracer):
        awarded = points_award_batch(
            awards=[Award(employee.pk, 900, "Launch")], awarded_by_id=hr_staff.pk, source="form", batch_id="b1"
        ).transactions[0]
        waiting = points_award_batch(
            awards=[Award(employee.pk, 1500, "Big launch")], awarded_by_id=hr_staff.pk, source="form", batch_id="b2"
        )
        award_request_approve(batch_id=waiting.batch.pk, approved_by_id=second_hr.pk)
        order = order_redeem(user_id=employee.pk, product_id=product.pk, idempotency_key="key-1")
        order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
        points_reverse(
            award_id=awarded.pk, amount=100, reason="Typo", reversed_by_id=second_hr.pk, source="form", batch_id="r1"
        )
        recognition_give(
            giver_id=second_hr.pk,
            receiver_ids=[employee.pk],
            points_each=10,
            message="Thanks",
            value_id=CompanyValue.objects.get_or_create(name="Customer first")[0].pk,
        )
        settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS = 1, datetime.date(2000, 1, 1)
        points_expire(today=timezone.localdate() + datetime.timedelta(days=70))

    kinds = set(PointsTransaction.objects.values_list("transaction_type", flat=True))
    assert kinds == set(KIND_EFFECTS)  # every kind was posted, so every kind's write was traced
    assert len(tracer.writes) >= 2 * len(kinds)
    assert [sql for sql, through_ledger in tracer.writes if not through_ledger] == []
    assert_ledger_consistent()


def test_every_kind_keeps_current_equal_to_earned_minus_redeemed():
    for kind, effect in KIND_EFFECTS.items():
        assert effect.current == effect.earned - effect.redeemed, kind
        assert {effect.current, effect.earned, effect.redeemed} <= {-1, 0, 1}, kind


def test_the_kinds_table_is_the_schema_s_and_the_model_s_list_of_kinds():
    check = next(c for c in PointsTransaction._meta.constraints if c.name == "points_transactions_type_valid")

    assert sorted(check.condition.children[0][1]) == sorted(KIND_EFFECTS)
    assert sorted(PointsTransaction.Type.values) == sorted(KIND_EFFECTS)
    assert set(MonthFigures.COLUMN_OF_KIND) == set(KIND_EFFECTS)


def test_signed_amounts_and_expected_figures_follow_the_kinds_table():
    for kind, effect in KIND_EFFECTS.items():
        assert PointsTransaction(transaction_type=kind, points_amount=7).signed_amount == 7 * effect.current
    sums = {"earned": 1000, "redeemed": 300, "refunded": 100, "reversed": 50}

    assert figures_from_sums(sums) == (1000 - 300 + 100 - 50, 1000 - 50, 300 - 100)
    assert Effect(current=1, earned=1, redeemed=0, lots=LotRule.OPEN) == KIND_EFFECTS["earned"]


@pytest.mark.django_db
def test_post_refuses_a_debit_past_the_balance_and_writes_nothing(employee, hr_staff):
    with transaction.atomic():
        ledger.post(user_id=employee.pk, kind="earned", amount=100, description="Start")
    refusal = "You need 150 points but have 100: 50 more to go"
    with pytest.raises(InsufficientPoints, match=refusal), transaction.atomic():
        ledger.post(user_id=employee.pk, kind="redeemed", amount=150, description="Too much")

    assert UserPoints.objects.get(pk=employee.pk).current_points == 100
    assert PointsTransaction.objects.count() == 1


@pytest.mark.django_db
def test_post_refuses_a_credit_past_the_int_column_and_a_refund_of_what_was_not_redeemed(employee):
    with transaction.atomic():
        ledger.post(user_id=employee.pk, kind="earned", amount=2_000_000_000, description="Start")
    with pytest.raises(BalanceLimitReached), transaction.atomic():
        ledger.post(user_id=employee.pk, kind="earned", amount=200_000_000, description="Over")
    with pytest.raises(RuntimeError, match="would break its balance"), transaction.atomic():
        ledger.post(user_id=employee.pk, kind="refunded", amount=1, description="Nothing was redeemed")

    assert UserPoints.objects.get(pk=employee.pk).current_points == 2_000_000_000
    assert PointsTransaction.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_ledger_refuses_to_run_outside_a_transaction(employee):
    with pytest.raises(RuntimeError, match="inside a transaction with their ledger row"):
        ledger.account_lock(user_id=employee.pk)
    with pytest.raises(RuntimeError, match="inside a transaction with their ledger row"):
        ledger.post(user_id=employee.pk, kind="earned", amount=1, description="Outside")

    assert not UserPoints.objects.filter(pk=employee.pk).exists()
