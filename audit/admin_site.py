"""The admin site the project runs: the plumbing's `ShopAdminSite`, with every ModelAdmin's adds,
changes and deletes recorded in the audit trail. It lives here, not in the plumbing, because the
audit trail is an app: the plumbing imports no app (docs/architecture.md, "Layers")."""

from django.contrib.admin.apps import AdminConfig

from awsomeshop.admin_site import ShopAdminSite


class AuditedAdminSite(ShopAdminSite):
    def model_admin_mixins(self) -> tuple[type, ...]:
        # Imported here: audit.admin registers its own ModelAdmins on this site when it loads.
        from .admin import AuditedAdminMixin

        return (*super().model_admin_mixins(), AuditedAdminMixin)


class AuditedAdminConfig(AdminConfig):
    default_site = "audit.admin_site.AuditedAdminSite"
