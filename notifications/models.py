from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import TimestampColumn


class Topic(models.TextChoices):
    """What an employee can turn off by e-mail, one switch each."""

    AWARDS = "awards", _("Awards")
    ORDERS = "orders", _("Order updates")
    WISHLIST = "wishlist", _("Wishlist")
    # Always sent: money taken back or returned by someone else, which people must hear of.
    REQUIRED = "required", _("Required")
    # Staff's work: what is waiting for them.
    STAFF = "staff", _("Staff")


class Notification(models.Model):
    """One thing that happened, told to one person: a row of their notifications list and, unless
    they turned its topic off, an e-mail. Written by the service that made the change, in the
    change's transaction (the outbox); `notifications.services.notifications_send` sends the
    e-mail after commit, claiming the row so no two senders send it."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not e-mailed (turned off, no address, or given up)")

    id = models.BigAutoField(primary_key=True, verbose_name=_("id"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
        verbose_name=_("recipient"),
    )
    # Declared by the app that raises it (notifications/kinds.py): this app knows none of them.
    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    topic = models.CharField(max_length=10, choices=Topic.choices, verbose_name=_("topic"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(max_length=2000, verbose_name=_("body"))
    link = models.CharField(
        max_length=300, help_text=_("The portal page it is about, as a path."), verbose_name=_("link")
    )
    # The title and body as sentences with their values (notifications.words), read in each
    # reader's language; `title` and `body` keep the English. Rows from before have none.
    words = models.JSONField(null=True, blank=True, editable=False, verbose_name=_("words"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    read_at = TimestampColumn(null=True, blank=True, verbose_name=_("read at"))
    # The e-mail's delivery: claimed by one sender at a time (`claimed_by` until `claimed_until`).
    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, verbose_name=_("email status"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = TimestampColumn(null=True, blank=True, verbose_name=_("next attempt at"))
    claimed_by = models.CharField(max_length=36, null=True, blank=True, verbose_name=_("claimed by"))  # noqa: DJ001 - NULL: unclaimed
    claimed_until = TimestampColumn(null=True, blank=True, verbose_name=_("claimed until"))
    sent_at = TimestampColumn(null=True, blank=True, verbose_name=_("sent at"))
    last_error = models.CharField(max_length=500, blank=True, default="", verbose_name=_("last error"))
    # Set for what must be told at most once (a day's summary): unique per recipient.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("dedupe key"))  # noqa: DJ001 - NULL: no such limit

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        db_table = "notifications"
        ordering = ["-created_at", "-id"]
        permissions = [("resend_notification", _("Can send failed notification e-mails again"))]
        indexes = [
            models.Index(fields=["recipient", "created_at", "id"], name="idx_notification_recipient"),
            models.Index(fields=["recipient", "read_at"], name="idx_notification_unread"),
            # The sender's query: due rows, oldest first.
            models.Index(fields=["email_status", "next_attempt_at", "id"], name="idx_notification_outbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(email_status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="notifications_email_status_valid",
            ),
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notifications_dedupe_unique"),
        ]

    def __str__(self) -> str:
        return self.title_shown  # in the active language, like every other name the admin shows

    @property
    def kind_label(self) -> str:
        from .kinds import notification_kind_get

        declared = notification_kind_get(self.kind)
        return str(declared.label) if declared else self.kind

    @property
    def title_shown(self) -> str:
        """The title in the active language (the page's, or the e-mail's recipient's)."""
        from .words import title_read

        return title_read(self.words) if self.words else self.title

    @property
    def body_shown(self) -> str:
        from .words import body_read

        return body_read(self.words) if self.words else self.body

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Which topics an employee wants by e-mail; no row means all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    awards_email = models.BooleanField(
        default=True, help_text=_("E-mail me when I am given points."), verbose_name=_("awards email")
    )
    orders_email = models.BooleanField(
        default=True, help_text=_("E-mail me when my orders move on."), verbose_name=_("orders email")
    )
    wishlist_email = models.BooleanField(
        default=True,
        help_text=_("E-mail me when something on my wishlist is back or within my points."),
        verbose_name=_("wishlist email"),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        db_table = "notification_preferences"

    def __str__(self) -> str:
        return f"{self.user_id}: awards {self.awards_email}, orders {self.orders_email}"

    def wants(self, topic: str) -> bool:
        return {
            Topic.AWARDS: self.awards_email,
            Topic.ORDERS: self.orders_email,
            Topic.WISHLIST: self.wishlist_email,
        }.get(topic, True)


class EmailSuppression(models.Model):
    """An address the mail service told us not to write to again: it bounced for good, or its
    owner marked our mail as spam. The sender skips it (the notification stays in the portal);
    HR sees the list and lifts an entry once the address is fixed. Amazon SES expects a sender
    to stop on these, and suspends one that does not."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounced (the address does not take mail)")
        COMPLAINT = "complaint", _("Complaint (marked as spam)")

    # Lower case: the same mailbox in any letter case is one entry.
    email = models.EmailField(max_length=254, unique=True, verbose_name=_("email"))
    reason = models.CharField(max_length=10, choices=Reason.choices, verbose_name=_("reason"))
    detail = models.CharField(
        max_length=500, blank=True, default="", help_text=_("What the mail service said."), verbose_name=_("detail")
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "email_suppressions"
        ordering = ["-created_at", "email"]
        verbose_name = _("address we no longer e-mail")
        verbose_name_plural = _("addresses we no longer e-mail")
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=["bounce", "complaint"]), name="email_suppression_reason"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="email_suppression_lower"),
        ]

    def __str__(self) -> str:
        return self.email
