"""The models map onto the documented MySQL schema, and the database itself guards the invariants."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction

from tests.factories import ProductFactory

SCHEMA_SQL = settings.BASE_DIR / "docs" / "schema.sql"
SPEC = settings.BASE_DIR.parent / "shared" / "spec" / "deployment-architecture.md"
DOCUMENTED_TABLES = ["user_points", "products", "orders", "points_transactions"]


def documented_statements() -> list[str]:
    """The CREATE TABLE statements of docs/schema.sql (the spec's DDL, as ops would run it)."""
    statements = [s.strip() for s in SCHEMA_SQL.read_text().split(";")]
    return [s for s in statements if s.upper().startswith("CREATE TABLE") or "\nCREATE TABLE" in s.upper()]


@pytest.mark.skipif(not SPEC.exists(), reason="the specification is not checked out beside this repository")
def test_docs_schema_is_the_specifications_ddl():
    spec_sql = re.search(r"```sql\n(.*?)```", SPEC.read_text(), re.S).group(1)
    assert SCHEMA_SQL.read_text() == spec_sql


def raw_sql(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_database_refuses_a_negative_balance_written_by_raw_sql(employee, give_points):
    give_points(employee, 10)

    with pytest.raises(IntegrityError):
        raw_sql(
            "UPDATE user_points SET current_points = -5, total_earned = 0, total_redeemed = 5 WHERE user_id = %s",
            [employee.pk],
        )
    with pytest.raises(IntegrityError):
        raw_sql("UPDATE user_points SET current_points = current_points - 20 WHERE user_id = %s", [employee.pk])


@pytest.mark.django_db
def test_database_refuses_negative_stock_written_by_raw_sql():
    product = ProductFactory(stock_quantity=1)

    with pytest.raises(IntegrityError):
        raw_sql("UPDATE products SET stock_quantity = stock_quantity - 2 WHERE product_id = %s", [product.pk])


@pytest.mark.django_db
def test_database_refuses_an_undocumented_transaction_type(employee, give_points):
    give_points(employee, 10)

    with pytest.raises((IntegrityError, DataError)):
        raw_sql("UPDATE points_transactions SET transaction_type = 'stolen' WHERE user_id = %s", [employee.pk])


def mysql_columns(cursor, database: str) -> dict[tuple[str, str], tuple[str, str]]:
    cursor.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name IN %s",
        [database, DOCUMENTED_TABLES],
    )
    return {(table, column): (data_type, nullable) for table, column, data_type, nullable in cursor.fetchall()}


def mysql_indexes(cursor, database: str) -> set[tuple[str, str]]:
    cursor.execute(
        "SELECT DISTINCT table_name, index_name FROM information_schema.statistics "
        "WHERE table_schema = %s AND table_name IN %s AND index_name LIKE 'idx%%'",
        [database, DOCUMENTED_TABLES],
    )
    return set(cursor.fetchall())


@pytest.fixture
def ddl_database(django_db_blocker):
    """An empty database created from the documented DDL, as ops would, dropped afterwards."""
    name = f"awsomeshop_ddl_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cursor.execute(f"USE `{name}`")
        for statement in documented_statements():
            cursor.execute(statement)
        cursor.execute(f"USE `{connection.settings_dict['NAME']}`")
    yield name
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE `{name}`")


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"mysql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{name}"


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(database), "DJANGO_SETTINGS_MODULE": "awsomeshop.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


ADOPTION_SCRIPT = """
from django.contrib.auth import get_user_model
from django.db import connection
from orders.services import OrderDetails, order_cancel, order_redeem
from tests.awards import points_award
from shop.services import product_create, product_option_create
user = get_user_model().objects.create_user("adopted@example.com", "pw")
points_award(user_id=user.pk, amount=500, reason="First award on the adopted database")
with connection.cursor() as cursor:  # a product as the documented DDL knows them: no delivery method
    cursor.execute("INSERT INTO products (product_id, name, points_cost, stock_quantity) VALUES ('old', 'Old mug', 50, 3)")
old = order_redeem(user_id=user.pk, product_id="old", details=OrderDetails(delivery_address="1 Road"))
product = product_create(name="Mug", points_cost=200, stock_quantity=0)
option = product_option_create(product_id=product.pk, name="Blue", stock_quantity=2)
order = order_redeem(user_id=user.pk, product_id=product.pk, details=OrderDetails(option_id=option.pk, delivery_address="1 Road"))
order_cancel(order_id=old.pk, cancelled_by_id=user.pk)
print("balance", type(user).objects.get(pk=user.pk).points.current_points)
print("order", order.points_used, order.status, order.option.name)
print("cancelled", type(old).objects.get(pk=old.pk).status)
"""


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_migrations_create_the_documented_columns_types_and_indexes(ddl_database):
    with connection.cursor() as cursor:
        documented = mysql_columns(cursor, ddl_database)
        migrated = mysql_columns(cursor, connection.settings_dict["NAME"])
        documented_indexes = mysql_indexes(cursor, ddl_database)
        migrated_indexes = mysql_indexes(cursor, connection.settings_dict["NAME"])

    assert len(documented) == 29  # 6 + 10 + 6 + 7 documented columns
    for column, (data_type, _nullable) in documented.items():
        assert column in migrated, f"{column} is documented but not created"
        assert migrated[column][0] == data_type, f"{column}: {migrated[column][0]} instead of {data_type}"
    for column, (_data_type, nullable) in migrated.items():
        if column not in documented:
            assert nullable == "YES", f"{column} is an addition, so it must be nullable"
    assert documented_indexes <= migrated_indexes


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_a_database_created_from_the_documented_ddl_is_adopted_with_fake_initial(ddl_database):
    migrate = manage("migrate", "--fake-initial", "--noinput", database=ddl_database)
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying shop.0001_initial... FAKED" in migrate.stdout
    assert "Applying points.0001_initial... FAKED" in migrate.stdout
    assert "Applying points.0002_schema_invariants... OK" in migrate.stdout

    used = manage("shell", "-c", ADOPTION_SCRIPT, database=ddl_database)
    assert used.returncode == 0, used.stderr
    assert "balance 300" in used.stdout
    assert "order 200 Placed Blue" in used.stdout
    assert "cancelled Cancelled" in used.stdout

    check = manage("check_points_ledger", database=ddl_database)
    assert check.returncode == 0, check.stderr
    assert "The points ledger is consistent" in check.stdout
