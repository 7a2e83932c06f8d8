from django.db import migrations

from accounts.roles import roles_sync_from_migration


class Migration(migrations.Migration):
    """The Fulfilment role, and catalog managers keep product options."""

    dependencies = [("accounts", "0004_shared_cache_table"), ("orders", "0006_fulfilment"), ("shop", "0007_delivery_and_options")]

    operations = [migrations.RunPython(roles_sync_from_migration, migrations.RunPython.noop)]
