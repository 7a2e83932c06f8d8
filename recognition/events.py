"""What recognition tells people. Called inside the change's transaction (the outbox row commits
with it)."""

from django.urls import reverse

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify

from .models import Recognition

RECOGNITION_RECEIVED = notification_kind(code="recognition_received", topic=Topic.AWARDS, label="Recognition received")
# Points taken back are money: always told.
MILESTONE = notification_kind(code="milestone", topic=Topic.AWARDS, label="Milestone")
ALLOWANCE_LAPSING = notification_kind(
    code="allowance_lapsing", topic=Topic.AWARDS, label="Points to give about to lapse"
)
RECOGNITION_HIDDEN = notification_kind(code="recognition_hidden", topic=Topic.REQUIRED, label="Recognition hidden")


def recognition_link(recognition: Recognition) -> str:
    return reverse("recognition:detail", args=[recognition.pk])


def notify_recognition_received(
    *, recognition: Recognition, user_id: str, giver_name: str, points: int, added: bool, balance: int
) -> None:
    """A recognition, or a colleague's points added to one: who, for which value, how much."""
    if added:
        title = f"{giver_name} added {points:,} points to your recognition"
    else:
        value = recognition.value.name if recognition.value else "a milestone"
        title = f"{giver_name} recognised you for “{value}”"
    notify(
        recipient_id=user_id,
        kind=RECOGNITION_RECEIVED,
        title=title,
        body=f"“{recognition.message}”\nYou received {points:,} points; your balance is now {balance:,} points.",
        link=recognition_link(recognition),
    )


def notify_recognition_hidden(*, recognition: Recognition) -> None:
    """HR took a recognition down: its giver, everyone who added to it and its receivers hear why."""
    people = {recognition.giver_id, *recognition.gives.values_list("giver_id", flat=True)}
    people |= set(recognition.receiver_rows.values_list("user_id", flat=True))
    for user_id in sorted(person for person in people if person is not None):  # a milestone has no giver
        notify(
            recipient_id=user_id,
            kind=RECOGNITION_HIDDEN,
            title="A recognition was hidden by HR",
            body=f"The recognition “{recognition.message[:200]}” was hidden: “{recognition.hidden_reason}”.\n"
            "Points it gave that had not been spent were taken back.",
            link=reverse("points:history"),
        )


def notify_milestone(*, recognition: Recognition, user_id: str, points: int, balance: int) -> None:
    """A milestone awarded itself: the wish, and the points."""
    notify(
        recipient_id=user_id,
        kind=MILESTONE,
        title=f"{recognition.message} {points:,} points for you",
        body=f"AWSomeShop gave you {points:,} points. Your balance is now {balance:,} points.",
        link=recognition_link(recognition),
    )
