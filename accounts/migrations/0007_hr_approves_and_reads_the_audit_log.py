from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """HR approves other HR users' large awards, sees the budgets and reads the audit log."""

    dependencies = [
        ("accounts", "0006_hr_sees_notifications"),
        ("points", "0009_reversals_approvals_budgets"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
