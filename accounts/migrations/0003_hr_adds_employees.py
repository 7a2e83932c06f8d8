from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import roles_sync


def sync_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    """HR may now add employees (and with Cognito, create them in the user pool)."""

    dependencies = [("accounts", "0002_roles")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
