"""Telling people what happened: a transactional outbox and its sender.

The service that makes a change calls `notify` inside its own transaction, so the notification
row commits with the change or not at all; nothing is sent inside a transaction. After commit,
the row's e-mail is sent (`transaction.on_commit`, for speed) and `manage.py send_notifications`
(every minute in the deployment) sends whatever is left. A sender claims rows first, in a short
transaction of its own (`SELECT … FOR UPDATE SKIP LOCKED`, then an UPDATE that only takes rows
still unclaimed), sends outside any transaction, then marks them sent. So two senders never send
the same row, and a mail service that is down loses nothing: the row is tried again with backoff,
and after the last attempt it is marked failed for HR to send again.

The one window left: a sender that dies after the mail service took a message and before it
marked the row sent. The row's claim runs out (`NOTIFICATION_CLAIM_SECONDS`) and another sender
sends it again, so that person gets it twice. Every copy carries the same Message-ID
(`<notification-ID@…>`), which mail clients use to fold duplicates.
"""

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.languages import language_of
from audit.services import Change, audit_record, audit_record_many
from awsomeshop.db import atomic_with_retry, in_transaction, new_id, outside_transaction, row_insert
from awsomeshop.email_address import email_address_parse

from .kinds import NotificationKind, notification_kind, notification_kind_get
from .models import EmailSuppression, Notification, NotificationPreference, Topic
from .words import Words, in_english, notification_words, words

logger = logging.getLogger(__name__)

# The sender's own event: e-mails that failed, for HR.
HR_SUMMARY = notification_kind(code="hr_summary", topic=Topic.STAFF, label=gettext_noop("Daily summary for HR"))
# Seconds to wait before attempt 2, 3, 4, 5 of an e-mail.
BACKOFF_SECONDS = (60, 300, 1800, 7200)
_DUE = Notification.EmailStatus


# --- Writing: in the change's transaction ------------------------------------------------------
@in_transaction(message="A notification is written in the transaction of the change it tells about.")
def notify(
    *,
    recipient_id: str,
    kind: NotificationKind | str,
    title: Words,
    body: Words | Sequence[Words],
    link: str,
    dedupe_key: str | None = None,
) -> Notification:
    """Record that something happened to `recipient_id`, inside the caller's transaction; its
    e-mail goes out after commit, from the sender (unless they turned the topic off). `kind` is
    one the raising app declared (notifications/kinds.py)."""
    # One plain INSERT and nothing else: the redemption's hot path pays for no lookup of the
    # recipient and no rendering. Whether and how it is e-mailed (an address, the person's
    # switches, a suppressed address) the sender decides when it sends (`_not_emailed_because`).
    notification = row_insert(
        _outbox_row(
            recipient_id=recipient_id,
            kind=kind,
            title=title,
            body=body,
            link=link,
            now=timezone.now(),
            dedupe_key=dedupe_key,
        )
    )
    if settings.NOTIFICATIONS_SEND_ON_COMMIT != "off":
        _send_after_commit(notification.pk)
    return notification


@in_transaction(message="A notification is written in the transaction of the change it tells about.")
def notify_once(
    *,
    recipient_id: str,
    kind: NotificationKind | str,
    title: Words,
    body: Words | Sequence[Words],
    link: str,
    dedupe_key: str,
) -> Notification | None:
    """`notify`, unless this person was told under `dedupe_key` already (a job run twice, two
    changes racing to tell the same thing): None then. The key's uniqueness decides, not a read."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on either way
            return notify(
                recipient_id=recipient_id, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None


@in_transaction(message="A notification is written in the transaction of the change it tells about.")
def notify_many(
    *,
    recipient_ids: list[str],
    kind: NotificationKind | str,
    title: Words,
    body: Words | Sequence[Words],
    link: str,
    dedupe_key: str,
) -> int:
    """`notify` of the same news to many people in one INSERT (a product back in stock, to all who
    wished for it), skipping anyone told under `dedupe_key` already. Returns how many rows it wrote."""
    now = timezone.now()
    rows = [
        _outbox_row(
            recipient_id=recipient_id, kind=kind, title=title, body=body, link=link, now=now, dedupe_key=dedupe_key
        )
        for recipient_id in recipient_ids
    ]
    if not rows:
        return 0
    before = Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipient_ids).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written = Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipient_ids)
    if settings.NOTIFICATIONS_SEND_ON_COMMIT != "off":
        for notification_id in written.filter(created_at=now).values_list("pk", flat=True):
            _send_after_commit(notification_id)
    return written.count() - before


def _outbox_row(
    *,
    recipient_id: str,
    kind: NotificationKind | str,
    title: Words,
    body: Words | Sequence[Words],
    link: str,
    now: datetime,
    dedupe_key: str | None,
) -> Notification:
    """A notification waiting to be e-mailed, of a kind an app declared. Its words are kept to be
    read in each reader's language; the row's title and body columns hold the English."""
    declared = notification_kind_get(str(kind))
    if declared is None:
        raise ValueError(f"{kind!r} is not a declared notification kind.")
    kept = notification_words(title=title, body=body)
    title_english, body_english = in_english(kept)
    return Notification(
        recipient_id=recipient_id,
        kind=declared.code,
        topic=declared.topic,
        words=kept,
        # The title is the e-mail's subject: one line, whatever names and reasons it holds.
        title=title_english[:200],
        body=body_english[:2000],
        link=link,
        created_at=now,
        email_status=_DUE.PENDING,
        next_attempt_at=now,
        dedupe_key=dedupe_key,
    )


class _AfterCommit:
    """The e-mails a transaction wrote, sent in one round once it commits."""

    def __init__(self, notification_id: int) -> None:
        self.ids = [notification_id]

    def __call__(self) -> None:
        _dispatch(self.ids)


def _send_after_commit(notification_id: int) -> None:
    # One callback per transaction, however many notifications it writes (a batch of 200 awards
    # is one round for the sender). A rolled back transaction drops its callbacks with it.
    for _savepoints, callback, _robust in transaction.get_connection().run_on_commit:
        if isinstance(callback, _AfterCommit):
            callback.ids.append(notification_id)
            return
    transaction.on_commit(_AfterCommit(notification_id))


# --- Sending: after commit, each row by one sender ---------------------------------------------
@dataclass(frozen=True)
class SendReport:
    """What one round of sending did."""

    claimed: int
    sent: int
    retrying: int
    failed: int


def _due(now) -> Q:
    """Rows to send: waiting and due, or claimed by a sender whose claim ran out (it died)."""
    return Q(email_status=_DUE.PENDING, next_attempt_at__lte=now) | Q(email_status=_DUE.SENDING, claimed_until__lt=now)


def _claim(*, limit: int, ids: list[int] | None, now) -> tuple[str, list[Notification]]:
    """Claim up to `limit` due rows for this sender, in a short transaction of its own. SKIP
    LOCKED lets concurrent senders pass over each other's rows instead of waiting; the UPDATE's
    own condition is what makes a row one sender's (SQLite has no row locks)."""
    token = new_id()
    with transaction.atomic():
        due = Notification.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=ids)
        skip_locked = connection.features.has_select_for_update_skip_locked
        picked = list(
            due.order_by("id").select_for_update(skip_locked=skip_locked).values_list("pk", flat=True)[:limit]
        )
        if picked:
            Notification.objects.filter(_due(now), pk__in=picked).update(
                email_status=_DUE.SENDING,
                claimed_by=token,
                claimed_until=now + timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS),
                attempts=F("attempts") + 1,
            )
    # From the primary: a read replica may not have the claim yet.
    claimed = Notification.objects.using(DEFAULT_DB_ALIAS).filter(claimed_by=token, email_status=_DUE.SENDING)
    return token, list(claimed.select_related("recipient", "recipient__notification_preference").order_by("id"))


def _claim_renewed(notification: Notification, token: str) -> bool:
    """Whether this sender still holds the row, its claim renewed for one more message: a slow
    mail service must not let a batch outlive its claim and another sender send the rest again."""
    until = timezone.now() + timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    return bool(
        Notification.objects.filter(
            pk=notification.pk, claimed_by=token, email_status=_DUE.SENDING, claimed_until__gte=timezone.now()
        ).update(claimed_until=until)
    )


def _not_emailed_because(notification: Notification, suppressed: set[str]) -> str | None:
    """Why this notification's e-mail is not to be sent, as its row will say; None to send it.
    Decided when sending, so a switch turned off or an address fixed meanwhile counts."""
    recipient = notification.recipient
    if not recipient.email:
        return "No e-mail address."
    if not recipient.is_active:
        return "The account is deactivated."
    preference = getattr(recipient, "notification_preference", None)
    if preference is not None and not preference.wants(notification.topic):
        return "They turned these e-mails off."
    if _comparable(recipient.email) in suppressed:
        return "The mail service reported this address (bounce or complaint); HR can lift it."
    return None


# Each e-mail's one line on why it came, by its topic. Every topic has one: a kind of a topic
# without it could never be e-mailed (the wishlist's stayed pending, failing each attempt).
WHY_EMAILED = {
    Topic.AWARDS: gettext_lazy("You get this e-mail because points were given to you on AWSomeShop."),
    Topic.ORDERS: gettext_lazy("You get this e-mail because you ordered on AWSomeShop."),
    Topic.WISHLIST: gettext_lazy("You get this e-mail because a product is on your AWSomeShop wishlist."),
    Topic.REQUIRED: gettext_lazy(
        "You get this e-mail because points came back to your AWSomeShop balance; these messages cannot be turned off."
    ),
    Topic.STAFF: gettext_lazy("You get this e-mail because you are in the HR team of AWSomeShop."),
}
if set(WHY_EMAILED) != set(Topic):
    raise ImproperlyConfigured(
        f"Every notification topic needs its e-mail's 'why' line: {set(Topic) - set(WHY_EMAILED)}"
    )


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for a notification, in the recipient's language: plain text and HTML from the
    templates, with the person's name, a link to the exact page, and one line on why they got it."""
    recipient = notification.recipient
    with translation.override(language_of(recipient)):
        return _notification_email(notification, recipient)


def _notification_email(notification: Notification, recipient) -> EmailMultiAlternatives:
    site = settings.SITE_URL.rstrip("/")
    context = {
        "notification": notification,
        "name": recipient.first_name or recipient.get_full_name() or recipient.email,
        "url": site + notification.link,
        "preferences_url": site + reverse("notifications:preferences"),
        "why": WHY_EMAILED[Topic(notification.topic)],
        "can_turn_off": notification.topic != Topic.REQUIRED,
    }
    message = EmailMultiAlternatives(
        subject=notification.title_shown,
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": f"<notification-{notification.pk}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"},
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message


def _attempt_failed(notification: Notification, token: str, error: Exception, now) -> bool:
    """Record a failed attempt; True when it was the last one (the row is failed now)."""
    last = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    delay = BACKOFF_SECONDS[min(notification.attempts, len(BACKOFF_SECONDS)) - 1]
    Notification.objects.filter(pk=notification.pk, claimed_by=token).update(
        email_status=_DUE.FAILED if last else _DUE.PENDING,
        next_attempt_at=None if last else now + timedelta(seconds=delay),
        claimed_by=None,
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:500],
    )
    return last


def _comparable(email: str) -> str:
    """An account's address in the suppression list's form (an odd one as it is, lower case)."""
    try:
        return email_address_parse(email)
    except ValueError:
        return email.strip().lower()


def _suppressed_among(notifications: list[Notification]) -> set[str]:
    addresses = {_comparable(n.recipient.email) for n in notifications if n.recipient.email}
    return set(EmailSuppression.objects.filter(email__in=addresses).values_list("email", flat=True))


def _release(notification: Notification, token: str, **columns) -> int:
    """Leave the row this sender claimed, in the state `columns` give."""
    return Notification.objects.filter(pk=notification.pk, claimed_by=token).update(
        claimed_by=None, claimed_until=None, **columns
    )


@outside_transaction
def notifications_send(*, limit: int = 100, ids: list[int] | None = None, stop=None) -> SendReport:
    """Send the e-mails of due notifications (of `ids` only, when given), each by this sender
    alone. A failure is recorded on its row and tried again later; it never stops the others.
    `stop` (a threading.Event) ends the round early, after the message being sent: the rows not
    reached are handed back, due at once, for the next sender."""
    try:
        mail = get_connection()
        mail.open()
    except Exception:
        # Nothing is claimed while the mail backend cannot even start: the rows stay due.
        logger.exception("The mail backend could not be opened; no notification was claimed")
        return SendReport(claimed=0, sent=0, retrying=0, failed=0)
    token, claimed = _claim(limit=limit, ids=ids, now=timezone.now())
    suppressed = _suppressed_among(claimed)
    sent = retrying = failed = 0
    for position, notification in enumerate(claimed):
        if stop is not None and stop.is_set():
            rest = [n.pk for n in claimed[position:]]
            Notification.objects.filter(pk__in=rest, claimed_by=token).update(
                email_status=_DUE.PENDING, claimed_by=None, claimed_until=None, attempts=F("attempts") - 1
            )
            break
        if not _claim_renewed(notification, token):
            continue  # another sender has it now
        because = _not_emailed_because(notification, suppressed)
        if because:
            _release(notification, token, email_status=_DUE.SKIPPED, last_error=because)
            continue
        try:
            mail.send_messages([notification_email(notification)])
        except Exception as error:  # noqa: BLE001 - any failure of the mail service is retried
            logger.warning("Notification %s not sent (attempt %d): %s", notification.pk, notification.attempts, error)
            if _attempt_failed(notification, token, error, timezone.now()):
                failed += 1
            else:
                retrying += 1
            continue
        if not _release(notification, token, email_status=_DUE.SENT, sent_at=timezone.now(), last_error=""):
            # Our claim ran out and another sender took the row: it may go out twice.
            logger.warning("Notification %s was sent after its claim ran out", notification.pk)
        sent += 1
    mail.close()
    return SendReport(claimed=len(claimed), sent=sent, retrying=retrying, failed=failed)


class _BackgroundSender:
    """One daemon thread per process that sends whatever is due each time a commit nudges it. A
    burst of commits is one round, not a queue of them, and the thread never holds up the
    process's exit (a worker's restart): rows it did not reach stay due for send_notifications."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def nudge(self) -> None:
        with self._lock:
            # After a fork (gunicorn's workers) the parent's thread is not alive here: start one.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                # Failed rows wait for their next attempt, so a round ends once nothing is due.
                while notifications_send(limit=100).claimed:
                    pass
            except Exception:  # the rows stay due: send_notifications picks them up
                logger.exception("Sending notifications in the background failed")
            finally:
                connection.close()


_background = _BackgroundSender()


def _dispatch(ids: list[int]) -> None:
    """After commit: send now, in this thread or in the background, or leave it to the command."""
    mode = settings.NOTIFICATIONS_SEND_ON_COMMIT
    if mode == "inline":
        try:
            notifications_send(ids=ids)
        except Exception:
            logger.exception("Sending notifications %s after commit failed", ids)
    elif mode == "thread":
        _background.nudge()


# --- HR's daily summary ------------------------------------------------------------------------
@atomic_with_retry
def hr_summary_send(*, day: str | None = None) -> int:
    """Tell each HR user what waits for them, once a day and only when something does: e-mails
    that failed after every attempt. (Awards waiting for approval join it with approvals.)
    Returns how many were told; a second run the same day tells nobody again."""
    from accounts.roles import HR  # the roles module imports no models; kept local all the same

    day = day or timezone.localdate().isoformat()
    failed = Notification.objects.filter(email_status=_DUE.FAILED).count()
    if not failed:
        return 0
    hr_users = get_user_model().objects.filter(groups__name=HR, is_active=True).values_list("pk", flat=True)
    told = 0
    link = reverse("admin:notifications_notification_changelist") + "?email_status__exact=failed"
    for user_id in hr_users:
        if Notification.objects.filter(recipient_id=user_id, dedupe_key=f"hr-summary:{day}").exists():
            continue
        told += (
            notify_once(
                recipient_id=user_id,
                kind=HR_SUMMARY,
                title=words(gettext_noop("1 e-mail to employees could not be sent"))
                if failed == 1
                else words(gettext_noop("%(count)s e-mails to employees could not be sent"), count=failed),
                body=words(
                    gettext_noop(
                        "They were tried again and again and failed. Check the addresses and the mail "
                        "service, then send them again from the admin."
                    )
                ),
                link=link,
                dedupe_key=f"hr-summary:{day}",
            )
            is not None
        )
    return told


# --- People's own actions ----------------------------------------------------------------------
NOTIFICATION_ID = re.compile(r"[0-9]{1,18}")


@atomic_with_retry
def notification_mark_read(*, user_id: str, notification_id: Any) -> bool:
    """Mark one of the user's notifications read; False for anyone else's or an unknown id (ids
    are ASCII digits: `str.isdigit` would take ², ① and other scripts' digits)."""
    if not isinstance(notification_id, str) or not NOTIFICATION_ID.fullmatch(notification_id):
        return False
    mine = Notification.objects.filter(pk=int(notification_id), recipient_id=user_id)
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return mine.exists()


@atomic_with_retry
def notifications_mark_all_read(*, user_id: str) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(read_at=timezone.now())


@atomic_with_retry
def notification_preferences_set(
    *, user_id: str, awards_email: bool, orders_email: bool, wishlist_email: bool = True
) -> NotificationPreference:
    """Which topics the user wants by e-mail from now on (notifications in the portal stay)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user_id=user_id,
        defaults={
            "awards_email": bool(awards_email),
            "orders_email": bool(orders_email),
            "wishlist_email": bool(wishlist_email),
        },
    )
    return preference


def _failed_locked(ids: list[int]) -> list[Notification]:
    """The failed rows among `ids`, locked: only these move, so a second click changes nothing."""
    return list(Notification.objects.select_for_update().filter(pk__in=ids, email_status=_DUE.FAILED))


def _failed_moved_audit(*, action: str, rows: list[Notification], to_status: str, actor_id: str | None) -> None:
    audit_record_many(
        action=action,
        changes=[
            Change(
                n, before={"email_status": _DUE.FAILED}, after={"email_status": to_status}, employee_id=n.recipient_id
            )
            for n in rows
        ],
        actor_id=actor_id,
    )


@atomic_with_retry
def notifications_resend(*, ids: list[int]) -> int:
    """Try failed e-mails again from the start (HR's "send again"); returns how many. Only failed
    rows move, so a second click, or a row sent meanwhile, sends nothing twice."""
    failed = _failed_locked(ids)
    count = Notification.objects.filter(pk__in=[n.pk for n in failed]).update(
        email_status=_DUE.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    _failed_moved_audit(action="notifications.resend", rows=failed, to_status=_DUE.PENDING, actor_id=None)
    transaction.on_commit(lambda: _dispatch(list(ids)))
    return count


@atomic_with_retry
def notifications_give_up(*, ids: list[int], given_up_by_id: str) -> int:
    """HR gives up on failed e-mails (an address that will never work): they are not sent, the
    notification stays in the portal, and the failed count the alarm watches goes down."""
    failed = _failed_locked(ids)
    for notification in failed:
        notification.email_status = _DUE.SKIPPED
        notification.last_error = f"HR gave up on it after: {notification.last_error}"[:500]
    Notification.objects.bulk_update(failed, ["email_status", "last_error"])
    _failed_moved_audit(action="notifications.give_up", rows=failed, to_status=_DUE.SKIPPED, actor_id=given_up_by_id)
    return len(failed)


# --- Addresses the mail service reported --------------------------------------------------------
@atomic_with_retry
def email_suppress(*, email: str, reason: str, detail: str = "") -> bool:
    """Stop e-mailing `email` (a permanent bounce or a complaint from the mail service); True when
    it was not stopped already. The audit trail shows when and why. ValueError for an address that
    is not one."""
    address = email_address_parse(email)
    reason = EmailSuppression.Reason(reason)
    if EmailSuppression.objects.filter(email=address).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: the same event read twice, at the same time
            suppression = EmailSuppression.objects.create(email=address, reason=reason, detail=detail[:500])
    except IntegrityError:
        return False
    audit_record(
        action="notifications.email_suppress",
        target=suppression,
        before={},
        after={"email": address, "reason": str(reason), "detail": detail[:500]},
    )
    return True


@atomic_with_retry
def email_suppressions_lift(*, ids: list[int], lifted_by_id: str) -> int:
    """HR lifts suppressions once the addresses are fixed; e-mails written from now on are sent."""
    lifted = list(EmailSuppression.objects.select_for_update().filter(pk__in=ids))
    EmailSuppression.objects.filter(pk__in=[s.pk for s in lifted]).delete()
    audit_record_many(
        action="notifications.email_suppression_lift",
        changes=[Change(s, before={"email": s.email, "reason": s.reason}, after={}) for s in lifted],
        actor_id=lifted_by_id,
    )
    return len(lifted)
