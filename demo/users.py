"""The demo users, for local sign-in (`make run`) and for the local AWS emulator's user pool
(`make run-aws`). No Django imports: scripts/aws_emulator_setup.py reads it without settings."""

from dataclasses import dataclass

from accounts import roles


@dataclass(frozen=True)
class DemoUser:
    email: str
    # The same for local sign-in (`make run`) and the emulator's pool (`make run-aws`), so it meets
    # the pool's policy (upper case, lower case and digits; demo/tests check it against the CDK app's).
    password: str
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False
    group: str | None = None


DEMO_USERS = [
    DemoUser("employee@awsomeshop.local", "Employee-demo-2026", "Emma", "Employee", "employee"),
    DemoUser("colleague@awsomeshop.local", "Colleague-demo-2026", "Carlos", "Colleague", "employee"),
    DemoUser("hr@awsomeshop.local", "Hr-demo-2026", "Hana", "Resources", "HR", is_staff=True, group=roles.HR),
    DemoUser(
        "catalog@awsomeshop.local",
        "Catalog-demo-2026",
        "Kai",
        "Catalog",
        "catalog manager",
        is_staff=True,
        group=roles.CATALOG_MANAGERS,
    ),
    DemoUser(
        "fulfilment@awsomeshop.local",
        "Fulfilment-demo-2026",
        "Femi",
        "Fulfilment",
        "fulfilment",
        is_staff=True,
        group=roles.FULFILMENT,
    ),
    DemoUser("admin@awsomeshop.local", "Admin-demo-2026", "Ada", "Admin", "superuser", True, True),
]
# In the emulator only: a user who must choose a password at first sign-in.
NEW_HIRE = DemoUser("newhire@awsomeshop.local", "Welcome-2026", "Noah", "Newhire", "employee")
