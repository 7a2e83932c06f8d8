"""The table of Django's database cache, which holds the throttle counters every worker and task
shares (CACHE_URL's default in production). Made here, not by `createcachetable`, so a deployment
that only runs `migrate` has it."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "awsomeshop_cache"


def cache_table_create(apps, schema_editor) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def cache_table_drop(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_hr_adds_employees")]

    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
