"""What the points services tell people: the kinds they raise and their words. Called inside the
change's transaction (notifications.services.notify writes the outbox row there)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_noop

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify, notify_once
from notifications.words import Words, words

POINTS_AWARDED = notification_kind(code="points_awarded", topic=Topic.AWARDS, label=gettext_noop("Points awarded"))
# Points taken back are money: always told.
POINTS_REVERSED = notification_kind(code="points_reversed", topic=Topic.REQUIRED, label=gettext_noop("Award corrected"))
# Points about to lapse are money: always told.
POINTS_EXPIRING = notification_kind(
    code="points_expiring", topic=Topic.REQUIRED, label=gettext_noop("Points about to expire")
)
AWARD_APPROVAL = notification_kind(
    code="award_approval", topic=Topic.STAFF, label=gettext_noop("Award waiting for approval")
)
AWARD_DECIDED = notification_kind(
    code="award_decided", topic=Topic.STAFF, label=gettext_noop("Award approved or rejected")
)


def awarder_name(user_id: str | None) -> str:
    """The name an award's notification gives its giver (AWSomeShop for the system's own)."""
    if user_id is None:
        return "AWSomeShop"
    user = get_user_model().objects.filter(pk=user_id).only("first_name", "last_name", "email").first()
    return (user.get_full_name() or user.email) if user else "AWSomeShop"


def notify_points_awarded(*, user_id: str, amount: int, reason: str, awarded_by_name: str, balance: int) -> None:
    """An award: who gave the points and why, and the balance it left."""
    notify(
        recipient_id=user_id,
        kind=POINTS_AWARDED,
        title=words(gettext_noop("%(name)s gave you %(amount)s points"), name=awarded_by_name, amount=amount),
        body=[
            words(gettext_noop("“%(reason)s”"), reason=reason),
            words(gettext_noop("Your balance is now %(balance)s points."), balance=balance),
        ],
        link=reverse("points:history"),
    )


def notify_points_reversed(*, user_id: str, amount: int, reason: str, award_reason: str, balance: int) -> None:
    """A correction of an award: how much was taken back, why, and the balance it left."""
    notify(
        recipient_id=user_id,
        kind=POINTS_REVERSED,
        title=words(gettext_noop("An award was corrected: %(amount)s points taken back"), amount=amount),
        body=[
            words(
                gettext_noop("The award “%(award_reason)s” was corrected by %(amount)s points: “%(reason)s”"),
                award_reason=award_reason,
                amount=amount,
                reason=reason,
            ),
            words(gettext_noop("Your balance is now %(balance)s points."), balance=balance),
        ],
        link=reverse("points:history"),
    )


def notify_points_expiring(*, user_id: str, points: int, on, window: int) -> bool:
    """Points about to lapse: how many and on which day, once per day and reminder (30, 7 days)."""
    told = notify_once(
        recipient_id=user_id,
        kind=POINTS_EXPIRING,
        title=words(gettext_noop("%(points)s points expire on %(day)s"), points=points, day=on),
        body=words(
            gettext_noop(
                "%(points)s of your points expire at the end of %(day)s. Spend them in the shop before then; "
                "points are spent oldest first, so those go first."
            ),
            points=points,
            day=on,
        ),
        link=reverse("points:history"),
        dedupe_key=f"points-expiring:{on.isoformat()}:{window}",
    )
    return told is not None


def batch_summary(*, is_reversal: bool, award_count: int, points_total: int) -> Words:
    """What an award request asks, in words: “2 awards of 3,000 points”, “a reversal of 900 points”."""
    if is_reversal:
        return words(gettext_noop("a reversal of %(points)s points"), points=points_total)
    if award_count == 1:
        return words(gettext_noop("an award of %(points)s points"), points=points_total)
    return words(gettext_noop("%(count)s awards of %(points)s points"), count=award_count, points=points_total)


def notify_award_approval_needed(*, approver_ids: list[str], requested_by_name: str, summary: Words, link: str) -> None:
    """A large award waits: every other HR user who may approve it hears of it."""
    for approver_id in approver_ids:
        notify(
            recipient_id=approver_id,
            kind=AWARD_APPROVAL,
            title=words(
                gettext_noop("%(name)s asks you to approve %(summary)s"), name=requested_by_name, summary=summary
            ),
            body=words(
                gettext_noop("%(name)s asked for %(summary)s. It credits nothing until another HR user approves it."),
                name=requested_by_name,
                summary=summary,
            ),
            link=link,
        )


def notify_award_decided(*, requester_id: str, decided_by_name: str, summary: Words, approved: bool, note: str) -> None:
    if approved:
        title = words(
            gettext_noop("%(name)s approved your request for %(summary)s"), name=decided_by_name, summary=summary
        )
        body = [words(gettext_noop("The points are credited to the employees' balances."))]
    else:
        title = words(
            gettext_noop("%(name)s rejected your request for %(summary)s"), name=decided_by_name, summary=summary
        )
        body = [words(gettext_noop("Nothing was credited."))]
    if note:
        body.append(words(gettext_noop("Reason: %(note)s"), note=note))
    notify(
        recipient_id=requester_id,
        kind=AWARD_DECIDED,
        title=title,
        body=body,
        link=reverse("admin:points_awardbatch_changelist"),
    )
