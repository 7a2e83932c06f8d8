"""A database adopted from the documented DDL keeps `points_transactions.created_at` as a
TIMESTAMP of whole seconds; the migrations create TIMESTAMP(6). Lots are spent in the order the
ledger's rows happened and built again from that order, so it must tell apart two rows of one
second: widen the column (MySQL only; nothing to do where it has microseconds already)."""

from django.db import migrations


def ledger_times_in_microseconds(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "mysql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'points_transactions' AND COLUMN_NAME = 'created_at'"
        )
        precision, nullable, default = cursor.fetchone()
        if precision:
            return
        null = "NULL" if nullable == "YES" else "NOT NULL"
        keeps_default = default is not None and "current_timestamp" in str(default).lower()
        cursor.execute(
            f"ALTER TABLE points_transactions MODIFY created_at TIMESTAMP(6) {null}"
            + (" DEFAULT CURRENT_TIMESTAMP(6)" if keeps_default else "")
        )


class Migration(migrations.Migration):
    dependencies = [("points", "0011_lots_and_expiry")]

    operations = [migrations.RunPython(ledger_times_in_microseconds, migrations.RunPython.noop, elidable=True)]
