"""Every account's lots, built from its ledger's history oldest row first, by the rules the live
ledger follows from now on (`points.ledger.lots_rebuild`). Running it again changes nothing: the
same ledger gives the same lots. Rows an older release writes while this deploys (it knows no
lots) are caught by the ledger's own repair and by `manage.py points_lots_rebuild`."""

from django.db import migrations, transaction


def lots_from_history(apps, schema_editor):
    from points.ledger import lots_rebuild  # the live rules: history must be spent as today's ledger spends

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id FROM user_points ORDER BY user_id")
        user_ids = [user_id for (user_id,) in cursor.fetchall()]
    for user_id in user_ids:
        with transaction.atomic(using=connection.alias):
            lots_rebuild(user_id=user_id)


class Migration(migrations.Migration):
    dependencies = [("points", "0012_ledger_times_in_microseconds")]

    operations = [migrations.RunPython(lots_from_history, migrations.RunPython.noop, elidable=True)]
