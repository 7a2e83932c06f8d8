from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awsomeshop.admin_tools import ReadOnlyAdminMixin
from awsomeshop.text import number

from .kinds import notification_kind_list
from .models import EmailSuppression, Notification
from .services import email_suppressions_lift, notifications_give_up, notifications_resend


class KindFilter(admin.SimpleListFilter):
    """The kinds the apps declared, by their labels."""

    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.code, kind.label) for kind in notification_kind_list()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """HR's view of the outbox: what was sent to whom, and what failed after every attempt, with
    "send again". Bodies stay out of the list: they are the employee's to read."""

    list_display = [
        "created_at",
        "recipient_email",
        "kind_label",
        "title_shown",
        "email_status",
        "attempts",
        "last_error",
    ]
    list_filter = ["email_status", KindFilter]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]
    list_per_page = 100
    actions = ["send_again", "give_up"]
    fields = [
        "recipient_email",
        "kind_label",
        "title_shown",
        "created_at",
        "email_status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("kind"), ordering="kind")
    def kind_label(self, notification: Notification) -> str:
        return notification.kind_label

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_shown(self, notification: Notification) -> str:
        return notification.title_shown  # in the reader's language, as the portal shows it

    @admin.display(description=gettext_lazy("to"), ordering="recipient__email")
    def recipient_email(self, notification: Notification) -> str:
        return notification.recipient.email

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.resend_notification")

    @admin.action(description=gettext_lazy("Send the selected failed e-mails again"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend(ids=list(queryset.values_list("pk", flat=True)))
        if count:
            again = ngettext("%(count)s e-mail will be sent again.", "%(count)s e-mails will be sent again.", count)
            self.message_user(request, again % {"count": number(count)}, messages.SUCCESS)
        else:
            self.message_user(request, _("None of the selected e-mails had failed; nothing to send again."))

    @admin.action(
        description=gettext_lazy("Give up on the selected failed e-mails (they stay in the portal)"),
        permissions=["resend"],
    )
    def give_up(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_give_up(ids=list(queryset.values_list("pk", flat=True)), given_up_by_id=request.user.pk)
        if count:
            given_up = ngettext(
                "%(count)s e-mail will not be sent; the notification stays in the portal.",
                "%(count)s e-mails will not be sent; the notifications stay in the portal.",
                count,
            )
            self.message_user(request, given_up % {"count": number(count)}, messages.SUCCESS)
        else:
            self.message_user(request, _("None of the selected e-mails had failed; nothing changed."), messages.WARNING)


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The addresses the mail service reported (a permanent bounce, a complaint): nothing is
    e-mailed to them; their notifications stay in the portal. HR lifts one once it is fixed."""

    list_display = ["email", "reason", "detail", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]
    actions = ["lift"]
    fields = list_display
    readonly_fields = fields

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.delete_emailsuppression")

    @admin.action(
        description=gettext_lazy("E-mail the selected addresses again (they were fixed)"), permissions=["lift"]
    )
    def lift(self, request: HttpRequest, queryset: QuerySet[EmailSuppression]) -> None:
        count = email_suppressions_lift(ids=list(queryset.values_list("pk", flat=True)), lifted_by_id=request.user.pk)
        if count:
            lifted = ngettext(
                "%(count)s address will be e-mailed again.", "%(count)s addresses will be e-mailed again.", count
            )
            self.message_user(request, lifted % {"count": number(count)}, messages.SUCCESS)
        else:
            self.message_user(
                request,
                _("None of the selected addresses is suppressed any more; nothing was lifted."),
                messages.WARNING,
            )
