from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """HR sees the notification outbox and sends failed e-mails again."""

    dependencies = [("accounts", "0005_fulfilment_role"), ("notifications", "0001_initial")]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
