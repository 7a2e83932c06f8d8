from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """HR may now add employees (and with Cognito, create them in the user pool)."""

    dependencies = [("accounts", "0002_roles")]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
