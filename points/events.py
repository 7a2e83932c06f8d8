"""What the points services tell people: the kinds they raise and their words. Called inside the
change's transaction (notifications.services.notify writes the outbox row there)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify, notify_once

POINTS_AWARDED = notification_kind(code="points_awarded", topic=Topic.AWARDS, label="Points awarded")
# Points taken back are money: always told.
POINTS_REVERSED = notification_kind(code="points_reversed", topic=Topic.REQUIRED, label="Award corrected")
# Points about to lapse are money: always told.
POINTS_EXPIRING = notification_kind(code="points_expiring", topic=Topic.REQUIRED, label="Points about to expire")
AWARD_APPROVAL = notification_kind(code="award_approval", topic=Topic.STAFF, label="Award waiting for approval")
AWARD_DECIDED = notification_kind(code="award_decided", topic=Topic.STAFF, label="Award approved or rejected")


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
        title=f"{awarded_by_name} gave you {amount:,} points",
        body=f"“{reason}”\nYour balance is now {balance:,} points.",
        link=reverse("points:history"),
    )


def notify_points_reversed(*, user_id: str, amount: int, reason: str, award_reason: str, balance: int) -> None:
    """A correction of an award: how much was taken back, why, and the balance it left."""
    notify(
        recipient_id=user_id,
        kind=POINTS_REVERSED,
        title=f"An award was corrected: {amount:,} points taken back",
        body=f"The award “{award_reason}” was corrected by {amount:,} points: “{reason}”\n"
        f"Your balance is now {balance:,} points.",
        link=reverse("points:history"),
    )


def notify_points_expiring(*, user_id: str, points: int, on, window: int) -> bool:
    """Points about to lapse: how many and on which day, once per day and reminder (30, 7 days)."""
    day = f"{on.day} {on:%b %Y}"
    told = notify_once(
        recipient_id=user_id,
        kind=POINTS_EXPIRING,
        title=f"{points:,} points expire on {day}",
        body=f"{points:,} of your points expire at the end of {day}. Spend them in the shop before then; "
        "points are spent oldest first, so those go first.",
        link=reverse("points:history"),
        dedupe_key=f"points-expiring:{on.isoformat()}:{window}",
    )
    return told is not None


def notify_award_approval_needed(*, approver_ids: list[str], requested_by_name: str, summary: str, link: str) -> None:
    """A large award waits: every other HR user who may approve it hears of it."""
    for approver_id in approver_ids:
        notify(
            recipient_id=approver_id,
            kind=AWARD_APPROVAL,
            title=f"{requested_by_name} asks you to approve {summary}",
            body=f"{requested_by_name} asked for {summary}. It credits nothing until another HR user approves it.",
            link=link,
        )


def notify_award_decided(*, requester_id: str, decided_by_name: str, summary: str, approved: bool, note: str) -> None:
    verb = "approved" if approved else "rejected"
    reason = f"\nReason: {note}" if note else ""
    notify(
        recipient_id=requester_id,
        kind=AWARD_DECIDED,
        title=f"{decided_by_name} {verb} your {summary}",
        body=f"{decided_by_name} {verb} your {summary}.{reason}",
        link=reverse("admin:points_awardbatch_changelist"),
    )
