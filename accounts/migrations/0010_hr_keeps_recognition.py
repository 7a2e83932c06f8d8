from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """HR keeps the company values and the giving allowances, and takes a recognition down."""

    dependencies = [
        ("accounts", "0009_hr_lifts_email_suppressions"),
        ("recognition", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
