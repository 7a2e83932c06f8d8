from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import TimestampColumn

from .readable import action_label


class AuditEntry(models.Model):
    """One change a person made through the admin or the API: who, when, what, and the values
    before and after. Written by `audit.services.audit_record` in the change's own transaction,
    so a change and its entry commit together or not at all; never edited or deleted."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        API = "api", _("API")
        PORTAL = "portal", _("Portal")
        SYSTEM = "system", _("System")  # a command, a scheduled job, the demo data

    id = models.BigAutoField(primary_key=True, verbose_name=_("id"))
    at = TimestampColumn(auto_now_add=True, verbose_name=_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        db_index=False,
        verbose_name=_("actor"),
    )
    # The e-mail as it was then: the log still says who, whatever becomes of the account.
    actor_email = models.CharField(max_length=254, blank=True, default="", verbose_name=_("actor email"))
    source = models.CharField(max_length=6, choices=Source.choices, verbose_name=_("source"))
    action = models.CharField(max_length=64, verbose_name=_("action"))
    object_type = models.CharField(
        max_length=64, help_text=_("app_label.model of what was changed."), verbose_name=_("object type")
    )
    object_id = models.CharField(max_length=255, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=255, verbose_name=_("object repr"))
    # The employee the change is about (an award's, an order's), so their history shows it.
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries_about",
        db_index=False,
        verbose_name=_("employee"),
    )
    before = models.JSONField(null=True, blank=True, verbose_name=_("before"))
    after = models.JSONField(null=True, blank=True, verbose_name=_("after"))

    class Meta:
        db_table = "audit_entries"
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="idx_audit_object"),
            models.Index(fields=["employee", "at"], name="idx_audit_employee"),
            models.Index(fields=["actor", "at"], name="idx_audit_actor"),
            models.Index(fields=["action", "at"], name="idx_audit_action"),
            models.Index(fields=["at"], name="idx_audit_at"),
        ]

    def __str__(self) -> str:
        return f"{action_label(action=self.action, object_type=self.object_type)}: {self.object_repr}"
