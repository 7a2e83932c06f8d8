"""Database plumbing shared by the apps: column types of the documented schema, id generation,
and the retry of whole transactions that MySQL aborts under contention."""

import functools
import logging
import random
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.db import OperationalError, connection, models, transaction

from awsomeshop.db_router import wrote_var

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# MySQL error codes after which the whole transaction may simply be run again.
MYSQL_DEADLOCK = 1213
MYSQL_LOCK_WAIT_TIMEOUT = 1205
RETRYABLE_MYSQL_ERRORS = frozenset({MYSQL_DEADLOCK, MYSQL_LOCK_WAIT_TIMEOUT})
# How many times the current request's transactions were run again (its log line says so).
db_retries_var: ContextVar[int] = ContextVar("db_retries", default=0)
# The documented points and stock columns are INT: no value may pass this.
INT_COLUMN_MAX = 2_147_483_647


def new_id() -> str:
    """A new primary key for products, orders, ledger rows and local users."""
    return str(uuid.uuid4())


if TYPE_CHECKING:  # the mixin is only ever mixed into a Field
    _FieldBase = models.Field
else:
    _FieldBase = object


class MySQLColumnTypeMixin(_FieldBase):
    """Use the column type the documented MySQL schema names; other databases keep Django's."""

    mysql_type: str

    def db_type(self, connection):
        if connection.vendor == "mysql":
            return self.mysql_type
        return super().db_type(connection)


class TextColumn(MySQLColumnTypeMixin, models.TextField):
    """TEXT, as documented (Django's own TextField is LONGTEXT on MySQL)."""

    mysql_type = "text"


class TimestampColumn(MySQLColumnTypeMixin, models.DateTimeField):
    """TIMESTAMP, as documented, with microseconds so rows written in one second keep their order."""

    mysql_type = "timestamp(6)"


class EnumColumn(models.CharField):
    """ENUM(...) of the field's choices on MySQL, as documented; VARCHAR elsewhere.

    The allowed values are part of the column type, so a change of choices is a schema change.
    """

    non_db_attrs = tuple(attr for attr in models.CharField.non_db_attrs if attr != "choices")

    def db_type(self, connection):
        if connection.vendor == "mysql":
            values = ",".join(f"'{value}'" for value, _label in self.flatchoices)
            return f"enum({values})"
        return super().db_type(connection)


class ExactCharField(models.CharField):
    """A string compared byte for byte. MySQL's default collation folds case (`Key-A` = `key-a`),
    which is wrong for client keys; SQLite compares exactly already."""

    MYSQL_COLLATION = "utf8mb4_bin"

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "mysql":
            parameters["collation"] = self.MYSQL_COLLATION
        return parameters


def in_a_transaction() -> bool:
    """Whether the code runs inside a transaction (an `atomic` block) of the default database."""
    return transaction.get_connection().in_atomic_block


def is_retryable(error: OperationalError) -> bool:
    return bool(error.args) and error.args[0] in RETRYABLE_MYSQL_ERRORS


def atomic_with_retry(func: Callable[P, R] | None = None, *, attempts: int = 4):
    """Run the function as its own, outermost transaction, and run it again from the start if
    MySQL aborted it with a deadlock or lock-wait timeout.

    Every public service is wrapped in this. The transaction is durable: a service called inside
    another transaction fails at once (RuntimeError), because there its retry could not work
    (MySQL rolls back the whole outer transaction) and its commit would not be its own.
    """

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(durable=True):
                        result = func(*args, **kwargs)
                    # Reads later in this request go to the primary, which has what was just
                    # committed (a read replica may not yet: awsomeshop/db_router.py).
                    wrote_var.set(True)
                    return result
                except OperationalError as error:
                    if attempt == attempts or not is_retryable(error):
                        raise
                    db_retries_var.set(db_retries_var.get() + 1)
                    logger.warning(
                        "Retrying %s after MySQL error %s (attempt %d)", func.__name__, error.args[0], attempt
                    )
                    # Jitter, so the transactions that collided do not collide again.
                    time.sleep(random.uniform(0.005, 0.02) * attempt)  # noqa: S311 - not for security
            raise AssertionError("unreachable")  # pragma: no cover

        wrapper.tier = "durable"  # type: ignore[attr-defined]
        return wrapper

    return decorator(func) if func is not None else decorator


def in_transaction(func: Callable[P, R] | None = None, *, message: str | None = None):
    """The in-transaction tier: a helper that works inside its caller's transaction (a balance
    change with its ledger row, stock with its order, a notification with its change) and refuses
    to run outside one, where its writes would commit alone. Public services are the other tier:
    `atomic_with_retry`, each its own durable transaction. Every public function of a services
    module is one or the other (tests/test_layers.py checks it)."""

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        refusal = message or f"{func.__module__}.{func.__name__} runs inside its caller's transaction; open one first."

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not in_a_transaction():
                raise RuntimeError(refusal)
            return func(*args, **kwargs)

        wrapper.tier = "in_transaction"  # type: ignore[attr-defined]
        return wrapper

    return decorator(func) if func is not None else decorator


def outside_transaction(func: Callable[P, R]) -> Callable[P, R]:
    """A third kind of public function: work that talks to the world outside the database (sends
    mail, calls Cognito) between short transactions of its own, so it must never run inside a
    caller's transaction, whose rollback could not take back what it did."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        # A test case's own transaction (Django marks it) is not a caller's: as for `durable`.
        blocks = transaction.get_connection().atomic_blocks
        if any(not getattr(block, "_from_testcase", False) for block in blocks):
            raise RuntimeError(f"{func.__name__} works outside the database: call it outside any transaction.")
        return func(*args, **kwargs)

    wrapper.tier = "outside_transaction"  # type: ignore[attr-defined]
    return wrapper


def fetch_value(sql: str, params: list | None = None):
    """The first column of the first row of a plain-SQL query, or None when there is no row. For
    the primary-key lookups on every request's path, where building an ORM query costs more than
    the lookup itself."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


_INSERT_SQL: dict[tuple[type[models.Model], bool], tuple[str, list[models.Field]]] = {}


def _insert_sql(model: type[models.Model], with_pk: bool) -> tuple[str, list[models.Field]]:
    key = (model, with_pk)
    if key not in _INSERT_SQL:
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        quote = connection.ops.quote_name
        _INSERT_SQL[key] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            fields,
        )
    return _INSERT_SQL[key]


M = TypeVar("M", bound=models.Model)


def row_insert(instance: M) -> M:
    """Insert the model instance's row with one plain INSERT: no signals, no query building. For
    the rows on a hot path (the redemption's ledger row, order and notification), where Django's
    `save()` costs more than the statement. Every column is written as the instance holds it
    (defaults were applied when it was built); an auto-increment key left None is read back."""
    with_pk = instance.pk is not None
    sql, fields = _insert_sql(type(instance), with_pk)
    db = transaction.get_connection()
    values = [field.get_db_prep_save(getattr(instance, field.attname), db) for field in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        if not with_pk:
            instance.pk = cursor.lastrowid
    instance._state.adding = False
    instance._state.db = db.alias
    return instance
