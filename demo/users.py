"""The demo users, for local sign-in (`make run`) and for the local AWS emulator's user pool
(`make run-aws`). No Django imports: scripts/aws_emulator_setup.py reads it without settings."""

from dataclasses import dataclass

from accounts import roles


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str  # local sign-in
    cognito_password: str  # the emulator's pool (its policy wants upper case, lower case and digits)
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False
    group: str | None = None


DEMO_USERS = [
    DemoUser("employee@awsomeshop.local", "employee-demo-2026", "Employee2026", "Emma", "Employee", "employee"),
    DemoUser("colleague@awsomeshop.local", "colleague-demo-2026", "Colleague2026", "Carlos", "Colleague", "employee"),
    DemoUser(
        "hr@awsomeshop.local", "hr-demo-2026", "Hrstaff2026", "Hana", "Resources", "HR", is_staff=True, group=roles.HR
    ),
    DemoUser(
        "catalog@awsomeshop.local",
        "catalog-demo-2026",
        "Catalog2026",
        "Kai",
        "Catalog",
        "catalog manager",
        is_staff=True,
        group=roles.CATALOG_MANAGERS,
    ),
    DemoUser(
        "fulfilment@awsomeshop.local",
        "fulfilment-demo-2026",
        "Fulfilment2026",
        "Femi",
        "Fulfilment",
        "fulfilment",
        is_staff=True,
        group=roles.FULFILMENT,
    ),
    DemoUser("admin@awsomeshop.local", "admin-demo-2026", "Admin2026", "Ada", "Admin", "superuser", True, True),
]
# In the emulator only: a user who must choose a password at first sign-in.
NEW_HIRE = DemoUser("newhire@awsomeshop.local", "", "Welcome2026", "Noah", "Newhire", "employee")
