from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS, roles_sync_from_migration


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("points", "0004_employee"),
        ("shop", "0003_product_image_rules"),
        ("orders", "0003_order_idempotency_key"),
    ]

    operations = [migrations.RunPython(roles_sync_from_migration, remove_roles)]
