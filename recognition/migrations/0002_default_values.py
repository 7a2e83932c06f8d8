from django.db import migrations

VALUES = [
    ("Customer first", "We start from what the customer needs."),
    ("Own it", "We take responsibility and see things through."),
    ("Better together", "We help each other and share what we know."),
    ("Keep it simple", "We make things easy to use and easy to change."),
]


def values_create(apps, schema_editor):
    CompanyValue = apps.get_model("recognition", "CompanyValue")
    AllowancePolicy = apps.get_model("recognition", "AllowancePolicy")
    if not CompanyValue.objects.exists():
        CompanyValue.objects.bulk_create(
            [CompanyValue(name=name, description=text, position=i) for i, (name, text) in enumerate(VALUES)]
        )
    AllowancePolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """A first set of company values for HR to rename, and the default allowance (100 a month)."""

    dependencies = [("recognition", "0001_initial")]

    operations = [migrations.RunPython(values_create, migrations.RunPython.noop)]
