from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """HR sees the addresses the mail service reported, and lifts one once it is fixed."""

    dependencies = [
        ("accounts", "0008_catalog_managers_keep_categories"),
        ("notifications", "0004_email_suppressions"),
    ]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
