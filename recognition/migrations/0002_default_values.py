from django.db import migrations

VALUES = [
    ("Customer first", "We start from what the customer needs."),
    ("Own it", "We take responsibility and see things through."),
    ("Better together", "We help each other and share what we know."),
    ("Keep it simple", "We make things easy to use and easy to change."),
]


# Years of service → points: the anniversaries most programmes celebrate.
SERVICE = [(1, 100), (3, 250), (5, 500), (10, 1000)]


def values_create(apps, schema_editor):
    CompanyValue = apps.get_model("recognition", "CompanyValue")
    AllowancePolicy = apps.get_model("recognition", "AllowancePolicy")
    if not CompanyValue.objects.exists():
        CompanyValue.objects.bulk_create(
            [CompanyValue(name=name, description=text, position=i) for i, (name, text) in enumerate(VALUES)]
        )
    AllowancePolicy.objects.get_or_create(pk=1)
    MilestoneRule = apps.get_model("recognition", "MilestoneRule")
    if not MilestoneRule.objects.exists():
        MilestoneRule.objects.bulk_create(
            [MilestoneRule(kind="service", years=years, points=points) for years, points in SERVICE]
            + [MilestoneRule(kind="birthday", years=None, points=50)]
        )


class Migration(migrations.Migration):
    """A first set of company values for HR to rename, the default allowance (100 a month), and
    milestones: 1, 3, 5 and 10 years of service, and birthdays (for those who share theirs)."""

    dependencies = [("recognition", "0001_initial")]

    operations = [migrations.RunPython(values_create, migrations.RunPython.noop)]
