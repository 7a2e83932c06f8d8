"""The staff roles and exactly the permissions each one needs. The data migration creates them;
seed_demo and the tests use the same names."""

HR = "HR"
CATALOG_MANAGERS = "Catalog managers"
FULFILMENT = "Fulfilment"

ROLE_PERMISSIONS = {
    # View and add employees and their balances, award, correct and approve points, view the
    # ledger, the budgets, the orders and the audit log.
    HR: [
        ("points", "view_employee"),
        ("points", "add_employee"),
        ("points", "award_points"),
        ("points", "approve_award"),
        ("points", "view_awardbatch"),
        ("points", "view_pointsbudget"),
        ("points", "view_pointsbudgetlimit"),
        ("points", "view_pointstransaction"),
        ("audit", "view_auditentry"),
        ("orders", "view_order"),
        ("notifications", "view_notification"),
        ("notifications", "resend_notification"),
        ("notifications", "view_emailsuppression"),
        ("notifications", "delete_emailsuppression"),
        # Recognition between colleagues: the values, the allowances, and taking one down.
        ("recognition", "view_recognition"),
        ("recognition", "moderate_recognition"),
        ("recognition", "view_companyvalue"),
        ("recognition", "add_companyvalue"),
        ("recognition", "change_companyvalue"),
        ("recognition", "view_allowancepolicy"),
        ("recognition", "change_allowancepolicy"),
        ("recognition", "view_allowanceoverride"),
        ("recognition", "add_allowanceoverride"),
        ("recognition", "change_allowanceoverride"),
        ("recognition", "delete_allowanceoverride"),
        ("recognition", "view_milestonedates"),
        ("recognition", "add_milestonedates"),
        ("recognition", "change_milestonedates"),
        ("recognition", "view_milestonerule"),
        ("recognition", "add_milestonerule"),
        ("recognition", "change_milestonerule"),
    ],
    # Add and change products (images, stock, price, activation). Never delete: orders keep products.
    CATALOG_MANAGERS: [
        ("shop", "view_product"),
        ("shop", "add_product"),
        ("shop", "change_product"),
        ("shop", "view_productoption"),
        ("shop", "add_productoption"),
        ("shop", "change_productoption"),
        ("shop", "view_category"),
        ("shop", "add_category"),
    ],
    # Work the queue of orders: move them along, cancel with a reason (which refunds), attach and
    # load codes for digital rewards. No points, no products, no employees.
    FULFILMENT: [
        ("orders", "view_fulfilmentorder"),
        ("orders", "fulfil_order"),
        ("orders", "view_vouchercode"),
        ("orders", "add_vouchercode"),
    ],
}


def roles_sync(*, group_model, permission_model, strict: bool = True) -> None:
    """Create the role groups with exactly their permissions. Takes the models so the data
    migrations can pass their historical ones. An early data migration runs before the tables of
    later apps exist (`strict=False`): it leaves their permissions to the migration that comes
    after them, which syncs again."""
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        found = [
            permission_model.objects.filter(content_type__app_label=app, codename=codename).first()
            for app, codename in permissions
        ]
        if strict and None in found:
            missing = [
                f"{app}.{codename}" for (app, codename), perm in zip(permissions, found, strict=True) if not perm
            ]
            raise LookupError(f"No such permission: {', '.join(missing)}")
        group.permissions.set([permission for permission in found if permission is not None])


def roles_sync_from_migration(apps, schema_editor) -> None:
    """The data migrations' step: create the permissions now (Django makes them only after all
    migrations), then the groups with exactly theirs."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(
        group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"), strict=False
    )
