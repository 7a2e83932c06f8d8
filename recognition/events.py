"""What recognition tells people. Called inside the change's transaction (the outbox row commits
with it)."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from notifications.kinds import notification_kind
from notifications.models import Topic
from notifications.services import notify
from notifications.words import words

from .models import Recognition

RECOGNITION_RECEIVED = notification_kind(
    code="recognition_received", topic=Topic.AWARDS, label=gettext_noop("Recognition received")
)
# Points taken back are money: always told.
MILESTONE = notification_kind(code="milestone", topic=Topic.AWARDS, label=gettext_noop("Milestone"))
ALLOWANCE_LAPSING = notification_kind(
    code="allowance_lapsing", topic=Topic.AWARDS, label=gettext_noop("Points to give about to lapse")
)
RECOGNITION_HIDDEN = notification_kind(
    code="recognition_hidden", topic=Topic.REQUIRED, label=gettext_noop("Recognition hidden")
)


def recognition_link(recognition: Recognition) -> str:
    return reverse("recognition:detail", args=[recognition.pk])


def notify_recognition_received(
    *, recognition: Recognition, user_id: str, giver_name: str, points: int, added: bool, balance: int
) -> None:
    """A recognition, or a colleague's points added to one: who, for which value, how much."""
    if added:
        title = words(
            gettext_noop("%(name)s added %(points)s points to your recognition"), name=giver_name, points=points
        )
    elif recognition.value:
        title = words(
            gettext_noop("%(name)s recognised you for “%(value)s”"), name=giver_name, value=recognition.value.name
        )
    else:
        title = words(gettext_noop("%(name)s recognised you for a milestone"), name=giver_name)
    notify(
        recipient_id=user_id,
        kind=RECOGNITION_RECEIVED,
        title=title,
        body=[
            words(gettext_noop("“%(message)s”"), message=recognition.message),
            words(
                gettext_noop("You received %(points)s points; your balance is now %(balance)s points."),
                points=points,
                balance=balance,
            ),
        ],
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
            title=words(gettext_noop("A recognition was hidden by HR")),
            body=[
                words(
                    gettext_noop("The recognition “%(message)s” was hidden: “%(reason)s”."),
                    message=recognition.message[:200],
                    reason=recognition.hidden_reason,
                ),
                words(gettext_noop("Points it gave that had not been spent were taken back.")),
            ],
            link=reverse("points:history"),
        )


def notify_milestone(*, recognition: Recognition, user_id: str, points: int, balance: int) -> None:
    """A milestone awarded itself: the wish, and the points."""
    notify(
        recipient_id=user_id,
        kind=MILESTONE,
        title=words(gettext_noop("%(wish)s %(points)s points for you"), wish=recognition.message, points=points),
        body=words(
            gettext_noop("AWSomeShop gave you %(points)s points. Your balance is now %(balance)s points."),
            points=points,
            balance=balance,
        ),
        link=recognition_link(recognition),
    )
