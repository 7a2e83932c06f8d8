from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """Catalog managers see the category list and add to it (superusers rename and merge)."""

    dependencies = [("accounts", "0007_hr_approves_and_reads_the_audit_log"), ("shop", "0009_categories")]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
